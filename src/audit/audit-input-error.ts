/**
 * An argument to the audit store is invalid: a query filter (too-short SHA, unparseable date,
 * unknown AI level) or a malformed record. The message names the field and the accepted form,
 * so the CLI can print it and the HTTP API can answer 400 with it.
 */
export class AuditInputError extends Error {
  override readonly name: string = "AuditInputError";
  constructor(
    message: string,
    /** The offending field, e.g. "sha", "since", "mergedAt". */
    readonly field: string,
  ) {
    super(message);
  }
}
