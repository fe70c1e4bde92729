/**
 * Turns a MergeFilter into SQL that uses the indexes of research/audit.md §6: no `LIKE`, prefix
 * ranges instead (`sha >= 'abc1234' AND sha < 'abc1234g'`; a path glob's literal prefix as a
 * range on merge_paths, then the full glob with picomatch on the candidates only).
 */
import picomatch from "picomatch";
import { AI_LEVELS, type DisclosureLevel } from "../policy/snapshot.js";
import { AuditInputError } from "./audit-input-error.js";
import type { MergeFilter } from "./audit-store.js";
import { statement, type Engine, type SqlBuilder, type Statement } from "./sql-builder.js";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const LEVELS: readonly string[] = [...AI_LEVELS, "undisclosed"];

export interface NormalizedMergeFilter {
  repo?: string;
  path?: { glob: string; range: PrefixRange | null; matches: (path: string) => boolean };
  /** merged_at >= since */
  since?: string;
  /** merged_at < untilExclusive */
  untilExclusive?: string;
  ai?: DisclosureLevel;
  team?: string;
  bypassed?: boolean;
  reverted?: boolean;
  sha?: PrefixRange;
  limit: number;
}

/** `[from, to)` in byte order (SQLite BINARY, Postgres COLLATE "C"). */
export interface PrefixRange {
  from: string;
  to: string;
}

export function normalizeRepo(repo: string): string {
  return repo.trim().toLowerCase();
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
    if (!/^[^/\s]+\/[^/\s]+$/.test(filter.repo.trim())) {
      throw new AuditInputError(`repo "${filter.repo}" is not of the form owner/name`, "repo");
    }
    out.repo = normalizeRepo(filter.repo);
  }
  if (filter.path !== undefined) {
    const glob = filter.path.trim();
    if (glob === "") throw new AuditInputError("path is empty: give a glob such as src/payments/**", "path");
    out.path = { glob, range: globPrefixRange(glob), matches: picomatch(glob, { dot: true }) };
  }
  if (filter.since !== undefined) out.since = timeBound(filter.since, "since").start;
  if (filter.until !== undefined) out.untilExclusive = timeBound(filter.until, "until").endExclusive;
  if (filter.ai !== undefined) {
    if (!LEVELS.includes(filter.ai)) {
      throw new AuditInputError(`ai "${filter.ai}" is not a disclosure level: use one of ${LEVELS.join(", ")}`, "ai");
    }
    out.ai = filter.ai;
  }
  if (filter.team !== undefined) out.team = teamKey(filter.team);
  if (filter.bypassed !== undefined) out.bypassed = filter.bypassed;
  if (filter.reverted !== undefined) out.reverted = filter.reverted;
  if (filter.sha !== undefined) out.sha = shaRange(filter.sha);
  return out;
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

/** Revert rows that point at merge `m`: resolved id, the reverted PR, or a commit of the merge. */
export const REVERT_MATCHES_MERGE = `(r.reverted_merge_id = m.id
  OR (r.reverted_repo = m.repo AND r.reverted_pr = m.pr_number)
  OR (r.reverted_sha IS NOT NULL AND r.reverted_repo = m.repo AND EXISTS (
    SELECT 1 FROM merge_commits c2
    WHERE c2.merge_id = m.id AND c2.sha >= r.reverted_sha AND c2.sha < r.reverted_sha || 'g')))`;

function mergeConditions(q: SqlBuilder, f: NormalizedMergeFilter): string[] {
  const where: string[] = [];
  if (f.repo !== undefined) where.push(`m.repo = ${q.param(f.repo)}`);
  if (f.since !== undefined) where.push(`m.merged_at >= ${q.param(f.since)}`);
  if (f.untilExclusive !== undefined) where.push(`m.merged_at < ${q.param(f.untilExclusive)}`);
  if (f.ai !== undefined) where.push(`m.ai_level = ${q.param(f.ai)}`);
  if (f.team !== undefined) where.push(`m.id IN (SELECT t.merge_id FROM merge_teams t WHERE t.team_key = ${q.param(f.team)})`);
  // Literal TRUE so the partial index merges_bypassed applies.
  if (f.bypassed !== undefined) where.push(f.bypassed ? "m.bypassed = TRUE" : "m.bypassed = FALSE");
  if (f.reverted !== undefined) {
    where.push(`${f.reverted ? "" : "NOT "}EXISTS (SELECT 1 FROM reverts r WHERE ${REVERT_MATCHES_MERGE})`);
  }
  if (f.sha !== undefined) {
    where.push(`m.id IN (SELECT c.merge_id FROM merge_commits c WHERE c.sha >= ${q.param(f.sha.from)} AND c.sha < ${q.param(f.sha.to)})`);
  }
  return where;
}

/** Step 1 of a path query: (merge, path) candidates from the prefix range, matched in the app. */
export function pathCandidates(engine: Engine, range: PrefixRange | null): Statement {
  return statement(engine, (q) => {
    if (!range) return "SELECT merge_id, path, previous_path FROM merge_paths";
    // Two range scans (current path, rename source), each on its own index.
    return `SELECT merge_id, path, previous_path FROM merge_paths WHERE path >= ${q.param(range.from)} AND path < ${q.param(range.to)}
      UNION ALL
      SELECT merge_id, path, previous_path FROM merge_paths WHERE previous_path >= ${q.param(range.from)} AND previous_path < ${q.param(range.to)}`;
  });
}

export const MERGE_COLUMNS = "a.seq, a.entry_hash, a.recorded_at, a.payload, m.id";

/** Step 2: the merges, newest first; `ids` restricts to the path matches. */
export function listMergesStatement(engine: Engine, f: NormalizedMergeFilter, ids: readonly number[] | null): Statement {
  return statement(engine, (q) => {
    const where = mergeConditions(q, f);
    if (ids) where.push(q.inIds("m.id", ids));
    return `SELECT ${MERGE_COLUMNS} FROM merges m JOIN audit_log a ON a.seq = m.audit_seq
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY m.merged_at DESC, m.id DESC LIMIT ${q.param(f.limit)}`;
  });
}
