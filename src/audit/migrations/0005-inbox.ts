/**
 * Migration 5: the durable webhook inbox and the schedule of cluster-wide jobs.
 *
 * `webhook_deliveries` holds every delivery whose signature verified, written before GitHub gets
 * its answer, until it is processed (then pruned after the retention period). Unlike the audit
 * tables it is a work queue: rows are updated as they move through their states:
 *   pending → (claimed by one replica until claimed_until) → done
 *                                                          → pending again, later (a retry)
 *                                                          → parked (attempts used up; kept until retried)
 * A claim whose replica died expires at claimed_until and the row is taken again.
 *
 * `scheduled_jobs` lets replicas take turns at periodic work (pruning, the reconcile sweep): one
 * row per job, held by one replica until lease_until, with the last run's time and result.
 * Times are ISO-8601 UTC text, as everywhere in this schema, so they compare as text.
 */
import type { Migration, SchemaDialect } from "./migration.js";

function tables({ int, text }: SchemaDialect): string {
  return `
CREATE TABLE webhook_deliveries (
  delivery_id     ${text} PRIMARY KEY,
  event           ${text} NOT NULL,
  action          ${text},
  payload         ${text} NOT NULL,
  received_at     ${text} NOT NULL,
  state           ${text} NOT NULL CHECK (state IN ('pending', 'done', 'parked')),
  attempts        ${int} NOT NULL,
  next_attempt_at ${text} NOT NULL,
  claimed_by      ${text},
  claimed_until   ${text},
  last_error      ${text},
  finished_at     ${text}
);
-- The worker's claim: due pending rows, oldest due first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
-- Pruning and the parked list.
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state, finished_at);

CREATE TABLE scheduled_jobs (
  name        ${text} PRIMARY KEY,
  held_by     ${text},
  lease_until ${text},
  last_run_at ${text},
  last_result ${text}
);
`;
}

export const migration0005: Migration = {
  version: 5,
  name: "inbox",
  sql: {
    sqlite: tables({ bigint: "INTEGER", int: "INTEGER", text: "TEXT", bool: "INTEGER" }),
    postgres: tables({ bigint: "bigint", int: "integer", text: 'text COLLATE "C"', bool: "boolean" }),
  },
};
