/**
 * The durable webhook inbox (table `webhook_deliveries`) and the turn-taking of periodic jobs
 * (table `scheduled_jobs`), on the audit store's own database: one SQL text per operation for both
 * engines. A claim is a lease: `claimed_by` + `claimed_until`, so a replica that dies mid-delivery
 * only delays it. On PostgreSQL concurrent claimers skip each other's rows (`FOR UPDATE SKIP
 * LOCKED`); on SQLite the claiming UPDATE holds the database's write lock, which does the same.
 * Every statement ends in RETURNING, so both engines' `query` run it (better-sqlite3's `all()`
 * needs a statement that returns rows).
 */
import { statement, type Engine, type Statement } from "./sql-builder.js";

export type DeliveryState = "pending" | "done" | "parked";

export interface InboxDeliveryInput {
  /** X-GitHub-Delivery. */
  id: string;
  /** X-GitHub-Event. */
  event: string;
  action: string | null;
  /** The request body exactly as signed (JSON text). */
  payload: string;
  receivedAt: Date;
}

export interface InboxDeliverySummary {
  id: string;
  event: string;
  action: string | null;
  state: DeliveryState;
  receivedAt: string;
  /** Attempts started (a claim counts, so a crash while processing counts too). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  finishedAt: string | null;
}

export interface InboxDelivery extends InboxDeliverySummary {
  /** Empty once done: the row then only keeps the id, so a redelivery is recognised. */
  payload: string;
}

export interface InboxStats {
  pending: number;
  oldestPendingReceivedAt: string | null;
  parked: number;
}

export interface ScheduledJob {
  name: string;
  heldBy: string | null;
  leaseUntil: string | null;
  lastRunAt: string | null;
  lastResult: string | null;
}

/** What storing a delivery did. */
export type EnqueueOutcome = "stored" | "duplicate" | "requeued";

export interface InboxStore {
  /**
   * Stores a verified delivery: `stored` when new; `duplicate` when its id is pending or done
   * (nothing to do); `requeued` when it was parked (GitHub's Redeliver on a parked delivery is a
   * person asking for another try).
   */
  enqueue(input: InboxDeliveryInput): Promise<EnqueueOutcome>;
  /** Takes up to `limit` due deliveries for `owner` until now + leaseMs, counting an attempt on each. */
  claim(options: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<InboxDelivery[]>;
  /** Extends a claim still held by `owner`. */
  renew(id: string, owner: string, until: Date): Promise<boolean>;
  /** Processed: done, payload dropped. False when `owner` no longer held the claim. */
  complete(id: string, owner: string, now: Date): Promise<boolean>;
  /** A failed attempt: pending again from `retryAt`, or parked when `retryAt` is null. */
  fail(id: string, owner: string, error: string, now: Date, retryAt: Date | null): Promise<boolean>;
  /** A parked (or waiting) delivery due now with its attempts reset; false when unknown, done or claimed. */
  retry(id: string, now: Date): Promise<boolean>;
  /**
   * Every delivery waiting for a retry (pending, attempted, not claimed, due later) due now, its
   * attempts kept; returns how many. For when what they failed on is back (GitHub answering again).
   */
  retryWaiting(now: Date): Promise<number>;
  get(id: string): Promise<InboxDelivery | null>;
  /** Oldest received first. */
  list(filter?: { state?: DeliveryState; limit?: number }): Promise<InboxDeliverySummary[]>;
  stats(): Promise<InboxStats>;
  /** Deletes done deliveries finished before `before`; returns how many. Parked ones stay. */
  prune(before: Date): Promise<number>;
  /**
   * Takes the turn at job `name` when no replica holds it and its last run is at least `everyMs`
   * old; held until now + leaseMs or `finishJob`.
   */
  claimJob(name: string, owner: string, now: Date, options: { leaseMs: number; everyMs: number }): Promise<boolean>;
  finishJob(name: string, owner: string, now: Date, result: string): Promise<void>;
  jobs(): Promise<ScheduledJob[]>;
}

interface DeliveryRow {
  delivery_id: string;
  event: string;
  action: string | null;
  payload?: string;
  received_at: string;
  state: DeliveryState;
  attempts: number | string;
  next_attempt_at: string;
  last_error: string | null;
  finished_at: string | null;
}

const SUMMARY_COLUMNS = "delivery_id, event, action, received_at, state, attempts, next_attempt_at, last_error, finished_at";
const PRUNE_BATCH = 1000;

export class SqlInboxStore implements InboxStore {
  constructor(
    private readonly engine: Engine,
    private readonly query: <T>(stmt: Statement) => Promise<T[]>,
  ) {}

  async enqueue(input: InboxDeliveryInput): Promise<EnqueueOutcome> {
    const at = input.receivedAt.toISOString();
    const inserted = await this.rows(
      (q) =>
        `INSERT INTO webhook_deliveries (delivery_id, event, action, payload, received_at, state, attempts, next_attempt_at)
       VALUES (${q.param(input.id)}, ${q.param(input.event)}, ${q.param(input.action)}, ${q.param(input.payload)},
               ${q.param(at)}, 'pending', 0, ${q.param(at)})
       ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id`,
    );
    if (inserted.length > 0) return "stored";
    const requeued = await this.rows(
      (q) =>
        `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ${q.param(at)}, finished_at = NULL,
         payload = ${q.param(input.payload)}
       WHERE delivery_id = ${q.param(input.id)} AND state = 'parked' RETURNING delivery_id`,
    );
    return requeued.length > 0 ? "requeued" : "duplicate";
  }

  async claim({ owner, now, leaseMs, limit }: { owner: string; now: Date; leaseMs: number; limit: number }): Promise<InboxDelivery[]> {
    const rows = await this.rows<DeliveryRow>((q) => {
      const at = q.param(now.toISOString());
      const until = q.param(new Date(now.getTime() + leaseMs).toISOString());
      return `UPDATE webhook_deliveries SET claimed_by = ${q.param(owner)}, claimed_until = ${until}, attempts = attempts + 1
              WHERE delivery_id IN (
                SELECT delivery_id FROM webhook_deliveries
                WHERE state = 'pending' AND next_attempt_at <= ${at} AND (claimed_until IS NULL OR claimed_until <= ${at})
                ORDER BY next_attempt_at, received_at LIMIT ${q.param(limit)}${this.engine === "postgres" ? " FOR UPDATE SKIP LOCKED" : ""})
              RETURNING ${SUMMARY_COLUMNS}, payload`;
    });
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.receivedAt.localeCompare(b.receivedAt));
  }

  async renew(id: string, owner: string, until: Date): Promise<boolean> {
    return this.changed(
      (q) =>
        `UPDATE webhook_deliveries SET claimed_until = ${q.param(until.toISOString())}
       WHERE delivery_id = ${q.param(id)} AND claimed_by = ${q.param(owner)} AND state = 'pending' RETURNING delivery_id`,
    );
  }

  async complete(id: string, owner: string, now: Date): Promise<boolean> {
    return this.changed(
      (q) =>
        `UPDATE webhook_deliveries
       SET state = 'done', payload = '', finished_at = ${q.param(now.toISOString())}, claimed_by = NULL, claimed_until = NULL
       WHERE delivery_id = ${q.param(id)} AND claimed_by = ${q.param(owner)} AND state = 'pending' RETURNING delivery_id`,
    );
  }

  async fail(id: string, owner: string, error: string, now: Date, retryAt: Date | null): Promise<boolean> {
    return this.changed((q) => {
      const next = retryAt
        ? `state = 'pending', next_attempt_at = ${q.param(retryAt.toISOString())}`
        : `state = 'parked', finished_at = ${q.param(now.toISOString())}`;
      return `UPDATE webhook_deliveries SET ${next}, last_error = ${q.param(error.slice(0, 4000))}, claimed_by = NULL, claimed_until = NULL
              WHERE delivery_id = ${q.param(id)} AND claimed_by = ${q.param(owner)} AND state = 'pending' RETURNING delivery_id`;
    });
  }

  async retry(id: string, now: Date): Promise<boolean> {
    return this.changed((q) => {
      const at = q.param(now.toISOString());
      return `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ${at}, finished_at = NULL
              WHERE delivery_id = ${q.param(id)}
                AND (state = 'parked' OR (state = 'pending' AND (claimed_until IS NULL OR claimed_until <= ${at})))
              RETURNING delivery_id`;
    });
  }

  async retryWaiting(now: Date): Promise<number> {
    const rows = await this.rows((q) => {
      const at = q.param(now.toISOString());
      return `UPDATE webhook_deliveries SET next_attempt_at = ${at}
              WHERE state = 'pending' AND attempts > 0 AND next_attempt_at > ${at} AND (claimed_until IS NULL OR claimed_until <= ${at})
              RETURNING delivery_id`;
    });
    return rows.length;
  }

  async get(id: string): Promise<InboxDelivery | null> {
    const rows = await this.rows<DeliveryRow>(
      (q) => `SELECT ${SUMMARY_COLUMNS}, payload FROM webhook_deliveries WHERE delivery_id = ${q.param(id)}`,
    );
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async list(filter: { state?: DeliveryState; limit?: number } = {}): Promise<InboxDeliverySummary[]> {
    const rows = await this.rows<DeliveryRow>((q) => {
      const where = filter.state ? `WHERE state = ${q.param(filter.state)}` : "";
      return `SELECT ${SUMMARY_COLUMNS} FROM webhook_deliveries ${where}
              ORDER BY received_at, delivery_id LIMIT ${q.param(filter.limit ?? 100)}`;
    });
    return rows.map(toSummary);
  }

  async stats(): Promise<InboxStats> {
    const rows = await this.rows<{ state: DeliveryState; n: number | string; oldest: string | null }>(
      () =>
        `SELECT state, count(*) AS n, min(received_at) AS oldest FROM webhook_deliveries
         WHERE state IN ('pending', 'parked') GROUP BY state`,
    );
    const pending = rows.find((r) => r.state === "pending");
    return {
      pending: Number(pending?.n ?? 0),
      oldestPendingReceivedAt: pending?.oldest ?? null,
      parked: Number(rows.find((r) => r.state === "parked")?.n ?? 0),
    };
  }

  async prune(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.rows(
        (q) =>
          `DELETE FROM webhook_deliveries WHERE delivery_id IN (
           SELECT delivery_id FROM webhook_deliveries
           WHERE state = 'done' AND finished_at < ${q.param(before.toISOString())} LIMIT ${PRUNE_BATCH})
         RETURNING delivery_id`,
      );
      total += rows.length;
      if (rows.length < PRUNE_BATCH) return total;
    }
  }

  async claimJob(name: string, owner: string, now: Date, { leaseMs, everyMs }: { leaseMs: number; everyMs: number }): Promise<boolean> {
    await this.rows((q) => `INSERT INTO scheduled_jobs (name) VALUES (${q.param(name)}) ON CONFLICT (name) DO NOTHING RETURNING name`);
    return this.changed((q) => {
      const at = q.param(now.toISOString());
      const until = q.param(new Date(now.getTime() + leaseMs).toISOString());
      return `UPDATE scheduled_jobs SET held_by = ${q.param(owner)}, lease_until = ${until}
              WHERE name = ${q.param(name)} AND (lease_until IS NULL OR lease_until <= ${at})
                AND (last_run_at IS NULL OR last_run_at <= ${q.param(new Date(now.getTime() - everyMs).toISOString())})
              RETURNING name`;
    });
  }

  async finishJob(name: string, owner: string, now: Date, result: string): Promise<void> {
    await this.rows(
      (q) =>
        `UPDATE scheduled_jobs
       SET held_by = NULL, lease_until = NULL, last_run_at = ${q.param(now.toISOString())}, last_result = ${q.param(result)}
       WHERE name = ${q.param(name)} AND held_by = ${q.param(owner)} RETURNING name`,
    );
  }

  async jobs(): Promise<ScheduledJob[]> {
    type Row = { name: string; held_by: string | null; lease_until: string | null; last_run_at: string | null; last_result: string | null };
    const rows = await this.rows<Row>(() => "SELECT name, held_by, lease_until, last_run_at, last_result FROM scheduled_jobs ORDER BY 1");
    return rows.map((r) => ({
      name: r.name,
      heldBy: r.held_by,
      leaseUntil: r.lease_until,
      lastRunAt: r.last_run_at,
      lastResult: r.last_result,
    }));
  }

  private rows<T = { delivery_id: string }>(compose: Parameters<typeof statement>[1]): Promise<T[]> {
    return this.query<T>(statement(this.engine, compose));
  }

  private async changed(compose: Parameters<typeof statement>[1]): Promise<boolean> {
    return (await this.rows(compose)).length > 0;
  }
}

function toSummary(r: DeliveryRow): InboxDeliverySummary {
  return {
    id: r.delivery_id,
    event: r.event,
    action: r.action,
    state: r.state,
    receivedAt: r.received_at,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    finishedAt: r.finished_at,
  };
}

function toDelivery(r: DeliveryRow): InboxDelivery {
  return { ...toSummary(r), payload: r.payload ?? "" };
}
