/**
 * The audit trail's port. Adapters: `sqlite-audit-store.ts` (default) and `postgres-audit-store.ts`.
 * Both pass the same contract suite (`test/contract/audit-store.test.ts`).
 *
 * Every write appends one entry to a single hash chain (`audit_log`): `prev_hash` is the previous
 * entry's `entry_hash`, so any modified, deleted or reordered row is found by `verify()`.
 * Tables other than `audit_log` are projections for fast queries and are insert-only.
 */
import type { DisclosureLevel } from "../policy/snapshot.js";

export type RecordSource = "webhook" | "backfill" | "cli";

export interface ReviewerNoteRecord {
  reviewer: string;
  reviewId: number;
  state: string;
  /** The head SHA the review was submitted on. */
  reviewedSha: string | null;
  submittedAt: string | null;
  /** Whether the review counted towards the understanding-review gate. */
  counted: boolean;
  /** Why it did not count (stale, author, no note…), when it did not. */
  reason: string | null;
  /** The checklist items found ticked. */
  checklist: string[];
  /** The `Verified:` statement. */
  verified: string | null;
}

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
  /** Merged while `countersign` was not success (or absent). */
  bypassed: boolean;
  /** SHAs of the PR's commits (lookups by any of them find this merge). */
  commitShas: string[];
  /** SHA-256 of the config text in force (null: defaults). */
  configHash: string | null;
  source: RecordSource;
}

export interface MergeRecord extends MergeRecordInput {
  seq: number;
  entryHash: string;
  recordedAt: string;
}

export interface EvaluationRecordInput {
  repo: string;
  prNumber: number;
  headSha: string;
  event: string;
  conclusion: "success" | "failure";
  title: string;
  gates: { id: string; status: string }[];
  aiLevel: DisclosureLevel | null;
  aiTools: string[];
}

export interface ExceptionRecordInput {
  repo: string;
  prNumber: number;
  boundary: string;
  grantedBy: string;
  reason: string;
  sha: string;
  commentId: number | null;
  /** "grant" or "revoke". */
  action: "grant" | "revoke";
}

export interface MergeFilter {
  repo?: string;
  /** A glob over changed paths (picomatch semantics, as boundaries use). */
  path?: string;
  since?: string;
  until?: string;
  ai?: DisclosureLevel;
  team?: string;
  bypassed?: boolean;
  reverted?: boolean;
  /** Full or abbreviated (>= 7 hex) SHA of the merge commit, the head or any PR commit. */
  sha?: string;
  limit?: number;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  headHash: string | null;
  /** The first broken link, when not ok. */
  brokenAt?: { seq: number; reason: string };
}

/** What a write did: `inserted: false` means it was already recorded (a redelivery). */
export interface AppendResult {
  inserted: boolean;
  seq: number | null;
}

export interface AuditStore {
  readonly engine: "sqlite" | "postgres";
  /** Runs pending versioned migrations (safe when several replicas start at once). */
  migrate(): Promise<void>;
  /** Idempotent per (repo, PR, delivery id). */
  recordEvaluation(input: EvaluationRecordInput, deliveryId: string | null): Promise<AppendResult>;
  /** One merge record per repo + PR, whatever the delivery. */
  recordMerge(input: MergeRecordInput, deliveryId: string | null): Promise<AppendResult>;
  recordException(input: ExceptionRecordInput, deliveryId: string | null): Promise<AppendResult>;
  listExceptions(repo: string, prNumber: number): Promise<(ExceptionRecordInput & { grantedAt: string; seq: number })[]>;
  listMerges(filter: MergeFilter): Promise<MergeRecord[]>;
  getMerge(repo: string, prNumber: number): Promise<MergeRecord | null>;
  findMergeBySha(sha: string): Promise<MergeRecord | null>;
  verify(options?: { checkpoint?: string }): Promise<VerifyResult>;
  close(): Promise<void>;
}
