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
import type { Statement } from "./sql-builder.js";

/** Advisory lock keys (pg_advisory_lock(int, int)): 0x434F554E is "COUN"; advisory locks are per database. */
const LOCK_NAMESPACE = 0x434f554e;
const CHAIN_LOCK = 1;
const MIGRATION_LOCK = 2;

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

  constructor(connectionString: string, options: PostgresAuditStoreOptions = {}) {
    super(options);
    this.pool = new pg.Pool({ connectionString, max: options.max ?? 10, types });
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

  protected async query<T>(stmt: Statement): Promise<T[]> {
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
