/**
 * The engine-independent half of both adapters: record plans, queries and verification written
 * once over a few primitives (`append` under the chain lock, `query`). The subclasses own the
 * connection, the lock and the migrations: sqlite-audit-store.ts, postgres-audit-store.ts.
 */
import { AuditConflictError } from "./audit-conflict-error.js";
import { AuditInputError } from "./audit-input-error.js";
import { AuditNotFoundError } from "./audit-not-found-error.js";
import {
  INCIDENT_CATEGORIES,
  INCIDENT_SEVERITIES,
  REPORT_DIMENSIONS,
  type AppendResult,
  type AuditReport,
  type AuditStore,
  type EvaluationRecordInput,
  type ExceptionRecordInput,
  type IncidentFacts,
  type IncidentFilter,
  type IncidentInput,
  type IncidentLinkedShare,
  type IncidentLinkInput,
  type IncidentLinkRecord,
  type IncidentRecord,
  type IncidentTrends,
  type MergeFilter,
  type MergeIncidentLink,
  type MergePage,
  type MergeRecord,
  type MergeRecordInput,
  type ReportCounts,
  type ReportDimension,
  type ReportFilter,
  type ReportRow,
  type RevertRecord,
  type RevertRecordInput,
  type VerifyResult,
} from "./audit-store.js";
import {
  evaluationPlan,
  exceptionPlan,
  incidentLinkPlan,
  incidentPlan,
  mergePlan,
  revertPlan,
  type AppendPlan,
  type TableRows,
} from "./audit-write-plans.js";
import { buildChainRow, parseEnvelope, verifyChain, type ChainRow } from "./hash-chain.js";
import { INCIDENT_ID_PATTERN, normalizeIncident, normalizeIncidentLink, type NormalizedIncident, type NormalizedIncidentLink } from "./incident-input.js";
import {
  INCIDENT_PROJECTION_SQL,
  incidentByIdStatement,
  incidentsByCategoryMonthStatement,
  linkedShareStatement,
  linksOfIncidentsStatement,
  linksOfMergeStatement,
  listIncidentsStatement,
  mergeIdStatement,
  mergeToStartStatement,
  normalizeIncidentFilter,
} from "./incident-query.js";
import {
  MAX_LIMIT,
  MERGE_COLUMNS,
  encodeCursor,
  listMergesStatement,
  mergePositionsStatement,
  normalizeMergeFilter,
  isRepoName,
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
import { insertRows, statement, type Engine, type Statement } from "./sql-builder.js";
import { ProjectionCheck } from "./verify-projection.js";

export interface AuditStoreOptions {
  /** The clock for `recorded_at` (tests pin it). */
  now?: () => Date;
  /**
   * A path glob whose first batch of merges does not fill the page is answered from the path
   * index when its literal prefix matches at most this many changed paths (default 10,000), else
   * by walking on. Tests set 0 to exercise the walk on small data.
   */
  pathIndexMaxRows?: number;
}

export const HEAD_SQL = "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1";
const VERIFY_PAGE = 1000;
/** See AuditStoreOptions.pathIndexMaxRows. */
const PATH_DRIVEN_MAX = 10_000;
const MERGE_SCAN_MAX_BATCH = 5_000;
/** Walk on without consulting the path index while the page should fill within this many more merges. */
const WALK_BEFORE_PROBE = 4_000;
const DEFAULT_ITERATE_BATCH = 500;

interface MergeRow {
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

/** A bulk append, computed under the chain lock: per-input results and the rows per table. */
export interface BulkAppend {
  results: AppendResult[];
  /** audit_log first, then the projections in dependency order. */
  tables: TableRows[];
}

const REPORT_DEFINITIONS: Record<string, string> = {
  merges: "merges recorded in the group",
  aiAssisted: "merges disclosed as assisted, generated or agent",
  aiAssistedShare: "aiAssisted / merges",
  undisclosed: "merges with no valid AI disclosure",
  bypassed: "merges made while the countersign check was not success (or absent)",
  exceptions: "boundary exceptions the group's merges carried at merge time",
  revertBase: "merges in the group that are not themselves reverts (the revert-rate denominator)",
  revertedWithin7d: "change-failure proxy: merges of revertBase reverted within 7 days of merging (revert time = the reverting PR's merge)",
  revertRate7d: "change-failure proxy: revertedWithin7d / revertBase (reverts seen by Countersign, not deployments or incidents)",
  revertedWithin30d: "change-failure proxy: merges of revertBase reverted within 30 days of merging",
  revertRate30d: "change-failure proxy: revertedWithin30d / revertBase",
};

export abstract class SqlAuditStore implements AuditStore {
  abstract readonly engine: Engine;
  protected readonly now: () => Date;
  private readonly pathIndexMaxRows: number;

  constructor(options: AuditStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.pathIndexMaxRows = options.pathIndexMaxRows ?? PATH_DRIVEN_MAX;
  }

  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
  /** Runs `plan` in one transaction holding the chain lock (see `appendStatements`). */
  protected abstract append(plan: AppendPlan): Promise<AppendResult>;
  protected abstract query<T>(stmt: Statement): Promise<T[]>;
  /**
   * Runs many merge plans in one transaction holding the chain lock: reads which subjects are
   * already recorded and the head, then inserts what `bulkAppend` returns.
   */
  protected abstract appendBulk(plans: AppendPlan[]): Promise<AppendResult[]>;

  /**
   * Under the chain lock, after the duplicate checks found nothing and `head` was read: the new
   * audit_log row and its projections. Time is read here so recorded_at follows seq order.
   */
  protected appendStatements(plan: AppendPlan, head: { seq: number; entry_hash: string } | undefined): { seq: number; statements: Statement[] } {
    const recordedAt = this.now().toISOString();
    const row = buildChainRow(
      { v: 1, ...plan.envelope, recordedAt },
      head ? { seq: Number(head.seq), entryHash: head.entry_hash } : null,
    );
    return {
      seq: row.seq,
      statements: [...insertRows(this.engine, "audit_log", [{ ...row }]), ...plan.projections(row.seq, recordedAt)],
    };
  }

  /**
   * Under the chain lock: the chain rows and projection rows of every plan whose subject is not
   * in `recorded` (nor earlier in the same batch), linked from `head` in input order.
   */
  protected bulkAppend(plans: readonly AppendPlan[], recorded: ReadonlySet<string>, head: { seq: number; entry_hash: string } | undefined): BulkAppend {
    const seen = new Set(recorded);
    const tables = new Map<string, Record<string, unknown>[]>([["audit_log", []]]);
    const results: AppendResult[] = [];
    let prev = head ? { seq: Number(head.seq), entryHash: head.entry_hash } : null;
    for (const plan of plans) {
      if (!plan.projectionRows) throw new Error(`bulk append supports merge plans only, not ${plan.envelope.kind}`);
      if (seen.has(plan.envelope.subject)) {
        results.push({ inserted: false, seq: null });
        continue;
      }
      seen.add(plan.envelope.subject);
      const recordedAt = this.now().toISOString();
      const row = buildChainRow({ v: 1, ...plan.envelope, recordedAt }, prev);
      tables.get("audit_log")!.push({ ...row });
      for (const t of plan.projectionRows(row.seq, recordedAt)) {
        const rows = tables.get(t.table) ?? [];
        for (const r of t.rows) rows.push(r);
        tables.set(t.table, rows);
      }
      prev = { seq: row.seq, entryHash: row.entry_hash };
      results.push({ inserted: true, seq: row.seq });
    }
    return { results, tables: [...tables].map(([table, rows]) => ({ table, rows })).filter((t) => t.rows.length > 0) };
  }

  /** Which of these merge subjects (`owner/repo#N`) are already recorded. */
  protected recordedMergeSubjects(subjects: readonly string[]): Statement {
    return statement(this.engine, (q) => `SELECT subject FROM audit_log WHERE kind = 'merge' AND ${q.inTexts("subject", subjects)}`);
  }

  recordEvaluation(input: EvaluationRecordInput, deliveryId: string | null): Promise<AppendResult> {
    return this.appendPlan(() => evaluationPlan(this.engine, input, deliveryId));
  }

  recordMerge(input: MergeRecordInput, deliveryId: string | null): Promise<AppendResult> {
    return this.appendPlan(() => mergePlan(this.engine, input, deliveryId));
  }

  recordException(input: ExceptionRecordInput, deliveryId: string | null): Promise<AppendResult> {
    return this.appendPlan(() => exceptionPlan(this.engine, input, deliveryId));
  }

  recordRevert(input: RevertRecordInput, deliveryId: string | null): Promise<AppendResult> {
    return this.appendPlan(() => revertPlan(this.engine, input, deliveryId));
  }

  async recordMergesBulk(inputs: readonly MergeRecordInput[]): Promise<AppendResult[]> {
    // Every input is validated before anything is written: one bad record refuses the batch.
    const plans = inputs.map((input) => mergePlan(this.engine, input, null));
    if (plans.length === 0) return [];
    try {
      return await this.appendBulk(plans);
    } catch (error) {
      throw new Error(`audit store (${this.engine}): recording ${plans.length} merges in bulk failed: ${(error as Error).message}`, { cause: error });
    }
  }

  private async appendPlan(build: () => AppendPlan): Promise<AppendResult> {
    const plan = build();
    try {
      return await this.append(plan);
    } catch (error) {
      const { kind, subject, deliveryId } = plan.envelope;
      throw new Error(
        `audit store (${this.engine}): recording ${kind} ${subject}${deliveryId === null ? "" : ` (delivery ${deliveryId})`} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async listExceptions(repo: string, prNumber: number): Promise<(ExceptionRecordInput & { grantedAt: string; seq: number })[]> {
    const rows = await this.query<{ seq: number; recorded_at: string; payload: string }>(
      statement(
        this.engine,
        (q) => `SELECT a.seq, a.recorded_at, a.payload FROM exceptions e JOIN audit_log a ON a.seq = e.audit_seq
          WHERE e.repo = ${q.param(normalizeRepo(repo))} AND e.pr_number = ${q.param(prNumber)} ORDER BY e.audit_seq`,
      ),
    );
    return rows.map((row) => ({
      ...(parseEnvelope(row.payload).data as ExceptionRecordInput),
      grantedAt: row.recorded_at,
      seq: Number(row.seq),
    }));
  }

  async listMerges(filter: MergeFilter): Promise<MergeRecord[]> {
    return (await this.listMergesPage(filter)).merges;
  }

  async listMergesPage(filter: MergeFilter): Promise<MergePage> {
    const f = normalizeMergeFilter(filter);
    // One row more than the page tells whether there is a next page.
    const rows = await this.pageRows(f, f.limit + 1);
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    return {
      merges: await this.toMergeRecords(page),
      nextCursor: rows.length > f.limit && last ? encodeCursor({ mergedAt: last.merged_at, id: Number(last.id) }) : null,
    };
  }

  iterateMerges(filter: Omit<MergeFilter, "limit">, options: { batchSize?: number } = {}): AsyncGenerator<MergeRecord> {
    return this.walkMerges(filter, options, toMergeRecord);
  }

  iterateMergesAsJson(filter: Omit<MergeFilter, "limit">, options: { batchSize?: number } = {}): AsyncGenerator<string> {
    return this.walkMerges(filter, options, toMergeRecordJson);
  }

  private async *walkMerges<T>(
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
      const rows = await this.pageRows(f, batch);
      const reverts = await this.revertsByMerge(rows);
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
  private async pageRows(f: NormalizedMergeFilter, want: number): Promise<MergeRow[]> {
    if (!f.path) return this.query<MergeRow>(listMergesStatement(this.engine, f, null, want));
    const ids = await this.pathMatches(f, f.path, want);
    if (ids.length === 0) return [];
    return this.query<MergeRow>(listMergesStatement(this.engine, f, ids, want));
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
  private async pathMatches(f: NormalizedMergeFilter, path: NonNullable<NormalizedMergeFilter["path"]>, want: number): Promise<number[]> {
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
        const candidates = await this.query<{ merge_id: number; p: string }>(pathCandidates(this.engine, range, this.pathIndexMaxRows + 1));
        if (candidates.length <= this.pathIndexMaxRows) {
          const hit = new Set<number>();
          for (const c of candidates) if (matches(c.p)) hit.add(Number(c.merge_id));
          return [...hit];
        }
      }
      const positions = await this.query<{ id: number; merged_at: string; hit: number }>(mergePositionsStatement(this.engine, scan, batch, range));
      if (positions.length === 0) return hits;
      scanned += positions.length;
      // Only merges with a path in the prefix range have their paths read for the glob.
      const candidates = positions.filter((p) => Number(p.hit) === 1).map((p) => Number(p.id));
      const matched = new Set<number>();
      if (candidates.length > 0) {
        const paths = await this.query<{ merge_id: number; path: string; previous_path: string | null }>(pathsOfMerges(this.engine, candidates));
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

  async report(filter: ReportFilter, groupBy: readonly ReportDimension[]): Promise<AuditReport> {
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
    const raw = await this.query<Record<string, unknown>>(reportStatement(this.engine, f, dims));
    const rows: ReportRow[] = raw
      .map((r) => ({
        group: Object.fromEntries(dims.map((d) => [d, r[`k_${d}`] === null ? null : String(r[`k_${d}`])])) as ReportRow["group"],
        ...reportCounts({
          merges: Number(r.merges),
          aiAssisted: Number(r.ai_assisted),
          undisclosed: Number(r.undisclosed),
          bypassed: Number(r.bypassed),
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
      exceptions: sum("exceptions"),
      revertBase: sum("revertBase"),
      revertedWithin7d: sum("revertedWithin7d"),
      revertedWithin30d: sum("revertedWithin30d"),
    });
    return { groupBy: dims, rows, total, definitions: REPORT_DEFINITIONS };
  }

  async getMerge(repo: string, prNumber: number): Promise<MergeRecord | null> {
    const key = normalizeRepo(repo);
    const revertRows = this.query<RevertRow>(revertsOfPullRequest(this.engine, key, prNumber));
    revertRows.catch(() => {}); // awaited below
    const [row] = await this.query<MergeRow>({
      ...statement(
        this.engine,
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
  async findMergeBySha(sha: string, options: { repos?: readonly string[] } = {}): Promise<MergeRecord | null> {
    const range = shaRange(sha);
    // Scoped in SQL, so that neither the answer nor an ambiguity error tells of other repositories.
    const repos = options.repos === undefined ? null : normalizeRepoSet(options.repos);
    if (repos !== null && repos.length === 0) return null;
    // Both at once (two pooled connections on PostgreSQL): the merges and their revert links.
    const revertRows = this.query<RevertRow>(revertsOfMergesWithCommit(this.engine, range));
    revertRows.catch(() => {}); // awaited below; do not let an early throw leave it unhandled
    const rows = await this.query<MergeRow & { sha: string }>({
      ...statement(
        this.engine,
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

  async head(): Promise<{ seq: number; entryHash: string } | null> {
    const [row] = await this.query<{ seq: number; entry_hash: string }>({ text: HEAD_SQL, values: [] });
    return row ? { seq: Number(row.seq), entryHash: row.entry_hash } : null;
  }

  /**
   * The chain, with every queryable row re-derived from it (verify-projection.ts), then the
   * incident projections against it: an edited, added or deleted row is reported like a broken link.
   */
  async verify(options: { checkpoint?: string } = {}): Promise<VerifyResult> {
    const hashed: HashedIncidentEntries = { incidents: new Map(), links: new Map() };
    // Merges, exceptions and revert links: their rows re-derived from the entries as the walk goes.
    const projections = new ProjectionCheck(this.engine, (stmt) => this.query(stmt));
    const walked = await verifyChain(projections.watch(collectIncidentEntries(this.chainRows(), hashed)), options.checkpoint);
    const result = await projections.finish(walked);
    if (!result.ok) return result;
    const brokenAt = await this.incidentProjectionProblem(hashed);
    return brokenAt ? { ...result, ok: false, brokenAt } : result;
  }

  private async incidentProjectionProblem(hashed: HashedIncidentEntries): Promise<VerifyResult["brokenAt"] | null> {
    const incidentRows = await this.query<Record<string, unknown>>({ text: INCIDENT_PROJECTION_SQL.incidents, values: [] });
    const linkRows = await this.query<Record<string, unknown>>({ text: INCIDENT_PROJECTION_SQL.links, values: [] });
    const mergeKeys = await this.query<{ id: number; repo: string; pr_number: number }>(
      { text: "SELECT m.id, m.repo, m.pr_number FROM merges m WHERE m.id IN (SELECT merge_id FROM incident_links)", values: [] },
    );
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

  // ---- incidents -------------------------------------------------------------------------------

  async recordIncident(input: IncidentInput): Promise<AppendResult> {
    const incident = normalizeIncident(input);
    const recorded = await this.incidentFacts(incident.externalId);
    if (recorded) return sameIncident(recorded, incident);
    const result = await this.appendPlan(() => incidentPlan(this.engine, incident, input.source));
    if (result.inserted) return result;
    // Another writer opened it between the read above and the chain lock.
    return sameIncident((await this.incidentFacts(incident.externalId))!, incident);
  }

  async linkIncident(input: IncidentLinkInput): Promise<AppendResult> {
    const link = normalizeIncidentLink(input);
    const [incident] = await this.query<{ id: number }>(statement(this.engine, (q) => `SELECT id FROM incidents WHERE external_id = ${q.param(link.externalId)}`));
    if (!incident) throw new AuditNotFoundError(`no incident ${link.externalId} is recorded: open it first, then link merges to it`, "externalId");
    const [merge] = await this.query<{ id: number }>(mergeIdStatement(this.engine, link.repo, link.prNumber));
    if (!merge) {
      throw new AuditNotFoundError(
        `no merge recorded for ${link.repo}#${link.prNumber}: link a merged PR that Countersign recorded (backfill it first if it merged before Countersign was installed)`,
        "merge",
      );
    }
    const ids = { incidentId: Number(incident.id), mergeId: Number(merge.id) };
    return this.appendPlan(() => incidentLinkPlan(this.engine, link, ids, input.source ?? "cli"));
  }

  async getIncident(externalId: string): Promise<IncidentRecord | null> {
    checkIncidentId(externalId);
    const rows = await this.query<IncidentRow>(incidentByIdStatement(this.engine, externalId));
    return (await this.withLinks(rows))[0] ?? null;
  }

  async listIncidents(filter: IncidentFilter): Promise<IncidentRecord[]> {
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
    return this.withLinks(await this.query<IncidentRow>(listIncidentsStatement(this.engine, f)));
  }

  async incidentsForMerge(repo: string, prNumber: number): Promise<MergeIncidentLink[]> {
    const rows = await this.query<IncidentRow & { incident_id: number; link_seq: number; link_recorded_at: string; link_payload: string }>(
      linksOfMergeStatement(this.engine, repo, prNumber),
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

  async incidentTrends(filter: ReportFilter): Promise<IncidentTrends> {
    for (const field of ["path", "sha", "limit", "cursor"] as const) {
      if ((filter as MergeFilter)[field] !== undefined) throw new AuditInputError(`the incident trends do not take a ${field} filter`, field);
    }
    const f = normalizeMergeFilter(filter);
    const [months, byAi, byTeam, times] = await Promise.all([
      this.query<{ category: string | null; month: string; incidents: number }>(incidentsByCategoryMonthStatement(this.engine, f)),
      this.query<{ k: string | null; merges: number; linked: number }>(linkedShareStatement(this.engine, f, "ai")),
      this.query<{ k: string | null; merges: number; linked: number }>(linkedShareStatement(this.engine, f, "team")),
      this.query<{ merged_at: string; started_at: string }>(mergeToStartStatement(this.engine, f)),
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

  private async incidentFacts(externalId: string): Promise<IncidentFacts | null> {
    const [row] = await this.query<IncidentRow>(incidentByIdStatement(this.engine, externalId));
    return row ? toIncidentFacts(row) : null;
  }

  /** The incidents of `rows` (in their order), each with every link, oldest first. */
  private async withLinks(rows: IncidentRow[]): Promise<IncidentRecord[]> {
    if (rows.length === 0) return [];
    const linkRows = await this.query<LinkRow>(linksOfIncidentsStatement(this.engine, rows.map((r) => Number(r.id))));
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

  /** The whole chain in seq order, a page at a time (keyset paging: no long-held cursor). */
  private async *chainRows(): AsyncGenerator<ChainRow> {
    let after = 0;
    for (;;) {
      const page = await this.query<ChainRow>(
        statement(
          this.engine,
          (q) => `SELECT seq, recorded_at, kind, subject, delivery_id, source, payload, payload_sha256, prev_hash, entry_hash
            FROM audit_log WHERE seq > ${q.param(after)} ORDER BY seq LIMIT ${VERIFY_PAGE}`,
        ),
      );
      for (const row of page) yield { ...row, seq: Number(row.seq) };
      const last = page[page.length - 1];
      if (!last || page.length < VERIFY_PAGE) return;
      after = Number(last.seq);
    }
  }

  /** Rebuilds each record from the exact payload that was hashed, plus later revert links. */
  private async toMergeRecords(rows: MergeRow[]): Promise<MergeRecord[]> {
    if (rows.length === 0) return [];
    const reverts = await this.revertsByMerge(rows);
    return rows.map((row) => toMergeRecord(row, reverts));
  }

  private async revertsByMerge(rows: MergeRow[]): Promise<Map<number, RevertRecord[]>> {
    if (rows.length === 0) return new Map();
    return revertMap(await this.query<RevertRow>(revertsOfMerges(this.engine, rows.map((r) => Number(r.id)))));
  }
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
function toMergeRecordJson(row: MergeRow, reverts: Map<number, RevertRecord[]>): string {
  const head = '{"data":';
  const tail = `,"deliveryId":${JSON.stringify(row.delivery_id)},"kind":"merge","recordedAt":${JSON.stringify(row.recorded_at)},"source":${JSON.stringify(row.source)},"subject":${JSON.stringify(row.subject)},"v":1}`;
  const { payload } = row;
  if (!payload.startsWith(`${head}{`) || !payload.endsWith(tail) || payload.charAt(payload.length - tail.length - 1) !== "}") {
    return JSON.stringify(toMergeRecord(row, reverts));
  }
  const data = payload.slice(head.length, payload.length - tail.length - 1);
  const revertedBy = reverts.get(Number(row.id));
  const sep = data === "{" ? "" : ",";
  return `${data}${sep}"seq":${Number(row.seq)},"entryHash":${JSON.stringify(row.entry_hash)},"recordedAt":${JSON.stringify(row.recorded_at)}${
    revertedBy ? `,"revertedBy":${JSON.stringify(revertedBy)}` : ""
  }}`;
}

function toMergeRecord(row: MergeRow, reverts: Map<number, RevertRecord[]>): MergeRecord {
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
const ratio = (n: number, d: number) => (d === 0 ? null : round4(n / d));

function reportCounts(c: Omit<ReportCounts, "aiAssistedShare" | "revertRate7d" | "revertRate30d">): ReportCounts {
  return {
    merges: c.merges,
    aiAssisted: c.aiAssisted,
    aiAssistedShare: ratio(c.aiAssisted, c.merges),
    undisclosed: c.undisclosed,
    bypassed: c.bypassed,
    exceptions: c.exceptions,
    revertBase: c.revertBase,
    revertedWithin7d: c.revertedWithin7d,
    revertRate7d: ratio(c.revertedWithin7d, c.revertBase),
    revertedWithin30d: c.revertedWithin30d,
    revertRate30d: ratio(c.revertedWithin30d, c.revertBase),
  };
}

// ---- incidents ---------------------------------------------------------------------------------

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
      `incident id ${JSON.stringify(externalId)} is not valid: use 1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit`,
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
function sameIncident(recorded: IncidentFacts, given: NormalizedIncident): AppendResult {
  const differences = INCIDENT_FIELDS.filter((k) => recorded[k] !== given[k]).map(
    (k) => `${k} ${JSON.stringify(recorded[k])} (given ${JSON.stringify(given[k])})`,
  );
  if (differences.length === 0) return { inserted: false, seq: null };
  throw new AuditConflictError(
    `incident ${recorded.externalId} is already recorded (seq ${recorded.seq}, ${recorded.recordedAt}) with different fields: ${differences.join(", ")}. ` +
      "Incident records are insert-only and the first one stands: repeat it with the recorded values, or put what changed in a link note.",
    differences.length === 1 ? INCIDENT_FIELDS.find((k) => recorded[k] !== given[k])! : "externalId",
  );
}

interface HashedIncidentEntries {
  incidents: Map<number, { data: NormalizedIncident; source: string; recordedAt: string }>;
  links: Map<number, { data: NormalizedIncidentLink; source: string; recordedAt: string }>;
}

/** Passes the chain through unchanged, keeping the incident entries' hashed data by seq. */
async function* collectIncidentEntries(rows: AsyncIterable<ChainRow>, into: HashedIncidentEntries): AsyncGenerator<ChainRow> {
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
    if (entry === undefined) return { seq, reason: `${table} row ${String(row.id)} has no matching entry in the chain (projection row inserted or modified)` };
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
    .map((r) => ({ key: r.k === null ? null : String(r.k), merges: Number(r.merges), linked: Number(r.linked), share: ratio(Number(r.linked), Number(r.merges)) }))
    .filter((r) => r.merges > 0)
    .sort((a, b) => compareKeys(a.key, b.key));
}

const INCIDENT_TREND_DEFINITIONS: Record<string, string> = {
  byCategoryMonth: "incidents per category and UTC month of their start (of their recording when no start was given); since/until apply to that time, the other filters do not",
  linkedByAi: "per AI level: the filter's merges, and those whose current link to some incident is caused or suspect (linked / merges)",
  linkedByTeam: "the same per primary owning team",
  mergeToStart: "hours from each current caused/suspect link's merge to its incident's start: median, 90th percentile (nearest rank) and maximum; links without a start time are left out, those starting before the merge are counted apart",
};
