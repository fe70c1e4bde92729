/**
 * The Probot application function: wires each event to its handler and the read-only routes.
 * No policy logic lives here. Everything the app holds between events (GitHub caches, the
 * evaluation queue, change-event counters) is created here, in `createPipelineDeps`.
 */
import type { ApplicationFunction, Probot } from "probot";
import type { AuditStore } from "./audit/audit-store.js";
import type { Leases } from "./cluster/leases.js";
import type { ConditionalReads } from "./github/conditional-requests.js";
import type { GitHub } from "./github/github.js";
import type { GitHubOAuthConfig } from "./github/user-sign-in.js";
import { healthzHandler, readRoutes } from "./serve/read-routes.js";
import type { GitHubCaches } from "./github/caches.js";
import type { ChangeEventOptions, ChangeEventStats } from "./notify/change-events.js";
import { onCheckRunRerequested, onCheckSuiteRerequested } from "./handlers/check-run.js";
import { createPipelineDeps } from "./handlers/pipeline-deps.js";
import type { TrustedProxies } from "./http/client-address.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onMergeGroup } from "./handlers/merge-group.js";
import { onPullRequestReview, PULL_REQUEST_REVIEW_EVENTS } from "./handlers/pull-request-review.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { reconcileHealth, type Reconciler } from "./handlers/reconcile.js";
import type { WebhookInbox } from "./inbox/webhook-inbox.js";
import { createAppMetrics, type AppMetrics } from "./metrics/app-metrics.js";
import { createMetricsHandler } from "./http/metrics-route.js";

export interface AppOptions {
  store: AuditStore;
  appId?: number | null;
  now?: () => number;
  /** POST a change event for every recorded merge (INCIDENT_WEBHOOK_URL). */
  changeEvents?: ChangeEventOptions | null;
  /** AUDIT_API_TOKEN: turns on the read-only audit API and the dashboard's token sign-in. */
  auditApiToken?: string | null;
  /** GITHUB_CLIENT_ID/SECRET: the dashboard's GitHub sign-in (each user sees their repositories). */
  githubOAuth?: GitHubOAuthConfig | null;
  /** Links from the dashboard to pull requests and commits (GHE: its web URL). */
  githubUrl?: string;
  /** Evaluation leases shared by replicas (REDIS_URL); null for a single process. */
  leases?: Leases | null;
  /** TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the client (the sign-in throttle). */
  trustedProxies?: TrustedProxies | null;
  /** Register HTTP routes (needs Probot's server; off for probot.receive-only use). */
  serve?: boolean;
  /** State to use instead of fresh state (tests that look inside or empty the caches). */
  caches?: GitHubCaches;
  /** ETags and bodies of repeated reads (main shares them through Redis when REDIS_URL is set); default: in memory. */
  conditionalReads?: ConditionalReads;
  changeEventStats?: ChangeEventStats;
  /** The recovery sweep (RECONCILE_INTERVAL_SECONDS): attached to the app here, started by its own timer. */
  reconciler?: Reconciler | null;
  /**
   * The durable webhook inbox (main creates it on the audit store): deliveries are stored before
   * they are answered and processed with retries. Without it Probot answers and processes them
   * itself (probot.receive in tests, serverless adapters).
   */
  inbox?: WebhookInbox | null;
  /** The Prometheus registry's metrics (main shares it with the Octokit that counts GitHub calls). */
  metrics?: AppMetrics | null;
  /** METRICS_TOKEN (else AUDIT_API_TOKEN): turns on GET /metrics behind that bearer token. */
  metricsToken?: string | null;
  /** What is failing now (main's OutageWatch): shown in /healthz as `down`. */
  outages?: { down(): { dependency: string; since: string }[] } | null;
}

export function createApp(options: AppOptions): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    const metrics = options.metrics ?? createAppMetrics({ processMetrics: false });
    const inbox = options.inbox ?? null;
    const deps = createPipelineDeps({
      store: options.store,
      appId: options.appId ?? null,
      now: options.now ?? Date.now,
      changeEvents: options.changeEvents ?? null,
      leases: options.leases ?? null,
      metrics,
      // Only the inbox retries a delivery: without it a transient failure would just be lost.
      retryTransient: inbox !== null,
      ...(inbox ? { willRetry: (deliveryId: string) => inbox.willRetry(deliveryId) } : {}),
    });
    if (options.caches) deps.caches = options.caches;
    if (options.conditionalReads) deps.caches = { ...deps.caches, conditionalReads: options.conditionalReads };
    if (options.changeEventStats) deps.changeEventStats = options.changeEventStats;
    // Every event's Octokit re-reads through the ETag cache and counts what it spends.
    const withReads = <C extends { octokit: unknown }>(context: C): C => {
      deps.caches.conditionalReads.attach(context.octokit as GitHub);
      return context;
    };

    app.on([...PULL_REQUEST_EVENTS], (context) => onPullRequest(withReads(context), deps));
    app.on([...PULL_REQUEST_REVIEW_EVENTS], (context) => onPullRequestReview(withReads(context), deps));
    app.on("check_run.rerequested", (context) => onCheckRunRerequested(withReads(context), deps));
    app.on("check_suite.rerequested", (context) => onCheckSuiteRerequested(withReads(context), deps));
    app.on("merge_group.checks_requested", (context) => onMergeGroup(withReads(context), deps));
    app.on("issue_comment.created", (context) => onIssueComment(withReads(context), deps));
    options.reconciler?.attach(app, deps);

    // Probot's addHandler throws "No server instance" when the app is loaded without its HTTP
    // server (probot.receive in tests, serverless adapters): routes are then simply not served.
    if (options.serve !== false) {
      if (inbox) inbox.attach(app);
      addHandler(
        healthzHandler(async () => {
          const reconcile = reconcileHealth(options.reconciler ?? null);
          const health = inbox
            ? { inbox: await inbox.health().catch((error: Error) => ({ error: `the inbox could not be read: ${error.message}` })) }
            : {};
          const down = options.outages?.down() ?? [];
          return { ok: true, store: options.store.engine, down, changeEvents: deps.changeEventStats, reconcile, ...health };
        }),
      );
      const metricsToken = options.metricsToken ?? options.auditApiToken;
      if (metricsToken) addHandler(createMetricsHandler({ metrics, token: metricsToken }));
      // The JSON API takes the bearer token only; the dashboard is on with either sign-in.
      for (const route of readRoutes({ ...options, log: app.log })) addHandler(route);
    }
  };
}
