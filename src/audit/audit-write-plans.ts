/**
 * What each kind of record appends: its envelope (hashed into the chain), the checks that make
 * it a no-op when already recorded, and the projection rows that make it queryable. Pure: the
 * adapters run a plan inside their chain lock (sqlite-audit-store.ts, postgres-audit-store.ts).
 */
import { AuditInputError } from "./audit-input-error.js";
import type { EvaluationRecordInput, ExceptionRecordInput, MergeRecordInput, RecordSource, RevertRecordInput } from "./audit-store.js";
import { canonicalJson } from "./canonical-json.js";
import type { AuditEnvelope } from "./hash-chain.js";
import type { NormalizedIncident, NormalizedIncidentLink } from "./incident-input.js";
import { isRepoName, normalizeInstant, normalizeRepo, shaRange, subjectOf, teamKey } from "./merge-query.js";
import { mergesRollupDeltas, revertRollupDeltas } from "./report-rollup.js";
import { insertRows, statement, type Engine, type SqlBuilder, type Statement } from "./sql-builder.js";

export interface AppendPlan {
  envelope: Omit<AuditEnvelope, "v" | "recordedAt">;
  /** Any of these returning a row means "already recorded": the append is a no-op. */
  duplicateChecks: Statement[];
  /** Rows for the projections, given the entry's seq (also their id) and time. */
  projections: (seq: number, recordedAt: string) => Statement[];
  /**
   * The same projections as plain rows per table, when they need no SQL beyond INSERT (merges):
   * bulk appends batch these across many entries.
   */
  projectionRows?: (seq: number, recordedAt: string) => TableRows[];
}

export interface TableRows {
  table: string;
  rows: Record<string, unknown>[];
}

function asStatements(engine: Engine, tables: TableRows[]): Statement[] {
  return tables.flatMap((t) => insertRows(engine, t.table, t.rows));
}

const REVERT_METHODS: readonly RevertRecordInput["method"][] = ["body", "branch", "commit_msg", "title"];
const RECORD_SOURCES: readonly RecordSource[] = ["webhook", "backfill", "cli", "api"];

function defaultSource(source: RecordSource | undefined, deliveryId: string | null): RecordSource {
  return source ?? (deliveryId === null ? "cli" : "webhook");
}

function deliveryCheck(engine: Engine, kind: string, subject: string, deliveryId: string | null): Statement[] {
  if (deliveryId === null) return [];
  return [
    statement(
      engine,
      (q) =>
        `SELECT 1 FROM audit_log WHERE kind = ${q.param(kind)} AND subject = ${q.param(subject)} AND delivery_id = ${q.param(deliveryId)}`,
    ),
  ];
}

/** Throws AuditInputError unless `repo` is owner/name and `prNumber` a positive integer. */
export function checkPullRequest(where: string, repo: string, prNumber: number): void {
  if (!isRepoName(repo)) {
    throw new AuditInputError(`${where}: repo "${repo}" is not of the form owner/name`, "repo");
  }
  if (!Number.isInteger(prNumber) || prNumber < 1) {
    throw new AuditInputError(`${where} ${repo}: prNumber ${prNumber} is not a positive integer`, "prNumber");
  }
}

function checkSource(where: string, source: RecordSource): void {
  if (!RECORD_SOURCES.includes(source)) {
    throw new AuditInputError(`${where}: source "${source}" is not one of ${RECORD_SOURCES.join(", ")}`, "source");
  }
}

/** Lowercase full SHA; throws with the record's context when it is not hex. */
function fullSha(where: string, field: string, sha: string): string {
  if (typeof sha !== "string" || !/^[0-9a-fA-F]{7,64}$/.test(sha)) {
    throw new AuditInputError(`${where}: ${field} "${sha}" is not a hex commit SHA`, field);
  }
  return sha.toLowerCase();
}

export function evaluationPlan(engine: Engine, input: EvaluationRecordInput, deliveryId: string | null): AppendPlan {
  checkPullRequest("recordEvaluation", input.repo, input.prNumber);
  const subject = subjectOf(input.repo, input.prNumber);
  const source = defaultSource(input.source, deliveryId);
  checkSource(`recordEvaluation ${subject}`, source);
  return {
    envelope: { kind: "evaluation", subject, deliveryId, source, data: input },
    duplicateChecks: deliveryCheck(engine, "evaluation", subject, deliveryId),
    projections: () => [],
  };
}

export function exceptionPlan(engine: Engine, input: ExceptionRecordInput, deliveryId: string | null): AppendPlan {
  checkPullRequest("recordException", input.repo, input.prNumber);
  const subject = subjectOf(input.repo, input.prNumber);
  const source = defaultSource(input.source, deliveryId);
  checkSource(`recordException ${subject}`, source);
  const sha = fullSha(`recordException ${subject}`, "sha", input.sha);
  if (input.action !== "grant" && input.action !== "revoke") {
    throw new AuditInputError(`recordException ${subject}: action "${input.action}" is not grant or revoke`, "action");
  }
  const rows = (seq: number, recordedAt: string): TableRows[] => [
    {
      table: "exceptions",
      rows: [
        {
          id: seq,
          audit_seq: seq,
          repo: normalizeRepo(input.repo),
          pr_number: input.prNumber,
          boundary: input.boundary,
          action: input.action,
          granted_by: input.grantedBy,
          reason: input.reason,
          granted_sha: sha,
          comment_id: input.commentId,
          granted_at: recordedAt,
        },
      ],
    },
  ];
  return {
    envelope: { kind: "exception", subject, deliveryId, source, data: input },
    duplicateChecks: deliveryCheck(engine, "exception", subject, deliveryId),
    projections: (seq, recordedAt) => asStatements(engine, rows(seq, recordedAt)),
    projectionRows: rows,
  };
}

const ROLE_RANK = { pr_commit: 0, head: 1, merge_commit: 2 } as const;
export type CommitRole = keyof typeof ROLE_RANK;

export function mergePlan(engine: Engine, input: MergeRecordInput, deliveryId: string | null): AppendPlan {
  checkPullRequest("recordMerge", input.repo, input.prNumber);
  const subject = subjectOf(input.repo, input.prNumber);
  const where = `recordMerge ${subject}`;
  checkSource(where, input.source);
  const { mergedAt, roles } = checkedMerge(where, input);
  return {
    envelope: { kind: "merge", subject, deliveryId, source: input.source, data: input },
    // A merge is recorded once per repo + PR whatever the delivery: webhook and backfill may both see it.
    duplicateChecks: [statement(engine, (q) => `SELECT 1 FROM audit_log WHERE kind = 'merge' AND subject = ${q.param(subject)}`)],
    projections: (seq, recordedAt) => {
      // The report rollup follows in the same transaction (report-rollup.ts).
      const rollup = mergesRollupDeltas(engine, [[normalizeRepo(input.repo), input.prNumber]], { from: seq, to: seq });
      return [...rollup.before, ...asStatements(engine, mergeRows(input, mergedAt, roles, seq, recordedAt)), ...rollup.after];
    },
    projectionRows: (seq, recordedAt) => mergeRows(input, mergedAt, roles, seq, recordedAt),
  };
}

/** Validates a merge record's time, SHAs and completeness flags; its commits with their strongest role. */
export function checkedMerge(where: string, input: MergeRecordInput): { mergedAt: string; roles: Map<string, CommitRole> } {
  if (input.incomplete !== undefined && typeof input.incomplete !== "boolean") {
    throw new AuditInputError(`${where}: incomplete must be true or false`, "incomplete");
  }
  const named = Array.isArray(input.missing) && input.missing.length > 0 && input.missing.every((m) => typeof m === "string");
  if (input.incomplete === true && !named) {
    throw new AuditInputError(`${where}: an incomplete record must name what it is missing (missing: a non-empty list)`, "missing");
  }
  let mergedAt: string;
  try {
    mergedAt = normalizeInstant(input.mergedAt, "mergedAt");
  } catch {
    throw new AuditInputError(`${where}: mergedAt "${input.mergedAt}" is not an ISO-8601 time`, "mergedAt");
  }
  // One role per SHA and merge; the strongest wins (a head commit is also a PR commit).
  const roles = new Map<string, CommitRole>();
  const addCommit = (field: string, sha: string | null, role: CommitRole) => {
    if (sha === null) return;
    const s = fullSha(where, field, sha);
    const had = roles.get(s);
    if (had === undefined || ROLE_RANK[role] > ROLE_RANK[had]) roles.set(s, role);
  };
  for (const [i, sha] of input.commitShas.entries()) addCommit(`commitShas[${i}]`, sha, "pr_commit");
  addCommit("headSha", input.headSha, "head");
  addCommit("mergeCommitSha", input.mergeCommitSha, "merge_commit");
  if (input.githubUrl !== undefined && input.githubUrl !== null && !/^https?:\/\/[^/\s?#]+$/.test(input.githubUrl)) {
    throw new AuditInputError(
      `${where}: githubUrl "${input.githubUrl}" must be GitHub's web origin, e.g. https://ghe.example.com`,
      "githubUrl",
    );
  }
  return { mergedAt, roles };
}

/** The projection rows of a merge record (`seq`: the merge's id; also used by merge completions). */
export function mergeRows(
  input: MergeRecordInput,
  mergedAt: string,
  roles: Map<string, CommitRole>,
  seq: number,
  recordedAt: string,
): TableRows[] {
  const lower = (sha: string | null) => (sha === null ? null : sha.toLowerCase());
  const primary = input.owningTeam === null ? null : teamKey(input.owningTeam);
  const teams = new Map<string, { team: string; files: number }>();
  for (const t of input.teams) if (!teams.has(teamKey(t.team))) teams.set(teamKey(t.team), t);
  if (input.owningTeam !== null && primary !== null && !teams.has(primary)) teams.set(primary, { team: input.owningTeam, files: 0 });
  return [
    {
      table: "merges",
      rows: [
        {
          id: seq,
          audit_seq: seq,
          repo: normalizeRepo(input.repo),
          pr_number: input.prNumber,
          title: input.title,
          author: input.author,
          head_sha: lower(input.headSha),
          base_ref: input.baseRef,
          base_sha: lower(input.baseSha),
          merge_commit_sha: lower(input.mergeCommitSha),
          merged_by: input.mergedBy,
          merged_at: mergedAt,
          ai_level: input.aiLevel,
          ai_tools: canonicalJson(input.aiTools),
          agent: input.agent,
          sponsor: input.sponsor,
          owning_team: input.owningTeam,
          check_conclusion: input.checkConclusion,
          bypassed: input.bypassed,
          config_hash: input.configHash,
          github_url: input.githubUrl ?? null,
          source: input.source,
          recorded_at: recordedAt,
          // Only on incomplete records: a complete one keeps the columns' defaults (and the row a version-1 schema takes).
          ...(input.incomplete === true ? { incomplete: true, missing: canonicalJson(input.missing ?? []) } : {}),
        },
      ],
    },
    { table: "merge_commits", rows: [...roles].map(([sha, role]) => ({ sha, merge_id: seq, role })) },
    {
      table: "merge_paths",
      rows: uniqueBy(input.paths, (p) => p.path).map((p) => ({
        merge_id: seq,
        path: p.path,
        previous_path: p.previousPath ?? null,
        status: p.status,
      })),
    },
    {
      table: "merge_reviews",
      rows: uniqueBy(input.reviewers, (r) => String(r.reviewId)).map((r) => ({
        merge_id: seq,
        review_id: r.reviewId,
        reviewer: r.reviewer,
        state: r.state,
        reviewed_sha: lower(r.reviewedSha),
        submitted_at: r.submittedAt,
        counted: r.counted,
        reason: r.reason,
        checklist: canonicalJson(r.checklist),
        verified_note: r.verified,
      })),
    },
    {
      table: "merge_teams",
      rows: [...teams].map(([key, t]) => ({
        merge_id: seq,
        team: t.team,
        team_key: key,
        files_owned: t.files,
        is_primary: key === primary,
      })),
    },
    {
      table: "merge_boundaries",
      rows: uniqueBy(input.boundaries, (b) => b.name).map((b) => ({
        merge_id: seq,
        boundary: b.name,
        action: b.action,
        outcome: b.outcome,
      })),
    },
    {
      table: "merge_exceptions",
      rows: input.exceptions.map((e, ordinal) => ({
        merge_id: seq,
        ordinal,
        boundary: e.boundary,
        granted_by: e.grantedBy,
        reason: e.reason,
        granted_sha: e.sha.toLowerCase(),
        comment_id: e.commentId,
        granted_at: e.grantedAt,
      })),
    },
  ];
}

export function revertPlan(engine: Engine, input: RevertRecordInput, deliveryId: string | null): AppendPlan {
  checkPullRequest("recordRevert", input.repo, input.prNumber);
  const reverting = subjectOf(input.repo, input.prNumber);
  const where = `recordRevert ${reverting}`;
  checkPullRequest(where, input.revertedRepo, input.revertedPrNumber ?? 1);
  const source = defaultSource(input.source, deliveryId);
  checkSource(where, source);
  if (!REVERT_METHODS.includes(input.method)) {
    throw new AuditInputError(`${where}: method "${input.method}" is not one of ${REVERT_METHODS.join(", ")}`, "method");
  }
  if (input.revertedPrNumber === null && input.revertedSha === null) {
    throw new AuditInputError(`${where}: give revertedPrNumber or revertedSha (what was reverted)`, "revertedPrNumber");
  }
  const { revertedRepo, sha, subject, revertingRepo } = revertFacts(input);
  const rollup = revertRollupDeltas(engine, {
    repo: revertingRepo,
    prNumber: input.prNumber,
    revertedRepo,
    revertedPrNumber: input.revertedPrNumber,
    revertedSha: sha,
  });
  return {
    envelope: { kind: "revert_link", subject, deliveryId, source, data: input },
    duplicateChecks: [
      ...deliveryCheck(engine, "revert_link", subject, deliveryId),
      statement(
        engine,
        (q) =>
          `SELECT 1 FROM reverts WHERE reverting_repo = ${q.param(revertingRepo)} AND reverting_pr = ${q.param(input.prNumber)} ` +
          `AND reverted_ref = ${q.param(subject)}`,
      ),
    ],
    projections: (seq, recordedAt) => [
      rollup.before,
      statement(engine, (q) => {
        const merges = revertMergeQueries(q, input, null);
        return `INSERT INTO reverts (id, audit_seq, reverting_repo, reverting_pr, reverting_merge_id, reverted_repo, reverted_pr,
            reverted_sha, reverted_ref, reverted_merge_id, method, detected_at)
          VALUES (${q.param(seq)}, ${q.param(seq)}, ${q.param(revertingRepo)}, ${q.param(input.prNumber)},
            (${merges.reverting}), ${q.param(revertedRepo)}, ${q.param(input.revertedPrNumber)}, ${q.param(sha)}, ${q.param(subject)},
            (${merges.reverted}), ${q.param(input.method)}, ${q.param(recordedAt)})`;
      }),
      rollup.after,
    ],
  };
}

export interface RevertFacts {
  revertingRepo: string;
  revertedRepo: string;
  /** Lowercase, possibly abbreviated; null when the link names a PR only. */
  sha: string | null;
  /** The chain subject: what was reverted. */
  subject: string;
}

/** A revert link's normalised repositories, reverted SHA and chain subject. */
export function revertFacts(input: RevertRecordInput): RevertFacts {
  const revertedRepo = normalizeRepo(input.revertedRepo);
  const sha = input.revertedSha === null ? null : shaRange(input.revertedSha, "revertedSha").from;
  // The subject is what was reverted, so the reverted merge's history groups under one subject.
  const subject = input.revertedPrNumber !== null ? subjectOf(revertedRepo, input.revertedPrNumber) : `${revertedRepo}@${sha}`;
  return { revertingRepo: normalizeRepo(input.repo), revertedRepo, sha, subject };
}

/**
 * The subqueries that resolve a revert link to merge ids: the reverting PR's merge, and the
 * reverted one (by PR, or the merge whose commit the SHA starts, strongest role first). With
 * `beforeSeq`, only merges recorded before that entry: what the tables held when it was appended.
 */
export function revertMergeQueries(
  q: SqlBuilder,
  input: RevertRecordInput,
  beforeSeq: number | null,
): { reverting: string; reverted: string } {
  const { revertingRepo, revertedRepo, sha } = revertFacts(input);
  const before = (column: string) => (beforeSeq === null ? "" : ` AND ${column} < ${q.param(beforeSeq)}`);
  return {
    reverting: `SELECT id FROM merges WHERE repo = ${q.param(revertingRepo)} AND pr_number = ${q.param(input.prNumber)}${before("id")}`,
    reverted:
      input.revertedPrNumber !== null
        ? `SELECT id FROM merges WHERE repo = ${q.param(revertedRepo)} AND pr_number = ${q.param(input.revertedPrNumber)}${before("id")}`
        : `SELECT c.merge_id FROM merge_commits c JOIN merges m ON m.id = c.merge_id
            WHERE m.repo = ${q.param(revertedRepo)} AND c.sha >= ${q.param(sha)} AND c.sha < ${q.param(`${sha}g`)}${before("c.merge_id")}
            ORDER BY CASE c.role WHEN 'merge_commit' THEN 0 WHEN 'head' THEN 1 ELSE 2 END, c.merge_id DESC LIMIT 1`,
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The chain subject of an incident and of its links: its history reads under one subject. */
export function incidentSubject(externalId: string): string {
  return `incident:${externalId}`;
}

/** `incident` is validated and normalised by the caller (normalizeIncident), which also answers repeats. */
export function incidentPlan(engine: Engine, incident: NormalizedIncident, source: RecordSource): AppendPlan {
  const subject = incidentSubject(incident.externalId);
  checkSource(`recordIncident ${subject}`, source);
  return {
    envelope: { kind: "incident", subject, deliveryId: null, source, data: incident },
    // A concurrent open of the same id: the caller re-reads and compares.
    duplicateChecks: [statement(engine, (q) => `SELECT 1 FROM incidents WHERE external_id = ${q.param(incident.externalId)}`)],
    projections: (seq, recordedAt) =>
      insertRows(engine, "incidents", [
        {
          id: seq,
          audit_seq: seq,
          external_id: incident.externalId,
          title: incident.title,
          url: incident.url,
          severity: incident.severity,
          category: incident.category,
          started_at: incident.startedAt,
          source,
          recorded_at: recordedAt,
        },
      ]),
  };
}

/**
 * `link` is validated by the caller, which resolved the incident and the merge to their ids
 * (insert-only rows: the ids cannot go stale). Repeating the current relation with the same note
 * is a no-op; anything else is a new link that becomes the current one.
 */
export function incidentLinkPlan(
  engine: Engine,
  link: NormalizedIncidentLink,
  ids: { incidentId: number; mergeId: number },
  source: RecordSource,
): AppendPlan {
  checkPullRequest(`linkIncident ${link.externalId}`, link.repo, link.prNumber);
  const subject = incidentSubject(link.externalId);
  checkSource(`linkIncident ${subject}`, source);
  const data: NormalizedIncidentLink = { ...link, repo: normalizeRepo(link.repo) };
  return {
    envelope: { kind: "incident_link", subject, deliveryId: null, source, data },
    duplicateChecks: [
      statement(
        engine,
        (q) => `SELECT 1 FROM incident_links l WHERE l.id = (SELECT MAX(l2.id) FROM incident_links l2
            WHERE l2.incident_id = ${q.param(ids.incidentId)} AND l2.merge_id = ${q.param(ids.mergeId)})
          AND l.relation = ${q.param(link.relation)} AND COALESCE(l.note, '') = ${q.param(link.note ?? "")}`,
      ),
    ],
    projections: (seq, recordedAt) =>
      insertRows(engine, "incident_links", [
        {
          id: seq,
          audit_seq: seq,
          incident_id: ids.incidentId,
          merge_id: ids.mergeId,
          relation: link.relation,
          note: link.note,
          linked_by: link.linkedBy,
          linked_at: recordedAt,
        },
      ]),
  };
}
