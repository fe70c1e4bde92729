/**
 * Incident reads shared by both SQL engines (lookups, lists, a merge's incidents, trends) and the
 * check of the incident projections against the hashed chain entries, which `verify` runs.
 */
import { AuditConflictError } from "./audit-conflict-error.js";
import { AuditInputError } from "./audit-input-error.js";
import {
  INCIDENT_CATEGORIES,
  INCIDENT_SEVERITIES,
  type AppendResult,
  type IncidentFacts,
  type IncidentFilter,
  type IncidentLinkedShare,
  type IncidentLinkRecord,
  type IncidentRecord,
  type IncidentTrends,
  type MergeFilter,
  type MergeIncidentLink,
  type ReportFilter,
  type VerifyResult,
} from "./audit-store.js";
import { parseEnvelope, type ChainRow } from "./hash-chain.js";
import { INCIDENT_ID_PATTERN, type NormalizedIncident, type NormalizedIncidentLink } from "./incident-input.js";
import {
  INCIDENT_PROJECTION_SQL,
  incidentByIdStatement,
  incidentsByCategoryMonthStatement,
  linkedShareStatement,
  linksOfIncidentsStatement,
  linksOfMergeStatement,
  listIncidentsStatement,
  mergeToStartStatement,
  normalizeIncidentFilter,
} from "./incident-query.js";
import { MAX_LIMIT, isRepoName, normalizeMergeFilter } from "./merge-query.js";
import type { SqlReader } from "./sql-builder.js";
import { ratio } from "./sql-merge-reads.js";

export async function incidentProjectionProblem(db: SqlReader, hashed: HashedIncidentEntries): Promise<VerifyResult["brokenAt"] | null> {
  const incidentRows = await db.query<Record<string, unknown>>({ text: INCIDENT_PROJECTION_SQL.incidents, values: [] });
  const linkRows = await db.query<Record<string, unknown>>({ text: INCIDENT_PROJECTION_SQL.links, values: [] });
  const mergeKeys = await db.query<{ id: number; repo: string; pr_number: number }>({
    text: "SELECT m.id, m.repo, m.pr_number FROM merges m WHERE m.id IN (SELECT merge_id FROM incident_links)",
    values: [],
  });
  const mergeKey = new Map(mergeKeys.map((m) => [Number(m.id), `${m.repo}#${Number(m.pr_number)}`]));
  const incidentSeq = new Map([...hashed.incidents].map(([seq, e]) => [e.data.externalId, seq]));
  return (
    projectionMismatch("incidents", incidentRows, hashed.incidents, (seq, e) => ({
      id: seq,
      audit_seq: seq,
      external_id: e.data.externalId,
      title: e.data.title,
      url: e.data.url,
      severity: e.data.severity,
      category: e.data.category,
      started_at: e.data.startedAt,
      source: e.source,
      recorded_at: e.recordedAt,
    })) ??
    projectionMismatch(
      "incident_links",
      linkRows.map((r) => ({ ...r, merge_id: mergeKey.get(Number(r.merge_id)) ?? `merge id ${String(r.merge_id)}` })),
      hashed.links,
      (seq, e) => ({
        id: seq,
        audit_seq: seq,
        incident_id: incidentSeq.get(e.data.externalId) ?? null,
        merge_id: `${e.data.repo}#${e.data.prNumber}`,
        relation: e.data.relation,
        note: e.data.note,
        linked_by: e.data.linkedBy,
        linked_at: e.recordedAt,
      }),
    )
  );
}

export async function getIncident(db: SqlReader, externalId: string): Promise<IncidentRecord | null> {
  checkIncidentId(externalId);
  const rows = await db.query<IncidentRow>(incidentByIdStatement(db.engine, externalId));
  return (await withLinks(db, rows))[0] ?? null;
}

export async function listIncidents(db: SqlReader, filter: IncidentFilter): Promise<IncidentRecord[]> {
  if (filter.category !== undefined && !(INCIDENT_CATEGORIES as readonly string[]).includes(filter.category)) {
    throw new AuditInputError(`category "${filter.category}" is not one of ${INCIDENT_CATEGORIES.join(", ")}`, "category");
  }
  if (filter.severity !== undefined && !(INCIDENT_SEVERITIES as readonly number[]).includes(filter.severity)) {
    throw new AuditInputError(`severity ${filter.severity} is not 1, 2 or 3`, "severity");
  }
  if (filter.repo !== undefined && !isRepoName(filter.repo)) {
    throw new AuditInputError(`repo "${filter.repo}" is not of the form owner/name`, "repo");
  }
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1) throw new AuditInputError(`limit ${limit} is not a positive integer`, "limit");
  const f = normalizeIncidentFilter(filter, Math.min(limit, MAX_LIMIT));
  return withLinks(db, await db.query<IncidentRow>(listIncidentsStatement(db.engine, f)));
}

export async function incidentsForMerge(db: SqlReader, repo: string, prNumber: number): Promise<MergeIncidentLink[]> {
  const rows = await db.query<IncidentRow & { incident_id: number; link_seq: number; link_recorded_at: string; link_payload: string }>(
    linksOfMergeStatement(db.engine, repo, prNumber),
  );
  // Oldest first, so the last link seen for an incident is its current one.
  const current = new Map<number, MergeIncidentLink>();
  for (const row of rows) {
    const link = parseEnvelope(row.link_payload).data as NormalizedIncidentLink;
    current.delete(Number(row.incident_id));
    current.set(Number(row.incident_id), {
      incident: toIncidentFacts(row),
      relation: link.relation,
      note: link.note,
      linkedBy: link.linkedBy,
      linkedAt: row.link_recorded_at,
      seq: Number(row.link_seq),
    });
  }
  return [...current.values()];
}

export async function incidentTrends(db: SqlReader, filter: ReportFilter): Promise<IncidentTrends> {
  for (const field of ["path", "sha", "limit", "cursor"] as const) {
    if ((filter as MergeFilter)[field] !== undefined) throw new AuditInputError(`the incident trends do not take a ${field} filter`, field);
  }
  const f = normalizeMergeFilter(filter);
  const [months, byAi, byTeam, times] = await Promise.all([
    db.query<{ category: string | null; month: string; incidents: number }>(incidentsByCategoryMonthStatement(db.engine, f)),
    db.query<{ k: string | null; merges: number; linked: number }>(linkedShareStatement(db.engine, f, "ai")),
    db.query<{ k: string | null; merges: number; linked: number }>(linkedShareStatement(db.engine, f, "team")),
    db.query<{ merged_at: string; started_at: string }>(mergeToStartStatement(db.engine, f)),
  ]);
  const hours = times.map((t) => (Date.parse(t.started_at) - Date.parse(t.merged_at)) / 3_600_000);
  const after = hours.filter((h) => h >= 0).sort((a, b) => a - b);
  return {
    byCategoryMonth: months
      .map((r) => ({ category: r.category as IncidentFacts["category"], month: r.month, incidents: Number(r.incidents) }))
      .sort((a, b) => compareKeys(a.month, b.month) || compareKeys(a.category, b.category)),
    linkedByAi: linkedShares(byAi),
    linkedByTeam: linkedShares(byTeam),
    mergeToStart: {
      links: after.length,
      medianHours: after.length === 0 ? null : round2(median(after)),
      p90Hours: after.length === 0 ? null : round2(after[Math.ceil(0.9 * after.length) - 1]!),
      maxHours: after.length === 0 ? null : round2(after[after.length - 1]!),
      startedBeforeMerge: hours.length - after.length,
    },
    definitions: INCIDENT_TREND_DEFINITIONS,
  };
}

export async function incidentFacts(db: SqlReader, externalId: string): Promise<IncidentFacts | null> {
  const [row] = await db.query<IncidentRow>(incidentByIdStatement(db.engine, externalId));
  return row ? toIncidentFacts(row) : null;
}

/** The incidents of `rows` (in their order), each with every link, oldest first. */
export async function withLinks(db: SqlReader, rows: IncidentRow[]): Promise<IncidentRecord[]> {
  if (rows.length === 0) return [];
  const linkRows = await db.query<LinkRow>(
    linksOfIncidentsStatement(
      db.engine,
      rows.map((r) => Number(r.id)),
    ),
  );
  const byIncident = new Map<number, IncidentLinkRecord[]>();
  const newest = new Map<string, IncidentLinkRecord>();
  for (const r of linkRows) {
    const data = parseEnvelope(r.payload).data as NormalizedIncidentLink;
    const link: IncidentLinkRecord = {
      repo: r.repo,
      prNumber: Number(r.pr_number),
      mergeCommitSha: r.merge_commit_sha,
      mergedAt: r.merged_at,
      relation: data.relation,
      note: data.note,
      linkedBy: data.linkedBy,
      linkedAt: r.recorded_at,
      seq: Number(r.seq),
      current: false,
    };
    const list = byIncident.get(Number(r.incident_id)) ?? [];
    list.push(link);
    byIncident.set(Number(r.incident_id), list);
    newest.set(`${r.incident_id}:${r.merge_id}`, link);
  }
  for (const link of newest.values()) link.current = true;
  return rows.map((row) => ({ ...toIncidentFacts(row), links: byIncident.get(Number(row.id)) ?? [] }));
}

interface IncidentRow {
  id: number;
  seq: number;
  entry_hash: string;
  recorded_at: string;
  source: string;
  payload: string;
}

interface LinkRow {
  incident_id: number;
  merge_id: number;
  seq: number;
  recorded_at: string;
  payload: string;
  repo: string;
  pr_number: number;
  merge_commit_sha: string | null;
  merged_at: string;
}

function checkIncidentId(externalId: string): void {
  if (typeof externalId !== "string" || !INCIDENT_ID_PATTERN.test(externalId)) {
    throw new AuditInputError(
      `incident id ${JSON.stringify(externalId)} is not valid: use 1 to 128 letters, digits, ".", "_", ":" or "-", starting with ` +
        `a letter or digit`,
      "externalId",
    );
  }
}

function toIncidentFacts(row: IncidentRow): IncidentFacts {
  const data = parseEnvelope(row.payload).data as NormalizedIncident;
  return {
    externalId: data.externalId,
    title: data.title,
    url: data.url,
    severity: data.severity,
    category: data.category,
    startedAt: data.startedAt,
    source: row.source as IncidentFacts["source"],
    recordedAt: row.recorded_at,
    seq: Number(row.seq),
    entryHash: row.entry_hash,
  };
}

const INCIDENT_FIELDS = ["title", "url", "severity", "category", "startedAt"] as const;

/** A repeated open: a no-op when every field matches the first record, else refused. */
export function sameIncident(recorded: IncidentFacts, given: NormalizedIncident): AppendResult {
  const differences = INCIDENT_FIELDS.filter((k) => recorded[k] !== given[k]).map(
    (k) => `${k} ${JSON.stringify(recorded[k])} (given ${JSON.stringify(given[k])})`,
  );
  if (differences.length === 0) return { inserted: false, seq: null };
  throw new AuditConflictError(
    `incident ${recorded.externalId} is already recorded (seq ${recorded.seq}, ${recorded.recordedAt}) with different ` +
      `fields: ${differences.join(", ")}. ` +
      "Incident records are insert-only and the first one stands: repeat it with the recorded values, or put what changed in a link note.",
    differences.length === 1 ? INCIDENT_FIELDS.find((k) => recorded[k] !== given[k])! : "externalId",
  );
}

export interface HashedIncidentEntries {
  incidents: Map<number, { data: NormalizedIncident; source: string; recordedAt: string }>;
  links: Map<number, { data: NormalizedIncidentLink; source: string; recordedAt: string }>;
}

/** Passes the chain through unchanged, keeping the incident entries' hashed data by seq. */
export async function* collectIncidentEntries(rows: AsyncIterable<ChainRow>, into: HashedIncidentEntries): AsyncGenerator<ChainRow> {
  for await (const row of rows) {
    if (row.kind === "incident" || row.kind === "incident_link") {
      try {
        const envelope = parseEnvelope(row.payload);
        const entry = { data: envelope.data, source: envelope.source, recordedAt: envelope.recordedAt };
        if (row.kind === "incident") into.incidents.set(row.seq, entry as never);
        else into.links.set(row.seq, entry as never);
      } catch {
        // Unparseable: verifyChain reports this row as modified.
      }
    }
    yield row;
  }
}

/** The first projection row that differs from, or lacks, its hashed entry (and the first entry without a row). */
function projectionMismatch<E>(
  table: string,
  rows: Record<string, unknown>[],
  hashed: Map<number, E>,
  expected: (seq: number, entry: E) => Record<string, unknown>,
): { seq: number; reason: string } | null {
  const seen = new Set<number>();
  for (const row of rows) {
    const seq = Number(row.audit_seq);
    const entry = hashed.get(seq);
    if (entry === undefined)
      return { seq, reason: `${table} row ${String(row.id)} has no matching entry in the chain (projection row inserted or modified)` };
    seen.add(seq);
    const want = expected(seq, entry);
    for (const [column, value] of Object.entries(want)) {
      const stored = row[column] === undefined ? null : row[column];
      const same = typeof value === "number" ? Number(stored) === value && stored !== null : stored === value;
      if (!same) return { seq, reason: `${table} row ${seq}: column ${column} does not match the hashed entry (projection modified)` };
    }
  }
  for (const seq of hashed.keys()) {
    if (!seen.has(seq)) return { seq, reason: `entry ${seq} has no ${table} row (projection row deleted)` };
  }
  return null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nulls last; otherwise by code unit, as the report sorts its groups. */
function compareKeys(x: string | null, y: string | null): number {
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return x < y ? -1 : 1;
}

function linkedShares(rows: { k: string | null; merges: number; linked: number }[]): IncidentLinkedShare[] {
  return rows
    .map((r) => ({
      key: r.k === null ? null : String(r.k),
      merges: Number(r.merges),
      linked: Number(r.linked),
      share: ratio(Number(r.linked), Number(r.merges)),
    }))
    .filter((r) => r.merges > 0)
    .sort((a, b) => compareKeys(a.key, b.key));
}

const INCIDENT_TREND_DEFINITIONS: Record<string, string> = {
  byCategoryMonth:
    "incidents per category and UTC month of their start (of their recording when no start was given); since/until apply to that " +
    "time, the other filters do not",
  linkedByAi: "per AI level: the filter's merges, and those whose current link to some incident is caused or suspect (linked / merges)",
  linkedByTeam: "the same per primary owning team",
  mergeToStart:
    "hours from each current caused/suspect link's merge to its incident's start: median, 90th percentile (nearest rank) and " +
    "maximum; links without a start time are left out, those starting before the merge are counted apart",
};
