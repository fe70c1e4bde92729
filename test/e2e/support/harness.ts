/**
 * One end-to-end world per test: the GitHub simulator on a real port, the real app (createApp)
 * behind Probot's own webhook middleware on another, a fresh SQLite audit trail, and the
 * simulator's webhooks pointed at the app. Deliveries are signed HTTP POSTs; every GitHub call
 * the app makes is a real HTTP request the simulator logs.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { pino } from "pino";
import { createNodeMiddleware, Probot } from "probot";
import { createApp } from "../../../src/app.js";
import type { AuditStore } from "../../../src/audit/audit-store.js";
import { openAuditStore } from "../../../src/audit/open-audit-store.js";
import { clearBaseFilesCache } from "../../../src/github/base-files.js";
import { clearCheckRunCache } from "../../../src/github/check-run.js";
import { clearCodeownersCache } from "../../../src/github/codeowners-cache.js";
import { ConditionalReads } from "../../../src/github/conditional-requests.js";
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
  /** The app's webhook URL. */
  webhookUrl: string;
  /** Drops the app's per-process caches (base files, check runs, CODEOWNERS, kept ETags): the next evaluation is cold. */
  coldCaches(): void;
  close(): Promise<void>;
}

let repoCounter = 0;

/** A repository name no other test in this process used (the app caches by repo and SHA). */
export function uniqueRepo(prefix = "svc"): string {
  return `acme/${prefix}-${process.pid}-${++repoCounter}`;
}

export async function startHarness(options: E2eOctokitOptions & { latencyMs?: number; log?: boolean } = {}): Promise<Harness> {
  const conditionalReads = new ConditionalReads();
  const coldCaches = () => {
    conditionalReads.clear();
    clearBaseFilesCache();
    clearCheckRunCache();
    clearCodeownersCache();
  };
  coldCaches();
  const dir = mkdtempSync(join(tmpdir(), "countersign-e2e-"));
  const store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`);
  const sim = await startGitHubSimulator({ appId: APP_ID, publicKey: keys.publicKey, latencyMs: options.latencyMs ?? 0, log: options.log ? (l) => console.log(`sim: ${l}`) : null });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: keys.privateKey,
    secret: WEBHOOK_SECRET,
    baseUrl: sim.apiUrl,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    Octokit: e2eOctokit(options),
  });
  const middleware = await createNodeMiddleware(createApp({ store, appId: APP_ID, conditionalReads }), { probot });
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  sim.setWebhook({ url: webhookUrl, secret: WEBHOOK_SECRET });
  return {
    sim,
    store,
    webhookUrl,
    coldCaches,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sim.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** GitHub API calls in a slice of the simulator's log, split the way the budget counts them. */
export function tally(calls: string[]): { reads: string[]; writes: string[] } {
  const reads = calls.filter((c) => c.startsWith("GET ") || c === "POST /graphql").sort();
  const writes = calls.filter((c) => !reads.includes(c)).sort();
  return { reads, writes };
}
