/**
 * Turns a MergeFilter into SQL that uses the indexes (docs/audit-trail.md, "Schema"): no `LIKE`, prefix
 * ranges instead (`sha >= 'abc1234' AND sha < 'abc1234g'`; a path glob's literal prefix as a
 * range on merge_paths, then the full glob (glob-match.ts, picomatch's dialect) on the candidates only).
 */
import { compileGlob, UnsupportedGlobError } from "../policy/glob-match.js";
import { AI_LEVELS, type DisclosureLevel } from "../policy/snapshot.js";
import { AuditInputError } from "./audit-input-error.js";
import type { MergeFilter, ReportDimension } from "./audit-store.js";
import { statement, type Engine, type SqlBuilder, type Statement } from "./sql-builder.js";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const LEVELS: readonly string[] = [...AI_LEVELS, "undisclosed"];

export interface NormalizedMergeFilter {
  repo?: string;
  /** Lower-cased, deduplicated; empty: no merge matches. */
  repos?: string[];
  path?: { glob: string; range: PrefixRange | null; matches: (path: string) => boolean };
  /** merged_at >= since */
  since?: string;
  /** merged_at < untilExclusive */
  untilExclusive?: string;
  ai?: DisclosureLevel[];
  team?: string;
  bypassed?: boolean;
  incomplete?: boolean;
  reverted?: boolean;
  exceptions?: boolean;
  sha?: PrefixRange;
  limit: number;
  /** Keyset position: only merges strictly after this one in (merged_at DESC, id DESC) order. */
  after?: CursorPosition;
}

/** Where a page ended: the last merge's merged_at (normalised) and id (= its audit seq). */
export interface CursorPosition {
  mergedAt: string;
  id: number;
}

/** `[from, to)` in byte order (SQLite BINARY, Postgres COLLATE "C"). */
export interface PrefixRange {
  from: string;
  to: string;
}

/** `owner/name`: the only form a repository takes in the store's inputs. */
export function isRepoName(repo: unknown): repo is string {
  return typeof repo === "string" && /^[^/\s]+\/[^/\s]+$/.test(repo.trim());
}

export function normalizeRepo(repo: string): string {
  return repo.trim().toLowerCase();
}

/** A set of repositories (`repos` filters) as stored: lower-cased, each checked to be owner/name. */
export function normalizeRepoSet(repos: readonly string[]): string[] {
  for (const repo of repos) {
    if (!isRepoName(repo)) {
      throw new AuditInputError(`repos: "${String(repo)}" is not of the form owner/name`, "repos");
    }
  }
  return [...new Set(repos.map(normalizeRepo))];
}

/** Teams are compared without the leading `@` and case-insensitively, as GitHub does. */
export function teamKey(team: string): string {
  return team.trim().replace(/^@/, "").toLowerCase();
}

export function subjectOf(repo: string, prNumber: number): string {
  return `${normalizeRepo(repo)}#${prNumber}`;
}

/** A full or abbreviated commit SHA (7 to 64 hex) as a range over `merge_commits.sha`. */
export function shaRange(sha: string, field = "sha"): PrefixRange {
  const s = sha.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(s)) throw new AuditInputError(`${field} "${sha}" is not a hex commit SHA`, field);
  if (s.length < 7) {
    throw new AuditInputError(`${field} "${sha}" is too short: give at least 7 hex characters of the commit SHA`, field);
  }
  if (s.length > 64) throw new AuditInputError(`${field} "${sha}" is longer than a commit SHA (40 or 64 hex)`, field);
  // 'g' sorts right after 'f', so every SHA starting with s is in [s, s + 'g').
  return { from: s, to: `${s}g` };
}

/**
 * The glob's literal prefix (up to the first glob character, without trailing slashes, because
 * picomatch lets `src/payments/**` match `src/payments` itself) as a range; null when the glob
 * starts with a wildcard or a negation, which needs a full scan of merge_paths.
 */
export function globPrefixRange(glob: string): PrefixRange | null {
  if (glob.startsWith("!")) return null;
  const special = glob.search(/[*?[\]{}()!+@\\]/);
  const prefix = (special === -1 ? glob : glob.slice(0, special)).replace(/\/+$/, "");
  if (prefix === "") return null;
  const chars = Array.from(prefix);
  const last = chars.pop()!.codePointAt(0)!;
  let next = last + 1;
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
  return { from: prefix, to: chars.join("") + String.fromCodePoint(next) };
}

export function normalizeMergeFilter(filter: MergeFilter): NormalizedMergeFilter {
  const out: NormalizedMergeFilter = { limit: normalizeLimit(filter.limit) };
  if (filter.repo !== undefined) {
    if (!isRepoName(filter.repo)) {
      throw new AuditInputError(`repo "${filter.repo}" is not of the form owner/name`, "repo");
    }
    out.repo = normalizeRepo(filter.repo);
  }
  if (filter.repos !== undefined) out.repos = normalizeRepoSet(filter.repos);
  if (filter.path !== undefined) {
    const glob = filter.path.trim();
    if (glob === "") throw new AuditInputError("path is empty: give a glob such as src/payments/**", "path");
    let matches: (path: string) => boolean;
    try {
      // Linear in path length: a backtracking RegExp would let one filter stall the process.
      matches = compileGlob(glob);
    } catch (error) {
      if (error instanceof UnsupportedGlobError) throw new AuditInputError(`path: ${error.message}`, "path");
      throw error;
    }
    out.path = { glob, range: globPrefixRange(glob), matches };
  }
  if (filter.since !== undefined) out.since = timeBound(filter.since, "since").start;
  if (filter.until !== undefined) out.untilExclusive = timeBound(filter.until, "until").endExclusive;
  if (filter.ai !== undefined) {
    const levels = typeof filter.ai === "string" ? [filter.ai] : [...filter.ai];
    if (levels.length === 0) throw new AuditInputError(`ai is an empty list: use one or more of ${LEVELS.join(", ")}`, "ai");
    for (const level of levels) {
      if (!LEVELS.includes(level)) {
        throw new AuditInputError(`ai "${level}" is not a disclosure level: use one or more of ${LEVELS.join(", ")}`, "ai");
      }
    }
    out.ai = [...new Set(levels)];
  }
  if (filter.team !== undefined) {
    out.team = teamKey(filter.team);
    if (out.team === "") throw new AuditInputError("team is empty: give @org/team", "team");
  }
  if (filter.bypassed !== undefined) out.bypassed = filter.bypassed;
  if (filter.incomplete !== undefined) out.incomplete = filter.incomplete;
  if (filter.reverted !== undefined) out.reverted = filter.reverted;
  if (filter.exceptions !== undefined) out.exceptions = filter.exceptions;
  if (filter.sha !== undefined) out.sha = shaRange(filter.sha);
  if (filter.cursor !== undefined) out.after = decodeCursor(filter.cursor);
  return out;
}

const CURSOR_PREFIX = "m1.";
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An opaque page cursor: `m1.` + base64url("<merged_at>|<id>"). */
export function encodeCursor(position: CursorPosition): string {
  return CURSOR_PREFIX + Buffer.from(`${position.mergedAt}|${position.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): CursorPosition {
  const invalid = () =>
    new AuditInputError(
      `cursor "${cursor.slice(0, 80)}" is not a cursor this server issued (use nextCursor from the previous page)`,
      "cursor",
    );
  if (typeof cursor !== "string" || !cursor.startsWith(CURSOR_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(cursor.slice(CURSOR_PREFIX.length)))
    throw invalid();
  const [mergedAt, id, ...rest] = Buffer.from(cursor.slice(CURSOR_PREFIX.length), "base64url").toString("utf8").split("|");
  if (rest.length > 0 || mergedAt === undefined || !ISO_INSTANT.test(mergedAt) || id === undefined || !/^[1-9]\d{0,15}$/.test(id))
    throw invalid();
  return { mergedAt, id: Number(id) };
}

function normalizeLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new AuditInputError(`limit ${limit} is not a positive integer`, "limit");
  return Math.min(limit, MAX_LIMIT);
}

/**
 * Parses a time bound. A full timestamp is an instant (both bounds inclusive); a bare date
 * `YYYY-MM-DD` means that whole UTC day, so `--until 2026-03-31` includes merges on the 31st.
 */
export function timeBound(value: string, field: string): { start: string; endExclusive: string } {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(value.trim());
  // No offset means UTC (the audit trail's convention), never the machine's local zone.
  const zone = m?.[3] ? m[3].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z";
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? "00:00:00"}${zone}`) : NaN;
  if (Number.isNaN(ms)) {
    throw new AuditInputError(`${field} "${value}" is not an ISO-8601 date or time (e.g. 2026-03-01 or 2026-03-01T10:00:00Z)`, field);
  }
  return {
    start: new Date(ms).toISOString(),
    endExclusive: new Date(ms + (m?.[2] ? 1 : 86_400_000)).toISOString(),
  };
}

/** merged_at is stored normalised (`toISOString()`), so text comparison is time order. */
export function normalizeInstant(value: string, field: string): string {
  return timeBound(value, field).start;
}

/**
 * (revert_id, merge_id): each recorded revert and the merge it reverts. A revert names its target
 * by PR (resolved at record time, or matched later by repo + number) or by a possibly abbreviated
 * commit SHA of the target (a prefix of one of its merge_commits). Driven from `reverts`, which is
 * small, each branch an index lookup per revert: SQLite keeps CROSS JOIN order; PostgreSQL is
 * given a LATERAL range scan, since it cannot estimate a range join and would scan merge_commits.
 */
export function revertTargets(engine: Engine, only?: string): string {
  // `only`: a condition on the reverts (alias r) to take, e.g. those of one reverting PR.
  const and = only === undefined ? "" : ` AND ${only}`;
  const bySha =
    engine === "sqlite"
      ? `SELECT r.id, c.merge_id FROM reverts r CROSS JOIN merge_commits c CROSS JOIN merges m
    WHERE r.reverted_sha IS NOT NULL AND c.sha >= r.reverted_sha AND c.sha < r.reverted_sha || 'g'
      AND m.id = c.merge_id AND m.repo = r.reverted_repo${and}`
      : `SELECT r.id, c.merge_id FROM reverts r
    CROSS JOIN LATERAL (SELECT c.merge_id FROM merge_commits c WHERE c.sha >= r.reverted_sha AND c.sha < r.reverted_sha || 'g' OFFSET 0) c
    JOIN merges m ON m.id = c.merge_id AND m.repo = r.reverted_repo
    WHERE r.reverted_sha IS NOT NULL${and}`;
  return `SELECT r.id AS revert_id, r.reverted_merge_id AS merge_id FROM reverts r WHERE r.reverted_merge_id IS NOT NULL${and}
  UNION
  SELECT r.id, m.id FROM reverts r CROSS JOIN merges m WHERE m.repo = r.reverted_repo AND m.pr_number = r.reverted_pr${and}
  UNION
  ${bySha}`;
}

/**
 * revertTargets for a few merges, driven from those merges (`source` names them: a FROM item with
 * a `value` column), with each revert's audit seq. For the SHA branch, the reverted SHA (7+ hex)
 * is a prefix of the commit's SHA iff it lies in [first 7 characters, sha] and the SHA is below
 * it + 'g': a range on reverts_reverted_sha, kept off the repo index that would list the repo's
 * every revert per commit (SQLite: unary +; PostgreSQL: an OFFSET 0 fence).
 */
export function revertTargetsOf(q: SqlBuilder, source: (alias: string) => string): string {
  const bySha =
    q.engine === "sqlite"
      ? `SELECT r.audit_seq, c.merge_id FROM ${source("i3")} CROSS JOIN merge_commits c CROSS JOIN merges m CROSS JOIN reverts r
    WHERE c.merge_id = i3.value AND m.id = c.merge_id AND r.reverted_sha >= substr(c.sha, 1, 7) AND r.reverted_sha <= c.sha
      AND c.sha < r.reverted_sha || 'g' AND +r.reverted_repo = m.repo`
      : `SELECT r.audit_seq, c.merge_id FROM ${source("i3")} CROSS JOIN merge_commits c JOIN merges m ON m.id = c.merge_id
    CROSS JOIN LATERAL (SELECT r.audit_seq, r.reverted_repo, r.reverted_sha FROM reverts r
      WHERE r.reverted_sha >= substr(c.sha, 1, 7) AND r.reverted_sha <= c.sha OFFSET 0) r
    WHERE c.merge_id = i3.value AND c.sha < r.reverted_sha || 'g' AND r.reverted_repo = m.repo`;
  return `SELECT r.audit_seq, r.reverted_merge_id AS merge_id FROM ${source("i1")} CROSS JOIN reverts r
    WHERE r.reverted_merge_id = i1.value
  UNION
  SELECT r.audit_seq, m.id FROM ${source("i2")} CROSS JOIN merges m CROSS JOIN reverts r
    WHERE m.id = i2.value AND r.reverted_repo = m.repo AND r.reverted_pr = m.pr_number
  UNION
  ${bySha}`;
}

function revertsOf(engine: Engine, source: (q: SqlBuilder) => (alias: string) => string): Statement {
  return {
    ...statement(
      engine,
      // CROSS JOIN: the few revert links drive; without statistics SQLite would otherwise scan
      // audit_log against a bloom filter of them.
      (q) => `SELECT t.merge_id, a.seq, a.recorded_at, a.payload FROM (${revertTargetsOf(q, source(q))}) t
      CROSS JOIN audit_log a WHERE a.seq = t.audit_seq
      ORDER BY t.merge_id, a.seq`,
    ),
    prepare: true,
  };
}

/** The revert log entries that point at each of `ids`, in seq order. */
export function revertsOfMerges(engine: Engine, ids: readonly number[]): Statement {
  return revertsOf(engine, (q) => (alias) => q.idTable(ids, alias));
}

/** The same for the merge of one PR (beside getMerge's own query). */
export function revertsOfPullRequest(engine: Engine, repo: string, prNumber: number): Statement {
  return revertsOf(
    engine,
    (q) => (alias) =>
      `(SELECT m0.id AS value FROM merges m0 WHERE m0.repo = ${q.param(repo)} AND m0.pr_number = ${q.param(prNumber)}) ${alias}`,
  );
}

/**
 * The same for every merge with a commit in `range`: run beside the SHA lookup itself, so that
 * a lookup costs one round trip, not two.
 */
export function revertsOfMergesWithCommit(engine: Engine, range: PrefixRange): Statement {
  return revertsOf(
    engine,
    (q) => (alias) =>
      `(SELECT DISTINCT c0.merge_id AS value FROM merge_commits c0 WHERE c0.sha >= ${q.param(range.from)} AND c0.sha ` +
      `< ${q.param(range.to)}) ${alias}`,
  );
}

/** The filter as SQL conditions on `merges m` (also used by the incident trends). */
export function mergeConditions(q: SqlBuilder, f: NormalizedMergeFilter): string[] {
  const where: string[] = [];
  if (f.repo !== undefined) where.push(`m.repo = ${q.param(f.repo)}`);
  // An empty set is a real answer (a user who can read no repository), not "no filter".
  if (f.repos !== undefined) where.push(f.repos.length === 0 ? "1 = 0" : q.inTexts("m.repo", f.repos));
  if (f.since !== undefined) where.push(`m.merged_at >= ${q.param(f.since)}`);
  if (f.untilExclusive !== undefined) where.push(`m.merged_at < ${q.param(f.untilExclusive)}`);
  if (f.ai !== undefined) {
    // Several levels cannot be read from merges_ai_time in merged_at order, so without fresh
    // statistics SQLite would read the whole window through it and sort; the unary + (SQLite
    // only) leaves it the merged_at index, which stops after a page.
    const column = q.engine === "sqlite" && f.ai.length > 1 ? "+m.ai_level" : "m.ai_level";
    where.push(f.ai.length === 1 ? `m.ai_level = ${q.param(f.ai[0])}` : `${column} IN (${f.ai.map((l) => q.param(l)).join(", ")})`);
  }
  if (f.team !== undefined) where.push(`m.id IN (SELECT t.merge_id FROM merge_teams t WHERE t.team_key = ${q.param(f.team)})`);
  // Literal TRUE so the partial index merges_bypassed applies.
  if (f.bypassed !== undefined) where.push(f.bypassed ? "m.bypassed = TRUE" : "m.bypassed = FALSE");
  // Literal TRUE so the partial index merges_incomplete applies.
  if (f.incomplete !== undefined) where.push(f.incomplete ? "m.incomplete = TRUE" : "m.incomplete = FALSE");
  if (f.reverted !== undefined) {
    where.push(`m.id ${f.reverted ? "" : "NOT "}IN (SELECT rt.merge_id FROM (${revertTargets(q.engine)}) rt)`);
  }
  if (f.exceptions !== undefined) {
    where.push(`${f.exceptions ? "" : "NOT "}EXISTS (SELECT 1 FROM merge_exceptions e WHERE e.merge_id = m.id)`);
  }
  if (f.sha !== undefined) {
    where.push(`m.id IN (SELECT c.merge_id FROM merge_commits c WHERE c.sha >= ${q.param(f.sha.from)} AND c.sha < ${q.param(f.sha.to)})`);
  }
  if (f.after !== undefined) {
    // The first conjunct is a plain range the merged_at index can seek to; the second only
    // breaks ties between merges of the same instant.
    const at = q.param(f.after.mergedAt);
    where.push(`m.merged_at <= ${at} AND (m.merged_at < ${at} OR m.id < ${q.param(f.after.id)})`);
  }
  return where;
}

/**
 * Path-driven candidates: (merge, path) for every changed path or rename source in the glob's
 * prefix range, at most `limit` of them (the caller then knows whether the prefix is selective).
 * Each branch is covered by its index: no table rows are read.
 */
export function pathCandidates(engine: Engine, range: PrefixRange | null, limit?: number): Statement {
  return statement(engine, (q) => {
    const cap = limit === undefined ? "" : ` LIMIT ${q.param(limit)}`;
    if (!range) {
      return (
        `SELECT merge_id, path AS p FROM merge_paths UNION ALL SELECT merge_id, previous_path FROM merge_paths WHERE previous_path ` +
        `IS NOT NULL${cap}`
      );
    }
    return (
      `SELECT merge_id, p FROM (
      SELECT merge_id, path AS p FROM merge_paths WHERE path >= ${q.param(range.from)} AND path < ${q.param(range.to)}
      UNION ALL
      SELECT merge_id, previous_path AS p FROM merge_paths WHERE previous_path >= ${q.param(range.from)} ` +
      `AND previous_path < ${q.param(range.to)}
    ) candidates${cap}`
    );
  });
}

/**
 * Merge-driven: every changed path and rename source of these merges, by primary key (about ten
 * each); the glob is applied by the caller. (A range filter here tempts PostgreSQL to scan the
 * whole prefix instead, since it cannot tell how few of these merges' paths are in it.)
 */
export function pathsOfMerges(engine: Engine, ids: readonly number[]): Statement {
  return statement(
    engine,
    (q) => `SELECT p.merge_id, p.path, p.previous_path FROM ${q.idTable(ids, "ids")} CROSS JOIN merge_paths p WHERE p.merge_id = ids.value`,
  );
}

export const MERGE_COLUMNS = "a.seq, a.entry_hash, a.recorded_at, a.payload, a.delivery_id, a.source, a.subject, m.id, m.merged_at";
const ORDER = "ORDER BY m.merged_at DESC, m.id DESC";

/**
 * The merges, newest first, at most `limit` (default: the filter's); `ids` restricts to path matches.
 */
export function listMergesStatement(engine: Engine, f: NormalizedMergeFilter, ids: readonly number[] | null, limit = f.limit): Statement {
  return statement(engine, (q) => {
    const where = mergeConditions(q, f);
    const conditions = where.length ? ` AND ${where.join(" AND ")}` : "";
    let choose: string;
    if (!ids) {
      choose = `SELECT m.id, m.merged_at FROM merges m ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`;
    } else if (engine === "sqlite") {
      // With ids (path matches), drive from them and sort what is left: never walk merges by time.
      choose = `SELECT m.id, m.merged_at FROM ${q.idTable(ids, "ids")} CROSS JOIN merges m WHERE m.id = ids.value${conditions}`;
    } else {
      // PostgreSQL would rather hash every merge of the time window than probe a few thousand
      // ids; the fenced LATERAL makes it one primary-key probe per id.
      choose = `SELECT m.id, m.merged_at FROM ${q.idTable(ids, "ids")}
        CROSS JOIN LATERAL (SELECT m.id, m.merged_at FROM merges m WHERE m.id = ids.value${conditions} OFFSET 0) m`;
    }
    // The page is chosen on narrow rows first; only its payloads are read. (When a filter makes
    // the planner sort, e.g. a team's merges, it then sorts ids, not stored records.)
    return `SELECT ${MERGE_COLUMNS} FROM (${choose} ${ORDER} LIMIT ${q.param(limit)}) page
      CROSS JOIN merges m CROSS JOIN audit_log a
      WHERE m.id = page.id AND a.seq = m.audit_seq
      ${ORDER}`;
  });
}

/**
 * The next `limit` merge positions in page order (no payloads), each flagged when one of its
 * paths or rename sources lies in `range` (a primary-key probe per merge; always 1 without a
 * range): the walk a path filter then narrows with the glob itself.
 */
export function mergePositionsStatement(engine: Engine, f: NormalizedMergeFilter, limit: number, range: PrefixRange | null): Statement {
  return statement(engine, (q) => {
    const where = mergeConditions(q, f);
    let hit = "1";
    if (range) {
      const from = q.param(range.from);
      const to = q.param(range.to);
      // Per merge: its paths by primary key (about ten, covered: `|| ''` keeps the planner off
      // merge_paths_path, whose whole range it would scan for every merge), then its rename
      // sources in the partial index of renames. OFFSET 0 stops PostgreSQL from hashing either
      // subquery over the whole table instead.
      hit = `CASE WHEN EXISTS (SELECT 1 FROM merge_paths p WHERE p.merge_id = m.id
          AND (p.path || '') >= ${from} AND (p.path || '') < ${to} LIMIT 1 OFFSET 0)
        OR EXISTS (SELECT 1 FROM merge_paths p WHERE p.merge_id = m.id
          AND p.previous_path >= ${from} AND p.previous_path < ${to} LIMIT 1 OFFSET 0)
        THEN 1 ELSE 0 END`;
    }
    return (
      `SELECT m.id, m.merged_at, ${hit} AS hit FROM merges m ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ${ORDER} ` +
      `LIMIT ${q.param(limit)}`
    );
  });
}

// ---- report ----------------------------------------------------------------------------------

export const GROUP_KEYS: Record<ReportDimension, string> = {
  // GitHub team slugs are case-insensitive; the owning team as CODEOWNERS spelt it, lowercased.
  team: "LOWER(m.owning_team)",
  ai: "m.ai_level",
  repo: "m.repo",
  month: "SUBSTR(m.merged_at, 1, 7)",
};

/** Whole milliseconds from `from` to `to` (ISO-8601 text), per engine. */
export function millisBetween(engine: Engine, from: string, to: string): string {
  return engine === "sqlite"
    ? `ROUND((julianday(${to}) - julianday(${from})) * 86400000.0)`
    : `(EXTRACT(EPOCH FROM (${to}::timestamptz - ${from}::timestamptz)) * 1000)`;
}

export const REVERT_WINDOWS_DAYS = [7, 30] as const;

/**
 * One row per group: counts only (rates are divided in the caller, so both engines give the same
 * numbers). A revert's time is the reverting PR's merge (the detection time if that PR is not recorded).
 */
export function reportStatement(engine: Engine, f: NormalizedMergeFilter, groupBy: readonly ReportDimension[]): Statement {
  return statement(engine, (q) => {
    const where = mergeConditions(q, f);
    const keys = groupBy.map((d) => `${GROUP_KEYS[d]} AS k_${d}`);
    const within = (days: number) =>
      `SUM(CASE WHEN rp.merge_id IS NULL AND rt.first_revert_at IS NOT NULL ` +
      `AND ${millisBetween(engine, "m.merged_at", "rt.first_revert_at")} <= ${days * 86_400_000} THEN 1 ELSE 0 END)`;
    return (
      `WITH rt AS (
        SELECT t.merge_id, MIN(COALESCE(rm.merged_at, r.detected_at)) AS first_revert_at
        FROM (${revertTargets(engine)}) t JOIN reverts r ON r.id = t.revert_id
        LEFT JOIN merges rm ON rm.repo = r.reverting_repo AND rm.pr_number = r.reverting_pr
        GROUP BY t.merge_id
      ),
      rp AS (SELECT DISTINCT m2.id AS merge_id FROM reverts r JOIN merges m2 ON m2.repo = r.reverting_repo AND m2.pr_number = ` +
      `r.reverting_pr),
      ex AS (SELECT merge_id, COUNT(*) AS n FROM merge_exceptions GROUP BY merge_id)
      SELECT ${[...keys, ""].join(", ")}
        COUNT(*) AS merges,
        SUM(CASE WHEN m.ai_level IN ('assisted', 'generated', 'agent') THEN 1 ELSE 0 END) AS ai_assisted,
        SUM(CASE WHEN m.ai_level = 'undisclosed' THEN 1 ELSE 0 END) AS undisclosed,
        SUM(CASE WHEN m.bypassed = TRUE THEN 1 ELSE 0 END) AS bypassed,
        SUM(CASE WHEN m.incomplete = TRUE THEN 1 ELSE 0 END) AS incomplete,
        CAST(COALESCE(SUM(ex.n), 0) AS BIGINT) AS exceptions,
        SUM(CASE WHEN rp.merge_id IS NULL THEN 1 ELSE 0 END) AS revert_base,
        ${REVERT_WINDOWS_DAYS.map((d) => `${within(d)} AS reverted_${d}d`).join(",\n        ")}
      FROM merges m
        LEFT JOIN rt ON rt.merge_id = m.id
        LEFT JOIN rp ON rp.merge_id = m.id
        LEFT JOIN ex ON ex.merge_id = m.id
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ${groupBy.length ? `GROUP BY ${groupBy.map((d) => GROUP_KEYS[d]).join(", ")}` : ""}`
    );
  });
}
