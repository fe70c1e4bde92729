/**
 * SQL for incidents and their links, for both engines. Records are rebuilt from the hashed
 * payloads in audit_log (as merges are); the projections only find and order them. The current
 * relation of an (incident, merge) pair is its newest link: the highest id, ids being seqs.
 */
import type { IncidentFilter, ReportDimension } from "./audit-store.js";
import { GROUP_KEYS, mergeConditions, normalizeRepo, normalizeRepoSet, timeBound, type NormalizedMergeFilter } from "./merge-query.js";
import { statement, type Engine, type Statement } from "./sql-builder.js";

export const INCIDENT_COLUMNS = "i.id, a.seq, a.entry_hash, a.recorded_at, a.source, a.payload";

/** When an incident counts as happening: its start, else when it was recorded. */
const INCIDENT_TIME = "COALESCE(i.started_at, i.recorded_at)";

/** The (incident, merge) pairs' current links: the newest of each pair. */
const CURRENT_LINKS = `SELECT l.incident_id, l.merge_id, l.relation FROM incident_links l
  JOIN (SELECT incident_id, merge_id, MAX(id) AS id FROM incident_links GROUP BY incident_id, merge_id) newest ON newest.id = l.id`;

export function incidentByIdStatement(engine: Engine, externalId: string): Statement {
  return statement(
    engine,
    (q) =>
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i JOIN audit_log a ON a.seq = i.audit_seq WHERE i.external_id = ${q.param(externalId)}`,
  );
}

export interface NormalizedIncidentFilter {
  category?: string;
  severity?: number;
  since?: string;
  untilExclusive?: string;
  repo?: string;
  repos?: string[];
  limit: number;
}

export function normalizeIncidentFilter(filter: IncidentFilter, limit: number): NormalizedIncidentFilter {
  const out: NormalizedIncidentFilter = { limit };
  if (filter.category !== undefined) out.category = filter.category;
  if (filter.severity !== undefined) out.severity = filter.severity;
  if (filter.since !== undefined) out.since = timeBound(filter.since, "since").start;
  if (filter.until !== undefined) out.untilExclusive = timeBound(filter.until, "until").endExclusive;
  if (filter.repo !== undefined) out.repo = normalizeRepo(filter.repo);
  if (filter.repos !== undefined) out.repos = normalizeRepoSet(filter.repos);
  return out;
}

/** Newest first by start (else recording) time, then by seq. */
export function listIncidentsStatement(engine: Engine, f: NormalizedIncidentFilter): Statement {
  return statement(engine, (q) => {
    const where: string[] = [];
    if (f.category !== undefined) where.push(`i.category = ${q.param(f.category)}`);
    if (f.severity !== undefined) where.push(`i.severity = ${q.param(f.severity)}`);
    if (f.since !== undefined) where.push(`${INCIDENT_TIME} >= ${q.param(f.since)}`);
    if (f.untilExclusive !== undefined) where.push(`${INCIDENT_TIME} < ${q.param(f.untilExclusive)}`);
    const linkedIn = (condition: string) =>
      `i.id IN (SELECT l.incident_id FROM incident_links l JOIN merges m ON m.id = l.merge_id WHERE ${condition})`;
    if (f.repo !== undefined) where.push(linkedIn(`m.repo = ${q.param(f.repo)}`));
    if (f.repos !== undefined) where.push(f.repos.length ? linkedIn(q.inTexts("m.repo", f.repos)) : "1 = 0");
    return `SELECT ${INCIDENT_COLUMNS} FROM incidents i JOIN audit_log a ON a.seq = i.audit_seq
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${INCIDENT_TIME} DESC, i.id DESC LIMIT ${q.param(f.limit)}`;
  });
}

/** Every link of these incidents, oldest first, with the linked merge's keys. */
export function linksOfIncidentsStatement(engine: Engine, incidentIds: readonly number[]): Statement {
  return statement(
    engine,
    (q) => `SELECT l.incident_id, l.merge_id, a.seq, a.recorded_at, a.payload, m.repo, m.pr_number, m.merge_commit_sha, m.merged_at
      FROM incident_links l JOIN audit_log a ON a.seq = l.audit_seq JOIN merges m ON m.id = l.merge_id
      WHERE ${q.inIds("l.incident_id", incidentIds)}
      ORDER BY l.id`,
  );
}

/** Every link to the merge of repo + PR, oldest first, with its incident's entry. */
export function linksOfMergeStatement(engine: Engine, repo: string, prNumber: number): Statement {
  return statement(
    engine,
    (q) => `SELECT l.incident_id, la.seq AS link_seq, la.recorded_at AS link_recorded_at, la.payload AS link_payload, ${INCIDENT_COLUMNS}
      FROM merges m JOIN incident_links l ON l.merge_id = m.id JOIN audit_log la ON la.seq = l.audit_seq
      JOIN incidents i ON i.id = l.incident_id JOIN audit_log a ON a.seq = i.audit_seq
      WHERE m.repo = ${q.param(normalizeRepo(repo))} AND m.pr_number = ${q.param(prNumber)}
      ORDER BY l.id`,
  );
}

export function mergeIdStatement(engine: Engine, repo: string, prNumber: number): Statement {
  return statement(
    engine,
    (q) => `SELECT id FROM merges WHERE repo = ${q.param(normalizeRepo(repo))} AND pr_number = ${q.param(prNumber)}`,
  );
}

// ---- trends ----------------------------------------------------------------------------------

/** Incidents per category and UTC month of their start (else recording), within since/until. */
export function incidentsByCategoryMonthStatement(engine: Engine, f: NormalizedMergeFilter): Statement {
  return statement(engine, (q) => {
    const where: string[] = [];
    if (f.since !== undefined) where.push(`${INCIDENT_TIME} >= ${q.param(f.since)}`);
    if (f.untilExclusive !== undefined) where.push(`${INCIDENT_TIME} < ${q.param(f.untilExclusive)}`);
    return `SELECT i.category, SUBSTR(${INCIDENT_TIME}, 1, 7) AS month, COUNT(*) AS incidents FROM incidents i
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY i.category, SUBSTR(${INCIDENT_TIME}, 1, 7)`;
  });
}

/** Per group of the filter's merges: how many, and how many are currently linked as caused or suspect. */
export function linkedShareStatement(engine: Engine, f: NormalizedMergeFilter, by: Extract<ReportDimension, "ai" | "team">): Statement {
  return statement(engine, (q) => {
    const where = mergeConditions(q, f);
    return `WITH culprit AS (SELECT DISTINCT cur.merge_id FROM (${CURRENT_LINKS}) cur WHERE cur.relation IN ('caused', 'suspect'))
      SELECT ${GROUP_KEYS[by]} AS k, COUNT(*) AS merges, SUM(CASE WHEN c.merge_id IS NULL THEN 0 ELSE 1 END) AS linked
      FROM merges m LEFT JOIN culprit c ON c.merge_id = m.id
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY ${GROUP_KEYS[by]}`;
  });
}

/** Each current caused/suspect link of the filter's merges whose incident has a start time. */
export function mergeToStartStatement(engine: Engine, f: NormalizedMergeFilter): Statement {
  return statement(engine, (q) => {
    const where = [...mergeConditions(q, f), "cur.relation IN ('caused', 'suspect')", "i.started_at IS NOT NULL"];
    return `SELECT m.merged_at, i.started_at FROM (${CURRENT_LINKS}) cur
      JOIN merges m ON m.id = cur.merge_id JOIN incidents i ON i.id = cur.incident_id
      WHERE ${where.join(" AND ")}`;
  });
}

/** Every incident and link projection row, for verify() to compare with the hashed entries. */
export const INCIDENT_PROJECTION_SQL = {
  incidents:
    "SELECT id, audit_seq, external_id, title, url, severity, category, started_at, source, recorded_at FROM incidents ORDER BY id",
  links: "SELECT id, audit_seq, incident_id, merge_id, relation, note, linked_by, linked_at FROM incident_links ORDER BY id",
};
