/**
 * The overview's numbers over a bounded window (26 weeks by default). The revert rates by AI level
 * and by team come from the store's `report` (computed in SQL, the same figures as `countersign
 * audit report`). The report has no week dimension and costs the same fixed time whatever the
 * window, so the weekly series are counted in one keyset-paged pass over the window's merges
 * instead of one report per week; the pass stops after MAX_COUNTED merges and says so.
 */
import type { AuditStore, ReportCounts, ReportFilter, ReportRow } from "../audit/audit-store.js";

export const DEFAULT_WEEKS = 26;
const DAY_MS = 86_400_000;
/** At about 20 µs a merge on SQLite, the weekly pass stays near a second. */
export const MAX_COUNTED = 50_000;
const AI_ASSISTED = new Set(["assisted", "generated", "agent"]);

export interface WeekFigures {
  /** Monday of the week, `YYYY-MM-DD` (UTC). */
  weekStart: string;
  /** Sunday of the week, `YYYY-MM-DD` (UTC). */
  weekEnd: string;
  merges: number;
  aiAssisted: number;
  aiAssistedShare: number | null;
  bypassed: number;
  exceptions: number;
}

export interface DashboardFigures {
  /** First day of the window (a Monday) and last day (today), `YYYY-MM-DD` UTC. */
  since: string;
  until: string;
  weeks: WeekFigures[];
  /** Set when the window held more than MAX_COUNTED merges: weeks before this day are incomplete. */
  countedFrom: string | null;
  total: ReportCounts;
  byAi: ReportRow[];
  byTeam: ReportRow[];
}

/** Weeks start on Monday (ISO 8601), in UTC like every time in the audit trail. */
export function weekStartOf(time: Date): Date {
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
}

export function isoDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

export async function loadFigures(
  store: AuditStore,
  options: { now: Date; weeks?: number; filter?: Pick<ReportFilter, "repo" | "repos" | "team">; maxCounted?: number },
): Promise<DashboardFigures> {
  const count = options.weeks ?? DEFAULT_WEEKS;
  const base: ReportFilter = { ...options.filter };
  const thisWeek = weekStartOf(options.now);
  const starts = Array.from({ length: count }, (_, i) => new Date(thisWeek.getTime() - (count - 1 - i) * 7 * DAY_MS));
  const since = isoDate(starts[0]!);
  const until = isoDate(options.now);

  const weeks: WeekFigures[] = starts.map((start) => ({
    weekStart: isoDate(start),
    weekEnd: isoDate(new Date(start.getTime() + 6 * DAY_MS)),
    merges: 0,
    aiAssisted: 0,
    aiAssistedShare: null,
    bypassed: 0,
    exceptions: 0,
  }));
  let counted = 0;
  let countedFrom: string | null = null;
  for await (const merge of store.iterateMerges({ ...base, since, until }, { batchSize: 1000 })) {
    if (counted === (options.maxCounted ?? MAX_COUNTED)) {
      countedFrom = merge.mergedAt.slice(0, 10);
      break;
    }
    counted += 1;
    const week = weeks[Math.floor((weekStartOf(new Date(merge.mergedAt)).getTime() - starts[0]!.getTime()) / (7 * DAY_MS))];
    if (!week) continue;
    week.merges += 1;
    if (AI_ASSISTED.has(merge.aiLevel)) week.aiAssisted += 1;
    if (merge.bypassed) week.bypassed += 1;
    week.exceptions += merge.exceptions.length;
  }
  for (const week of weeks) week.aiAssistedShare = week.merges === 0 ? null : week.aiAssisted / week.merges;

  const window: ReportFilter = { ...base, since, until };
  const byAi = await store.report(window, ["ai"]);
  const byTeam = await store.report(window, ["team"]);
  return { since, until, weeks, countedFrom, total: byAi.total, byAi: byAi.rows, byTeam: byTeam.rows };
}
