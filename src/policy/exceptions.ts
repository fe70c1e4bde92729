/**
 * Boundary exceptions as the audit trail holds them: grants and revokes in the order they were
 * recorded, who may not grant them, and which commit a grant binds to. Pure: the handler reads
 * the rows and the PR, these decide.
 */
import { otherApprovers, type TeamMembers } from "./approvers.js";
import { exceptionCommand, SHOWN_SHA_LENGTH } from "./commands.js";
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
    out.push({
      boundary: row.boundary,
      grantedBy: row.grantedBy,
      reason: row.reason,
      sha: row.sha,
      commentId: row.commentId,
      grantedAt: row.grantedAt,
      revoked: false,
    });
  }
  return out;
}

/** The people an exception would wave through: the PR's author and, for an agent PR, its sponsor. */
export interface Accountable {
  author: string;
  /** The agent PR's sponsor (`Sponsor: @login`, else the first human assignee); null otherwise. */
  sponsor: string | null;
}

/**
 * Why `login` may not grant an exception on this PR (its author, or the sponsor of this agent
 * PR), as a phrase after the login; null when they may.
 */
export function selfGrant(login: string, who: Accountable): string | null {
  const same = (other: string | null) => other !== null && other.toLowerCase() === login.toLowerCase();
  if (same(who.author)) return "opened this pull request";
  if (same(who.sponsor)) return "sponsors this agent pull request";
  return null;
}

/** The head SHA of one evaluation the app recorded, and when (ISO-8601), in recording order. */
export interface EvaluatedHead {
  headSha: string;
  recordedAt: string;
}

/** The head the app last evaluated at or before `at`; null when it had evaluated none by then. */
export function headAt(history: readonly EvaluatedHead[], at: string): string | null {
  const limit = Date.parse(at);
  let head: string | null = null;
  for (const e of history) if (Date.parse(e.recordedAt) <= limit) head = e.headSha;
  return head;
}

/** When the app first evaluated `sha` as the head; null when it never did. */
export function firstSeen(history: readonly EvaluatedHead[], sha: string): string | null {
  return history.find((e) => e.headSha === sha)?.recordedAt ?? null;
}

/** GitHub gives a comment's `created_at` to the second: the comment was written within a second after it. */
const CREATED_AT_PRECISION_MS = 1000;

export interface BindingRequest {
  /** The SHA the approver named (`auth@<sha>`, lowercase), or null for the bare form. */
  sha: string | null;
  /** The PR's head now. */
  headSha: string;
  /** The comment's `created_at`. */
  writtenAt: string;
  /** The heads the app evaluated on this PR, in recording order. */
  history: readonly EvaluatedHead[];
  /** `exceptions.require_sha`: the bare form is refused. */
  requireSha: boolean;
}

export type Binding = { ok: true; sha: string } | { ok: false; why: string };

/**
 * The commit an exception command binds to: always the current head, and only when it is the
 * commit the approver saw. With `@<sha>`, the head must start with it (and, for an abbreviated
 * SHA, have been evaluated by the time the comment was written, so a commit pushed later with the
 * same prefix is not covered). Without it, the head must be the one the app had last evaluated
 * when the comment was written (`created_at`); a push after that is never covered. Anything the
 * app cannot show is refused.
 */
export function bindException(req: BindingRequest): Binding {
  const head = req.headSha.toLowerCase();
  const shown = head.slice(0, SHOWN_SHA_LENGTH);
  if (req.sha !== null) {
    if (!head.startsWith(req.sha)) return { ok: false, why: `it names ${req.sha}, but the head of this pull request is now ${shown}` };
    if (req.sha.length === head.length) return { ok: true, sha: head };
    const seen = firstSeen(req.history, head);
    if (seen === null || Date.parse(seen) > Date.parse(req.writtenAt) + CREATED_AT_PRECISION_MS) {
      const why = `Countersign had not evaluated the head ${shown} when the comment was written (${req.writtenAt}); name the full SHA`;
      return { ok: false, why };
    }
    return { ok: true, sha: head };
  }
  if (req.requireSha) return { ok: false, why: "this repository requires the commit in the command (`exceptions.require_sha`)" };
  const then = headAt(req.history, req.writtenAt);
  if (then === head) return { ok: true, sha: head };
  const was = then === null ? "Countersign had not evaluated this pull request yet" : `the head it last evaluated was ${then.slice(0, 12)}`;
  const when = `when the comment was written (${req.writtenAt})`;
  const why = `the head is now ${shown}, and it cannot be shown to be the commit you saw: ${when}, ${was}`;
  return { ok: false, why };
}

export interface GrantRequest extends Omit<BindingRequest, "sha"> {
  boundary: string;
  /** Who comments; already known to be an approver of `boundary`. */
  login: string;
  command: { sha: string | null; reason: string };
  approvers: readonly string[];
  teamMembers: TeamMembers;
  accountable: Accountable;
  /** The changed files the boundary covers (`boundaryFiles`), and whether GitHub listed them all. */
  files: readonly string[];
  filesTruncated: boolean;
}

/** What to record and answer for an approver's `/countersign exception`: the bound SHA, or a refusal. */
export type GrantDecision = { ok: true; sha: string; reply: string } | { ok: false; reply: string };

export function decideGrant(req: GrantRequest): GrantDecision {
  const what = `an exception for \`${req.boundary}\``;
  const self = selfGrant(req.login, req.accountable);
  if (self) {
    const others = otherApprovers(req.approvers, req.teamMembers, [req.login, req.accountable.author, req.accountable.sponsor]);
    const ask =
      others.length > 0
        ? `Ask another approver: ${others.slice(0, 10).join(", ")}${others.length > 10 ? ` and ${others.length - 10} more` : ""}.`
        : `No other approver of \`${req.boundary}\` can grant it: add one to its approvers in \`.github/countersign.yml\` (base branch).`;
    return { ok: false, reply: `@${req.login} ${self}, so they cannot grant ${what} on it. ${ask}` };
  }
  const binding = bindException({ ...req, sha: req.command.sha });
  if (!binding.ok) {
    // The full SHA: it binds whenever that commit is the head, however recently it was pushed.
    const copy = exceptionCommand(req.boundary, req.headSha, req.command.reason, true);
    return {
      ok: false,
      reply: `Nothing was granted: ${binding.why}. Review the head commit and, to cover it, comment:\n\n\`\`\`\n${copy}\n\`\`\``,
    };
  }
  const listed = req.files
    .slice(0, 20)
    .map((f) => `\`${f}\``)
    .join(", ");
  const more = req.files.length > 20 ? ` and ${req.files.length - 20} more` : "";
  const covers = req.files.length === 0 ? "it covers no changed file yet" : `it covers ${listed}${more}`;
  const partial = req.filesTruncated ? " (GitHub lists only the first 3,000 changed files)" : "";
  return {
    ok: true,
    sha: binding.sha,
    reply:
      `Exception for \`${req.boundary}\` granted by @${req.login} on ${binding.sha} and recorded in the audit trail: ` +
      `${covers}${partial}. It holds for this commit only: new commits void it.`,
  };
}
