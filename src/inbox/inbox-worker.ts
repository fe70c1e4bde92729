/**
 * Processes the inbox: claims due deliveries (woken on every insert, and polled, so rows left by a
 * stopped or crashed replica are picked up), dispatches each through Probot's handlers, marks it
 * done, and on failure schedules a retry with exponential backoff, parking it with its error after
 * the last attempt. A claim is a lease renewed while the delivery is processed, so each delivery is
 * processed by one replica at a time. Also prunes done deliveries, one replica at a time.
 */
import { EventEmitter, once } from "node:events";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Logger } from "probot";
import type { InboxDelivery, InboxStore } from "../audit/inbox-store.js";
import type { AppMetrics } from "../metrics/app-metrics.js";

export interface InboxTuning {
  /** Attempts before a delivery is parked (default 6). */
  maxAttempts?: number;
  /** Delay before the first retry; each further one is 3× longer, up to `retryMaxMs` (default 15 s). */
  retryBaseMs?: number;
  /** Longest delay between attempts (default 30 min): 6 attempts span about half an hour. */
  retryMaxMs?: number;
  /** How often the inbox is polled for due deliveries besides the wake-up on insert (default 5 s). */
  pollMs?: number;
  /**
   * How long a claim lasts without renewal (default 15 s; renewed every third of it while the delivery
   * is processed): how long the deliveries of a replica killed mid-processing wait for another one.
   */
  leaseMs?: number;
  /** Deliveries processed at once by this replica (default 16). */
  concurrency?: number;
  /** Done deliveries are deleted after this many days (default 7). */
  retentionDays?: number;
  /** How often pruning runs, on one replica (default 1 h). */
  pruneEveryMs?: number;
}

export interface DispatchedEvent {
  id: string;
  name: string;
  payload: unknown;
}

export interface InboxWorkerOptions extends InboxTuning {
  store: InboxStore;
  dispatch: (event: DispatchedEvent) => Promise<void>;
  log: Logger;
  metrics?: AppMetrics | null;
  now?: () => Date;
  /** This replica's name in claims (default host:pid:random). */
  owner?: string;
  /**
   * Told when the store fails to hand out deliveries and when it does again ("the audit store"), so
   * the app starts recovering when the store is back (src/handlers/outage-watch.ts).
   */
  outageSignals?: { failed(dependency: string): void; succeeded(dependency: string): void } | null;
}

/** The inbox store's name to the outage watch. */
export const AUDIT_STORE = "the audit store";

export const INBOX_DEFAULTS = {
  maxAttempts: 6,
  retryBaseMs: 15_000,
  retryMaxMs: 30 * 60_000,
  pollMs: 5_000,
  leaseMs: 15_000,
  concurrency: 16,
  retentionDays: 7,
  pruneEveryMs: 60 * 60_000,
} as const satisfies Required<InboxTuning>;

const PRUNE_JOB = "inbox-prune";

export class InboxWorker {
  readonly owner: string;
  private readonly o: Required<InboxTuning>;
  private readonly now: () => Date;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The attempt number of each delivery in flight. */
  private readonly attempts = new Map<string, number>();
  private readonly events = new EventEmitter();
  private pumping: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private lastPrune = 0;

  constructor(private readonly options: InboxWorkerOptions) {
    this.o = { ...INBOX_DEFAULTS, ...definedOnly(options) };
    this.now = options.now ?? (() => new Date());
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.tick(), this.o.pollMs);
    this.timer.unref();
    this.tick();
  }

  /** Whether `deliveryId`, being processed now, would be tried again if this attempt failed. */
  willRetry(deliveryId: string): boolean {
    const attempts = this.attempts.get(deliveryId);
    return attempts !== undefined && attempts < this.o.maxAttempts;
  }

  /** A delivery was stored: look for work now instead of at the next poll. */
  wake(): void {
    if (!this.stopped) void this.pump();
  }

  /** Stops claiming and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pumping;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Resolves once nothing is in flight and nothing is due (retries scheduled later do not count). */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.inFlight.size === 0) {
        await this.pump();
        if (this.inFlight.size === 0) return;
        continue; // checked and waited for without yielding in between: no settle is missed
      }
      await once(this.events, "settled");
    }
  }

  /** Milliseconds before attempt `attempts + 1`: 15 s, 45 s, 2¼ min, … (±20 % jitter), at most retryMaxMs. */
  retryDelay(attempts: number): number {
    const base = Math.min(this.o.retryBaseMs * 3 ** Math.max(0, attempts - 1), this.o.retryMaxMs);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private tick(): void {
    void this.pump();
    if (Date.now() - this.lastPrune >= this.o.pruneEveryMs) {
      this.lastPrune = Date.now();
      void this.prune();
    }
  }

  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    // try/finally inside one async function: no await between the last `again` check and the
    // reset of `pumping`, so a wake-up is never lost between them.
    this.pumping = (async () => {
      try {
        do {
          this.again = false;
          await this.claimBatch();
        } while (this.again && !this.stopped);
      } finally {
        this.pumping = null;
        this.events.emit("settled");
      }
    })();
    return this.pumping;
  }

  private async claimBatch(): Promise<void> {
    const free = this.o.concurrency - this.inFlight.size;
    if (this.stopped || free <= 0) return;
    let batch: InboxDelivery[];
    try {
      batch = await this.options.store.claim({ owner: this.owner, now: this.now(), leaseMs: this.o.leaseMs, limit: free });
    } catch (error) {
      this.options.outageSignals?.failed(AUDIT_STORE);
      this.options.log.error({ err: error }, "inbox: could not claim deliveries (will poll again)");
      return;
    }
    this.options.outageSignals?.succeeded(AUDIT_STORE);
    for (const d of batch) {
      this.attempts.set(d.id, d.attempts);
      const run = this.process(d).finally(() => {
        this.inFlight.delete(d.id);
        this.attempts.delete(d.id);
        this.events.emit("settled");
        this.wake();
      });
      this.inFlight.set(d.id, run);
    }
    if (batch.length === free) this.again = true;
  }

  private async process(d: InboxDelivery): Promise<void> {
    const { store, log, metrics } = this.options;
    const ctx = { delivery: d.id, event: d.action ? `${d.event}.${d.action}` : d.event, attempt: d.attempts };
    const renew = setInterval(
      () => {
        void store.renew(d.id, this.owner, new Date(this.now().getTime() + this.o.leaseMs)).catch(() => {});
      },
      Math.max(1, Math.floor(this.o.leaseMs / 3)),
    );
    renew.unref();
    try {
      if (d.attempts > this.o.maxAttempts) {
        throw new ParkNow(`claimed ${d.attempts} times without finishing (a replica may have crashed while processing it)`);
      }
      let payload: unknown;
      try {
        payload = JSON.parse(d.payload);
      } catch {
        throw new ParkNow("the stored payload is not JSON");
      }
      await this.options.dispatch({ id: d.id, name: d.event, payload });
      clearInterval(renew);
      if (!(await store.complete(d.id, this.owner, this.now()))) {
        log.warn(ctx, "inbox: processed, but the claim had expired and another replica may process it again");
      }
      metrics?.deliveriesProcessed.inc({ event: d.event });
    } catch (error) {
      clearInterval(renew);
      const message = describeError(error);
      metrics?.deliveriesFailed.inc({ event: d.event });
      const park = error instanceof ParkNow || d.attempts >= this.o.maxAttempts;
      const retryAt = park ? null : new Date(this.now().getTime() + this.retryDelay(d.attempts));
      try {
        await store.fail(d.id, this.owner, message, this.now(), retryAt);
      } catch (storeError) {
        log.error({ ...ctx, err: storeError }, "inbox: could not record the failure; the delivery is retried when its claim expires");
        return;
      }
      if (park) {
        metrics?.deliveriesParked.inc({ event: d.event });
        const next = `\`countersign inbox retry ${d.id}\` tries it again`;
        log.error({ ...ctx, error: message }, `inbox: delivery parked after ${d.attempts} attempts; ${next}`);
      } else {
        log.warn({ ...ctx, error: message, retryAt: retryAt!.toISOString() }, "inbox: delivery failed; retrying later");
      }
    } finally {
      clearInterval(renew);
    }
  }

  private async prune(): Promise<void> {
    const { store, log } = this.options;
    const now = this.now();
    try {
      if (!(await store.claimJob(PRUNE_JOB, this.owner, now, { leaseMs: 10 * 60_000, everyMs: this.o.pruneEveryMs }))) return;
      const pruned = await store.prune(new Date(now.getTime() - this.o.retentionDays * 86_400_000));
      await store.finishJob(PRUNE_JOB, this.owner, this.now(), JSON.stringify({ pruned }));
      if (pruned > 0) log.info({ pruned, retentionDays: this.o.retentionDays }, "inbox: pruned done deliveries");
    } catch (error) {
      log.warn({ err: error }, "inbox: pruning failed (tried again at the next interval)");
    }
  }
}

/** A failure no retry can fix. */
class ParkNow extends Error {}

/** The message of an error, and of each error inside an AggregateError (Probot's handler errors). */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describeError).join("; ");
  const e = error as { message?: string; status?: number; request?: { method?: string; url?: string } };
  const where = e?.request?.method && e.request.url ? ` (${e.request.method} ${e.request.url.replace(/\?.*$/, "")})` : "";
  const status = typeof e?.status === "number" ? `HTTP ${e.status}: ` : "";
  return `${status}${e?.message ?? String(error)}${where}`;
}

function definedOnly(t: InboxTuning): InboxTuning {
  return Object.fromEntries(Object.entries(t).filter(([k, v]) => v !== undefined && k in INBOX_DEFAULTS)) as InboxTuning;
}
