/**
 * What every handler is given: the audit store, the app's identity and clock, and all the state
 * the app holds between events (GitHub caches, the evaluation queue, change-event counters).
 * `createApp` builds it once with `createPipelineDeps`; tests and the CLI build fresh ones.
 */
import type { AuditStore } from "../audit/audit-store.js";
import type { Leases } from "../cluster/leases.js";
import { createGitHubCaches, type GitHubCaches } from "../github/caches.js";
import { createChangeEventStats, type ChangeEventOptions, type ChangeEventStats } from "../notify/change-events.js";
import type { AppMetrics } from "../metrics/app-metrics.js";
import { Coalescer } from "./coalesce.js";
import { runEvaluationJob, type EvaluationJob, type EvaluationOutcome } from "./evaluate-pull-request.js";

export interface PipelineDeps {
  store: AuditStore;
  /** Where to POST a change event for every recorded merge (INCIDENT_WEBHOOK_URL). */
  changeEvents?: ChangeEventOptions | null;
  /** Our app id, to tell our check runs from another app's of the same name. */
  appId: number | null;
  now: () => number;
  /**
   * Set when replicas share Redis (REDIS_URL): evaluations of one head take turns across
   * processes, and the check run is read back instead of remembered (another replica may have
   * written it since).
   */
  leases?: Leases | null;
  /** Base files, parsed CODEOWNERS, check runs and owner actions remembered across events. */
  caches: GitHubCaches;
  /** One evaluation in flight per PR head, plus one trailing run (see evaluate-pull-request.ts). */
  evaluations: Coalescer<EvaluationJob, EvaluationOutcome>;
  /** Change events sent, failed and retried (served on /healthz). */
  changeEventStats: ChangeEventStats;
  /** Evaluation latency (and other app metrics); absent in tests that do not look. */
  metrics?: AppMetrics | null;
  /**
   * Set when deliveries are retried (the durable inbox): after the fail-closed check is written,
   * a transient GitHub failure is thrown again so the delivery is tried later.
   */
  retryTransient?: boolean;
  /**
   * Whether the inbox will try this delivery again if it fails now (it is not on its last
   * attempt). A failure it will retry does not rewrite a check that already says "could not
   * evaluate" (src/github/check-run.ts); the last attempt does.
   */
  willRetry?: (deliveryId: string) => boolean;
}

export type PipelineOptions = Pick<PipelineDeps, "store" | "appId" | "now"> &
  Partial<Pick<PipelineDeps, "changeEvents" | "leases" | "metrics" | "retryTransient" | "willRetry">>;

/** Fresh state around the given store and settings. */
export function createPipelineDeps(options: PipelineOptions): PipelineDeps {
  return {
    changeEvents: null,
    leases: null,
    ...options,
    caches: createGitHubCaches(),
    evaluations: new Coalescer(runEvaluationJob),
    changeEventStats: createChangeEventStats(),
  };
}
