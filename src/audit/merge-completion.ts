/**
 * Completing a merge recorded while GitHub could not be read. The incomplete record stays in the
 * chain as it was written; completion appends a `merge_completion` entry holding the whole record,
 * and the projections follow it: the merge's row points at the new entry with the completed
 * columns (the one UPDATE migration 6 allows), and the rows the incomplete record could not have
 * (PR commits, paths, reviews, teams, boundaries) are inserted. The exceptions stay as recorded at
 * merge time (they come from the audit trail, not from GitHub).
 *
 * Also the recovery sweep's state row (`reconcile_state`), which is bookkeeping, not audit.
 */
import { AuditInputError } from "./audit-input-error.js";
import type { MergeRecord, MergeRecordInput, ReconcileState } from "./audit-store.js";
import { checkPullRequest, checkedMerge, mergeRows, type AppendPlan } from "./audit-write-plans.js";
import { normalizeRepo, subjectOf } from "./merge-query.js";
import { completionRollupDeltas } from "./report-rollup.js";
import { insertRows, statement, type Engine, type Statement } from "./sql-builder.js";

/** Columns the completion rewrites on the merge's row; its identity, time and source stay. */
export const COMPLETED_COLUMNS = [
  "title",
  "author",
  "base_sha",
  "ai_level",
  "ai_tools",
  "agent",
  "sponsor",
  "owning_team",
  "check_conclusion",
  "bypassed",
  "config_hash",
] as const;

/** Child tables the completion fills (merge_exceptions is not one: it was recorded at merge time). */
export const FILLED_TABLES = new Set(["merge_paths", "merge_reviews", "merge_teams", "merge_boundaries"]);

/**
 * The completion of `recorded` (an incomplete record) by `input`. The head, merge commit, merge
 * time and exceptions are the recorded ones: what the webhook said is kept, GitHub adds the rest.
 */
export function mergeCompletionPlan(engine: Engine, input: MergeRecordInput, recorded: MergeRecord & { mergeId: number }): AppendPlan {
  checkPullRequest("completeMerge", input.repo, input.prNumber);
  const subject = subjectOf(input.repo, input.prNumber);
  const where = `completeMerge ${subject}`;
  if (input.incomplete === true) throw new AuditInputError(`${where}: the completing record is itself incomplete`, "incomplete");
  const { incomplete: _incomplete, missing: _missing, ...complete } = input;
  const data: MergeRecordInput & { completes: number } = {
    ...complete,
    headSha: recorded.headSha,
    mergeCommitSha: recorded.mergeCommitSha,
    mergedAt: recorded.mergedAt,
    exceptions: recorded.exceptions,
    source: recorded.source,
    completes: recorded.seq,
  };
  const { mergedAt, roles } = checkedMerge(where, data);
  const repo = normalizeRepo(input.repo);
  return {
    envelope: { kind: "merge_completion", subject, deliveryId: null, source: "backfill", data },
    duplicateChecks: [
      statement(
        engine,
        (q) => `SELECT 1 FROM merges WHERE repo = ${q.param(repo)} AND pr_number = ${q.param(input.prNumber)} AND incomplete = FALSE`,
      ),
    ],
    projections: (seq, recordedAt) => {
      const tables = mergeRows(data, mergedAt, roles, recorded.mergeId, recordedAt);
      const row = tables.find((t) => t.table === "merges")!.rows[0]!;
      const update = statement(engine, (q) => {
        const sets = COMPLETED_COLUMNS.map((c) => `${c} = ${q.param(row[c])}`).join(", ");
        return `UPDATE merges SET audit_seq = ${q.param(seq)}, ${sets}, incomplete = ${q.param(false)}, missing = NULL
          WHERE id = ${q.param(recorded.mergeId)} AND incomplete = ${q.param(true)}`;
      });
      const rollup = completionRollupDeltas(engine, recorded.mergeId);
      const out: Statement[] = [rollup.before, update];
      for (const t of tables) {
        if (t.table === "merge_commits")
          out.push(
            ...insertRows(
              engine,
              t.table,
              t.rows.filter((r) => r.role === "pr_commit"),
            ),
          );
        else if (FILLED_TABLES.has(t.table)) out.push(...insertRows(engine, t.table, t.rows));
      }
      out.push(rollup.after);
      return out;
    },
  };
}

export function incompleteMergesStatement(engine: Engine, columns: string, limit: number): Statement {
  return statement(
    engine,
    (q) => `SELECT ${columns} FROM merges m JOIN audit_log a ON a.seq = m.audit_seq
      WHERE m.incomplete = ${q.param(true)} ORDER BY m.merged_at, m.id LIMIT ${q.param(limit)}`,
  );
}

const STATE_NAME = "sweep";

export function readReconcileStateStatement(engine: Engine): Statement {
  return statement(engine, (q) => `SELECT value FROM reconcile_state WHERE name = ${q.param(STATE_NAME)}`);
}

/** An upsert that returns a row, so that both engines run it through their query path. */
export function writeReconcileStateStatement(engine: Engine, state: ReconcileState, now: string): Statement {
  return statement(
    engine,
    (q) => `INSERT INTO reconcile_state (name, value, updated_at)
      VALUES (${q.param(STATE_NAME)}, ${q.param(JSON.stringify(state))}, ${q.param(now)})
      ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at RETURNING name`,
  );
}

export function parseReconcileState(value: string): ReconcileState | null {
  try {
    const parsed = JSON.parse(value) as Partial<ReconcileState>;
    if (typeof parsed.lastSweepStartedAt !== "string") return null;
    return {
      lastSweepStartedAt: parsed.lastSweepStartedAt,
      redelivered: Array.isArray(parsed.redelivered) ? parsed.redelivered.map(String) : [],
      lastDeliveryId: typeof parsed.lastDeliveryId === "number" ? parsed.lastDeliveryId : null,
      ...(parsed.lastOutcome === "ok" || parsed.lastOutcome === "partial" || parsed.lastOutcome === "failed"
        ? { lastOutcome: parsed.lastOutcome }
        : {}),
    };
  } catch {
    return null;
  }
}
