/**
 * The second half of `verify`: every row the queries read (merges and their commits, paths,
 * reviews, teams, boundaries and exceptions; boundary exceptions; revert links) re-derived from
 * the hashed entries and compared with what the tables hold, column by column. The hash chain
 * proves the entries; this proves that `audit merges --bypassed`, the API and the report read
 * what the entries say. Incidents are checked by the store itself (sql-audit-store.ts).
 *
 * It runs alongside the chain walk, a page of entries at a time: each table's rows whose id (or
 * merge_id) falls in the page's seq range are read in one query and matched by key, so memory
 * stays bounded however long the trail. Rows keyed past the last entry are looked for at the end.
 */
import type { MergeRecordInput, RevertRecordInput, VerifyResult } from "./audit-store.js";
import { checkedMerge, exceptionPlan, mergePlan, mergeRows, revertFacts, revertMergeQueries, type TableRows } from "./audit-write-plans.js";
import { parseEnvelope, type AuditEnvelope, type ChainRow } from "./hash-chain.js";
import { COMPLETED_COLUMNS, FILLED_TABLES } from "./merge-completion.js";
import { statement, type Engine, type Statement } from "./sql-builder.js";

const PAGE = 1000;

interface TableSpec {
  table: string;
  /** The column holding the entry's seq. */
  seqColumn: "id" | "merge_id";
  /** Columns that tell a row from its siblings of the same entry. */
  keyColumns: readonly string[];
  /** How a row is named in a report (`acme/pay#2 path src/a.ts`), given its entry's subject. */
  label: (subject: string, row: Record<string, unknown>) => string;
}

/** In report order: a merge's own row first, then its parts, then the other kinds. */
const TABLES: readonly TableSpec[] = [
  { table: "merges", seqColumn: "id", keyColumns: [], label: (s) => s },
  { table: "merge_commits", seqColumn: "merge_id", keyColumns: ["sha"], label: (s, r) => `${s} commit ${String(r.sha)}` },
  { table: "merge_paths", seqColumn: "merge_id", keyColumns: ["path"], label: (s, r) => `${s} path ${String(r.path)}` },
  { table: "merge_reviews", seqColumn: "merge_id", keyColumns: ["review_id"], label: (s, r) => `${s} review ${String(r.review_id)}` },
  { table: "merge_teams", seqColumn: "merge_id", keyColumns: ["team_key"], label: (s, r) => `${s} team ${String(r.team)}` },
  { table: "merge_boundaries", seqColumn: "merge_id", keyColumns: ["boundary"], label: (s, r) => `${s} boundary ${String(r.boundary)}` },
  { table: "merge_exceptions", seqColumn: "merge_id", keyColumns: ["ordinal"], label: (s, r) => `${s} exception ${String(r.ordinal)}` },
  { table: "exceptions", seqColumn: "id", keyColumns: [], label: (s, r) => `${s} exception ${String(r.boundary)}` },
  {
    table: "reverts",
    seqColumn: "id",
    keyColumns: [],
    label: (_s, r) => `${String(r.reverting_repo)}#${String(r.reverting_pr)} reverts ${String(r.reverted_ref)}`,
  },
];
/** Which entry kind projects into each table. */
const KIND_OF: Record<string, string> = { exceptions: "exception", reverts: "revert_link" };
const kindOf = (table: string) => KIND_OF[table] ?? "merge";

export type ProjectionProblem = NonNullable<VerifyResult["brokenAt"]>;
type Query = <T>(stmt: Statement) => Promise<T[]>;

interface Entry {
  seq: number;
  kind: string;
  subject: string;
  envelope: AuditEnvelope | null;
}

export class ProjectionCheck {
  private problem: ProjectionProblem | null = null;
  private checkedTo = 0;

  constructor(
    private readonly engine: Engine,
    private readonly query: Query,
  ) {}

  /** Passes the chain rows through unchanged, checking the projections of each page of entries. */
  async *watch(rows: AsyncIterable<ChainRow>): AsyncGenerator<ChainRow> {
    let page: Entry[] = [];
    for await (const row of rows) {
      page.push(entryOf(row));
      if (page.length >= PAGE) {
        await this.checkPage(page);
        page = [];
      }
      yield row;
    }
    await this.checkPage(page);
  }

  /** The walk's result with the first projection problem (when it comes before any broken link). */
  async finish(result: VerifyResult): Promise<VerifyResult> {
    if (this.problem === null && result.ok) this.problem = await this.rowsPastTheEnd();
    const problem = this.problem;
    if (problem === null || (result.brokenAt && result.brokenAt.seq <= problem.seq)) return result;
    return { ...result, ok: false, brokenAt: problem };
  }

  private async checkPage(page: Entry[]): Promise<void> {
    if (this.problem !== null || page.length === 0) return;
    const from = this.checkedTo;
    const to = page[page.length - 1]!.seq;
    this.checkedTo = to;
    const stored = await Promise.all(TABLES.map((t) => this.storedRows(t, from, to)));
    const entries = new Map(page.map((e) => [e.seq, e]));
    const expected = await this.expectedRows(page);
    // Every seq that has rows or should have them, in order: the first difference is reported.
    const seqs = new Set<number>(expected.keys());
    for (const rows of stored) for (const seq of rows.keys()) seqs.add(seq);
    for (const seq of [...seqs].sort((a, b) => a - b)) {
      for (const [i, spec] of TABLES.entries()) {
        const problem = compareRows(spec, seq, entries.get(seq), expected.get(seq)?.get(spec.table) ?? [], stored[i]!.get(seq) ?? []);
        if (problem) {
          this.problem = problem;
          return;
        }
      }
    }
  }

  /** Rows of `spec.table` whose seq is in (from, to], by seq. */
  private async storedRows(spec: TableSpec, from: number, to: number): Promise<Map<number, Record<string, unknown>[]>> {
    const order = [spec.seqColumn, ...spec.keyColumns].join(", ");
    const rows = await this.query<Record<string, unknown>>(
      statement(
        this.engine,
        (q) =>
          `SELECT * FROM ${spec.table} WHERE ${spec.seqColumn} > ${q.param(from)} AND ${spec.seqColumn} <= ${q.param(to)} ORDER ` +
          `BY ${order}`,
      ),
    );
    return groupBySeq(rows, spec.seqColumn);
  }

  /** The rows each entry of the page projects, by seq and table. */
  private async expectedRows(page: Entry[]): Promise<Map<number, Map<string, Record<string, unknown>[]>>> {
    const out = new Map<number, Map<string, Record<string, unknown>[]>>();
    for (const entry of page) {
      const tables = await this.projectionOf(entry);
      if (tables) out.set(entry.seq, new Map(tables.map((t) => [t.table, t.rows])));
    }
    return out;
  }

  private async projectionOf({ seq, kind, envelope }: Entry): Promise<TableRows[] | null> {
    // An unreadable payload is the chain walk's to report.
    if (envelope === null) return null;
    try {
      const { data, recordedAt } = envelope;
      if (kind === "merge") {
        const rows = mergePlan(this.engine, withDefaults(data as MergeRecordInput), null).projectionRows!(seq, recordedAt);
        return (data as MergeRecordInput).incomplete === true ? await this.withCompletion(seq, envelope.subject, rows) : rows;
      }
      if (kind === "exception") return exceptionPlan(this.engine, data as never, envelope.deliveryId).projectionRows!(seq, recordedAt);
      if (kind === "revert_link") return [{ table: "reverts", rows: [await this.revertRow(seq, data as RevertRecordInput, recordedAt)] }];
    } catch {
      // A hashed payload the write path would refuse: it never had rows.
      return [];
    }
    return null;
  }

  /**
   * An incomplete merge's rows once a later `merge_completion` entry completed it (the one UPDATE
   * the merges table allows): its row points at the completion with the completed columns, and the
   * parts only GitHub could give are added under the merge's id. Without a completion: as recorded.
   */
  private async withCompletion(seq: number, subject: string, recorded: TableRows[]): Promise<TableRows[]> {
    const [completion] = await this.query<{ seq: number; payload: string }>(
      statement(this.engine, (q) => `SELECT seq, payload FROM audit_log WHERE kind = 'merge_completion' AND subject = ${q.param(subject)}`),
    );
    if (!completion) return recorded;
    const { data, recordedAt } = parseEnvelope(completion.payload);
    const input = withDefaults(data as MergeRecordInput);
    const { mergedAt, roles } = checkedMerge(`verify ${subject}`, input);
    const completed = mergeRows(input, mergedAt, roles, seq, recordedAt);
    const completedMerge = completed.find((t) => t.table === "merges")!.rows[0]!;
    return recorded
      .map((t) => {
        if (t.table === "merges") {
          const row: Record<string, unknown> = { ...t.rows[0]!, audit_seq: Number(completion.seq), incomplete: false, missing: null };
          for (const c of COMPLETED_COLUMNS) row[c] = completedMerge[c];
          return { table: t.table, rows: [row] };
        }
        const added = completed.find((c) => c.table === t.table)?.rows ?? [];
        if (t.table === "merge_commits") return { table: t.table, rows: [...t.rows, ...added.filter((r) => r.role === "pr_commit")] };
        if (FILLED_TABLES.has(t.table)) return { table: t.table, rows: [...t.rows, ...added] };
        return t;
      })
      .concat(completed.filter((c) => FILLED_TABLES.has(c.table) && !recorded.some((t) => t.table === c.table)));
  }

  /** The revert row as it was inserted: its merge ids resolved among the merges recorded before it. */
  private async revertRow(seq: number, input: RevertRecordInput, recordedAt: string): Promise<Record<string, unknown>> {
    const { revertingRepo, revertedRepo, sha, subject } = revertFacts(input);
    const [ids] = await this.query<{ reverting: unknown; reverted: unknown }>(
      statement(this.engine, (q) => {
        const merges = revertMergeQueries(q, input, seq);
        return `SELECT (${merges.reverting}) AS reverting, (${merges.reverted}) AS reverted`;
      }),
    );
    const id = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      id: seq,
      audit_seq: seq,
      reverting_repo: revertingRepo,
      reverting_pr: input.prNumber,
      reverting_merge_id: id(ids?.reverting),
      reverted_repo: revertedRepo,
      reverted_pr: input.revertedPrNumber,
      reverted_sha: sha,
      reverted_ref: subject,
      reverted_merge_id: id(ids?.reverted),
      method: input.method,
      detected_at: recordedAt,
    };
  }

  /** The first row of any table keyed outside the chain (after its last entry, or at seq 0 or below). */
  private async rowsPastTheEnd(): Promise<ProjectionProblem | null> {
    for (const spec of TABLES) {
      const [row] = await this.query<Record<string, unknown>>(
        statement(
          this.engine,
          (q) =>
            `SELECT * FROM ${spec.table} WHERE ${spec.seqColumn} > ${q.param(this.checkedTo)} OR ${spec.seqColumn} < 1
              ORDER BY ${spec.seqColumn} LIMIT 1`,
        ),
      );
      if (row) {
        const seq = Number(row[spec.seqColumn]);
        return problemAt(spec, seq, `seq ${seq}`, null, `there is no entry ${seq} in the chain (projection row inserted)`);
      }
    }
    return null;
  }
}

function entryOf(row: ChainRow): Entry {
  let envelope: AuditEnvelope | null = null;
  try {
    envelope = parseEnvelope(row.payload);
  } catch {
    // Reported by the chain walk.
  }
  return { seq: row.seq, kind: row.kind, subject: row.subject, envelope };
}

/** Lists an older payload may lack project as empty, as the migrations did. */
function withDefaults(input: MergeRecordInput): MergeRecordInput {
  return { ...input, exceptions: input.exceptions ?? [], boundaries: input.boundaries ?? [], teams: input.teams ?? [] };
}

function groupBySeq(rows: Record<string, unknown>[], column: string): Map<number, Record<string, unknown>[]> {
  const out = new Map<number, Record<string, unknown>[]>();
  for (const row of rows) {
    const seq = Number(row[column]);
    const list = out.get(seq);
    if (list) list.push(row);
    else out.set(seq, [row]);
  }
  return out;
}

/** The first difference between the rows an entry projects into one table and the rows stored there. */
function compareRows(
  spec: TableSpec,
  seq: number,
  entry: Entry | undefined,
  want: Record<string, unknown>[],
  have: Record<string, unknown>[],
): ProjectionProblem | null {
  if (want.length === 0 && have.length === 0) return null;
  const projects = entry !== undefined && entry.kind === kindOf(spec.table);
  if (!projects) {
    const what = entry === undefined ? `there is no entry ${seq} in the chain` : `the hashed entry ${seq} is not a ${kindOf(spec.table)}`;
    return problemAt(spec, seq, `seq ${seq}`, null, `${what} (projection row inserted)`);
  }
  const keyOf = (row: Record<string, unknown>) => spec.keyColumns.map((c) => String(row[c])).join("\u0000");
  // Both lists are in key order when the stored rows are intact: pair them up without a map.
  if (spec.keyColumns.length === 1 && want.length > 1) {
    const k = spec.keyColumns[0]!;
    want.sort((a, b) => {
      if (typeof a[k] === "number") return Number(a[k]) - Number(b[k]);
      const [x, y] = [String(a[k]), String(b[k])];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  const inOrder = want.length === have.length && want.every((row, i) => keyOf(row) === keyOf(have[i]!));
  const stored = inOrder ? null : new Map(have.map((row) => [keyOf(row), row]));
  for (const [i, row] of want.entries()) {
    const found = stored ? stored.get(keyOf(row)) : have[i];
    if (!found) return problemAt(spec, seq, spec.label(entry.subject, row), null, MISSING);
    stored?.delete(keyOf(row));
    for (const column in row) {
      const value = row[column];
      const actual = found[column];
      if (!sameValue(actual, value)) {
        const what = `column ${column} is ${show(actual, value)}, the hashed entry says ${show(value, value)} (projection modified)`;
        return problemAt(spec, seq, spec.label(entry.subject, row), column, what);
      }
    }
  }
  const extra = stored?.values().next().value;
  if (extra) return problemAt(spec, seq, spec.label(entry.subject, extra), null, EXTRA);
  return null;
}

const MISSING = "it is missing (projection row deleted or its key modified)";
const EXTRA = "the hashed entry has no such row (projection row inserted)";

function problemAt(spec: TableSpec, seq: number, key: string, column: string | null, what: string): ProjectionProblem {
  const where = key === `seq ${seq}` ? key : `${key} (seq ${seq})`;
  return { seq, reason: `${spec.table} row ${where}: ${what}`, projection: { table: spec.table, key, column } };
}

/** Stored values as the engines return them (SQLite booleans are 0/1, PostgreSQL bigints are strings). */
function sameValue(stored: unknown, expected: unknown): boolean {
  if (expected === null || expected === undefined) return stored === null || stored === undefined;
  if (stored === null || stored === undefined) return false;
  if (typeof expected === "boolean") return asBoolean(stored) === expected;
  if (typeof expected === "number") return Number(stored) === expected;
  return stored === expected;
}

function asBoolean(value: unknown): boolean | null {
  if (value === true || value === 1 || value === "1" || value === "t" || value === "true") return true;
  if (value === false || value === 0 || value === "0" || value === "f" || value === "false") return false;
  return null;
}

/** A value for the report, read as the expected value's type; long texts shortened. */
function show(value: unknown, like: unknown): string {
  if (value === null || value === undefined) return "null";
  const typed = typeof like === "boolean" ? (asBoolean(value) ?? value) : value;
  const text = JSON.stringify(typed);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
