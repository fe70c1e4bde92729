/**
 * The merge record: what the audit trail keeps about one merged pull request, and the pure
 * mapping from an assessment at merge time to it (`mergeRecordOf`). docs/audit-trail.md
 * describes how the store chains and projects it.
 */
import type { ConfigError } from "./config.js";
import type { ReviewJudgement, Verdict } from "./evaluate.js";
import type { DisclosureLevel, GrantedException, PullRequestSnapshot } from "./snapshot.js";

/** Who wrote an entry: a GitHub webhook, `countersign backfill`, another CLI verb, or the HTTP API. */
export type RecordSource = "webhook" | "backfill" | "cli" | "api";

/** A review as the record keeps it: the judgement of the understanding-review gate, note flattened. */
export type ReviewerNoteRecord = Omit<ReviewJudgement, "note"> & {
  /** The checklist items found ticked. */
  checklist: string[];
  /** The `Verified:` statement. */
  verified: string | null;
};

export interface DisclosureSourceRecord {
  /** Canonical tool id, or null for a level-only answer. */
  tool: string | null;
  /** Where it was seen: body, trailer, commit, author, marker. */
  where: string;
  /** Commit SHA when it came from a commit. */
  sha?: string | null;
  detail: string;
}

export interface MergeRecordInput {
  repo: string; // owner/name
  prNumber: number;
  title: string;
  author: string;
  headSha: string;
  baseRef: string;
  baseSha: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  mergedAt: string; // ISO-8601 UTC
  aiLevel: DisclosureLevel;
  aiTools: string[];
  disclosureSources: DisclosureSourceRecord[];
  agent: string | null;
  sponsor: string | null;
  reviewers: ReviewerNoteRecord[];
  owningTeam: string | null;
  teams: { team: string; files: number }[];
  paths: { path: string; previousPath: string | null; status: string }[];
  boundaries: { name: string; action: string; outcome: string }[];
  exceptions: { boundary: string; grantedBy: string; reason: string; sha: string; commentId: number | null; grantedAt: string }[];
  /** The `countersign` conclusion on the head SHA at merge time; null when there was none. */
  checkConclusion: string | null;
  /**
   * Merged while `countersign` was not success (or absent), unless the check failed only because
   * of other open PRs sharing the head commit while this PR's own verdict passed.
   */
  bypassed: boolean;
  /** SHAs of the PR's commits (lookups by any of them find this merge). */
  commitShas: string[];
  /** SHA-256 of the config text in force (null: defaults, or the config was invalid). */
  configHash: string | null;
  /**
   * Present only when the config in force at the base commit was invalid: the gates were not
   * evaluated (disclosure, reviews, ownership and boundaries are left empty), and the check failed.
   */
  configInvalid?: { source: string; errors: { path: string; line: number | null; message: string }[] };
  source: RecordSource;
  /**
   * Recorded from the webhook payload alone while GitHub could not be read: the facts named in
   * `missing` are absent (empty lists, null team and check), and the verdict fields are not
   * a verdict. A later completion entry supersedes it. Absent or false: a complete record.
   */
  incomplete?: boolean;
  /** What an incomplete record lacks, e.g. reviews, notes, files, owners, verdict. */
  missing?: string[];
  /**
   * GitHub's web URL for this repository's host, e.g. `https://ghe.example.com` (GitHub Enterprise
   * Server) or `https://github.com`, as the app saw it. Absent in records made before it was kept:
   * readers then fall back to the configured host (GHE_HOST) or github.com (`githubUrlOf`).
   */
  githubUrl?: string | null;
}

/** The merged pull request as GitHub reports it (the fields the record keeps). */
export interface MergedPull {
  number: number;
  title: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  /** null: not reported; `now` is used. */
  mergedAt: string | null;
  /** GitHub's web origin the PR lives on (from its html_url); null when unknown. */
  githubUrl?: string | null;
}

export interface MergeFacts {
  repo: string;
  pull: MergedPull;
  /** Files, commits, author and reviews at merge time. */
  snapshot: PullRequestSnapshot;
  /** null when the config was invalid: the gates were not evaluated. */
  verdict: Verdict | null;
  config: { hash: string | null } | { invalid: { source: string; errors: ConfigError[] } };
  exceptions: GrantedException[];
  /** Our check run's conclusion on the head at merge time. */
  checkConclusion: string | null;
  /**
   * When that check was shared by several open PRs on the head commit: the PRs it named as
   * blocking it. Absent or null: the check was this PR's alone.
   */
  checkBlockedBy?: readonly number[] | null;
  source: RecordSource;
  /** ISO-8601 time used when GitHub gives no merge time. */
  now: string;
}

/** The audit record of a merge. Pure: the same facts always give the same record. */
export function mergeRecordOf(f: MergeFacts): MergeRecordInput {
  const { snapshot, verdict } = f;
  const invalid = "invalid" in f.config ? f.config.invalid : null;
  const record: MergeRecordInput = {
    repo: f.repo,
    prNumber: f.pull.number,
    title: f.pull.title,
    author: snapshot.author.login,
    headSha: f.pull.headSha,
    baseRef: f.pull.baseRef,
    baseSha: f.pull.baseSha,
    mergeCommitSha: f.pull.mergeCommitSha,
    mergedBy: f.pull.mergedBy,
    mergedAt: f.pull.mergedAt ?? f.now,
    aiLevel: verdict?.disclosure.level ?? "undisclosed",
    aiTools: verdict?.disclosure.tools ?? [],
    disclosureSources: verdict ? disclosureSources(verdict) : [],
    agent: verdict?.disclosure.agent ?? null,
    sponsor: verdict?.sponsor ?? null,
    reviewers: verdict ? verdict.reviews.map(reviewerRecord) : [],
    owningTeam: verdict?.ownership.owningTeam ?? null,
    teams: verdict ? verdict.ownership.teams.map((t) => ({ team: t.team, files: t.files })) : [],
    paths: snapshot.files.map((p) => ({ path: p.path, previousPath: p.previousPath ?? null, status: p.status })),
    boundaries: verdict
      ? verdict.boundaries.map((b) => ({ name: b.name, action: b.action, outcome: b.status === "passed" ? (b.via ?? "passed") : "unmet" }))
      : [],
    exceptions: f.exceptions
      .filter((e) => !e.revoked)
      .map((e) => ({
        boundary: e.boundary,
        grantedBy: e.grantedBy,
        reason: e.reason,
        sha: e.sha,
        commentId: e.commentId,
        grantedAt: e.grantedAt,
      })),
    checkConclusion: f.checkConclusion,
    bypassed: bypassedOf(f),
    commitShas: snapshot.commits.flatMap((c) => (c.sha ? [c.sha] : [])),
    configHash: invalid ? null : (f.config as { hash: string | null }).hash,
    source: f.source,
    githubUrl: f.pull.githubUrl ?? null,
  };
  if (invalid)
    record.configInvalid = {
      source: invalid.source,
      errors: invalid.errors.map((e) => ({ path: e.path, line: e.line, message: e.message })),
    };
  return record;
}

/**
 * Merged while the required check was not green (or never ran): the gate was bypassed. A check
 * shared with other open PRs on the same head that failed only because of them (this PR's own
 * verdict passed, and the check did not name it as blocking) is no bypass of this PR's gates.
 */
function bypassedOf(f: MergeFacts): boolean {
  if (f.checkConclusion === "success") return false;
  const others = f.checkBlockedBy;
  const onlyOthers = f.checkConclusion === "failure" && !!others && others.length > 0 && !others.includes(f.pull.number);
  return !(onlyOthers && f.verdict?.conclusion === "success");
}

function disclosureSources(verdict: Verdict): DisclosureSourceRecord[] {
  const d = verdict.disclosure;
  const answers = d.answers.map((a) => ({
    tool: a.tools[0] ?? null,
    where: a.source === "trailer" ? "trailer" : "body",
    sha: a.sha ?? null,
    detail: a.text,
  }));
  const evidence = d.evidence.map((e) => ({
    tool: e.tool,
    where: e.where === "commit" ? "commit" : e.kind,
    sha: e.sha ?? null,
    detail: e.detail,
  }));
  return [...answers, ...evidence];
}

function reviewerRecord(r: Verdict["reviews"][number]): ReviewerNoteRecord {
  return {
    reviewer: r.reviewer,
    reviewId: r.reviewId,
    state: r.state,
    reviewedSha: r.reviewedSha,
    submittedAt: r.submittedAt,
    counted: r.counted,
    reason: r.reason,
    checklist: r.note.checked,
    verified: r.note.verified,
  };
}
