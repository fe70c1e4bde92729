/**
 * Boundary exceptions as the audit trail holds them: grants and revokes in the order they were
 * recorded. Pure: the handler reads the rows, this folds them.
 */
import type { GrantedException } from "./snapshot.js";

/** One recorded grant or revoke (the fields the fold reads). */
export type ExceptionEntry = Omit<GrantedException, "revoked"> & { seq: number; action: "grant" | "revoke" };

/** The exceptions in force: every grant, in recording order, marked revoked when a later revoke names its boundary. */
export function grantedExceptions(entries: readonly ExceptionEntry[]): GrantedException[] {
  const out: GrantedException[] = [];
  for (const row of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (row.action === "revoke") {
      for (const e of out) if (e.boundary === row.boundary) e.revoked = true;
      continue;
    }
    out.push({ boundary: row.boundary, grantedBy: row.grantedBy, reason: row.reason, sha: row.sha, commentId: row.commentId, grantedAt: row.grantedAt, revoked: false });
  }
  return out;
}
