/**
 * Scale-out end to end: two app processes (src/main.ts, transpiled) sharing one PostgreSQL audit
 * store and one redis-server (REDIS_URL), both started here, with every delivery sent to one of
 * them in turn and a share sent to both with the same X-GitHub-Delivery, as a load balancer and
 * GitHub's redeliveries would. The PR's events race on the two replicas on purpose.
 * Skipped, saying why, when redis-server or PostgreSQL is not installed (CI installs both).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import nock from "nock";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { disclosure, note, seedAcme } from "../../tools/demo/acme.mjs";
import { generateAppCredentials, ROOT, startAppProcess, stopChild, type AppProcess } from "../../tools/demo/app-process.mjs";
import { findRedisServer, startRedisServer, type TestRedis } from "../../tools/demo/redis-server.mjs";
import { startGitHubSimulator, type DeliveryResult, type GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { postgresAvailability, startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { transpileForChild, type TranspiledEntry } from "../support/transpile-for-child.js";
import { listMerges } from "../support/list-merges.js";

// Real HTTP end to end: the setup file's nock would intercept fetch (see e2e/support/harness.ts).
nock.restore();

const APP_ID = 4242;
const redisBin = findRedisServer();
const pg = postgresAvailability();
const skipReason = !redisBin
  ? "redis-server is not installed (apt-get install redis-server, or set REDIS_SERVER)"
  : pg.kind === "none"
    ? `no PostgreSQL: ${pg.reason}`
    : null;
if (skipReason) console.warn(`replicas.test.ts: skipped: ${skipReason}`);
const describeReplicas = skipReason ? describe.skip : describe;

const NOTE = note("ran the importer against yesterday's snapshot and compared the totals row by row");
const PRS = 20;

describeReplicas("two replicas on one PostgreSQL and one Redis", () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  let sim: GitHubSimulator;
  let store: AuditStore;
  let child: TranspiledEntry;
  let dir: string;
  let databaseUrl: string;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "countersign-replicas-"));
    child = transpileForChild(join(ROOT, "src", "main.ts"), ROOT);
    [postgres, redis] = await Promise.all([startTestPostgres(pg), startRedisServer({ bin: redisBin })]);
    databaseUrl = await postgres.createDatabase();
    const creds = generateAppCredentials();
    sim = await startGitHubSimulator({ appId: APP_ID, publicKey: creds.publicKey });
    for (let i = 0; i < 2; i++) {
      apps.push(
        await startAppProcess({
          sim,
          appId: APP_ID,
          privateKey: creds.privateKey,
          webhookSecret: creds.webhookSecret,
          databaseUrl,
          cwd: dir,
          env: { REDIS_URL: redis.url },
          logLevel: "error",
          entry: child.entry,
        }),
      );
    }
    sim.setWebhook({ url: apps[0]!.webhookUrl, secret: creds.webhookSecret });
    store = await openAuditStore(databaseUrl);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => stopChild(a.child, "SIGTERM", 3000)));
    await store?.close();
    await sim?.close();
    await redis?.stop();
    await postgres?.stop();
    child?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test("every conclusion right, one check run per head, one merge record per merged PR, and the chain verifies", async () => {
    let turn = 0;
    const deliveries: Promise<DeliveryResult>[] = [];
    /** To the next replica; with `both`, also to the other one with the same delivery id (a redelivery). */
    const send = (d: { event: string; payload: unknown; id: string }, both = false) => {
      const first = turn++ % 2;
      deliveries.push(sim.deliver(d.event, d.payload, { id: d.id, url: apps[first]!.webhookUrl }));
      if (both) deliveries.push(sim.deliver(d.event, d.payload, { id: d.id, url: apps[1 - first]!.webhookUrl }));
    };

    // 1. PRs in two repositories: approved (success), `none` (success), undisclosed (failure).
    const repos = ["acme/replica-a", "acme/replica-b"];
    for (const r of repos) seedAcme(sim, r);
    const prs: { repo: string; number: number; headSha: string; kind: string; expected: string; opened: { delivery: DeliveryResult } }[] =
      [];
    for (let i = 0; i < PRS; i++) {
      const kind = i % 4 === 3 ? "undisclosed" : i % 4 === 2 ? "none" : "approved";
      const repo = repos[i % 2]!;
      const body = kind === "undisclosed" ? "Fix." : kind === "none" ? disclosure("none") : disclosure("assisted", "Claude Code");
      const opened = await sim.openPullRequest(repo, {
        title: `Change ${i}`,
        body,
        author: { login: `dev${i}` },
        files: [`src/api/m${i}.ts`],
        requestedTeams: ["platform"],
        labels: ["owner:platform"], // as the app would have labelled it: the test is about check runs, not label writes
        deliver: false,
      });
      prs.push({
        repo,
        number: opened.number,
        headSha: opened.headSha,
        kind,
        expected: kind === "undisclosed" ? "failure" : "success",
        opened,
      });
    }

    // 2. The burst: each opened event to one replica, every third to both; approvals race them
    //    on the other replica.
    for (const [i, pr] of prs.entries()) {
      send(pr.opened.delivery, i % 3 === 0);
      if (pr.kind === "approved") {
        const review = await sim.review(pr.repo, pr.number, { user: "plat-lead", body: NOTE, deliver: false });
        send(review.delivery, i % 3 === 1);
      }
    }
    expect((await Promise.all(deliveries)).filter((r) => r.status !== 200 && r.status !== 202)).toEqual([]);
    await settled(sim, () => prs.every((p) => sim.latestCheck(p.repo, p.headSha)?.conclusion === p.expected), 90_000);

    for (const pr of prs) {
      expect({ pr: pr.number, repo: pr.repo, conclusion: sim.latestCheck(pr.repo, pr.headSha)?.conclusion }).toEqual({
        pr: pr.number,
        repo: pr.repo,
        conclusion: pr.expected,
      });
      // Both replicas evaluated most heads; only one may create the check run.
      expect(sim.checkRuns(pr.repo, { sha: pr.headSha, name: "countersign" })).toHaveLength(1);
    }

    // 3. Merges: every merge delivered to both replicas with one id, every other one again with a new id.
    deliveries.length = 0;
    const merged = prs.filter((_, i) => i % 2 === 0);
    for (const [i, pr] of merged.entries()) {
      const m = await sim.merge(pr.repo, pr.number, { by: "maintainer", deliver: false });
      send(m.delivery, true);
      if (i % 2 === 0) deliveries.push(sim.deliver("pull_request", m.delivery.payload, { url: apps[i % 2]!.webhookUrl }));
    }
    expect((await Promise.all(deliveries)).filter((r) => r.status !== 200 && r.status !== 202)).toEqual([]);
    await settled(sim, async () => (await listMerges(store, {})).length >= merged.length, 60_000);

    for (const repo of repos) {
      const records = await listMerges(store, { repo });
      const numbers = records.map((m) => m.prNumber).sort((a, b) => a - b);
      expect(numbers).toEqual(
        merged
          .filter((p) => p.repo === repo)
          .map((p) => p.number)
          .sort((a, b) => a - b),
      );
      for (const m of records) expect(m.bypassed).toBe(sim.latestCheck(repo, m.headSha)?.conclusion !== "success");
    }
    // What `countersign audit verify` checks: one hash chain, written by both replicas.
    expect(await store.verify()).toMatchObject({ ok: true });

    // 4. Redis carried both: the shared write spacing (Bottleneck keys of src/github/write-pacing.ts)
    // and our leases (all released). The concurrency limits stay in each process (no such keys).
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys("*");
      expect(keys.filter((k) => k.startsWith("b_countersign-write"))).not.toEqual([]);
      expect(keys.filter((k) => k.startsWith("b_octokit-global") || k.startsWith("b_octokit-auth"))).toEqual([]);
      expect(keys.filter((k) => k.startsWith("countersign:lease:"))).toEqual([]);
    } finally {
      client.disconnect();
    }
    expect(apps.flatMap((a) => a.errors())).toEqual([]);
  }, 240_000);
});

/** Waits until `done()` and the simulator has seen no request for 1.5 s (trailing runs finished). */
async function settled(sim: GitHubSimulator, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const last = sim.requests.at(-1)?.at ?? 0;
    if ((await done()) && Date.now() - last > 1_500) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
