/** Every migration, in version order. Append new ones; never edit one that has shipped. */
import type { Migration } from "./migration.js";
import { migration0001 } from "./0001-init.js";
import { migration0002 } from "./0002-merge-exceptions.js";
import { migration0003 } from "./0003-incidents.js";
import { migration0004 } from "./0004-merge-github-url.js";
import { migration0005 } from "./0005-inbox.js";
import { migration0006 } from "./0006-recovery.js";
import { migration0007 } from "./0007-report-rollup.js";

export type { Migration } from "./migration.js";

export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
];

/** Which versions are applied (checksum: sha256 of the SQL that ran, for forensics). */
export const SCHEMA_MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at text NOT NULL)`,
} as const;

/** A database migrated by a newer release must not be written by an older one. */
export function assertKnownVersions(applied: Iterable<number>, where: string): void {
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new Error(
      `${where} has audit schema version ${newest}, but this Countersign knows versions up to ${known}: ` +
        "upgrade Countersign or point DATABASE_URL at another database",
    );
  }
}
