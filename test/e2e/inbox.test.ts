/**
 * The durable inbox end to end: signed deliveries to the real app, GitHub (the simulator) failing.
 * A delivery is stored before it is answered; processing failures are retried with backoff, then
 * parked; a restart picks up what was stored; a redelivered id is not processed twice.
 * These harnesses answer at once (`settle: false`): the tests wait for the outcome.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { startHarness, startHarnessSimulator, uniqueRepo, type Harness } from "./support/harness.js";
import { approvedExportPull } from "./support/export-pull.js";

const harnesses: Harness[] = [];
const dirs: string[] = [];
const sims: GitHubSimulator[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0).reverse()) await h.close();
  for (const s of sims.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness({ retry: false, settle: false, ...options });
  harnesses.push(h);
  return h;
}

type Maybe<T> = T | null | undefined | false;

async function until<T>(what: string, probe: () => Promise<Maybe<T>> | Maybe<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function healthz(h: Harness): Promise<{ inbox: unknown }> {
  return (await (await fetch(`${h.appUrl}/healthz`)).json()) as { inbox: unknown };
}

async function metric(h: Harness, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await h.metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const match = m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return Number(match?.value ?? 0);
}

test("GitHub answering 502 to the reads: the delivery is stored (202), retried with backoff, and the check ends right", async () => {
  const h = await start();
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  const files = h.sim.fault({ method: "GET", path: `/pulls/${pr.number}/files`, status: 502, times: 2 });

  const res = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(res.status).toBe(202);
  expect(await h.store.inbox().get(res.id)).toMatchObject({ event: "pull_request", action: "opened" });

  const done = await until("the delivery to be done", async () => {
    const d = await h.store.inbox().get(res.id);
    return d?.state === "done" ? d : null;
  });
  // The first attempt read the files twice (GitHub answered the check-run listing in between, so
  // the evaluation ran once more before writing its failure); the second attempt succeeded.
  expect(files.hits).toBe(2);
  expect(done).toMatchObject({ attempts: 2, lastError: expect.stringContaining("502") });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  // One check run: the failing "could not evaluate" was updated in place, then to success.
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })).toHaveLength(1);
  expect(await metric(h, "countersign_deliveries_failed_total", { event: "pull_request" })).toBe(1);
  expect(await metric(h, "countersign_deliveries_processed_total", { event: "pull_request" })).toBe(1);
});

test("a merge delivered while GitHub's GraphQL fails is recorded once it recovers, without a backfill", async () => {
  const h = await start();
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  const merged = await h.sim.merge(repo, pr.number, { by: "pay-lead", deliver: false });
  h.sim.fault({ method: "POST", path: "/graphql", status: 502, times: 3 });

  expect((await h.sim.deliver(merged.delivery.event, merged.delivery.payload)).status).toBe(202);
  const record = await until("the merge record", () => h.store.getMerge(repo, pr.number), 20_000);
  expect(record).toMatchObject({ prNumber: pr.number, mergedBy: "pay-lead" });
  expect(await h.store.verify()).toMatchObject({ ok: true });
});

test("a delivery that keeps failing is parked with its error, shown in /healthz, and processed after a retry", async () => {
  const h = await start({ inbox: { maxAttempts: 3, retryBaseMs: 20, retryMaxMs: 50 } });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  h.sim.fault({ method: "GET", path: `/pulls/${pr.number}/files`, status: 503 });

  const res = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  const parked = await until("the delivery to be parked", async () => {
    const d = await h.store.inbox().get(res.id);
    return d?.state === "parked" ? d : null;
  });
  expect(parked).toMatchObject({ attempts: 3, lastError: expect.stringMatching(/503.*\/files/) });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure", title: "countersign could not evaluate" });

  expect((await healthz(h)).inbox).toEqual({ pending: 0, oldestPendingAgeSeconds: null, parked: 1 });
  expect(await metric(h, "countersign_deliveries_parked_total", { event: "pull_request" })).toBe(1);

  h.sim.clearFaults();
  expect(await h.store.inbox().retry(res.id, new Date())).toBe(true);
  await until("the retried delivery to be done", async () => (await h.store.inbox().get(res.id))?.state === "done");
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  expect((await healthz(h)).inbox).toMatchObject({ parked: 0 });
});

test("deliveries stored but not processed before a stop are processed after the restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-inbox-restart-"));
  dirs.push(dir);
  const databaseUrl = `sqlite://${join(dir, "audit.db")}`;
  const sim = await startHarnessSimulator();
  sims.push(sim);
  const first = await start({ databaseUrl, sim });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(first, repo);
  // The process stops processing (as if it died) but its receiver still stores what arrives.
  await first.inbox.stop();
  const opened = await first.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(opened.status).toBe(202);
  expect(first.sim.checkRuns(repo, { sha: pr.headSha })).toEqual([]);
  expect((await healthz(first)).inbox).toMatchObject({ pending: 1, oldestPendingAgeSeconds: expect.any(Number) });
  harnesses.splice(harnesses.indexOf(first), 1);
  await first.close();
  const second = await start({ databaseUrl, sim });

  await second.sim.waitForCheck(repo, pr.headSha, (r) => r.conclusion === "success");
  await until("the inbox to drain", async () => (await second.store.inbox().stats()).pending === 0);
  expect(await second.store.inbox().get(opened.id)).toMatchObject({ state: "done", attempts: 1 });
});

test("a redelivered id that is already done is acknowledged and not processed again", async () => {
  const h = await start({ settle: true });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  const first = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(await h.store.inbox().get(first.id)).toMatchObject({ state: "done" });
  const processed = await metric(h, "countersign_deliveries_processed_total", { event: "pull_request" });

  const mark = h.sim.mark();
  const again = await h.sim.redeliver(first.id);
  expect(again.status).toBe(202);
  expect(JSON.parse(again.body ?? "{}")).toMatchObject({ outcome: "duplicate" });
  await h.inbox.whenIdle();
  expect(h.sim.callsSince(mark)).toEqual([]);
  expect(await metric(h, "countersign_deliveries_processed_total", { event: "pull_request" })).toBe(processed);
  expect(await metric(h, "countersign_deliveries_received_total", { event: "pull_request" })).toBe(2);
});

test("a delivery that cannot be stored is answered 503, so GitHub marks it failed", async () => {
  const h = await start();
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  const inbox = h.store.inbox();
  const enqueue = inbox.enqueue.bind(inbox);
  // The harness's inbox shares the store's connection: closing it makes every write fail.
  await h.store.close();
  const res = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(res.status).toBe(503);
  await expect(enqueue({ id: "x", event: "ping", action: null, payload: "{}", receivedAt: new Date() })).rejects.toThrow();
});

test("/metrics after a delivery: GitHub calls by kind, the rate limit left, the evaluation's latency", async () => {
  const h = await start({ settle: true, metricsToken: "e2e-metrics-token-0123" });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  const res = await fetch(`${h.appUrl}/metrics`, { headers: { authorization: "Bearer e2e-metrics-token-0123" } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain('countersign_github_requests_total{kind="GET /repos/{owner}/{repo}/pulls/{id}/files",status="2xx"} 1');
  expect(text).toContain('countersign_github_requests_total{kind="POST /repos/{owner}/{repo}/check-runs",status="2xx"} 1');
  expect(text).toMatch(/countersign_github_requests_total\{kind="POST \/graphql",status="2xx"\} 1/);
  expect(text).toMatch(/^countersign_github_rate_limit_remaining\{resource="core"\} \d+$/m);
  expect(text).toContain('countersign_evaluation_duration_seconds_count{conclusion="success"} 1');
  expect(text).toContain('countersign_deliveries_processed_total{event="pull_request"} 1');
});
