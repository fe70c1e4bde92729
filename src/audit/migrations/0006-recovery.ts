/**
 * Migration 6: what automatic recovery needs.
 * - A merge recorded while GitHub could not be read is `incomplete`, with the facts it lacks named in
 *   `missing` (JSON array). Its later completion is a new chain entry (`merge_completion`, once per
 *   merge), and the merge's projection row then shows the completed record: the one UPDATE the
 *   `merges` table allows is that transition (incomplete → complete, pointing at the newer entry,
 *   with the row's identity unchanged); every other UPDATE and every DELETE is still rejected.
 * - `reconcile_state`: the recovery sweep's own bookkeeping (when it last ran, what it redelivered).
 *   Not part of the audit trail; rows are replaced.
 */
import type { Migration, SchemaDialect } from "./migration.js";

const IDENTITY_KEPT = "NEW.id = OLD.id AND NEW.repo = OLD.repo AND NEW.pr_number = OLD.pr_number AND NEW.merged_at = OLD.merged_at";

function common({ text, bool }: SchemaDialect, falsy: string): string {
  return `
ALTER TABLE merges ADD COLUMN incomplete ${bool} NOT NULL DEFAULT ${falsy};
ALTER TABLE merges ADD COLUMN missing ${text};
CREATE INDEX merges_incomplete ON merges (merged_at) WHERE incomplete = TRUE;
CREATE UNIQUE INDEX audit_merge_completion_once ON audit_log (subject) WHERE kind = 'merge_completion';

CREATE TABLE reconcile_state (
  name       ${text} PRIMARY KEY,
  value      ${text} NOT NULL,
  updated_at ${text} NOT NULL
);
`;
}

const sqlite = `${common({ bigint: "INTEGER", int: "INTEGER", text: "TEXT", bool: "INTEGER" }, "0")}
DROP TRIGGER merges_no_update;
CREATE TRIGGER merges_no_update BEFORE UPDATE ON merges
WHEN NOT (OLD.incomplete = 1 AND NEW.incomplete = 0 AND NEW.audit_seq > OLD.audit_seq AND ${IDENTITY_KEPT})
BEGIN SELECT RAISE(ABORT, 'countersign: merges is append-only (UPDATE rejected)'); END;
`;

const postgres = `${common({ bigint: "bigint", int: "integer", text: 'text COLLATE "C"', bool: "boolean" }, "FALSE")}
CREATE OR REPLACE FUNCTION countersign_merge_completion_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.incomplete AND NOT NEW.incomplete AND NEW.audit_seq > OLD.audit_seq AND ${IDENTITY_KEPT} THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'countersign: % is append-only (% rejected)', TG_TABLE_NAME, TG_OP;
END
$$;
DROP TRIGGER merges_append_only ON merges;
CREATE TRIGGER merges_append_only BEFORE UPDATE OR DELETE ON merges FOR EACH ROW EXECUTE FUNCTION countersign_merge_completion_only();
`;

export const migration0006: Migration = { version: 6, name: "recovery", sql: { sqlite, postgres } };
