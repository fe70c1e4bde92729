/**
 * The audit trail's port. Adapters: `sqlite-audit-store.ts` (default) and `postgres-audit-store.ts`.
 * Both pass the same contract suite (`test/contract/audit-store.test.ts`).
 *
 * Every write appends one entry to a single hash chain (`audit_log`): `prev_hash` is the previous
 * entry's `entry_hash`, so any modified, deleted or reordered row is found by `verify()`.
 * Tables other than `audit_log` are projections for fast queries and are insert-only.
 */
import type { EvaluatedHead } from "../policy/exceptions.js";
import type { MergeRecordInput, RecordSource } from "../policy/merge-record.js";
import type { InboxStore } from "./inbox-store.js";
import type { DisclosureLevel } from "../policy/snapshot.js";
import type { NormalizedIncident } from "./incident-input.js";

// The merge record is a domain object built by the policy engine (policy/merge-record.ts); the
// store validates, chains and projects it.
export type { DisclosureSourceRecord, MergeRecordInput, RecordSource, ReviewerNoteRecord } from "../policy/merge-record.js";

/** The facts an incomplete merge record lacks (the ones only GitHub's API can give). */
export const INCOMPLETE_MERGE_MISSING = ["reviews", "notes", "files", "owners", "verdict"] as const;

/** The web URL links and subject names use for a merge: its recorded host, else `fallback`. */
export function githubUrlOf(m: Pick<MergeRecordInput, "githubUrl">, fallback = "https://github.com"): string {
  return (m.githubUrl ?? fallback).replace(/\/+$/, "");
}

export interface MergeRecord extends MergeRecordInput {
  seq: number;
  entryHash: string;
  recordedAt: string;
  /** PRs recorded as reverting this merge (`recordRevert`); absent when none. */
  revertedBy?: RevertRecord[];
  /** Set when this record is a completion: the seq of the incomplete entry it completes. */
  completes?: number;
}

/** The recovery sweep's bookkeeping, shared by replicas (not part of the audit trail). */
export interface ReconcileState {
  /** When the last finished sweep started (ISO-8601): the next one reads deliveries from here. */
  lastSweepStartedAt: string;
  /** GUIDs this app asked GitHub to redeliver (newest last, bounded): never asked twice. */
  redelivered: string[];
  /** The newest delivery attempt read (ids only grow): the next sweep reads the newer ones only. */
  lastDeliveryId?: number | null;
  /** How the last sweep that could write this state ended: after one that did not finish, an "ok" one means GitHub is back. */
  lastOutcome?: "ok" | "partial" | "failed";
}

/** A revert found later: `Reverts owner/repo#N` in a PR body or `This reverts commit <sha>.` in a commit. */
export interface RevertRecordInput {
  /** The reverting PR. */
  repo: string;
  prNumber: number;
  /** What it reverts, as found: a PR number and/or a (possibly abbreviated) commit SHA. */
  revertedRepo: string;
  revertedPrNumber: number | null;
  revertedSha: string | null;
  /** How it was detected: PR body, head branch `revert-N-…`, commit message, or title alone (weak). */
  method: "body" | "branch" | "commit_msg" | "title";
  source?: RecordSource;
}

export interface RevertRecord {
  repo: string;
  prNumber: number;
  method: RevertRecordInput["method"];
  revertedSha: string | null;
  detectedAt: string;
  seq: number;
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
  /** Defaults to "webhook" with a delivery id, else "cli". */
  source?: RecordSource;
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
  /** Defaults to "webhook" with a delivery id, else "cli". */
  source?: RecordSource;
}

export interface MergeFilter {
  repo?: string;
  /**
   * Only merges in one of these repositories (owner/name, case-insensitive), e.g. the ones a
   * signed-in GitHub user can read. An empty list matches nothing.
   */
  repos?: readonly string[];
  /** A glob over changed paths (picomatch semantics, as boundaries use). */
  path?: string;
  /** merged_at at or after this ISO-8601 time; a bare date `YYYY-MM-DD` means its start (UTC). */
  since?: string;
  /** merged_at at or before this ISO-8601 time; a bare date includes that whole day (UTC). */
  until?: string;
  /** One disclosure level, or several (any of them): `["assisted", "generated", "agent"]` is "AI-assisted". */
  ai?: DisclosureLevel | readonly DisclosureLevel[];
  /** Any of the merge's owning teams; `@org/team` or `org/team`, case-insensitive. */
  team?: string;
  bypassed?: boolean;
  /** Merges recorded while GitHub could not be read and not completed yet (true), or complete ones (false). */
  incomplete?: boolean;
  reverted?: boolean;
  /** Merges that carried at least one boundary exception (true), or none (false). */
  exceptions?: boolean;
  /** Full or abbreviated (>= 7 hex) SHA of the merge commit, the head or any PR commit. */
  sha?: string;
  /** Default 100; larger values are capped at 1000. */
  limit?: number;
  /**
   * Continue after the last merge of a previous page: its `nextCursor`, an opaque string that
   * encodes that merge's (merged_at, seq). Pages are newest first and stable under new appends.
   */
  cursor?: string;
}

/** One page of `listMergesPage`; `nextCursor` is null on the last page. */
export interface MergePage {
  merges: MergeRecord[];
  nextCursor: string | null;
}

export interface IterateMergesOptions {
  /** Merges read per query: 1 to 1000, default 500. */
  batchSize?: number;
}

/** What `report` groups by: the primary owning team, the AI level, the repository, the UTC month of the merge. */
export const REPORT_DIMENSIONS = ["team", "ai", "repo", "month"] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

/** The report takes the merge filters that SQL answers alone (no path glob, SHA or paging). */
export type ReportFilter = Omit<MergeFilter, "path" | "sha" | "limit" | "cursor">;

export interface ReportCounts {
  merges: number;
  /** assisted + generated + agent. */
  aiAssisted: number;
  /** aiAssisted / merges (null when there are no merges). */
  aiAssistedShare: number | null;
  undisclosed: number;
  bypassed: number;
  /**
   * Merges recorded while GitHub could not be read and not completed yet: their reviews, owners
   * and verdict are unknown, so they count in merges (and by disclosure) but not as bypassed.
   */
  incomplete: number;
  /** Boundary exceptions the group's merges carried at merge time. */
  exceptions: number;
  /** The revert-rate denominator: the group's merges that are not themselves reverts. */
  revertBase: number;
  /** Change-failure proxy: of `revertBase`, merges reverted within 7 days of merging. */
  revertedWithin7d: number;
  revertRate7d: number | null;
  /** Change-failure proxy: of `revertBase`, merges reverted within 30 days of merging. */
  revertedWithin30d: number;
  revertRate30d: number | null;
}

export interface ReportRow extends ReportCounts {
  /** The group's key per dimension; null where the merge has none (no owning team). */
  group: Partial<Record<ReportDimension, string | null>>;
}

export interface AuditReport {
  groupBy: ReportDimension[];
  /** Sorted by the group keys (nulls last). */
  rows: ReportRow[];
  total: ReportCounts;
  /** What each count means, including which ones are change-failure proxies. */
  definitions: Record<string, string>;
}

// ---- incidents --------------------------------------------------------------------------------

/** What an incident was, as the postmortem classifies it (`not-ai`: AI assistance played no part). */
export const INCIDENT_CATEGORIES = [
  "data-exfiltration",
  "hallucination-in-production-code",
  "agent-overreach",
  "credential-exposure",
  "shadow-ai",
  "not-ai",
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

/**
 * How a merge relates to an incident. Links are insert-only; the newest link for an
 * (incident, merge) pair is its current relation, so `dismissed` after `suspect` clears it.
 */
export const INCIDENT_RELATIONS = ["caused", "fixed", "suspect", "dismissed"] as const;
export type IncidentRelation = (typeof INCIDENT_RELATIONS)[number];

export const INCIDENT_SEVERITIES = [1, 2, 3] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * An incident opened in the audit trail, keyed by the incident tracker's id. Recorded once:
 * opening it again with the same fields is a no-op (`inserted: false`); with different fields it
 * is refused (AuditConflictError) — the first record stands, because the trail is insert-only.
 */
export interface IncidentInput {
  /** The tracker's id, e.g. `INC-2041` or a PagerDuty id: letters, digits, `.`, `_`, `:`, `-` (1-128). */
  externalId: string;
  title?: string | null;
  /** Where the incident is tracked (http or https). */
  url?: string | null;
  /** 1 (most severe) to 3. */
  severity?: IncidentSeverity | null;
  category?: IncidentCategory | null;
  /** When the incident started (ISO-8601; stored as UTC). */
  startedAt?: string | null;
  source: RecordSource;
}

/** Links an incident to a recorded merge (the caller resolves owner/repo#N or a SHA to it). */
export interface IncidentLinkInput {
  externalId: string;
  repo: string;
  prNumber: number;
  relation: IncidentRelation;
  note?: string | null;
  /** Who made the link (a login or a name). */
  linkedBy?: string | null;
  /** Defaults to "cli". */
  source?: RecordSource;
}

/** One link as recorded, with the linked merge's keys. */
export interface IncidentLinkRecord {
  repo: string;
  prNumber: number;
  mergeCommitSha: string | null;
  mergedAt: string;
  relation: IncidentRelation;
  note: string | null;
  linkedBy: string | null;
  linkedAt: string;
  seq: number;
  /** The newest link for this merge and incident: its relation is the current one. */
  current: boolean;
}

export interface IncidentFacts extends NormalizedIncident {
  source: RecordSource;
  recordedAt: string;
  seq: number;
  entryHash: string;
}

export interface IncidentRecord extends IncidentFacts {
  /** Every link, oldest first. */
  links: IncidentLinkRecord[];
}

/** An incident as seen from one merge: its current relation to that merge. */
export interface MergeIncidentLink {
  incident: IncidentFacts;
  relation: IncidentRelation;
  note: string | null;
  linkedBy: string | null;
  linkedAt: string;
  seq: number;
}

export interface IncidentFilter {
  category?: IncidentCategory;
  severity?: IncidentSeverity;
  /** Started (or, without a start time, recorded) at or after; a bare date is its start (UTC). */
  since?: string;
  /** Started (or recorded) at or before; a bare date includes that whole day (UTC). */
  until?: string;
  /** Only incidents linked (with any relation) to a merge in this repository. */
  repo?: string;
  /** Only incidents linked to a merge in one of these repositories (a GitHub dashboard session's); empty matches nothing. */
  repos?: readonly string[];
  /** Default 100; larger values are capped at 1000. */
  limit?: number;
}

/** `incidents / merges` per group of merges: the merges currently linked as caused or suspect. */
export interface IncidentLinkedShare {
  key: string | null;
  merges: number;
  linked: number;
  /** linked / merges (null when there are no merges). */
  share: number | null;
}

export interface IncidentTrends {
  /** Incidents per category (null: none given) and UTC month of their start (else of their recording). */
  byCategoryMonth: { category: IncidentCategory | null; month: string; incidents: number }[];
  /** Of the filter's merges, those currently linked as caused or suspect, per AI level. */
  linkedByAi: IncidentLinkedShare[];
  /** The same per primary owning team (lowercased, as `report --group-by team`). */
  linkedByTeam: IncidentLinkedShare[];
  /** Hours from a caused/suspect merge to its incident's start, over links whose incident has a start time. */
  mergeToStart: {
    links: number;
    medianHours: number | null;
    p90Hours: number | null;
    maxHours: number | null;
    /** Links whose incident started before the merge (left out of the figures above). */
    startedBeforeMerge: number;
  };
  definitions: Record<string, string>;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  headHash: string | null;
  /** The first broken link, when not ok. */
  brokenAt?: {
    seq: number;
    reason: string;
    /** When a queryable row differs from what its hashed entry says: where (column null: a missing or extra row). */
    projection?: { table: string; key: string; column: string | null };
  };
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
  /**
   * The head SHA of each evaluation recorded for a PR (merge-group evaluations left out), with
   * its `recorded_at`, in recording order: what the app knew the head to be, and since when.
   */
  evaluatedHeads(repo: string, prNumber: number): Promise<EvaluatedHead[]>;
  /**
   * The first page (or the page after `filter.cursor`) of merges, newest first, with the cursor of
   * the next page. (Its merges alone: `(await store.listMergesPage(filter)).merges`.)
   */
  listMergesPage(filter: MergeFilter): Promise<MergePage>;
  /**
   * Every merge the filter matches (no limit), newest first, read `batchSize` (default 500, at
   * most 1000) at a time with keyset paging, so memory stays flat however large the trail.
   * With `as: "json"`, each record as its JSON text (exactly `JSON.stringify` of the record),
   * spliced from the stored canonical payload instead of parsed and re-serialised: the NDJSON
   * export, several times cheaper in time and garbage.
   */
  iterateMerges(filter: Omit<MergeFilter, "limit">, options?: IterateMergesOptions & { as?: "records" }): AsyncIterable<MergeRecord>;
  iterateMerges(filter: Omit<MergeFilter, "limit">, options: IterateMergesOptions & { as: "json" }): AsyncIterable<string>;
  /** Per-group counts and change-failure proxies, computed in SQL; identical on every engine. */
  report(filter: ReportFilter, groupBy: readonly ReportDimension[]): Promise<AuditReport>;
  /**
   * Many merges in one transaction under the chain lock (imports, benchmarks): the same chain,
   * projections and once-per-repo+PR rule as `recordMerge` with no delivery id, in input order.
   */
  recordMergesBulk(inputs: readonly MergeRecordInput[]): Promise<AppendResult[]>;
  getMerge(repo: string, prNumber: number): Promise<MergeRecord | null>;
  /**
   * Completes an incomplete merge record (one new chain entry, `merge_completion`): the queryable
   * tables then show `input`, which must be complete. A no-op (`inserted: false`) when the merge is
   * already complete; AuditNotFoundError when it is not recorded.
   */
  completeMerge(input: MergeRecordInput): Promise<AppendResult>;
  /** Incomplete merge records, oldest merge first (at most `limit`, default 100). */
  listIncompleteMerges(limit?: number): Promise<MergeRecord[]>;
  readReconcileState(): Promise<ReconcileState | null>;
  writeReconcileState(state: ReconcileState): Promise<void>;
  findMergeBySha(sha: string, options?: { repos?: readonly string[] }): Promise<MergeRecord | null>;
  /**
   * Idempotent per (reverting PR, reverted PR or SHA). The reverted merge's record then carries
   * `revertedBy`, and `listMergesPage({ reverted: true })` finds it.
   */
  recordRevert(input: RevertRecordInput, deliveryId: string | null): Promise<AppendResult>;
  /**
   * Opens an incident (one chain entry). Idempotent per externalId with identical fields; refused
   * with AuditConflictError when the id is recorded with different fields.
   */
  recordIncident(input: IncidentInput): Promise<AppendResult>;
  /**
   * Links an incident to the merge of repo + PR (one chain entry). AuditNotFoundError when either
   * is not recorded. Repeating the current relation with the same note is a no-op.
   */
  linkIncident(input: IncidentLinkInput): Promise<AppendResult>;
  getIncident(externalId: string): Promise<IncidentRecord | null>;
  /** Newest first (by start, else recording time), with their links. */
  listIncidents(filter: IncidentFilter): Promise<IncidentRecord[]>;
  /** The incidents linked to a merge, each with its current relation (dismissed ones included), oldest link first. */
  incidentsForMerge(repo: string, prNumber: number): Promise<MergeIncidentLink[]>;
  /** `audit report --incidents`: incidents by category and month, linked shares, merge-to-incident times. */
  incidentTrends(filter: ReportFilter): Promise<IncidentTrends>;
  /**
   * Walks the chain and reports the first broken link, then checks the incident projections
   * (incidents, incident_links) against their entries: an edited, deleted or added row there is
   * reported at its entry's seq. `checkpoint` is a head printed earlier
   * (`<entry_hash>` or `<seq>:<entry_hash>`): verification also fails when it is no longer in the
   * chain, which is how a truncated tail or a rewritten chain shows.
   */
  verify(options?: { checkpoint?: string }): Promise<VerifyResult>;
  /** The newest entry, for `countersign audit checkpoint`; null when the log is empty. */
  head(): Promise<{ seq: number; entryHash: string } | null>;
  /** The durable webhook inbox and job schedule, on this store's database (same connection). */
  inbox(): InboxStore;
  close(): Promise<void>;
}
