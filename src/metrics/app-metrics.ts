/**
 * The app's Prometheus metrics, in one registry per app instance (created in `main`, or by
 * `createApp` when none is given), never the prom-client global one: two apps in one process
 * (tests, the bench) keep separate counts. docs/operations-metrics.md describes each metric.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface AppMetrics {
  readonly registry: Registry;
  /** Verified deliveries accepted by the webhook receiver (stored in the inbox), by event. */
  readonly deliveriesReceived: Counter<"event">;
  /** Deliveries processed to the end, by event. */
  readonly deliveriesProcessed: Counter<"event">;
  /** Failed processing attempts (each retry counts), by event. */
  readonly deliveriesFailed: Counter<"event">;
  /** Deliveries parked after their last attempt, by event. */
  readonly deliveriesParked: Counter<"event">;
  /** One pipeline run (config → snapshot → verdict → check run → record), by conclusion. */
  readonly evaluationSeconds: Histogram<"conclusion">;
  /** GitHub API requests by kind (method and route) and status class. */
  readonly githubRequests: Counter<"kind" | "status">;
  /** The last `x-ratelimit-remaining` GitHub answered, per rate-limit resource (core, graphql, …). */
  readonly githubRateLimitRemaining: Gauge<"resource">;
  /** Reconcile sweeps, by result (ok, failed). */
  readonly sweepRuns: Counter<"result">;
  /** What sweeps recovered, by kind (redelivery, merge, check). */
  readonly sweepRecoveries: Counter<"kind">;
  /** Where the inbox gauges (pending, oldest pending age, parked) read from at scrape time. */
  watchInbox(source: InboxGaugeSource): void;
}

/** Reads the inbox's state when Prometheus scrapes (one small query per scrape). */
export type InboxGaugeSource = () => Promise<{ pending: number; oldestPendingAgeSeconds: number | null; parked: number }>;

export function createAppMetrics(options: { processMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "countersign_process_" });
  const registers = [registry];
  let inboxSource: InboxGaugeSource | null = null;
  let inboxRead: Promise<Awaited<ReturnType<InboxGaugeSource>> | null> | null = null;
  // The three inbox gauges share one read per scrape.
  const readInbox = () => {
    inboxRead ??= (inboxSource ? inboxSource() : Promise.resolve(null)).finally(() => setImmediate(() => (inboxRead = null)));
    return inboxRead;
  };
  const inboxGauge = (name: string, help: string, pick: (s: Awaited<ReturnType<InboxGaugeSource>>) => number | null) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const stats = await readInbox().catch(() => null);
        const value = stats ? pick(stats) : null;
        if (value === null) this.reset();
        else this.set(value);
      },
    });
  inboxGauge("countersign_inbox_pending", "Deliveries waiting in the inbox (due now or waiting for a retry).", (s) => s.pending);
  inboxGauge(
    "countersign_inbox_oldest_pending_age_seconds",
    "Age of the oldest pending delivery (absent when none).",
    (s) => s.oldestPendingAgeSeconds,
  );
  inboxGauge("countersign_inbox_parked", "Deliveries parked after their last attempt.", (s) => s.parked);
  const counter = <L extends string>(name: string, help: string, label: L) =>
    new Counter<L>({ name, help, labelNames: [label], registers });

  return {
    registry,
    deliveriesReceived: counter("countersign_deliveries_received_total", "Verified webhook deliveries stored in the inbox.", "event"),
    deliveriesProcessed: counter("countersign_deliveries_processed_total", "Deliveries processed successfully.", "event"),
    deliveriesFailed: counter("countersign_deliveries_failed_total", "Failed processing attempts (each retry counts).", "event"),
    deliveriesParked: counter("countersign_deliveries_parked_total", "Deliveries parked after their last attempt.", "event"),
    evaluationSeconds: new Histogram({
      name: "countersign_evaluation_duration_seconds",
      help: "Time of one evaluation: config, snapshot, verdict, check run and audit record.",
      labelNames: ["conclusion"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    githubRequests: new Counter({
      name: "countersign_github_requests_total",
      help: "GitHub API requests by kind (method and route) and status class.",
      labelNames: ["kind", "status"],
      registers,
    }),
    githubRateLimitRemaining: new Gauge({
      name: "countersign_github_rate_limit_remaining",
      help: "The last x-ratelimit-remaining GitHub answered, per resource.",
      labelNames: ["resource"],
      registers,
    }),
    sweepRuns: counter("countersign_sweep_runs_total", "Reconcile sweeps run by this replica, by result.", "result"),
    sweepRecoveries: counter("countersign_sweep_recoveries_total", "What reconcile sweeps recovered, by kind.", "kind"),
    watchInbox(source) {
      inboxSource = source;
    },
  };
}
