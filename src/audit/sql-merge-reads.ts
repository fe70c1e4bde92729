/**
 * Merge reads shared by both SQL engines: pages, keyset walks, path globs, the report, lookups by
 * PR and by SHA. Every record is rebuilt from the exact payload that was hashed into the chain.
 */
import { AuditInputError } from "./audit-input-error.js";
import {
  REPORT_DIMENSIONS,
  type AuditReport,
  type MergeFilter,
  type MergePage,
  type MergeRecord,
  type MergeRecordInput,
  type ReportCounts,
  type ReportDimension,
  type ReportFilter,
  type ReportRow,
  type RevertRecord,
  type RevertRecordInput,
} from "./audit-store.js";
import { parseEnvelope } from "./hash-chain.js";
import {
  MAX_LIMIT,
  MERGE_COLUMNS,
  encodeCursor,
  listMergesStatement,
  mergePositionsStatement,
  normalizeMergeFilter,
  normalizeRepoSet,
  normalizeRepo,
  pathCandidates,
  pathsOfMerges,
  reportStatement,
  revertsOfMerges,
  revertsOfMergesWithCommit,
  revertsOfPullRequest,
  shaRange,
  type NormalizedMergeFilter,
} from "./merge-query.js";
import { statement, type SqlReader } from "./sql-builder.js";
import { rollupReportRows } from "./report-rollup.js";

/** See AuditStoreOptions.pathIndexMaxRows. */
export const PATH_DRIVEN_MAX = 10_000;
const MERGE_SCAN_MAX_BATCH = 5_000;
/** Walk on without consulting the path index while the page should fill within this many more merges. */
const WALK_BEFORE_PROBE = 4_000;
const DEFAULT_ITERATE_BATCH = 500;

export interface MergeRow {
  seq: number;
  entry_hash: string;
  recorded_at: string;
  payload: string;
  delivery_id: string | null;
  source: string;
  subject: string;
  id: number;
  merged_at: string;
}

const REPORT_DEFINITIONS: Record<string, string> = {
  merges: "merges recorded in the group",
  aiAssisted: "merges disclosed as assisted, generated or agent",
  aiAssistedShare: "aiAssisted / merges",
  undisclosed: "merges with no valid AI disclosure",
  bypassed: "merges made while the countersign check was not success (or absent)",
  incomplete: "merges recorded while GitHub could not be read and not completed yet (reviews, owners and verdict unknown)",
  exceptions: "boundary exceptions the group's merges carried at merge time",
  revertBase: "merges in the group that are not themselves reverts (the revert-rate denominator)",
  revertedWithin7d: "change-failure proxy: merges of revertBase reverted within 7 days of merging (revert time = the reverting PR's merge)",
  revertRate7d: "change-failure proxy: revertedWithin7d / revertBase (reverts seen by Countersign, not deployments or incidents)",
  revertedWithin30d: "change-failure proxy: merges of revertBase reverted within 30 days of merging",
  revertRate30d: "change-failure proxy: revertedWithin30d / revertBase",
};

export async function listMergesPage(db: SqlReader, filter: MergeFilter): Promise<MergePage> {
  const f = normalizeMergeFilter(filter);
  // One row more than the page tells whether there is a next page.
  const rows = await pageRows(db, f, f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    merges: await toMergeRecords(db, page),
    nextCursor: rows.length > f.limit && last ? encodeCursor({ mergedAt: last.merged_at, id: Number(last.id) }) : null,
  };
}

export async function* walkMerges<T>(
  db: SqlReader,
  filter: Omit<MergeFilter, "limit">,
  options: { batchSize?: number },
  build: (row: MergeRow, reverts: Map<number, RevertRecord[]>) => T,
): AsyncGenerator<T> {
  const batch = options.batchSize ?? DEFAULT_ITERATE_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_LIMIT) {
    throw new AuditInputError(`batchSize ${batch} is not a whole number from 1 to ${MAX_LIMIT}`, "batchSize");
  }
  let f = normalizeMergeFilter({ ...filter, limit: batch });
  for (;;) {
    const rows = await pageRows(db, f, batch);
    const reverts = await revertsByMerge(db, rows);
    const last = rows[rows.length - 1];
    const count = rows.length;
    // Built one at a time as the consumer pulls, each row released once built: only the
    // page's stored text stays alive, so each record is garbage as soon as it is written out.
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      rows[i] = undefined as unknown as MergeRow;
      yield build(row, reverts);
    }
    if (!last || count < batch) return;
    f = { ...f, after: { mergedAt: last.merged_at, id: Number(last.id) } };
  }
}

/** Up to `want` merge rows in page order. */
export async function pageRows(db: SqlReader, f: NormalizedMergeFilter, want: number): Promise<MergeRow[]> {
  if (!f.path) return db.query<MergeRow>(listMergesStatement(db.engine, f, null, want));
  const ids = await pathMatches(db, f, f.path, want);
  if (ids.length === 0) return [];
  return db.query<MergeRow>(listMergesStatement(db.engine, f, ids, want));
}

/**
 * Merges with a changed path (or rename source) matching the glob, up to `want`, in page order.
 * 1. Walk the filter's merges newest first, a batch at a time, checking each batch's paths: a
 *    broad glob (`src/**`) fills a page from the first batch or two, however large the trail.
 * 2. When the hit rate so far says the walk would be long, ask the path index how many paths
 *    the glob's literal prefix holds (covered, bounded): a selective prefix is then read whole,
 *    and the merge query applies the other filters and the order to its merges.
 * 3. Otherwise keep walking (a glob starting with a wildcard has no prefix: always 1 and 3).
 */
export async function pathMatches(
  db: SqlReader,
  f: NormalizedMergeFilter,
  path: NonNullable<NormalizedMergeFilter["path"]>,
  want: number,
): Promise<number[]> {
  const { matches, range } = path;
  const hits: number[] = [];
  let scan: NormalizedMergeFilter = f;
  let batch = Math.max(4 * want, 200);
  let scanned = 0;
  let probed = range === null;
  for (;;) {
    const ahead = hits.length === 0 ? Infinity : ((want - hits.length) * scanned) / hits.length;
    if (!probed && scanned > 0 && ahead > WALK_BEFORE_PROBE) {
      probed = true;
      const candidates = await db.query<{ merge_id: number; p: string }>(pathCandidates(db.engine, range, db.pathIndexMaxRows + 1));
      if (candidates.length <= db.pathIndexMaxRows) {
        const hit = new Set<number>();
        for (const c of candidates) if (matches(c.p)) hit.add(Number(c.merge_id));
        return [...hit];
      }
    }
    const positions = await db.query<{ id: number; merged_at: string; hit: number }>(
      mergePositionsStatement(db.engine, scan, batch, range),
    );
    if (positions.length === 0) return hits;
    scanned += positions.length;
    // Only merges with a path in the prefix range have their paths read for the glob.
    const candidates = positions.filter((p) => Number(p.hit) === 1).map((p) => Number(p.id));
    const matched = new Set<number>();
    if (candidates.length > 0) {
      const paths = await db.query<{ merge_id: number; path: string; previous_path: string | null }>(pathsOfMerges(db.engine, candidates));
      for (const c of paths) if (matches(c.path) || (c.previous_path !== null && matches(c.previous_path))) matched.add(Number(c.merge_id));
    }
    for (const p of positions) {
      if (!matched.has(Number(p.id))) continue;
      hits.push(Number(p.id));
      if (hits.length >= want) return hits;
    }
    if (positions.length < batch) return hits;
    const last = positions[positions.length - 1]!;
    scan = { ...f, after: { mergedAt: last.merged_at, id: Number(last.id) } };
    batch = Math.min(batch * 2, MERGE_SCAN_MAX_BATCH);
  }
}

/**
 * `from`: "rollup" (default) answers from the report rollup plus the partial days at the period's
 * ends (report-rollup.ts); "merges" runs the query over every matching merge, which the rollup
 * must always agree with (the contract tests and the benchmark compare both).
 */
export async function report(
  db: SqlReader,
  filter: ReportFilter,
  groupBy: readonly ReportDimension[],
  options: { from?: "rollup" | "merges" } = {},
): Promise<AuditReport> {
  for (const field of ["path", "sha", "limit", "cursor"] as const) {
    if ((filter as MergeFilter)[field] !== undefined) throw new AuditInputError(`the report does not take a ${field} filter`, field);
  }
  const dims = [...groupBy];
  for (const d of dims) {
    if (!REPORT_DIMENSIONS.includes(d)) {
      throw new AuditInputError(`group by "${d}" is not one of ${REPORT_DIMENSIONS.join(", ")}`, "groupBy");
    }
  }
  if (new Set(dims).size !== dims.length) throw new AuditInputError(`group by lists a dimension twice: ${dims.join(", ")}`, "groupBy");
  const f = normalizeMergeFilter(filter);
  const fromRollup = options.from === "merges" ? null : await rollupReportRows(db, f, dims);
  const raw = fromRollup ?? (await db.query<Record<string, unknown>>(reportStatement(db.engine, f, dims)));
  const rows: ReportRow[] = raw
    .map((r) => ({
      group: Object.fromEntries(dims.map((d) => [d, r[`k_${d}`] === null ? null : String(r[`k_${d}`])])) as ReportRow["group"],
      ...reportCounts({
        merges: Number(r.merges),
        aiAssisted: Number(r.ai_assisted),
        undisclosed: Number(r.undisclosed),
        bypassed: Number(r.bypassed),
        incomplete: Number(r.incomplete),
        exceptions: Number(r.exceptions),
        revertBase: Number(r.revert_base),
        revertedWithin7d: Number(r.reverted_7d),
        revertedWithin30d: Number(r.reverted_30d),
      }),
    }))
    // Sorted here, not in SQL: the engines order NULLs differently.
    .filter((r) => r.merges > 0)
    .sort((a, b) => {
      for (const d of dims) {
        const x = a.group[d] ?? null;
        const y = b.group[d] ?? null;
        if (x === y) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        return x < y ? -1 : 1;
      }
      return 0;
    });
  const sum = (key: keyof ReportCounts) => rows.reduce((n, r) => n + (r[key] ?? 0), 0);
  const total = reportCounts({
    merges: sum("merges"),
    aiAssisted: sum("aiAssisted"),
    undisclosed: sum("undisclosed"),
    bypassed: sum("bypassed"),
    incomplete: sum("incomplete"),
    exceptions: sum("exceptions"),
    revertBase: sum("revertBase"),
    revertedWithin7d: sum("revertedWithin7d"),
    revertedWithin30d: sum("revertedWithin30d"),
  });
  return { groupBy: dims, rows, total, definitions: REPORT_DEFINITIONS };
}

export async function getMerge(db: SqlReader, repo: string, prNumber: number): Promise<MergeRecord | null> {
  const key = normalizeRepo(repo);
  const revertRows = db.query<RevertRow>(revertsOfPullRequest(db.engine, key, prNumber));
  revertRows.catch(() => {}); // awaited below
  const [row] = await db.query<MergeRow>({
    ...statement(
      db.engine,
      (q) => `SELECT ${MERGE_COLUMNS} FROM merges m JOIN audit_log a ON a.seq = m.audit_seq
        WHERE m.repo = ${q.param(key)} AND m.pr_number = ${q.param(prNumber)}`,
    ),
    prepare: true,
  });
  const reverts = revertMap(await revertRows);
  return row ? toMergeRecord(row, reverts) : null;
}

/**
 * The merge containing a commit: its merge commit first, then its head, then any PR commit.
 * An abbreviated SHA that matches several different commits is refused as ambiguous.
 */
export async function findMergeBySha(db: SqlReader, sha: string, options: { repos?: readonly string[] } = {}): Promise<MergeRecord | null> {
  const range = shaRange(sha);
  // Scoped in SQL, so that neither the answer nor an ambiguity error tells of other repositories.
  const repos = options.repos === undefined ? null : normalizeRepoSet(options.repos);
  if (repos !== null && repos.length === 0) return null;
  // Both at once (two pooled connections on PostgreSQL): the merges and their revert links.
  const revertRows = db.query<RevertRow>(revertsOfMergesWithCommit(db.engine, range));
  revertRows.catch(() => {}); // awaited below; do not let an early throw leave it unhandled
  const rows = await db.query<MergeRow & { sha: string }>({
    ...statement(
      db.engine,
      (q) => `SELECT c.sha, ${MERGE_COLUMNS} FROM merge_commits c
        JOIN merges m ON m.id = c.merge_id JOIN audit_log a ON a.seq = m.audit_seq
        WHERE c.sha >= ${q.param(range.from)} AND c.sha < ${q.param(range.to)}${repos ? ` AND ${q.inTexts("m.repo", repos)}` : ""}
        ORDER BY CASE c.role WHEN 'merge_commit' THEN 0 WHEN 'head' THEN 1 ELSE 2 END, m.merged_at DESC, m.id DESC
        LIMIT 50`,
    ),
    prepare: true,
  });
  const distinct = [...new Set(rows.map((r) => r.sha))];
  if (distinct.length > 1) {
    throw new AuditInputError(
      `sha "${sha}" is ambiguous: it starts ${distinct.length} recorded commits (${distinct
        .slice(0, 5)
        .map((s) => s.slice(0, 12))
        .join(", ")}); give more characters`,
      "sha",
    );
  }
  const reverts = revertMap(await revertRows);
  const first = rows[0];
  return first ? toMergeRecord(first, reverts) : null;
}

/** Rebuilds each record from the exact payload that was hashed, plus later revert links. */
export async function toMergeRecords(db: SqlReader, rows: MergeRow[]): Promise<MergeRecord[]> {
  if (rows.length === 0) return [];
  const reverts = await revertsByMerge(db, rows);
  return rows.map((row) => toMergeRecord(row, reverts));
}

export async function revertsByMerge(db: SqlReader, rows: MergeRow[]): Promise<Map<number, RevertRecord[]>> {
  if (rows.length === 0) return new Map();
  return revertMap(
    await db.query<RevertRow>(
      revertsOfMerges(
        db.engine,
        rows.map((r) => Number(r.id)),
      ),
    ),
  );
}
interface RevertRow {
  merge_id: number;
  seq: number;
  recorded_at: string;
  payload: string;
}

function revertMap(reverts: RevertRow[]): Map<number, RevertRecord[]> {
  const byMerge = new Map<number, RevertRecord[]>();
  for (const r of reverts) {
    const input = parseEnvelope(r.payload).data as RevertRecordInput;
    const list = byMerge.get(Number(r.merge_id)) ?? [];
    list.push({
      repo: input.repo,
      prNumber: input.prNumber,
      method: input.method,
      revertedSha: input.revertedSha,
      detectedAt: r.recorded_at,
      seq: Number(r.seq),
    });
    byMerge.set(Number(r.merge_id), list);
  }
  return byMerge;
}

/**
 * JSON.stringify(toMergeRecord(row)) without parsing: the payload is the canonical JSON of
 * { data, deliveryId, kind, recordedAt, source, subject, v } (keys sorted, so data first), and
 * data's text is what JSON.stringify gives for it once parsed (same key order, same escapes).
 * The tail is rebuilt from the row's columns and must match exactly, else the slow path is taken.
 */
export function toMergeRecordJson(row: MergeRow, reverts: Map<number, RevertRecord[]>): string {
  const head = '{"data":';
  const tail =
    `,"deliveryId":${JSON.stringify(row.delivery_id)},"kind":"merge","recordedAt":${JSON.stringify(row.recorded_at)},` +
    `"source":${JSON.stringify(row.source)},"subject":${JSON.stringify(row.subject)},"v":1}`;
  const { payload } = row;
  if (!payload.startsWith(`${head}{`) || !payload.endsWith(tail) || payload.charAt(payload.length - tail.length - 1) !== "}") {
    return JSON.stringify(toMergeRecord(row, reverts));
  }
  const data = payload.slice(head.length, payload.length - tail.length - 1);
  const revertedBy = reverts.get(Number(row.id));
  const sep = data === "{" ? "" : ",";
  return (
    `${data}${sep}"seq":${Number(row.seq)},"entryHash":${JSON.stringify(row.entry_hash)},` +
    `"recordedAt":${JSON.stringify(row.recorded_at)}${revertedBy ? `,"revertedBy":${JSON.stringify(revertedBy)}` : ""}}`
  );
}

export function toMergeRecord(row: MergeRow, reverts: Map<number, RevertRecord[]>): MergeRecord {
  const record: MergeRecord = {
    ...(parseEnvelope(row.payload).data as MergeRecordInput),
    seq: Number(row.seq),
    entryHash: row.entry_hash,
    recordedAt: row.recorded_at,
  };
  const revertedBy = reverts.get(Number(row.id));
  if (revertedBy) record.revertedBy = revertedBy;
  return record;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
export const ratio = (n: number, d: number) => (d === 0 ? null : round4(n / d));

function reportCounts(c: Omit<ReportCounts, "aiAssistedShare" | "revertRate7d" | "revertRate30d">): ReportCounts {
  return {
    merges: c.merges,
    aiAssisted: c.aiAssisted,
    aiAssistedShare: ratio(c.aiAssisted, c.merges),
    undisclosed: c.undisclosed,
    bypassed: c.bypassed,
    incomplete: c.incomplete,
    exceptions: c.exceptions,
    revertBase: c.revertBase,
    revertedWithin7d: c.revertedWithin7d,
    revertRate7d: ratio(c.revertedWithin7d, c.revertBase),
    revertedWithin30d: c.revertedWithin30d,
    revertRate30d: ratio(c.revertedWithin30d, c.revertBase),
  };
}
