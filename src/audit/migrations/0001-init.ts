/**
 * Migration 1: the audit log (one global hash chain) and its insert-only projections.
 * One logical schema, written once; only column types and the append-only guard differ per engine.
 * Conventions (docs/audit-trail.md, "Schema"): times are ISO-8601 UTC text, JSON is canonical JSON text,
 * SHAs are lowercase hex. Postgres text columns use COLLATE "C" so that prefix ranges
 * (`path >= 'src/payments' AND path < 'src/paymentt'`, `sha >= 'abc1234' AND sha < 'abc1234g'`)
 * compare bytes and can use the indexes whatever the database's default collation.
 * Each projection row's id is the `audit_log.seq` of the entry it projects.
 */
import type { Migration, SchemaDialect } from "./migration.js";

/** Tables that must never see UPDATE or DELETE. */
const INSERT_ONLY_TABLES = [
  "audit_log",
  "merges",
  "merge_commits",
  "merge_paths",
  "merge_reviews",
  "merge_teams",
  "merge_boundaries",
  "exceptions",
  "reverts",
] as const;

function tables({ bigint, int, text, bool }: SchemaDialect): string {
  return `
CREATE TABLE audit_log (
  seq            ${bigint} PRIMARY KEY,
  recorded_at    ${text} NOT NULL,
  kind           ${text} NOT NULL,
  subject        ${text} NOT NULL,
  delivery_id    ${text},
  source         ${text} NOT NULL,
  payload        ${text} NOT NULL,
  payload_sha256 ${text} NOT NULL,
  prev_hash      ${text} NOT NULL,
  entry_hash     ${text} NOT NULL UNIQUE
);
-- A merge is recorded once per repo + PR, whatever the delivery (webhook and backfill can both see it).
CREATE UNIQUE INDEX audit_merge_once ON audit_log (subject) WHERE kind = 'merge';
-- A redelivered webhook (same X-GitHub-Delivery) never duplicates an entry.
CREATE UNIQUE INDEX audit_delivery_once ON audit_log (kind, subject, delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX audit_subject ON audit_log (subject, seq);

CREATE TABLE merges (
  id               ${bigint} PRIMARY KEY,
  audit_seq        ${bigint} NOT NULL UNIQUE REFERENCES audit_log (seq),
  repo             ${text} NOT NULL,
  pr_number        ${int} NOT NULL,
  title            ${text} NOT NULL,
  author           ${text} NOT NULL,
  head_sha         ${text} NOT NULL,
  base_ref         ${text} NOT NULL,
  base_sha         ${text},
  merge_commit_sha ${text},
  merged_by        ${text},
  merged_at        ${text} NOT NULL,
  ai_level         ${text} NOT NULL,
  ai_tools         ${text} NOT NULL,
  agent            ${text},
  sponsor          ${text},
  owning_team      ${text},
  check_conclusion ${text},
  bypassed         ${bool} NOT NULL,
  config_hash      ${text},
  source           ${text} NOT NULL,
  recorded_at      ${text} NOT NULL,
  UNIQUE (repo, pr_number)
);
CREATE INDEX merges_time ON merges (merged_at);
CREATE INDEX merges_repo_time ON merges (repo, merged_at);
CREATE INDEX merges_ai_time ON merges (ai_level, merged_at);
CREATE INDEX merges_team_time ON merges (owning_team, merged_at);
CREATE INDEX merges_bypassed ON merges (merged_at) WHERE bypassed = TRUE;

CREATE TABLE merge_commits (
  sha      ${text} NOT NULL,
  merge_id ${bigint} NOT NULL REFERENCES merges (id),
  role     ${text} NOT NULL CHECK (role IN ('pr_commit', 'head', 'merge_commit')),
  PRIMARY KEY (sha, merge_id)
);
CREATE INDEX merge_commits_merge ON merge_commits (merge_id);

CREATE TABLE merge_paths (
  merge_id      ${bigint} NOT NULL REFERENCES merges (id),
  path          ${text} NOT NULL,
  previous_path ${text},
  status        ${text} NOT NULL,
  PRIMARY KEY (merge_id, path)
);
CREATE INDEX merge_paths_path ON merge_paths (path, merge_id);
CREATE INDEX merge_paths_previous ON merge_paths (previous_path, merge_id);

CREATE TABLE merge_reviews (
  merge_id      ${bigint} NOT NULL REFERENCES merges (id),
  review_id     ${bigint} NOT NULL,
  reviewer      ${text} NOT NULL,
  state         ${text} NOT NULL,
  reviewed_sha  ${text},
  submitted_at  ${text},
  counted       ${bool} NOT NULL,
  reason        ${text},
  checklist     ${text} NOT NULL,
  verified_note ${text},
  PRIMARY KEY (merge_id, review_id)
);
CREATE INDEX merge_reviews_reviewer ON merge_reviews (reviewer, merge_id);

CREATE TABLE merge_teams (
  merge_id    ${bigint} NOT NULL REFERENCES merges (id),
  team        ${text} NOT NULL,
  team_key    ${text} NOT NULL,
  files_owned ${int} NOT NULL,
  is_primary  ${bool} NOT NULL,
  PRIMARY KEY (merge_id, team_key)
);
CREATE INDEX merge_teams_team ON merge_teams (team_key, merge_id);

CREATE TABLE merge_boundaries (
  merge_id ${bigint} NOT NULL REFERENCES merges (id),
  boundary ${text} NOT NULL,
  action   ${text} NOT NULL,
  outcome  ${text} NOT NULL,
  PRIMARY KEY (merge_id, boundary)
);
CREATE INDEX merge_boundaries_boundary ON merge_boundaries (boundary, merge_id);

CREATE TABLE exceptions (
  id          ${bigint} PRIMARY KEY,
  audit_seq   ${bigint} NOT NULL UNIQUE REFERENCES audit_log (seq),
  repo        ${text} NOT NULL,
  pr_number   ${int} NOT NULL,
  boundary    ${text} NOT NULL,
  action      ${text} NOT NULL CHECK (action IN ('grant', 'revoke')),
  granted_by  ${text} NOT NULL,
  reason      ${text} NOT NULL,
  granted_sha ${text} NOT NULL,
  comment_id  ${bigint},
  granted_at  ${text} NOT NULL
);
CREATE INDEX exceptions_pr ON exceptions (repo, pr_number, audit_seq);
CREATE INDEX exceptions_time ON exceptions (granted_at);
CREATE INDEX exceptions_grantor ON exceptions (granted_by, granted_at);

CREATE TABLE reverts (
  id                 ${bigint} PRIMARY KEY,
  audit_seq          ${bigint} NOT NULL UNIQUE REFERENCES audit_log (seq),
  reverting_repo     ${text} NOT NULL,
  reverting_pr       ${int} NOT NULL,
  reverting_merge_id ${bigint} REFERENCES merges (id),
  reverted_repo      ${text} NOT NULL,
  reverted_pr        ${int},
  reverted_sha       ${text},
  -- 'owner/repo#N' or the SHA as found: the natural key of a revert link.
  reverted_ref       ${text} NOT NULL,
  -- Resolved when the reverted merge was already recorded; queries also match by PR and SHA.
  reverted_merge_id  ${bigint} REFERENCES merges (id),
  method             ${text} NOT NULL,
  detected_at        ${text} NOT NULL,
  UNIQUE (reverting_repo, reverting_pr, reverted_ref)
);
CREATE INDEX reverts_reverted_merge ON reverts (reverted_merge_id);
CREATE INDEX reverts_reverted_pr ON reverts (reverted_repo, reverted_pr);
CREATE INDEX reverts_reverted_sha ON reverts (reverted_sha);
`;
}

const sqliteGuard = INSERT_ONLY_TABLES.map(
  (t) => `
CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, 'countersign: ${t} is append-only (UPDATE rejected)'); END;
CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, 'countersign: ${t} is append-only (DELETE rejected)'); END;`,
).join("\n");

const postgresGuard = `
CREATE OR REPLACE FUNCTION countersign_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'countersign: % is append-only (% rejected)', TG_TABLE_NAME, TG_OP;
END
$$;
${INSERT_ONLY_TABLES.map(
  (t) => `CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION countersign_reject_change();
CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION countersign_reject_change();`,
).join("\n")}
`;

export const migration0001: Migration = {
  version: 1,
  name: "init",
  sql: {
    sqlite: tables({ bigint: "INTEGER", int: "INTEGER", text: "TEXT", bool: "INTEGER" }) + sqliteGuard,
    postgres: tables({ bigint: "bigint", int: "integer", text: 'text COLLATE "C"', bool: "boolean" }) + postgresGuard,
  },
};
