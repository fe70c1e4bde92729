/**
 * The PostgreSQL audit store (`DATABASE_URL=postgres://…`). Writers are serialised by a
 * transaction-scoped advisory lock taken before the chain head is read, under READ COMMITTED:
 * each statement then sees rows committed before it, so the head read after the lock wait is
 * current (under REPEATABLE READ the snapshot would predate the wait and the head be stale).
 * Migrations run under a session advisory lock, so replicas starting together apply them once.
 */
import pg from "pg";
import type { AppendResult } from "./audit-store.js";
import type { AppendPlan } from "./audit-write-plans.js";
import { sha256Hex } from "./hash-chain.js";
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE, assertKnownVersions } from "./migrations/index.js";
import { HEAD_SQL, SqlAuditStore, type AuditStoreOptions } from "./sql-audit-store.js";
import { insertRows, type Statement } from "./sql-builder.js";

/** Advisory lock keys (pg_advisory_lock(int, int)): 0x434F554E is "COUN"; advisory locks are per database. */
const LOCK_NAMESPACE = 0x434f554e;
const CHAIN_LOCK = 1;
const MIGRATION_LOCK = 2;
/** Rows per INSERT … SELECT FROM unnest in a bulk append. */
const BULK_CHUNK_ROWS = 20_000;

export interface PostgresAuditStoreOptions extends AuditStoreOptions {
  /** Pool size (default 10). */
  max?: number;
  /**
   * Errors of idle pooled connections (server restart, dropped connection). pg discards the
   * client and the next query reconnects or fails visibly; without a listener Node would crash.
   */
  onIdleError?: (error: Error) => void;
}

// seq and ids are bigint columns; the chain will not pass 2^53 entries, so read them as numbers.
// (Per pool, not pg.types.setTypeParser: that would change every other pg user in the process.)
const types = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

export class PostgresAuditStore extends SqlAuditStore {
  readonly engine = "postgres" as const;
  private readonly pool: pg.Pool;
  /** Clients whose ROLLBACK failed: their state is unknown, so they are destroyed, not reused. */
  private readonly broken = new WeakSet<pg.PoolClient>();
  private readonly tableTypes = new Map<string, Map<string, string>>();

  constructor(connectionString: string, options: PostgresAuditStoreOptions = {}) {
    super(options);
    this.pool = new pg.Pool({ connectionString: withoutJit(connectionString), max: options.max ?? 10, types });
    this.pool.on("error", options.onIdleError ?? (() => {}));
  }

  async migrate(): Promise<void> {
    await this.withClient(async (client) => {
      await client.query("SELECT pg_advisory_lock($1, $2)", [LOCK_NAMESPACE, MIGRATION_LOCK]);
      try {
        await client.query(SCHEMA_MIGRATIONS_TABLE.postgres);
        const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
        const applied = new Set(rows.map((r) => r.version));
        assertKnownVersions(applied, "PostgreSQL database");
        for (const m of MIGRATIONS) {
          if (applied.has(m.version)) continue;
          await this.inTransaction(client, async () => {
            try {
              await client.query(m.sql.postgres);
            } catch (error) {
              throw new Error(`audit migration ${m.version} (${m.name}) failed on PostgreSQL: ${(error as Error).message}`, {
                cause: error,
              });
            }
            await client.query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)", [
              m.version,
              m.name,
              sha256Hex(m.sql.postgres),
              new Date().toISOString(),
            ]);
          });
        }
      } finally {
        // If the unlock fails the connection is dropped, which releases a session lock too.
        await client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_NAMESPACE, MIGRATION_LOCK]).catch(() => this.broken.add(client));
      }
    });
  }

  protected async append(plan: AppendPlan): Promise<AppendResult> {
    return this.withClient((client) =>
      this.inTransaction(client, async (): Promise<AppendResult> => {
        // Released at COMMIT/ROLLBACK: one writer at a time reads the head and appends.
        await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, CHAIN_LOCK]);
        for (const check of plan.duplicateChecks) {
          if ((await client.query(check.text, check.values)).rowCount) return { inserted: false, seq: null };
        }
        const head = (await client.query<{ seq: number; entry_hash: string }>(HEAD_SQL)).rows[0];
        const { seq, statements } = this.appendStatements(plan, head);
        for (const s of statements) await client.query(s.text, s.values);
        return { inserted: true, seq };
      }),
    );
  }

  protected async appendBulk(plans: AppendPlan[]): Promise<AppendResult[]> {
    return this.withClient((client) =>
      this.inTransaction(client, async (): Promise<AppendResult[]> => {
        await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, CHAIN_LOCK]);
        const check = this.recordedMergeSubjects(plans.map((p) => p.envelope.subject));
        const recorded = new Set((await client.query<{ subject: string }>(check.text, check.values)).rows.map((r) => r.subject));
        const head = (await client.query<{ seq: number; entry_hash: string }>(HEAD_SQL)).rows[0];
        const { results, tables, before, after } = this.bulkAppend(plans, recorded, head);
        for (const s of before) await client.query(s.text, s.values);
        for (const { table, rows } of tables) {
          // Long text (audit_log payloads) goes fastest as plain multi-row VALUES: a text[] of
          // large strings costs more to escape and parse than it saves in round trips.
          if (Object.values(rows[0]!).some((v) => typeof v === "string" && v.length > 512)) {
            for (const stmt of insertRows(this.engine, table, rows)) await client.query(stmt.text, stmt.values);
            continue;
          }
          // Narrow rows: one array per column (INSERT … SELECT FROM unnest), typed as the
          // table's own columns, thousands of rows per statement with a handful of parameters.
          const columns = Object.keys(rows[0]!);
          const types = await this.columnTypes(client, table);
          const casts = columns.map((c, i) => {
            const type = types.get(c);
            if (!type) throw new Error(`bulk append: ${table} has no column ${c}`);
            return `$${i + 1}::${type}[]`;
          });
          const text = `INSERT INTO ${table} (${columns.join(", ")}) SELECT * FROM unnest(${casts.join(", ")})`;
          for (let i = 0; i < rows.length; i += BULK_CHUNK_ROWS) {
            const chunk = rows.slice(i, i + BULK_CHUNK_ROWS);
            await client.query(
              text,
              columns.map((c) => chunk.map((r) => r[c] ?? null)),
            );
          }
        }
        for (const s of after) await client.query(s.text, s.values);
        return results;
      }),
    );
  }

  protected async runUnderChainLock(statements: Statement[]): Promise<void> {
    await this.withClient((client) =>
      this.inTransaction(client, async () => {
        await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NAMESPACE, CHAIN_LOCK]);
        for (const s of statements) await client.query(s.text, s.values);
      }),
    );
  }

  /** Column → SQL type of a table on the connection's search_path, read once per store. */
  private async columnTypes(client: pg.PoolClient, table: string): Promise<Map<string, string>> {
    let types = this.tableTypes.get(table);
    if (!types) {
      const { rows } = await client.query<{ name: string; type: string }>(
        "SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND " +
          "attnum > 0 AND NOT attisdropped",
        [table],
      );
      types = new Map(rows.map((r) => [r.name, r.type]));
      this.tableTypes.set(table, types);
    }
    return types;
  }

  protected async query<T>(stmt: Statement): Promise<T[]> {
    if (stmt.prepare) {
      // Named: each pooled connection plans it once (a generic plan after a few runs).
      const name = `countersign_${sha256Hex(stmt.text).slice(0, 24)}`;
      return (await this.pool.query({ name, text: stmt.text, values: stmt.values })).rows as T[];
    }
    return (await this.pool.query(stmt.text, stmt.values)).rows as T[];
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release(this.broken.has(client) ? new Error("connection left in an unknown state") : undefined);
    }
  }

  private async inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
    await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        this.broken.add(client);
      }
      throw error;
    }
    await client.query("COMMIT");
    return result;
  }
}

/**
 * JIT compilation costs about a second per plan here (the report's estimated cost over a large
 * trail triggers it) and saves less than that on these queries: off for this store's sessions,
 * added to any `options` the URL already carries. A URL that does not parse is left as it is.
 */
function withoutJit(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const options = url.searchParams.get("options");
    if (options?.includes("jit=")) return connectionString;
    url.searchParams.set("options", `${options ? `${options} ` : ""}-c jit=off`);
    return url.toString();
  } catch {
    return connectionString;
  }
}
