/**
 * A write contradicts what is already recorded under the same key (an incident id opened again
 * with different fields). The trail is insert-only, so the first record stands; the message names
 * the differing fields, both values, and what to do instead. The HTTP API answers 409.
 */
import { AuditInputError } from "./audit-input-error.js";

export class AuditConflictError extends AuditInputError {
  override readonly name: string = "AuditConflictError";
}
