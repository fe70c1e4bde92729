/**
 * The engine-independent half of both adapters: record plans, queries and verification written
 * once over a few primitives (`append` under the chain lock, `query`). The subclasses own the
 * connection, the lock and the migrations: sqlite-audit-store.ts, postgres-audit-store.ts.
 */
import { AuditInputError } from "./audit-input-error.js";
import type {
  AppendResult,
  AuditStore,
  EvaluationRecordInput,
  ExceptionRecordInput,
  MergeFilter,
  MergeRecord,
  MergeRecordInput,
  RevertRecord,
  RevertRecordInput,
  VerifyResult,
} from "./audit-store.js";
import { evaluationPlan, exceptionPlan, mergePlan, revertPlan, type AppendPlan } from "./audit-write-plans.js";
import { buildChainRow, parseEnvelope, verifyChain, type ChainRow } from "./hash-chain.js";
import {
  MERGE_COLUMNS,
  REVERT_MATCHES_MERGE,
  listMergesStatement,
  normalizeMergeFilter,
  normalizeRepo,
  pathCandidates,
  shaRange,
} from "./merge-query.js";
import { insertRows, statement, type Engine, type Statement } from "./sql-builder.js";

export interface AuditStoreOptions {
  /** The clock for `recorded_at` (tests pin it). */
  now?: () => Date;
}

export const HEAD_SQL = "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1";
const VERIFY_PAGE = 1000;

interface MergeRow {
  seq: number;
  entry_hash: string;
  recorded_at: string;
  payload: string;
  id: number;
}

export abstract class SqlAuditStore implements AuditStore {
  abstract readonly engine: Engine;
  protected readonly now: () => Date;

  constructor(options: AuditStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;
  /** Runs `plan` in one transaction holding the chain lock (see `appendStatements`). */
  protected abstract append(plan: AppendPlan): Promise<AppendResult>;
  protected abstract query<T>(stmt: Statement): Promise<T[]>;

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
    const f = normalizeMergeFilter(filter);
    let ids: number[] | null = null;
    if (f.path) {
      const { matches, range } = f.path;
      const candidates = await this.query<{ merge_id: number; path: string; previous_path: string | null }>(
        pathCandidates(this.engine, range),
      );
      const hit = new Set<number>();
      for (const c of candidates) {
        if (matches(c.path) || (c.previous_path !== null && matches(c.previous_path))) hit.add(Number(c.merge_id));
      }
      if (hit.size === 0) return [];
      ids = [...hit];
    }
    return this.toMergeRecords(await this.query<MergeRow>(listMergesStatement(this.engine, f, ids)));
  }

  async getMerge(repo: string, prNumber: number): Promise<MergeRecord | null> {
    const rows = await this.query<MergeRow>(
      statement(
        this.engine,
        (q) => `SELECT ${MERGE_COLUMNS} FROM merges m JOIN audit_log a ON a.seq = m.audit_seq
          WHERE m.repo = ${q.param(normalizeRepo(repo))} AND m.pr_number = ${q.param(prNumber)}`,
      ),
    );
    return (await this.toMergeRecords(rows))[0] ?? null;
  }

  /**
   * The merge containing a commit: its merge commit first, then its head, then any PR commit.
   * An abbreviated SHA that matches several different commits is refused as ambiguous.
   */
  async findMergeBySha(sha: string): Promise<MergeRecord | null> {
    const range = shaRange(sha);
    const rows = await this.query<MergeRow & { sha: string }>(
      statement(
        this.engine,
        (q) => `SELECT c.sha, ${MERGE_COLUMNS} FROM merge_commits c
          JOIN merges m ON m.id = c.merge_id JOIN audit_log a ON a.seq = m.audit_seq
          WHERE c.sha >= ${q.param(range.from)} AND c.sha < ${q.param(range.to)}
          ORDER BY CASE c.role WHEN 'merge_commit' THEN 0 WHEN 'head' THEN 1 ELSE 2 END, m.merged_at DESC, m.id DESC
          LIMIT 50`,
      ),
    );
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
    return (await this.toMergeRecords(rows.slice(0, 1)))[0] ?? null;
  }

  async head(): Promise<{ seq: number; entryHash: string } | null> {
    const [row] = await this.query<{ seq: number; entry_hash: string }>({ text: HEAD_SQL, values: [] });
    return row ? { seq: Number(row.seq), entryHash: row.entry_hash } : null;
  }

  verify(options: { checkpoint?: string } = {}): Promise<VerifyResult> {
    return verifyChain(this.chainRows(), options.checkpoint);
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
    const reverts = await this.query<{ merge_id: number; seq: number; recorded_at: string; payload: string }>(
      statement(
        this.engine,
        (q) => `SELECT m.id AS merge_id, a.seq, a.recorded_at, a.payload
          FROM merges m JOIN reverts r ON ${REVERT_MATCHES_MERGE} JOIN audit_log a ON a.seq = r.audit_seq
          WHERE ${q.inIds("m.id", rows.map((r) => Number(r.id)))} ORDER BY a.seq`,
      ),
    );
    const revertsByMerge = new Map<number, RevertRecord[]>();
    for (const r of reverts) {
      const input = parseEnvelope(r.payload).data as RevertRecordInput;
      const list = revertsByMerge.get(Number(r.merge_id)) ?? [];
      list.push({
        repo: input.repo,
        prNumber: input.prNumber,
        method: input.method,
        revertedSha: input.revertedSha,
        detectedAt: r.recorded_at,
        seq: Number(r.seq),
      });
      revertsByMerge.set(Number(r.merge_id), list);
    }
    return rows.map((row) => {
      const record: MergeRecord = {
        ...(parseEnvelope(row.payload).data as MergeRecordInput),
        seq: Number(row.seq),
        entryHash: row.entry_hash,
        recordedAt: row.recorded_at,
      };
      const revertedBy = revertsByMerge.get(Number(row.id));
      if (revertedBy) record.revertedBy = revertedBy;
      return record;
    });
  }
}
