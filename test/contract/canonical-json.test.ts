/**
 * The hash chain's primitives, shared by both engines: canonical JSON and the entry hash format.
 * (Pure unit tests; they live beside the contract suite because they pin what an external
 * verifier must reproduce.)
 */
import fc from "fast-check";
import { canonicalJson } from "../../src/audit/canonical-json.js";
import { GENESIS_HASH, computeEntryHash, parseCheckpoint, sha256Hex, verifyChain, buildChainRow } from "../../src/audit/hash-chain.js";

describe("canonicalJson", () => {
  test.each([
    [{ b: 1, a: [3, 1, { d: null, c: true }] }, '{"a":[3,1,{"c":true,"d":null}],"b":1}'],
    ['line\nbreak "quoted" \u2028', '"line\\nbreak \\"quoted\\" \u2028"'],
    [{ kept: 1, omitted: undefined }, '{"kept":1}'],
    [[], "[]"],
    [{}, "{}"],
    // RFC 8785 section 3.2.2.3 number serialisation (ECMAScript's).
    [
      [1e21, 1e-7, 0.000001, -0, 333333333.33333329, 4.5e-324, 9007199254740993],
      "[1e+21,1e-7,0.000001,0,333333333.3333333,5e-324,9007199254740992]",
    ],
  ])("%j → %s", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  test("sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)", () => {
    const value = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"] as const;
    expect(canonicalJson(value)).toBe(`{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`).join(",")}}`);
  });

  test.each([
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["a Date", new Date(0)],
    ["a bigint", 1n],
    ["a function", () => 1],
    ["undefined in an array", [1, undefined]],
    ["a Map", new Map()],
  ])("refuses %s", (_, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  test("property: parse → serialise is a fixed point, whatever the key order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(canonicalJson(reverseKeys(value))).toBe(text);
      }),
    );
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((k) => [k, reverseKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

describe("entry hash", () => {
  test("pinned vector: external verifiers must get the same digests", () => {
    // printf '{"a":1}' | sha256sum; printf 'countersign/v1\n1\n<64 zeros>\n<that>' | sha256sum
    expect(sha256Hex('{"a":1}')).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    expect(computeEntryHash(1, GENESIS_HASH, "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")).toBe(
      "6c2ae7542b7a3e0247f38c6fb184478f43593a60aeeec5f4712d8f3fc0a62832",
    );
  });

  test("checkpoints: a bare entry hash or <seq>:<entry hash>", () => {
    const h = "A".repeat(64);
    expect(parseCheckpoint(h)).toEqual({ seq: null, hash: "a".repeat(64) });
    expect(parseCheckpoint(` 12:${h} `)).toEqual({ seq: 12, hash: "a".repeat(64) });
    expect(parseCheckpoint("12:abc")).toBeNull();
  });

  test("property: any built chain verifies, and changing any payload is caught at that entry", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 20 }), fc.nat(), async (datas, pick) => {
        const rows = [];
        let head: { seq: number; entryHash: string } | null = null;
        for (const data of datas) {
          const row = buildChainRow(
            { v: 1, kind: "evaluation", subject: "a/b#1", deliveryId: null, source: "cli", recordedAt: "2026-01-01T00:00:00.000Z", data },
            head,
          );
          rows.push(row);
          head = { seq: row.seq, entryHash: row.entry_hash };
        }
        expect(await verifyChain(rows)).toEqual({ ok: true, entries: rows.length, headHash: head!.entryHash });
        const i = pick % rows.length;
        const tampered = rows.map((r, j) => (j === i ? { ...r, payload: r.payload.replace(/}$/, ',"x":1}') } : r));
        expect((await verifyChain(tampered)).brokenAt?.seq).toBe(i + 1);
      }),
      { numRuns: 50 },
    );
  });
});
