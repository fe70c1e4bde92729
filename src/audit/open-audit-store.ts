/**
 * DATABASE_URL → a migrated AuditStore (docs/audit-trail.md):
 *   unset or empty              ./data/countersign.db (relative to cwd)
 *   sqlite://relative/path      relative to cwd;  sqlite:///absolute/path;  sqlite://:memory:
 *   postgres://… postgresql://… PostgreSQL
 */
import { isAbsolute, resolve } from "node:path";
import type { AuditStore } from "./audit-store.js";
import type { AuditStoreOptions } from "./sql-audit-store.js";
import { redactUrl } from "../redact-url.js";

export const DEFAULT_SQLITE_PATH = "data/countersign.db";

const ACCEPTED =
  "leave DATABASE_URL unset for ./data/countersign.db, or use sqlite://relative/path, sqlite:///absolute/path, " +
  "postgres://user:password@host:5432/db or postgresql://…";

export type AuditDatabase = { engine: "sqlite"; filename: string } | { engine: "postgres"; url: string };

/** Parses DATABASE_URL without opening anything. */
export function parseDatabaseUrl(databaseUrl: string | undefined, cwd: string = process.cwd()): AuditDatabase {
  const url = databaseUrl?.trim() ?? "";
  if (url === "") return { engine: "sqlite", filename: resolve(cwd, DEFAULT_SQLITE_PATH) };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return { engine: "postgres", url };
  if (scheme === "sqlite") {
    if (!url.toLowerCase().startsWith("sqlite://")) {
      throw new Error(`DATABASE_URL "${url}" is not a valid sqlite URL: ${ACCEPTED}`);
    }
    const path = url.slice("sqlite://".length);
    if (path === ":memory:") return { engine: "sqlite", filename: ":memory:" };
    if (path === "" || path === "/") throw new Error(`DATABASE_URL "${url}" names no file: ${ACCEPTED}`);
    // sqlite:///abs → "/abs" (absolute); sqlite://rel → "rel" (relative to cwd).
    return { engine: "sqlite", filename: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  // Never echo the URL: it may carry a password.
  throw new Error(`DATABASE_URL with scheme "${scheme ?? "(none)"}" is not supported: ${ACCEPTED}`);
}

/** Opens the store DATABASE_URL names and runs pending migrations before returning it. */
export async function openAuditStore(
  databaseUrl: string | undefined,
  options: { cwd?: string } & AuditStoreOptions = {},
): Promise<AuditStore> {
  const { cwd, ...storeOptions } = options;
  const db = parseDatabaseUrl(databaseUrl, cwd);
  const where = db.engine === "sqlite" ? `SQLite file ${db.filename}` : `PostgreSQL ${redactUrl(db.url)}`;
  let store: AuditStore;
  try {
    if (db.engine === "sqlite") {
      const { SqliteAuditStore } = await import("./sqlite-audit-store.js");
      store = new SqliteAuditStore(db.filename, storeOptions);
    } else {
      const { PostgresAuditStore } = await import("./postgres-audit-store.js");
      store = new PostgresAuditStore(db.url, storeOptions);
    }
  } catch (error) {
    throw new Error(`could not open the audit store (${where}): ${(error as Error).message}`, { cause: error });
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw new Error(`could not migrate the audit store (${where}): ${(error as Error).message}`, { cause: error });
  }
  return store;
}
