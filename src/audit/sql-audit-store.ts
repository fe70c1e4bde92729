/**
 * The engine-independent half of both adapters: appends to the hash chain (one entry per record,
 * under the chain lock) and its verification, written once over a few primitives (`append`,
 * `query`). Reads live beside it by concern: sql-merge-reads.ts, sql-incident-reads.ts. The
 * subclasses own the connection, the lock and the migrations: sqlite-audit-store.ts,
 * postgres-audit-store.ts. docs/audit-trail.md describes the chain.
 */
import type { EvaluatedHead } from "../policy/exceptions.js";
import { SqlInboxStore, type InboxStore } from "./inbox-store.js";
import { AuditInputError } from "./audit-input-error.js";
import { AuditNotFoundError } from "./audit-not-found-error.js";
import type {
  AppendResult,
  AuditReport,
  AuditStore,
  EvaluationRecordInput,
  ExceptionRecordInput,
  IncidentFilter,
  IncidentInput,
  IncidentLinkInput,
  IncidentRecord,
  IncidentTrends,
  IterateMergesOptions,
  MergeFilter,
  MergeIncidentLink,
  MergePage,
  MergeRecord,
  MergeRecordInput,
  ReconcileState,
  ReportDimension,
  ReportFilter,
  RevertRecordInput,
  VerifyResult,
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
import {
  incompleteMergesStatement,
  mergeCompletionPlan,
  parseReconcileState,
  readReconcileStateStatement,
  writeReconcileStateStatement,
} from "./merge-completion.js";
import { normalizeIncident, normalizeIncidentLink } from "./incident-input.js";
import { mergeIdStatement } from "./incident-query.js";
import { MAX_LIMIT, MERGE_COLUMNS, normalizeRepo, subjectOf } from "./merge-query.js";
import { insertRows, statement, type Engine, type SqlReader, type Statement } from "./sql-builder.js";
import { mergesRollupDeltas, rebuildRollupStatements, ROLLUP_TABLE, reportRollupDifference, reportRollupProblem } from "./report-rollup.js";
import * as incidents from "./sql-incident-reads.js";
import * as merges from "./sql-merge-reads.js";
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
/** A bulk append, computed under the chain lock: per-input results and the rows per table. */
export interface BulkAppend {
  results: AppendResult[];
  /** audit_log first, then the projections in dependency order. */
  tables: TableRows[];
  /** Run before and after inserting `tables`: the report rollup's update (report-rollup.ts). */
  before: Statement[];
  after: Statement[];
}

export abstract class SqlAuditStore implements AuditStore {
  abstract readonly engine: Engine;
  protected readonly now: () => Date;
  private readonly pathIndexMaxRows: number;

  constructor(options: AuditStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.pathIndexMaxRows = options.pathIndexMaxRows ?? merges.PATH_DRIVEN_MAX;
  }

  /** What the merge and incident reads (sql-merge-reads.ts, sql-incident-reads.ts) run on. */
  private get reader(): SqlReader {
    return { engine: this.engine, pathIndexMaxRows: this.pathIndexMaxRows, query: (stmt) => this.query(stmt) };
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
  /** Runs `statements` in one transaction holding the chain lock, with no chain entry (derived data). */
  protected abstract runUnderChainLock(statements: Statement[]): Promise<void>;

  inbox(): InboxStore {
    return new SqlInboxStore(this.engine, (stmt) => this.query(stmt));
  }

  /**
   * Under the chain lock, after the duplicate checks found nothing and `head` was read: the new
   * audit_log row and its projections. Time is read here so recorded_at follows seq order.
   */
  protected appendStatements(
    plan: AppendPlan,
    head: { seq: number; entry_hash: string } | undefined,
  ): { seq: number; statements: Statement[] } {
    const recordedAt = this.now().toISOString();
    const row = buildChainRow({ v: 1, ...plan.envelope, recordedAt }, head ? { seq: Number(head.seq), entryHash: head.entry_hash } : null);
    return {
      seq: row.seq,
      statements: [...insertRows(this.engine, "audit_log", [{ ...row }]), ...plan.projections(row.seq, recordedAt)],
    };
  }

  /**
   * Under the chain lock: the chain rows and projection rows of every plan whose subject is not
   * in `recorded` (nor earlier in the same batch), linked from `head` in input order.
   */
  protected bulkAppend(
    plans: readonly AppendPlan[],
    recorded: ReadonlySet<string>,
    head: { seq: number; entry_hash: string } | undefined,
  ): BulkAppend {
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
    const inserted = plans.filter((_, i) => results[i]!.inserted).map((p) => p.envelope.data as MergeRecordInput);
    const first = results.find((r) => r.inserted)?.seq ?? 0;
    const pairs = inserted.map((m) => [normalizeRepo(m.repo), m.prNumber] as const);
    const rollup = mergesRollupDeltas(this.engine, pairs, { from: first, to: prev?.seq ?? 0 });
    return { results, tables: [...tables].map(([table, rows]) => ({ table, rows })).filter((t) => t.rows.length > 0), ...rollup };
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
    const plans = inputs.map((input) => {
      if (input.incomplete === true) {
        const where = `recordMergesBulk ${input.repo}#${input.prNumber}`;
        throw new AuditInputError(`${where}: bulk imports take complete records only`, "incomplete");
      }
      return mergePlan(this.engine, input, null);
    });
    if (plans.length === 0) return [];
    try {
      return await this.appendBulk(plans);
    } catch (error) {
      throw new Error(`audit store (${this.engine}): recording ${plans.length} merges in bulk failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async appendPlan(build: () => AppendPlan): Promise<AppendResult> {
    const plan = build();
    try {
      return await this.append(plan);
    } catch (error) {
      const { kind, subject, deliveryId } = plan.envelope;
      throw new Error(
        `audit store (${this.engine}): recording ${kind} ${subject}${deliveryId === null ? "" : ` (delivery ${deliveryId})`} ` +
          `failed: ${(error as Error).message}`,
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

  async evaluatedHeads(repo: string, prNumber: number): Promise<EvaluatedHead[]> {
    const rows = await this.query<{ recorded_at: string; payload: string }>(
      statement(
        this.engine,
        (q) => `SELECT recorded_at, payload FROM audit_log
          WHERE subject = ${q.param(subjectOf(repo, prNumber))} AND kind = 'evaluation' ORDER BY seq`,
      ),
    );
    const heads: EvaluatedHead[] = [];
    for (const row of rows) {
      const data = parseEnvelope(row.payload).data as EvaluationRecordInput;
      // A merge group's evaluation is of the queue's commit, not of the PR's head.
      if (data.event.startsWith("merge_group")) continue;
      heads.push({ headSha: data.headSha.toLowerCase(), recordedAt: row.recorded_at });
    }
    return heads;
  }

  listMergesPage(filter: MergeFilter): Promise<MergePage> {
    return merges.listMergesPage(this.reader, filter);
  }

  iterateMerges(filter: Omit<MergeFilter, "limit">, options?: IterateMergesOptions & { as?: "records" }): AsyncGenerator<MergeRecord>;
  iterateMerges(filter: Omit<MergeFilter, "limit">, options: IterateMergesOptions & { as: "json" }): AsyncGenerator<string>;
  iterateMerges(
    filter: Omit<MergeFilter, "limit">,
    options: IterateMergesOptions & { as?: "records" | "json" } = {},
  ): AsyncGenerator<MergeRecord | string> {
    if (options.as === "json") return merges.walkMerges(this.reader, filter, options, merges.toMergeRecordJson);
    return merges.walkMerges(this.reader, filter, options, merges.toMergeRecord);
  }

  report(filter: ReportFilter, groupBy: readonly ReportDimension[]): Promise<AuditReport> {
    return merges.report(this.reader, filter, groupBy);
  }

  /** The report computed over every matching merge, bypassing the rollup (what the rollup must equal). */
  reportFromMerges(filter: ReportFilter, groupBy: readonly ReportDimension[]): Promise<AuditReport> {
    return merges.report(this.reader, filter, groupBy, { from: "merges" });
  }

  /** Null when the report rollup is what the merges give, else what differs (report-rollup.ts). */
  reportRollupProblem(): Promise<string | null> {
    return reportRollupProblem(this.reader);
  }

  /** Recomputes the report rollup from the merges, under the chain lock so no append interleaves. */
  rebuildReportRollup(): Promise<void> {
    return this.runUnderChainLock(rebuildRollupStatements(this.engine));
  }

  getMerge(repo: string, prNumber: number): Promise<MergeRecord | null> {
    return merges.getMerge(this.reader, repo, prNumber);
  }

  findMergeBySha(sha: string, options: { repos?: readonly string[] } = {}): Promise<MergeRecord | null> {
    return merges.findMergeBySha(this.reader, sha, options);
  }

  getIncident(externalId: string): Promise<IncidentRecord | null> {
    return incidents.getIncident(this.reader, externalId);
  }

  listIncidents(filter: IncidentFilter): Promise<IncidentRecord[]> {
    return incidents.listIncidents(this.reader, filter);
  }

  incidentsForMerge(repo: string, prNumber: number): Promise<MergeIncidentLink[]> {
    return incidents.incidentsForMerge(this.reader, repo, prNumber);
  }

  incidentTrends(filter: ReportFilter): Promise<IncidentTrends> {
    return incidents.incidentTrends(this.reader, filter);
  }

  // ---- recovery: merge completion and the sweep's state (merge-completion.ts) -----------------

  async completeMerge(input: MergeRecordInput): Promise<AppendResult> {
    const [row] = await this.query<merges.MergeRow>(
      statement(
        this.engine,
        (q) => `SELECT ${MERGE_COLUMNS} FROM merges m JOIN audit_log a ON a.seq = m.audit_seq
        WHERE m.repo = ${q.param(normalizeRepo(input.repo))} AND m.pr_number = ${q.param(input.prNumber)}`,
      ),
    );
    if (!row) throw new AuditNotFoundError(`completeMerge: no merge recorded for ${input.repo}#${input.prNumber}`, "merge");
    const recorded = merges.toMergeRecord(row, new Map());
    if (recorded.incomplete !== true) return { inserted: false, seq: null };
    return this.appendPlan(() => mergeCompletionPlan(this.engine, input, { ...recorded, mergeId: Number(row.id) }));
  }

  async listIncompleteMerges(limit = 100): Promise<MergeRecord[]> {
    const bounded = Math.min(Math.max(1, limit), MAX_LIMIT);
    const rows = await this.query<merges.MergeRow>(incompleteMergesStatement(this.engine, MERGE_COLUMNS, bounded));
    return rows.map((row) => merges.toMergeRecord(row, new Map()));
  }

  async readReconcileState(): Promise<ReconcileState | null> {
    const [row] = await this.query<{ value: string }>(readReconcileStateStatement(this.engine));
    return row ? parseReconcileState(row.value) : null;
  }

  async writeReconcileState(state: ReconcileState): Promise<void> {
    await this.query(writeReconcileStateStatement(this.engine, state, this.now().toISOString()));
  }

  async head(): Promise<{ seq: number; entryHash: string } | null> {
    const [row] = await this.query<{ seq: number; entry_hash: string }>({ text: HEAD_SQL, values: [] });
    return row ? { seq: Number(row.seq), entryHash: row.entry_hash } : null;
  }

  /**
   * The chain, with every queryable row re-derived from it (verify-projection.ts), then the
   * incident projections against it: an edited, added or deleted row is reported like a broken link.
   * Last, the report rollup against the (now verified) merges it sums: reports read only the rollup,
   * so an edited count there would hide a bypass from every report. It belongs to no one entry; a
   * difference is reported at the head.
   */
  async verify(options: { checkpoint?: string } = {}): Promise<VerifyResult> {
    const hashed: incidents.HashedIncidentEntries = { incidents: new Map(), links: new Map() };
    // Merges, exceptions and revert links: their rows re-derived from the entries as the walk goes.
    const projections = new ProjectionCheck(this.engine, (stmt) => this.query(stmt));
    const walked = await verifyChain(projections.watch(incidents.collectIncidentEntries(this.chainRows(), hashed)), options.checkpoint);
    const result = await projections.finish(walked);
    if (!result.ok) return result;
    const brokenAt = await incidents.incidentProjectionProblem(this.reader, hashed);
    if (brokenAt) return { ...result, ok: false, brokenAt };
    const rollup = await reportRollupDifference(this.reader);
    if (!rollup) return result;
    const projection = { table: ROLLUP_TABLE, key: rollup.key, column: null };
    return { ...result, ok: false, brokenAt: { seq: result.entries, reason: rollup.reason, projection } };
  }

  // ---- incidents -------------------------------------------------------------------------------

  async recordIncident(input: IncidentInput): Promise<AppendResult> {
    const incident = normalizeIncident(input);
    const recorded = await incidents.incidentFacts(this.reader, incident.externalId);
    if (recorded) return incidents.sameIncident(recorded, incident);
    const result = await this.appendPlan(() => incidentPlan(this.engine, incident, input.source));
    if (result.inserted) return result;
    // Another writer opened it between the read above and the chain lock.
    return incidents.sameIncident((await incidents.incidentFacts(this.reader, incident.externalId))!, incident);
  }

  async linkIncident(input: IncidentLinkInput): Promise<AppendResult> {
    const link = normalizeIncidentLink(input);
    const [incident] = await this.query<{ id: number }>(
      statement(this.engine, (q) => `SELECT id FROM incidents WHERE external_id = ${q.param(link.externalId)}`),
    );
    if (!incident)
      throw new AuditNotFoundError(`no incident ${link.externalId} is recorded: open it first, then link merges to it`, "externalId");
    const [merge] = await this.query<{ id: number }>(mergeIdStatement(this.engine, link.repo, link.prNumber));
    if (!merge) {
      throw new AuditNotFoundError(
        `no merge recorded for ${link.repo}#${link.prNumber}: link a merged PR that Countersign recorded (backfill it first if it ` +
          `merged before Countersign was installed)`,
        "merge",
      );
    }
    const ids = { incidentId: Number(incident.id), mergeId: Number(merge.id) };
    return this.appendPlan(() => incidentLinkPlan(this.engine, link, ids, input.source ?? "cli"));
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
}
