/**
 * A write names something the audit trail does not hold: an incident that was never opened, or a
 * merge that was never recorded. The CLI exits 1 with the message; the HTTP API answers 404.
 * An AuditInputError too, so callers that only know that class still refuse it as bad input.
 */
import { AuditInputError } from "./audit-input-error.js";

export class AuditNotFoundError extends AuditInputError {
  override readonly name: string = "AuditNotFoundError";
}
