/**
 * Migration 7: the report rollup (report-rollup.ts): the report's counts per month and per day ×
 * repository × owning team × AI level × its yes/no filters, over all merges and per team a merge
 * touches. Derived data, kept current by every write in the same transaction; unlike the audit
 * tables its rows are updated in place, and it can be rebuilt from the merges at any time. A
 * database migrated from version 6 gets it filled from the merges already recorded.
 */
import { rebuildRollupStatements, rollupTableSql } from "../report-rollup.js";
import type { Migration } from "./migration.js";

/** The rebuild has no parameters: its statements are plain SQL a migration can run. */
function fill(engine: "sqlite" | "postgres"): string {
  return rebuildRollupStatements(engine)
    .map((s) => {
      if (s.values.length > 0) throw new Error("migration 7: the rollup rebuild must not bind parameters");
      return `${s.text};`;
    })
    .join("\n");
}

export const migration0007: Migration = {
  version: 7,
  name: "report-rollup",
  sql: {
    sqlite: `${rollupTableSql("sqlite")}\n${fill("sqlite")}`,
    postgres: `${rollupTableSql("postgres")}\n${fill("postgres")}`,
  },
};
