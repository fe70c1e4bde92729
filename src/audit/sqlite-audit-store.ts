/**
 * The default audit store: one SQLite file (WAL). Writers are serialised by `BEGIN IMMEDIATE`,
 * which takes the write lock before the chain head is read (a deferred BEGIN that reads first
 * can fail with SQLITE_BUSY without waiting), and `busy_timeout` makes other processes wait.
 * better-sqlite3 is synchronous, so each append runs start to commit without yielding: two
 * stores in one process can never interleave inside a transaction.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import type { AppendResult } from "./audit-store.js";
import type { AppendPlan } from "./audit-write-plans.js";
import { sha256Hex } from "./hash-chain.js";
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE, assertKnownVersions } from "./migrations/index.js";
import { HEAD_SQL, SqlAuditStore, type AuditStoreOptions } from "./sql-audit-store.js";
import type { Statement } from "./sql-builder.js";

export interface SqliteAuditStoreOptions extends AuditStoreOptions {
  /** How long a writer waits for another process's write lock (default 10 s). */
  busyTimeoutMs?: number;
}

export class SqliteAuditStore extends SqlAuditStore {
  readonly engine = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Database.Statement>();

  /** `filename`: a path (parent directories are created) or `:memory:`. */
  constructor(
    readonly filename: string,
    options: SqliteAuditStoreOptions = {},
  ) {
    super(options);
    const inMemory = filename === ":memory:";
    if (!inMemory) mkdirSync(dirname(resolve(filename)), { recursive: true });
    this.db = new Database(filename);
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // Switching a new file to WAL while another process is doing the same can answer SQLITE_BUSY
    // at once, without consulting busy_timeout: retry it within the same budget.
    if (!inMemory) retryWhileBusy(() => this.db.pragma("journal_mode = WAL"), busyTimeoutMs);
    this.db.pragma("foreign_keys = ON");
  }

  async migrate(): Promise<void> {
    // IMMEDIATE: a second process starting at the same time waits here, then finds nothing to do.
    this.db
      .transaction(() => {
        this.db.exec(SCHEMA_MIGRATIONS_TABLE.sqlite);
        const applied = new Set(this.db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[]);
        assertKnownVersions(applied, `SQLite database ${this.filename}`);
        for (const m of MIGRATIONS) {
          if (applied.has(m.version)) continue;
          try {
            this.db.exec(m.sql.sqlite);
          } catch (error) {
            throw new Error(`audit migration ${m.version} (${m.name}) failed on ${this.filename}: ${(error as Error).message}`, {
              cause: error,
            });
          }
          this.db
            .prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)")
            .run(m.version, m.name, sha256Hex(m.sql.sqlite), new Date().toISOString());
        }
      })
      .immediate();
  }

  protected async append(plan: AppendPlan): Promise<AppendResult> {
    return this.db
      .transaction((): AppendResult => {
        for (const check of plan.duplicateChecks) {
          if (this.statement(check).get(bind(check)) !== undefined) return { inserted: false, seq: null };
        }
        const head = this.statement({ text: HEAD_SQL, values: [] }).get() as { seq: number; entry_hash: string } | undefined;
        const { seq, statements } = this.appendStatements(plan, head);
        for (const s of statements) this.statement(s).run(bind(s));
        return { inserted: true, seq };
      })
      .immediate();
  }

  protected async appendBulk(plans: AppendPlan[]): Promise<AppendResult[]> {
    return this.db
      .transaction((): AppendResult[] => {
        const recorded = new Set<string>();
        const subjects = plans.map((p) => p.envelope.subject);
        // json_each takes one parameter, so chunks only bound the JSON text's size.
        for (let i = 0; i < subjects.length; i += 10_000) {
          const check = this.recordedMergeSubjects(subjects.slice(i, i + 10_000));
          for (const row of this.statement(check).all(bind(check)) as { subject: string }[]) recorded.add(row.subject);
        }
        const head = this.statement({ text: HEAD_SQL, values: [] }).get() as { seq: number; entry_hash: string } | undefined;
        const { results, tables, before, after } = this.bulkAppend(plans, recorded, head);
        for (const s of before) this.statement(s).run(bind(s));
        // One prepared single-row INSERT per table, run per row: SQLite's fastest bulk path.
        for (const { table, rows } of tables) {
          const columns = Object.keys(rows[0]!);
          const insert = this.statement({
            text: `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
            values: [],
          });
          for (const row of rows) insert.run(columns.map((c) => sqliteValue(row[c])));
        }
        for (const s of after) this.statement(s).run(bind(s));
        return results;
      })
      .immediate();
  }

  protected async runUnderChainLock(statements: Statement[]): Promise<void> {
    this.db
      .transaction(() => {
        for (const s of statements) this.statement(s).run(bind(s));
      })
      .immediate();
  }

  protected async query<T>(stmt: Statement): Promise<T[]> {
    return this.statement(stmt).all(bind(stmt)) as T[];
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // SQLite's advice for connections that come and go: refresh planner statistics that have
    // gone stale (cheap when nothing changed), so the next connection plans with them.
    try {
      this.db.pragma("optimize");
    } catch {
      // Read-only or busy: statistics can wait for the next close.
    }
    this.db.close();
  }

  private statement(stmt: Statement): Database.Statement {
    let prepared = this.prepared.get(stmt.text);
    if (!prepared) {
      // Bounded: multi-row INSERT texts vary with the row count.
      if (this.prepared.size >= 500) this.prepared.clear();
      prepared = this.db.prepare(stmt.text);
      this.prepared.set(stmt.text, prepared);
    }
    return prepared;
  }
}

/** SqlBuilder's `@pN` placeholders as better-sqlite3 named parameters. */
function bind(stmt: Statement): Record<string, unknown> {
  return Object.fromEntries(stmt.values.map((v, i) => [`p${i + 1}`, v]));
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null only. */
function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** Runs `fn` again (5 ms, doubling to 100 ms) while it throws SQLITE_BUSY, for at most `timeoutMs`. */
function retryWhileBusy<T>(fn: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, 100)) {
    try {
      return fn();
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      Atomics.wait(sleeper, 0, 0, delayMs);
    }
  }
}
