/**
 * One end-to-end world per test: the GitHub simulator on a real port, the real app (createApp)
 * behind Probot's own webhook middleware on another, a fresh SQLite audit trail, and the
 * simulator's webhooks pointed at the app. Deliveries are signed HTTP POSTs; every GitHub call
 * the app makes is a real HTTP request the simulator logs.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { pino } from "pino";
import { createNodeMiddleware, Probot } from "probot";
import { createApp } from "../../../src/app.js";
import type { AuditStore } from "../../../src/audit/audit-store.js";
import { openAuditStore } from "../../../src/audit/open-audit-store.js";
import { createGitHubCaches } from "../../../src/github/caches.js";
import { createReconciler, type Reconciler } from "../../../src/handlers/reconcile.js";
import { GITHUB_READS, withGitHubMetrics, withOutageSignals } from "../../../src/github/octokit.js";
import { OutageWatch } from "../../../src/handlers/outage-watch.js";
import type { InboxTuning } from "../../../src/inbox/inbox-worker.js";
import { WebhookInbox } from "../../../src/inbox/webhook-inbox.js";
import { createAppMetrics, type AppMetrics } from "../../../src/metrics/app-metrics.js";
import { startGitHubSimulator, type GitHubSimulator } from "../../../tools/github-simulator/index.mjs";
import { e2eOctokit, type E2eOctokitOptions } from "./octokit.js";

// jest's setup file (test/setup/nock-restore.ts) imports nock in every test file, and importing
// nock patches http and fetch; its fetch passthrough breaks requests with bodies. These tests
// are real HTTP end to end: switch the interception off for this file.
nock.restore();

export const APP_ID = 31337;
export const WEBHOOK_SECRET = "e2e-webhook-secret";

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export interface Harness {
  sim: GitHubSimulator;
  store: AuditStore;
  inbox: WebhookInbox;
  metrics: AppMetrics;
  /** The app's base URL (for /healthz, /metrics). */
  appUrl: string;
  /** The app's webhook URL. */
  webhookUrl: string;
  /**
   * The recovery sweep, without a timer: tests run it with `reconciler.runSweep()` (with
   * `outageWatch`, it also runs by itself when GitHub or the store answers again).
   */
  reconciler: Reconciler;
  /** With `outageWatch`: main's watch of what is failing, wired as main wires it; else null. */
  outages: OutageWatch | null;
  /** Points the simulator's webhooks at a closed port (the app is down) or back at the app. */
  appDown(down: boolean): void;
  /** Drops the app's per-process caches (base files, check runs, CODEOWNERS, kept ETags): the next evaluation is cold. */
  coldCaches(): void;
  close(): Promise<void>;
}

let repoCounter = 0;

/** A repository name no other test in this process used (the app caches by repo and SHA). */
export function uniqueRepo(prefix = "svc"): string {
  return `acme/${prefix}-${process.pid}-${++repoCounter}`;
}

export interface HarnessOptions extends E2eOctokitOptions {
  latencyMs?: number;
  log?: boolean;
  /**
   * Hold each webhook answer until the inbox has processed everything due (default true), so a
   * test can assert right after a delivery as it could when Probot answered after processing.
   * Inbox tests turn it off to see the asynchronous behaviour.
   */
  settle?: boolean;
  /** Inbox retry timing, scaled down (default: first retry after 50 ms). */
  inbox?: InboxTuning;
  /** An existing audit database (sqlite://…) instead of a fresh one, and the simulator of an earlier harness: a restart. */
  databaseUrl?: string;
  sim?: GitHubSimulator;
  metricsToken?: string;
  /**
   * One clock (epoch ms) for GitHub's timestamps (the simulator's `created_at`…) and the audit
   * trail's `recorded_at`, so a test can order them; default the wall clock.
   */
  clock?: () => number;
  /**
   * Wire the outage watch as main does (GitHub's answers and the inbox's claims report to it; GitHub
   * is probed every 100 ms while its reads fail; a recovery makes retries due and sweeps). The
   * reconciler then has a timer interval (an hour, never reached), so recovery sweeps can run.
   */
  outageWatch?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // The app's own caches, created here so a test can make the next evaluation cold.
  const caches = createGitHubCaches();
  const coldCaches = () => {
    caches.baseFiles.clear();
    caches.remoteConfig.clear();
    caches.checkRuns.clear();
    caches.codeowners.clear();
    caches.codeownersErrors.clear();
    caches.conditionalReads.clear();
  };
  const dir = mkdtempSync(join(tmpdir(), "countersign-e2e-"));
  const clock = options.clock;
  const storeOptions = clock ? { now: () => new Date(clock()) } : {};
  const store = await openAuditStore(options.databaseUrl ?? `sqlite://${join(dir, "audit.db")}`, storeOptions);
  const metrics = createAppMetrics({ processMetrics: false });
  const outages = options.outageWatch
    ? new OutageWatch((dependency) => reconciler.dependencyRecovered(dependency), { probeEveryMs: 100 })
    : null;
  const inbox = new WebhookInbox({
    store: store.inbox(),
    metrics,
    retryBaseMs: 50,
    retryMaxMs: 1000,
    pollMs: 100,
    outageSignals: outages,
    ...options.inbox,
  });
  const sim = options.sim ?? (await startHarnessSimulator(options));
  const probot = new Probot({
    appId: APP_ID,
    privateKey: keys.privateKey,
    secret: WEBHOOK_SECRET,
    baseUrl: sim.apiUrl,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    Octokit: outages
      ? withOutageSignals(withGitHubMetrics(e2eOctokit(options), metrics), outages)
      : withGitHubMetrics(e2eOctokit(options), metrics),
  });
  const reconciler = outages
    ? createReconciler({ intervalMs: 3600_000, startDelayMs: 3600_000, onRetriesDue: () => inbox.wake() })
    : createReconciler({ intervalMs: 0 });
  outages?.probe(GITHUB_READS, () => reconciler.probeGitHub());
  const app = createApp({ store, appId: APP_ID, caches, reconciler, inbox, metrics, metricsToken: options.metricsToken ?? null });
  const middleware = await createNodeMiddleware(app, { probot });
  const settle = options.settle ?? true;
  const server: Server = createServer((req, res) => {
    if (settle && req.method === "POST" && req.url?.startsWith("/api/github/webhooks")) {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        void inbox.whenIdle().finally(() => end(...args));
        return res;
      }) as typeof res.end;
    }
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const webhookUrl = `${appUrl}/api/github/webhooks`;
  sim.setWebhook({ url: webhookUrl, secret: WEBHOOK_SECRET });
  return {
    sim,
    store,
    inbox,
    metrics,
    appUrl,
    webhookUrl,
    reconciler,
    outages,
    // Port 9 (discard) on loopback has no listener: connection refused, as for a stopped app.
    appDown: (down) => sim.setWebhook({ url: down ? "http://127.0.0.1:9/api/github/webhooks" : webhookUrl, secret: WEBHOOK_SECRET }),
    coldCaches,
    async close() {
      reconciler.stop();
      outages?.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await inbox.stop();
      if (!options.sim) await sim.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A simulator that knows the harness app's key; pass it as `sim` to harnesses that share it (a restart). */
export function startHarnessSimulator(options: { latencyMs?: number; log?: boolean; clock?: () => number } = {}): Promise<GitHubSimulator> {
  const log = options.log ? (l: string) => console.log(`sim: ${l}`) : null;
  const clock = options.clock ? { clock: options.clock } : {};
  return startGitHubSimulator({ appId: APP_ID, publicKey: keys.publicKey, latencyMs: options.latencyMs ?? 0, log, ...clock });
}

/** GitHub API calls in a slice of the simulator's log, split the way the budget counts them. */
export function tally(calls: string[]): { reads: string[]; writes: string[] } {
  const reads = calls.filter((c) => c.startsWith("GET ") || c === "POST /graphql").sort();
  const writes = calls.filter((c) => !reads.includes(c)).sort();
  return { reads, writes };
}
