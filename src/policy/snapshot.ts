/**
 * Everything the policy engine reads about one pull request at one head SHA.
 * Built by `src/github/load-snapshot.ts` (or the CLI from a local git repository); plain data,
 * so `evaluate()` stays a pure function and the same snapshot always gives the same verdict.
 */

/** GitHub lists at most 3,000 files of a PR and (REST) at most 250 commits; the gates fail closed past them. */
export const MAX_LISTED_FILES = 3000;
export const MAX_LISTED_COMMITS = 250;

/** Disclosure levels in increasing order of AI involvement. */
export const AI_LEVELS = ["none", "assisted", "generated", "agent"] as const;
export type AiLevel = (typeof AI_LEVELS)[number];
/** A level, or the absence of any valid answer. */
export type DisclosureLevel = AiLevel | "undisclosed";

export interface Actor {
  login: string;
  type: "User" | "Bot" | "Organization";
}

export interface CommitInfo {
  sha?: string;
  message: string;
  /** GitHub login of the commit author, when GitHub could link the email to an account. */
  authorLogin: string | null;
  authorEmail: string | null;
  authorName?: string | null;
}

export interface ChangedFile {
  /** Path after the change (for renames: the new path). */
  path: string;
  /** For renames: the old path. */
  previousPath?: string | null;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
}

export interface ReviewInfo {
  id: number;
  user: Actor | null;
  /** GitHub review state: APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  state: string;
  body: string | null;
  /** The head SHA the review was submitted on. */
  commitId: string | null;
  submittedAt: string | null;
  /**
   * When the body was last edited, by whom (GraphQL `lastEditedAt` / `editor`, or the sender of a
   * `pull_request_review.edited` event). A body edited by anyone but the reviewer is not their note;
   * `editedBy: null` with `lastEditedAt` set means GitHub did not say who edited it.
   */
  lastEditedAt?: string | null;
  editedBy?: string | null;
}

/** The CODEOWNERS file GitHub would use at the base SHA, if any. */
export interface CodeownersSource {
  /** `.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`; null when none exists. */
  path: string | null;
  /** File text; null when absent or not loaded (too large). */
  text: string | null;
  sizeBytes: number;
  /** Git blob SHA, when known: parsed CODEOWNERS are cached by it. */
  oid?: string | null;
  /** The lines GitHub itself reports as invalid (`GET /repos/{o}/{r}/codeowners/errors`), when read. */
  githubErrors?: { line: number; message: string }[] | null;
}

export interface PullRequestSnapshot {
  repo: { owner: string; name: string };
  number: number;
  title: string;
  body: string | null;
  author: Actor;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  labels: string[];
  assignees: Actor[];
  requestedReviewers: { users: string[]; teams: string[] };
  files: ChangedFile[];
  /** GitHub lists at most 3,000 files: true when the list may be incomplete (the gate fails closed). */
  filesTruncated: boolean;
  commits: CommitInfo[];
  /** The REST API lists at most 250 commits. */
  commitsTruncated: boolean;
  reviews: ReviewInfo[];
  codeowners: CodeownersSource;
  /** Members of teams named as boundary approvers, keyed `@org/team` (filled by the loader when needed). */
  teamMembers: Record<string, string[]>;
  /** Exceptions granted on this PR (from the audit store). */
  exceptions: GrantedException[];
}

export interface GrantedException {
  boundary: string;
  grantedBy: string;
  reason: string;
  /** The head SHA the exception was granted on; it holds only for that SHA. */
  sha: string;
  commentId: number | null;
  grantedAt: string;
  revoked: boolean;
}
