/**
 * Migration 3: incidents and their links to merges, as insert-only projections of the chain's
 * `incident` and `incident_link` entries (each row's id is its entry's seq, as elsewhere).
 * A link is never updated: the newest link of an (incident, merge) pair is its current relation.
 * Categories are checked by the store, not the schema, so that adding one needs no table rebuild
 * on SQLite; relations and severities are fixed by the product and checked here too.
 */
import type { Migration, SchemaDialect } from "./migration.js";

const TABLES = ["incidents", "incident_links"] as const;

function tables({ bigint, int, text }: SchemaDialect): string {
  return `
CREATE TABLE incidents (
  id          ${bigint} PRIMARY KEY,
  audit_seq   ${bigint} NOT NULL UNIQUE REFERENCES audit_log (seq),
  external_id ${text} NOT NULL UNIQUE,
  title       ${text},
  url         ${text},
  severity    ${int} CHECK (severity IN (1, 2, 3)),
  category    ${text},
  started_at  ${text},
  source      ${text} NOT NULL,
  recorded_at ${text} NOT NULL
);
CREATE INDEX incidents_time ON incidents (started_at);
CREATE INDEX incidents_category ON incidents (category, started_at);
-- An incident is opened once per external id (the store answers a repeat before it gets here).
CREATE UNIQUE INDEX audit_incident_once ON audit_log (subject) WHERE kind = 'incident';

CREATE TABLE incident_links (
  id          ${bigint} PRIMARY KEY,
  audit_seq   ${bigint} NOT NULL UNIQUE REFERENCES audit_log (seq),
  incident_id ${bigint} NOT NULL REFERENCES incidents (id),
  merge_id    ${bigint} NOT NULL REFERENCES merges (id),
  relation    ${text} NOT NULL CHECK (relation IN ('caused', 'fixed', 'suspect', 'dismissed')),
  note        ${text},
  linked_by   ${text},
  linked_at   ${text} NOT NULL
);
CREATE INDEX incident_links_incident ON incident_links (incident_id, merge_id, id);
CREATE INDEX incident_links_merge ON incident_links (merge_id, incident_id, id);
`;
}

const sqliteGuard = TABLES.map(
  (t) => `
CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, 'countersign: ${t} is append-only (UPDATE rejected)'); END;
CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, 'countersign: ${t} is append-only (DELETE rejected)'); END;`,
).join("\n");

// countersign_reject_change() is created by migration 1.
const postgresGuard = TABLES.map(
  (t) => `
CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION countersign_reject_change();
CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION countersign_reject_change();`,
).join("\n");

export const migration0003: Migration = {
  version: 3,
  name: "incidents",
  sql: {
    sqlite: tables({ bigint: "INTEGER", int: "INTEGER", text: "TEXT", bool: "INTEGER" }) + sqliteGuard,
    postgres: tables({ bigint: "bigint", int: "integer", text: 'text COLLATE "C"', bool: "boolean" }) + postgresGuard,
  },
};
