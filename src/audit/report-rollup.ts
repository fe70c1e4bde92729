/**
 * The report rollup: the report's counts per (month or day) × repository × owning team × AI level ×
 * the report's yes/no filters (bypassed, incomplete, reverted, with exceptions), once over all
 * merges and once per team a merge touches (the `team` filter reads merge_teams, not the owning
 * team), and each of those again summed over repositories (level 'sum': a report that neither
 * groups nor filters by repository reads a few thousand rows at 1M merges). It is derived data,
 * not audit: every row can be recomputed from the merge projections (`rebuildRollupStatements`),
 * and the writes keep it current in the same transaction as the projection rows, under the chain
 * lock:
 *
 *   subtract the old contribution of every merge the entry can change → write the projections →
 *   add the new contribution of the same merges.
 *
 * A merge's contribution is read from the projections by one per-merge query (`factsCte`), the
 * same one that answers the partial days at the ends of a report's period, so the rollup and the
 * direct query agree by construction (and the contract tests compare both with the report's
 * original query). Which merges an entry can change:
 * - a merge: itself, and the merges reverted by reverts naming it as the reverting PR (their
 *   revert time is the reverting PR's merge time once that merge is recorded);
 * - a revert: the reverting merge (it leaves the revert-rate base) and every merge it targets;
 * - a merge completion: the completed merge (level, team, verdict and commits change).
 */
import {
  mergeConditions,
  millisBetween,
  REVERT_WINDOWS_DAYS,
  revertTargets,
  revertTargetsOf,
  type NormalizedMergeFilter,
} from "./merge-query.js";
import type { ReportDimension } from "./audit-store.js";
import { statement, type Engine, type SqlBuilder, type SqlReader, type Statement } from "./sql-builder.js";

export const ROLLUP_TABLE = "report_rollup";

/** The rollup's key, in primary-key order: scope and grain first, so a report reads one range. */
export const ROLLUP_KEYS = [
  "by_team",
  "member_team",
  "level",
  "grain",
  "bucket",
  "repo",
  "ai_level",
  "has_team",
  "team",
  "bypassed",
  "incomplete",
  "reverted",
  "with_exceptions",
] as const;
export const ROLLUP_COUNTS = ["merges", "exceptions", "revert_base", "reverted_7d", "reverted_30d"] as const;

const AI_ASSISTED = "('assisted', 'generated', 'agent')";

/** Per engine column types; text keys byte-ordered on PostgreSQL as elsewhere in the schema. */
export function rollupTableSql(engine: Engine): string {
  const text = engine === "sqlite" ? "TEXT" : 'text COLLATE "C"';
  const bool = engine === "sqlite" ? "INTEGER" : "boolean";
  const bigint = engine === "sqlite" ? "INTEGER" : "bigint";
  return `CREATE TABLE ${ROLLUP_TABLE} (
  -- FALSE: over all merges (member_team ''); TRUE: the merges whose teams include member_team.
  by_team         ${bool} NOT NULL,
  member_team     ${text} NOT NULL,
  -- 'repo': per repository; 'sum': over all repositories (repo ''), what most reports read.
  level           ${text} NOT NULL,
  -- 'month' (bucket YYYY-MM) or 'day' (bucket YYYY-MM-DD) of merged_at.
  grain           ${text} NOT NULL,
  bucket          ${text} NOT NULL,
  repo            ${text} NOT NULL,
  ai_level        ${text} NOT NULL,
  -- The owning team lower-cased (the report's team group); has_team FALSE: none (team '').
  has_team        ${bool} NOT NULL,
  team            ${text} NOT NULL,
  bypassed        ${bool} NOT NULL,
  incomplete      ${bool} NOT NULL,
  reverted        ${bool} NOT NULL,
  with_exceptions ${bool} NOT NULL,
  merges          ${bigint} NOT NULL,
  exceptions      ${bigint} NOT NULL,
  revert_base     ${bigint} NOT NULL,
  reverted_7d     ${bigint} NOT NULL,
  reverted_30d    ${bigint} NOT NULL,
  PRIMARY KEY (${ROLLUP_KEYS.join(", ")})
)${engine === "sqlite" ? " WITHOUT ROWID" : ""};`;
}

/**
 * CTEs `ids` (the merges), `tg` (each one's first revert time, when reverted) and `f` (one row per
 * merge with what the report counts of it). `ids` null: every merge, with the revert targets
 * driven from the reverts table; otherwise a query of ids, the targets driven from those merges.
 */
export function factsCte(q: SqlBuilder, ids: string | null): string {
  const targets =
    ids === null
      ? `SELECT t.merge_id, t.revert_id FROM (${revertTargets(q.engine)}) t`
      : `SELECT t.merge_id, t.audit_seq AS revert_id FROM (${revertTargetsOf(q, (alias) => `(SELECT id AS value FROM ids) ${alias}`)}) t`;
  const within = (days: number) =>
    `CASE WHEN f0.revert_base = 1 AND f0.first_revert_at IS NOT NULL
      AND ${millisBetween(q.engine, "f0.merged_at", "f0.first_revert_at")} <= ${days * 86_400_000} THEN 1 ELSE 0 END AS reverted_${days}d`;
  return `ids AS (${ids ?? "SELECT id FROM merges"}),
  tg AS (
    SELECT x.merge_id, MIN(COALESCE(rm.merged_at, r.detected_at)) AS first_revert_at
    FROM (${targets}) x JOIN reverts r ON r.id = x.revert_id
    LEFT JOIN merges rm ON rm.repo = r.reverting_repo AND rm.pr_number = r.reverting_pr
    GROUP BY x.merge_id
  ),
  f0 AS (
    SELECT m.id, m.merged_at, m.repo, LOWER(m.owning_team) AS team_l, m.ai_level, m.bypassed, m.incomplete,
      tg.first_revert_at,
      (SELECT COUNT(*) FROM merge_exceptions e WHERE e.merge_id = m.id) AS exceptions,
      CASE WHEN EXISTS (SELECT 1 FROM reverts r WHERE r.reverting_repo = m.repo AND r.reverting_pr = m.pr_number)
        THEN 0 ELSE 1 END AS revert_base
    FROM ids CROSS JOIN merges m LEFT JOIN tg ON tg.merge_id = m.id
    WHERE m.id = ids.id
  ),
  f AS (
    SELECT f0.*, ${REVERT_WINDOWS_DAYS.map(within).join(", ")} FROM f0
  )`;
}

/**
 * Adds (`sign` 1) or removes (-1) the contribution of the merges `ids` selects (a query of one
 * column `id`; evaluated in the state the statement runs in) to or from the rollup.
 */
export function rollupDelta(engine: Engine, sign: 1 | -1, ids: (q: SqlBuilder) => string): Statement {
  return statement(engine, (q) => rollupInsert(q, sign, `SELECT DISTINCT id FROM (${ids(q)}) s`, true));
}

function rollupInsert(q: SqlBuilder, sign: 1 | -1, ids: string | null, upsert: boolean): string {
  const [t, fa] = q.engine === "sqlite" ? ["1", "0"] : ["TRUE", "FALSE"];
  const keyList = [
    "x.by_team",
    "x.member_team",
    "lv.level",
    "g.grain",
    "SUBSTR(x.merged_at, 1, g.len)",
    "CASE WHEN lv.level = 'repo' THEN x.repo ELSE '' END",
    "x.ai_level",
    `CASE WHEN x.team_l IS NULL THEN ${fa} ELSE ${t} END`,
    "COALESCE(x.team_l, '')",
    "x.bypassed",
    "x.incomplete",
    `CASE WHEN x.first_revert_at IS NULL THEN ${fa} ELSE ${t} END`,
    `CASE WHEN x.exceptions > 0 THEN ${t} ELSE ${fa} END`,
  ];
  const keys = keyList.join(", ");
  const named = () => keyList.map((k, i) => `${k} AS ${ROLLUP_KEYS[i]}`).join(", ");
  const add = ROLLUP_COUNTS.map((c) => `${c} = ${ROLLUP_TABLE}.${c} + excluded.${c}`).join(", ");
  const conflict = upsert ? ` ON CONFLICT (${ROLLUP_KEYS.join(", ")}) DO UPDATE SET ${add}` : "";
  return `INSERT INTO ${ROLLUP_TABLE} (${[...ROLLUP_KEYS, ...ROLLUP_COUNTS].join(", ")})
    WITH ${factsCte(q, ids)},
    x AS (
      SELECT ${fa} AS by_team, '' AS member_team, f.* FROM f
      UNION ALL
      SELECT ${t}, mt.team_key, f.* FROM f JOIN merge_teams mt ON mt.merge_id = f.id
    ),
    g AS (SELECT 'month' AS grain, 7 AS len UNION ALL SELECT 'day', 10),
    lv AS (SELECT 'repo' AS level UNION ALL SELECT 'sum')
    SELECT ${named()}, ${sign} * COUNT(*) AS merges, ${sign} * SUM(x.exceptions) AS exceptions,
      ${sign} * SUM(x.revert_base) AS revert_base, ${sign} * SUM(x.reverted_7d) AS reverted_7d,
      ${sign} * SUM(x.reverted_30d) AS reverted_30d
    FROM x CROSS JOIN g CROSS JOIN lv WHERE TRUE
    GROUP BY ${keys}${conflict}`;
}

/** Empties the rollup and recomputes it from the merges (migration 7, repairs, the verify check). */
export function rebuildRollupStatements(engine: Engine): Statement[] {
  return [{ text: `DELETE FROM ${ROLLUP_TABLE}`, values: [] }, statement(engine, (q) => rollupInsert(q, 1, null, false))];
}

/** The rollup as recomputed from the merges, one row per key with its counts (nothing is written). */
export function recomputedRollupStatement(engine: Engine): Statement {
  return statement(engine, (q) => {
    const insert = rollupInsert(q, 1, null, false);
    return insert.slice(insert.indexOf("WITH "));
  });
}

/** The stored rollup in the same shape, rows emptied by later subtractions left out. */
export function storedRollupStatement(): Statement {
  return { text: `SELECT ${[...ROLLUP_KEYS, ...ROLLUP_COUNTS].join(", ")} FROM ${ROLLUP_TABLE} WHERE merges <> 0`, values: [] };
}

// ---- which merges an entry changes ----------------------------------------------------------------

/** Merges reverted by the reverts whose reverting PR is one of `pairs` ([repo, prNumber]). */
function targetsOfRevertsBy(q: SqlBuilder, pairs: readonly (readonly [string, number])[]): string {
  const given =
    q.engine === "sqlite"
      ? `SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${q.param(JSON.stringify(pairs))})`
      : `SELECT * FROM unnest(${q.param(pairs.map((p) => p[0]))}::text[], ${q.param(pairs.map((p) => p[1]))}::integer[])`;
  const by = `(r.reverting_repo, r.reverting_pr) IN (${given})`;
  return `SELECT t.merge_id AS id FROM (${revertTargets(q.engine, by)}) t`;
}

/** Around new merges: before, the merges their (already recorded) reverts target; after, those and the new ones. */
export function mergesRollupDeltas(
  engine: Engine,
  pairs: readonly (readonly [string, number])[],
  newIds: { from: number; to: number },
): {
  before: Statement[];
  after: Statement[];
} {
  if (pairs.length === 0) return { before: [], after: [] };
  return {
    before: [rollupDelta(engine, -1, (q) => targetsOfRevertsBy(q, pairs))],
    after: [
      rollupDelta(
        engine,
        1,
        (q) => `SELECT m.id FROM merges m WHERE m.id >= ${q.param(newIds.from)} AND m.id <= ${q.param(newIds.to)}
          UNION ${targetsOfRevertsBy(q, pairs)}`,
      ),
    ],
  };
}

/** Around a revert: the reverting merge and every merge the revert names (by PR or by commit). */
export function revertRollupDeltas(
  engine: Engine,
  revert: { repo: string; prNumber: number; revertedRepo: string; revertedPrNumber: number | null; revertedSha: string | null },
): { before: Statement; after: Statement } {
  const ids = (q: SqlBuilder) => {
    const parts = [`SELECT id FROM merges WHERE repo = ${q.param(revert.repo)} AND pr_number = ${q.param(revert.prNumber)}`];
    if (revert.revertedPrNumber !== null) {
      parts.push(`SELECT id FROM merges WHERE repo = ${q.param(revert.revertedRepo)} AND pr_number = ${q.param(revert.revertedPrNumber)}`);
    }
    if (revert.revertedSha !== null) {
      const [from, to] = [q.param(revert.revertedSha), q.param(`${revert.revertedSha}g`)];
      parts.push(`SELECT c.merge_id AS id FROM merge_commits c JOIN merges m ON m.id = c.merge_id
        WHERE m.repo = ${q.param(revert.revertedRepo)} AND c.sha >= ${from} AND c.sha < ${to}`);
    }
    return parts.join(" UNION ");
  };
  return { before: rollupDelta(engine, -1, ids), after: rollupDelta(engine, 1, ids) };
}

/** Around a merge completion: that merge. */
export function completionRollupDeltas(engine: Engine, mergeId: number): { before: Statement; after: Statement } {
  const ids = (q: SqlBuilder) => `SELECT id FROM merges WHERE id = ${q.param(mergeId)}`;
  return { before: rollupDelta(engine, -1, ids), after: rollupDelta(engine, 1, ids) };
}

// ---- reading --------------------------------------------------------------------------------------

/** The report's group keys over the rollup (k_<dimension>), as the original query names them. */
const ROLLUP_GROUP_KEYS: Record<ReportDimension, string> = {
  team: "CASE WHEN has_team = TRUE THEN team END",
  ai: "ai_level",
  repo: "repo",
  month: "SUBSTR(bucket, 1, 7)",
};

const FACT_GROUP_KEYS: Record<ReportDimension, string> = {
  team: "f.team_l",
  ai: "f.ai_level",
  repo: "f.repo",
  month: "SUBSTR(f.merged_at, 1, 7)",
};

/** A stretch of whole days or whole months: buckets [from, to), either end open. */
export interface BucketRange {
  grain: "month" | "day";
  from?: string;
  to?: string;
}

/** The rollup's answer for the merges in `ranges` that pass the filter (its time bounds are ignored). */
export function rollupReportStatement(
  engine: Engine,
  f: NormalizedMergeFilter,
  groupBy: readonly ReportDimension[],
  ranges: readonly BucketRange[],
): Statement {
  return statement(engine, (q) => {
    const where = [f.team === undefined ? "by_team = FALSE AND member_team = ''" : `by_team = TRUE AND member_team = ${q.param(f.team)}`];
    // Per repository only when the report asks about repositories: the sums are far fewer rows.
    const perRepo = groupBy.includes("repo") || f.repo !== undefined || f.repos !== undefined;
    where.push(`level = '${perRepo ? "repo" : "sum"}'`);
    if (f.repo !== undefined) where.push(`repo = ${q.param(f.repo)}`);
    if (f.repos !== undefined) where.push(f.repos.length === 0 ? "1 = 0" : q.inTexts("repo", f.repos));
    if (f.ai !== undefined) where.push(`ai_level IN (${f.ai.map((l) => q.param(l)).join(", ")})`);
    for (const flag of ["bypassed", "incomplete", "reverted", "exceptions"] as const) {
      const value = f[flag];
      if (value !== undefined) where.push(`${flag === "exceptions" ? "with_exceptions" : flag} = ${value ? "TRUE" : "FALSE"}`);
    }
    // One index range per stretch of buckets, each read on its own.
    const branches = ranges.map((r) => {
      const c = [...where, `grain = ${q.param(r.grain)}`];
      if (r.from !== undefined) c.push(`bucket >= ${q.param(r.from)}`);
      if (r.to !== undefined) c.push(`bucket < ${q.param(r.to)}`);
      return `SELECT * FROM ${ROLLUP_TABLE} WHERE ${c.join(" AND ")}`;
    });
    const keys = groupBy.map((d) => `${ROLLUP_GROUP_KEYS[d]} AS k_${d}`);
    return `SELECT ${[...keys, ""].join(", ")}
        SUM(merges) AS merges,
        SUM(CASE WHEN ai_level IN ${AI_ASSISTED} THEN merges ELSE 0 END) AS ai_assisted,
        SUM(CASE WHEN ai_level = 'undisclosed' THEN merges ELSE 0 END) AS undisclosed,
        SUM(CASE WHEN bypassed = TRUE THEN merges ELSE 0 END) AS bypassed,
        SUM(CASE WHEN incomplete = TRUE THEN merges ELSE 0 END) AS incomplete,
        SUM(exceptions) AS exceptions,
        SUM(revert_base) AS revert_base,
        SUM(reverted_7d) AS reverted_7d,
        SUM(reverted_30d) AS reverted_30d
      FROM (${branches.length === 0 ? `SELECT * FROM ${ROLLUP_TABLE} WHERE 1 = 0` : branches.join("\n      UNION ALL\n      ")}) r
      ${groupBy.length ? `GROUP BY ${groupBy.map((d) => ROLLUP_GROUP_KEYS[d]).join(", ")}` : ""}`;
  });
}

/** The same counts computed from the merges themselves (`f`'s bounds: the partial days at a period's ends). */
export function factsReportStatement(engine: Engine, f: NormalizedMergeFilter, groupBy: readonly ReportDimension[]): Statement {
  return statement(engine, (q) => {
    const where = mergeConditions(q, f);
    const ids = `SELECT m.id FROM merges m${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
    const keys = groupBy.map((d) => `${FACT_GROUP_KEYS[d]} AS k_${d}`);
    return `WITH ${factsCte(q, ids)}
      SELECT ${[...keys, ""].join(", ")}
        COUNT(*) AS merges,
        SUM(CASE WHEN f.ai_level IN ${AI_ASSISTED} THEN 1 ELSE 0 END) AS ai_assisted,
        SUM(CASE WHEN f.ai_level = 'undisclosed' THEN 1 ELSE 0 END) AS undisclosed,
        SUM(CASE WHEN f.bypassed = TRUE THEN 1 ELSE 0 END) AS bypassed,
        SUM(CASE WHEN f.incomplete = TRUE THEN 1 ELSE 0 END) AS incomplete,
        SUM(f.exceptions) AS exceptions,
        SUM(f.revert_base) AS revert_base,
        SUM(f.reverted_7d) AS reverted_7d,
        SUM(f.reverted_30d) AS reverted_30d
      FROM f
      ${groupBy.length ? `GROUP BY ${groupBy.map((d) => FACT_GROUP_KEYS[d]).join(", ")}` : ""}`;
  });
}

// ---- a period as rollup ranges and partial days ---------------------------------------------------

const DAY_MS = 86_400_000;
const FOUR_DIGIT_YEAR = /^\d{4}-\d{2}-\d{2}T/;

/** What answers merged_at in [since, untilExclusive): whole days and months from the rollup, the rest directly. */
export interface PeriodPlan {
  ranges: BucketRange[];
  /** Sub-day stretches at the ends, as [since, untilExclusive) bounds for the direct query. */
  direct: { since?: string; untilExclusive?: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const monthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
const nextMonth = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/**
 * Splits a period at day and month boundaries (UTC, as merged_at is stored). A bucket holds the
 * merges whose merged_at starts with it, so for a boundary at midnight (or the 1st of a month)
 * `merged_at >= boundary` is `bucket >= the boundary's bucket`: exact, not rounded. Null when a
 * bound or boundary is outside years 0000-9999 (where text order is not time order): the caller
 * then answers from the merges alone.
 */
export function periodPlan(since: string | undefined, untilExclusive: string | undefined): PeriodPlan | null {
  for (const bound of [since, untilExclusive]) if (bound !== undefined && !FOUR_DIGIT_YEAR.test(bound)) return null;
  const lo = since === undefined ? -Infinity : Date.parse(since);
  const hi = untilExclusive === undefined ? Infinity : Date.parse(untilExclusive);
  if (lo >= hi) return { ranges: [], direct: [] };
  const d0 = lo === -Infinity || lo % DAY_MS === 0 ? lo : Math.floor(lo / DAY_MS) * DAY_MS + DAY_MS;
  const d1 = hi === Infinity ? hi : Math.floor(hi / DAY_MS) * DAY_MS;
  const finite = [d0, d1].filter(Number.isFinite);
  if (finite.some((ms) => !FOUR_DIGIT_YEAR.test(iso(ms)))) return null;
  if (d0 >= d1) return { ranges: [], direct: [{ since, untilExclusive }] };
  const direct: PeriodPlan["direct"] = [];
  if (since !== undefined && lo < d0) direct.push({ since, untilExclusive: iso(d0) });
  if (untilExclusive !== undefined && d1 < hi) direct.push({ since: iso(d1), untilExclusive });
  const m0 = d0 === -Infinity || monthStart(d0) === d0 ? d0 : nextMonth(d0);
  const m1 = d1 === Infinity ? d1 : monthStart(d1);
  const bucket = (ms: number, len: number) => (Number.isFinite(ms) ? iso(ms).slice(0, len) : undefined);
  const ranges: BucketRange[] = [];
  if (m0 < m1) {
    if (d0 < m0) ranges.push({ grain: "day", from: bucket(d0, 10), to: bucket(m0, 10) });
    ranges.push({ grain: "month", from: bucket(m0, 7), to: bucket(m1, 7) });
    if (m1 < d1) ranges.push({ grain: "day", from: bucket(m1, 10), to: bucket(d1, 10) });
  } else {
    ranges.push({ grain: "day", from: bucket(d0, 10), to: bucket(d1, 10) });
  }
  return { ranges, direct };
}

/**
 * The report's rows (k_<dimension> and the counts, as the original query returns them) from the
 * rollup plus the partial days at the period's ends; null when the period cannot be split.
 */
export async function rollupReportRows(
  db: SqlReader,
  f: NormalizedMergeFilter,
  groupBy: readonly ReportDimension[],
): Promise<Record<string, unknown>[] | null> {
  const plan = periodPlan(f.since, f.untilExclusive);
  if (plan === null) return null;
  const parts = await Promise.all([
    plan.ranges.length > 0 ? db.query<Record<string, unknown>>(rollupReportStatement(db.engine, f, groupBy, plan.ranges)) : [],
    ...plan.direct.map((d) => db.query<Record<string, unknown>>(factsReportStatement(db.engine, { ...f, ...d }, groupBy))),
  ]);
  if (parts.length === 1) return parts[0]!;
  const byGroup = new Map<string, Record<string, unknown>>();
  for (const row of parts.flat()) {
    const key = JSON.stringify(groupBy.map((d) => (row[`k_${d}`] === null ? null : String(row[`k_${d}`]))));
    const sum = byGroup.get(key);
    if (!sum) {
      byGroup.set(key, { ...row });
      continue;
    }
    for (const c of REPORT_COUNT_COLUMNS) sum[c] = Number(sum[c] ?? 0) + Number(row[c] ?? 0);
  }
  return [...byGroup.values()];
}

const REPORT_COUNT_COLUMNS = [
  "merges",
  "ai_assisted",
  "undisclosed",
  "bypassed",
  "incomplete",
  "exceptions",
  "revert_base",
  "reverted_7d",
  "reverted_30d",
] as const;

// ---- checking the rollup against the merges ---------------------------------------------------------

/** Up to `limit` rows where the stored rollup and its recomputation differ ('stored' or 'recomputed' side). */
export function rollupDifferenceStatement(engine: Engine, limit = 5): Statement {
  const recomputed = recomputedRollupStatement(engine);
  const stored = storedRollupStatement();
  return {
    text: `WITH recomputed AS (SELECT * FROM (${recomputed.text}) r), stored AS (${stored.text})
      SELECT 'stored' AS side, a.* FROM (SELECT * FROM stored EXCEPT SELECT * FROM recomputed) a
      UNION ALL
      SELECT 'recomputed' AS side, b.* FROM (SELECT * FROM recomputed EXCEPT SELECT * FROM stored) b
      LIMIT ${limit}`,
    values: recomputed.values,
  };
}

/** Null when the rollup is what the merges give; else the first rollup row that differs, for `audit verify`. */
export async function reportRollupDifference(db: SqlReader): Promise<{ key: string; reason: string } | null> {
  const rows = await db.query<Record<string, unknown>>(rollupDifferenceStatement(db.engine, 1));
  const row = rows[0];
  if (!row) return null;
  const key = ROLLUP_KEYS.map((k) => `${k}=${String(row[k])}`).join(" ");
  const counts = ROLLUP_COUNTS.map((c) => `${c}=${String(row[c])}`).join(" ");
  const which = row.side === "stored" ? "holds a row the merges do not give" : "lacks a row the merges give";
  return { key, reason: `the report rollup ${which}: ${key} (${counts}); rebuild it from the merges` };
}

/** The same as a message (null when the rollup is right). */
export async function reportRollupProblem(db: SqlReader): Promise<string | null> {
  return (await reportRollupDifference(db))?.reason ?? null;
}
