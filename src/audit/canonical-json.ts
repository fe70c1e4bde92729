/**
 * Canonical JSON for the audit hash chain (RFC 8785 / JCS style): object keys sorted by UTF-16
 * code units, no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does
 * (which is what JCS specifies). The same value always yields the same text, so a payload's hash
 * can be recomputed by anyone holding the stored text.
 *
 * Deliberate deviations from RFC 8785: object properties whose value is `undefined` are omitted
 * (as JSON.stringify does), so optional fields need no special casing; lone surrogates are
 * escaped as `\udXXX` (JSON.stringify's well-formed output) rather than rejected.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, "$");
}

function serialise(value: unknown, at: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${at} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new TypeError(`canonicalJson: ${at} is a ${typeof value}, which JSON cannot represent`);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item, i) => {
        if (item === undefined) throw new TypeError(`canonicalJson: ${at}[${i}] is undefined`);
        return serialise(item, `${at}[${i}]`);
      })
      .join(",")}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  // A Date, Map or class instance would silently become `{}`: callers pass plain data only.
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`canonicalJson: ${at} is not a plain object`);
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 section 3.2.3 requires.
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${serialise(record[k], `${at}.${k}`)}`).join(",")}}`;
}
