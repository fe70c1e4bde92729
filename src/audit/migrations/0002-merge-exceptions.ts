/**
 * Migration 2: the exceptions each merge carried (granted, not revoked, at merge time) as their
 * own insert-only projection, so `audit report` counts them and `audit merges --exceptions` finds
 * them with SQL alone. Rows already recorded are projected from the hashed payloads, so a database
 * migrated from version 1 answers the same as a new one.
 * Also: an index for keyset pages (merged_at, id) on PostgreSQL, where the merged_at index does
 * not carry the row id (SQLite's does: id is the rowid), and a covering probe of the filtered
 * columns by id (PostgreSQL: SQLite's rows are found by rowid directly); merge_paths_previous
 * only over renames.
 */
import type { Migration, SchemaDialect } from "./migration.js";

function table({ bigint, text }: SchemaDialect): string {
  return `
CREATE TABLE merge_exceptions (
  merge_id    ${bigint} NOT NULL REFERENCES merges (id),
  ordinal     ${bigint} NOT NULL,
  boundary    ${text} NOT NULL,
  granted_by  ${text} NOT NULL,
  reason      ${text} NOT NULL,
  granted_sha ${text} NOT NULL,
  comment_id  ${bigint},
  granted_at  ${text} NOT NULL,
  PRIMARY KEY (merge_id, ordinal)
);
CREATE INDEX merge_exceptions_time ON merge_exceptions (granted_at);
CREATE INDEX merge_exceptions_grantor ON merge_exceptions (granted_by, granted_at);
-- Few paths are renames: index only those (a range on previous_path implies it is not null).
DROP INDEX merge_paths_previous;
CREATE INDEX merge_paths_previous ON merge_paths (previous_path, merge_id) WHERE previous_path IS NOT NULL;
`;
}

const sqlite = `${table({ bigint: "INTEGER", int: "INTEGER", text: "TEXT", bool: "INTEGER" })}
INSERT INTO merge_exceptions (merge_id, ordinal, boundary, granted_by, reason, granted_sha, comment_id, granted_at)
SELECT m.id, e.key, json_extract(e.value, '$.boundary'), json_extract(e.value, '$.grantedBy'), json_extract(e.value, '$.reason'),
       lower(json_extract(e.value, '$.sha')), json_extract(e.value, '$.commentId'), json_extract(e.value, '$.grantedAt')
FROM merges m JOIN audit_log a ON a.seq = m.audit_seq, json_each(a.payload, '$.data.exceptions') e;
CREATE TRIGGER merge_exceptions_no_update BEFORE UPDATE ON merge_exceptions BEGIN SELECT RAISE(ABORT, 'countersign: merge_exceptions is append-only (UPDATE rejected)'); END;
CREATE TRIGGER merge_exceptions_no_delete BEFORE DELETE ON merge_exceptions BEGIN SELECT RAISE(ABORT, 'countersign: merge_exceptions is append-only (DELETE rejected)'); END;
`;

const postgres = `${table({ bigint: "bigint", int: "integer", text: 'text COLLATE "C"', bool: "boolean" })}
INSERT INTO merge_exceptions (merge_id, ordinal, boundary, granted_by, reason, granted_sha, comment_id, granted_at)
SELECT m.id, e.ordinal - 1, e.value ->> 'boundary', e.value ->> 'grantedBy', e.value ->> 'reason',
       lower(e.value ->> 'sha'), (e.value ->> 'commentId')::bigint, e.value ->> 'grantedAt'
FROM merges m JOIN audit_log a ON a.seq = m.audit_seq
CROSS JOIN LATERAL jsonb_array_elements(a.payload::jsonb -> 'data' -> 'exceptions') WITH ORDINALITY AS e (value, ordinal);
CREATE TRIGGER merge_exceptions_append_only BEFORE UPDATE OR DELETE ON merge_exceptions FOR EACH ROW EXECUTE FUNCTION countersign_reject_change();
CREATE TRIGGER merge_exceptions_no_truncate BEFORE TRUNCATE ON merge_exceptions FOR EACH STATEMENT EXECUTE FUNCTION countersign_reject_change();
CREATE INDEX merges_time_id ON merges (merged_at, id);
-- Path matches are checked against the other filters one merge id at a time: with the filtered
-- columns in the index, each check is an index-only probe, not a heap fetch.
CREATE INDEX merges_id_filters ON merges (id) INCLUDE (merged_at, ai_level, repo, bypassed);
`;

export const migration0002: Migration = {
  version: 2,
  name: "merge-exceptions",
  sql: { sqlite, postgres },
};
