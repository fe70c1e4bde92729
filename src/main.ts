/**
 * Process entry (`npm start`): parse the environment → open the audit store (migrations run) →
 * connect to Redis when REDIS_URL is set (replicas) → start the Probot server. Without APP_ID,
 * setup mode: Probot's page to register the app from app.yml, and /healthz (src/serve/setup-mode.ts).
 * Both log through the redacting logger. Probot reads REDIS_URL itself too, for its cluster-wide
 * throttle (ioredis, a dependency so it is never fetched at run time).
 */
import { existsSync } from "node:fs";
import { createApp } from "./app.js";
import { startAppServer } from "./http/app-server.js";
import { limitRequestBodies } from "./http/body-limit.js";
import { ConditionalReads, redisReadStore } from "./github/conditional-requests.js";
import { isRedisOutage } from "./github/errors.js";
import { redisPendingChecks, shareCheckPending } from "./github/write-pacing.js";
import { CountersignOctokit, GITHUB_READS, withGitHubMetrics, withOutageSignals } from "./github/octokit.js";
import { WebhookInbox } from "./inbox/webhook-inbox.js";
import { createAppMetrics } from "./metrics/app-metrics.js";
import { openAuditStore } from "./audit/open-audit-store.js";
import { openRedisLeases } from "./cluster/redis-leases.js";
import { githubOAuthOf, githubUrls, parseEnv, reconcileIntervalMs } from "./env.js";
import { OutageWatch } from "./handlers/outage-watch.js";
import { createReconciler } from "./handlers/reconcile.js";
import { startSetupMode } from "./serve/setup-mode.js";
import { createRedactingLog, logOptionsFromEnv } from "./redacting-log.js";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const parsed = parseEnv(process.env);
  if (!parsed.ok) {
    console.error(`countersign: refusing to start:\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}`);
    process.exit(1);
  }
  const env = parsed.env;
  // Probot's logger with credentials redacted: its request logger writes every header and URL.
  const log = await createRedactingLog(logOptionsFromEnv(process.env));
  if (!env.APP_ID) {
    const server = await startSetupMode({ host: env.HOST ?? "localhost", port: Number(env.PORT ?? 3000), log });
    process.once("SIGTERM", () => void server.stop().then(() => process.exit(0)));
    return;
  }
  // While Redis is down, ioredis rejects commands that Bottleneck (the clustered throttle) issued
  // without waiting for them. Those must not stop the process: what failed is retried by the inbox.
  // Any other unhandled rejection still ends it, as Node does by default.
  process.on("unhandledRejection", (reason) => {
    if (!isRedisOutage(reason)) throw reason;
    log.error({ err: reason }, "Redis unavailable: a throttle command failed (the process goes on)");
  });
  const store = await openAuditStore(env.DATABASE_URL);
  const leases = env.REDIS_URL ? await openRedisLeases(env.REDIS_URL) : null;
  // Labels and review requests give way to the checks every replica is evaluating.
  if (leases) shareCheckPending(redisPendingChecks(leases.redis));
  const changeEvents = env.INCIDENT_WEBHOOK_URL
    ? { url: env.INCIDENT_WEBHOOK_URL, routingKey: env.INCIDENT_WEBHOOK_ROUTING_KEY ?? null, webHost: env.GHE_HOST ?? "github.com" }
    : null;
  const metrics = createAppMetrics();
  const REDIS = "Redis";
  // GitHub, the store or Redis answering again after failing starts recovery at once (inbox retries
  // due now, a sweep now) instead of at each delivery's backoff or the next timed sweep.
  const outages = new OutageWatch((dependency, downMs) => {
    log.warn({ dependency, downSeconds: Math.round(downMs / 1000) }, `${dependency} answering again: recovering now`);
    reconciler?.dependencyRecovered(dependency);
  });
  if (leases) {
    leases.redis.on("error", () => outages.failed(REDIS));
    leases.redis.on("close", () => outages.failed(REDIS));
    leases.redis.on("ready", () => outages.succeeded(REDIS));
  }
  const inbox = new WebhookInbox({
    outageSignals: outages,
    store: store.inbox(),
    metrics,
    // Bodies bounded before anything reads them, on every path (the receiver stands first).
    guard: (receiver, path) => limitRequestBodies(receiver, path),
    ...(env.INBOX_MAX_ATTEMPTS ? { maxAttempts: Number(env.INBOX_MAX_ATTEMPTS) } : {}),
    ...(env.INBOX_RETENTION_DAYS ? { retentionDays: Number(env.INBOX_RETENTION_DAYS) } : {}),
  });
  // The recovery sweep needs the App's identity (it reads the webhook's delivery log with a JWT).
  const reconciler = env.APP_ID ? createReconciler({ intervalMs: reconcileIntervalMs(env), onRetriesDue: () => inbox.wake() }) : null;
  // Once GitHub's reads fail, it is asked every few seconds whether it answers again (GET /app), so
  // recovery does not wait for the next webhook, retry or timed sweep to notice.
  if (reconciler) outages.probe(GITHUB_READS, () => reconciler.probeGitHub());
  // Replicas share kept ETags and bodies through the same Redis, so a read one made is a 304 for all.
  const conditionalReads = new ConditionalReads({ shared: leases ? redisReadStore(leases.redis) : null });
  const app = createApp({
    store,
    appId: env.APP_ID ? Number(env.APP_ID) : null,
    changeEvents,
    auditApiToken: env.AUDIT_API_TOKEN ?? null,
    githubOAuth: githubOAuthOf(env),
    githubUrl: githubUrls(env).web,
    leases,
    reconciler,
    inbox,
    metrics,
    metricsToken: env.METRICS_TOKEN ?? null,
    trustedProxies: env.TRUSTED_PROXIES ?? null,
    conditionalReads,
    outages,
  });
  const server = await startAppServer({
    app,
    log,
    Octokit: withOutageSignals(withGitHubMetrics(CountersignOctokit, metrics), outages),
    env: process.env,
  });
  // The first sweep as soon as the server listens (redeliveries it asks for can be answered): after a
  // crash, what was missed is recovered now, not one start-up delay later.
  reconciler?.start();
  const stop = async () => {
    reconciler?.stop();
    outages.stop();
    await server.stop();
    // Deliveries in flight finish; pending ones stay in the inbox for the next start.
    await inbox.stop();
    await leases?.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(`countersign: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
