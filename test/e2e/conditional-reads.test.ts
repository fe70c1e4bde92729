/**
 * The ETag cache on its own, through Octokit against the simulator: a repeated read is a 304
 * answered from the kept body (same data, same Link header), replicas sharing a store (Redis in
 * production) get each other's 304s, and the usage counts calls, 304s and rate-limit points.
 */
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { ConditionalReads, redisReadStore, type SharedReadStore } from "../../src/github/conditional-requests.js";
import type { GitHub } from "../../src/github/github.js";
import { startGitHubSimulator, type GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { e2eOctokit } from "./support/octokit.js";

nock.restore(); // real HTTP (see support/harness.ts)

const APP_ID = 778;
const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let sim: GitHubSimulator;
beforeEach(async () => {
  sim = await startGitHubSimulator({ appId: APP_ID, publicKey: keys.publicKey });
  sim.repo("acme/api", { files: { "src/x.ts": "x\n" } });
});
afterEach(async () => {
  await sim.close();
});

const octokit = async (): Promise<GitHub> =>
  (await new Probot({
    appId: APP_ID,
    privateKey: keys.privateKey,
    baseUrl: sim.apiUrl,
    log: pino({ level: "silent" }),
    Octokit: e2eOctokit({ retry: false }),
  }).auth(sim.org("acme").installationId)) as unknown as GitHub;

const listFiles = (gh: GitHub, pull_number: number) =>
  gh.paginate(gh.rest.pulls.listFiles, { owner: "acme", repo: "api", pull_number, per_page: 100 });

test("a repeated read is a free 304 served from the kept body, every page of it", async () => {
  const pr = await sim.openPullRequest("acme/api", {
    title: "t",
    files: Array.from({ length: 150 }, (_, i) => `src/f${i}.ts`),
    deliver: false,
  });
  const reads = new ConditionalReads();
  const gh = await octokit();
  reads.attach(gh);
  reads.attach(gh); // once only

  const first = await listFiles(gh, pr.number);
  const mark = sim.mark();
  const second = await listFiles(gh, pr.number);
  expect(second).toEqual(first);
  expect(second).toHaveLength(150);
  expect(sim.usageSince(mark)).toEqual({ calls: 2, notModified: 2, points: 0 });
  expect(reads.usage(gh)).toMatchObject({ calls: 4, notModified: 2, points: 2, rateLimitUsed: 2, rateLimitRemaining: 4998 });

  // A change is a full answer, kept in turn.
  await sim.push("acme/api", pr.number, { files: ["src/new.ts"], deliver: false });
  expect((await listFiles(gh, pr.number)).map((f) => f.filename)).toContain("src/new.ts");
});

test("replicas sharing a store (Redis) get each other's 304s; a failing store only costs the condition", async () => {
  const pr = await sim.openPullRequest("acme/api", { title: "t", files: ["src/a.ts"], deliver: false });
  const map = new Map<string, string>();
  const shared: SharedReadStore = { get: async (k) => map.get(k) ?? null, set: async (k, v) => void map.set(k, v) };
  const a = new ConditionalReads({ shared });
  const b = new ConditionalReads({ shared });
  const ghA = await octokit();
  const ghB = await octokit();
  a.attach(ghA);
  b.attach(ghB);
  await listFiles(ghA, pr.number);
  const mark = sim.mark();
  expect((await listFiles(ghB, pr.number)).map((f) => f.filename)).toEqual(["src/a.ts"]);
  expect(sim.notModifiedSince(mark)).toHaveLength(1);

  const broken = new ConditionalReads({
    shared: { get: async () => Promise.reject(new Error("down")), set: async () => Promise.reject(new Error("down")) },
  });
  const ghC = await octokit();
  broken.attach(ghC);
  expect((await listFiles(ghC, pr.number)).map((f) => f.filename)).toEqual(["src/a.ts"]);
});

test("redisReadStore sets keys with a time to live", async () => {
  const calls: unknown[][] = [];
  const store = redisReadStore({ get: async () => null, set: async (...args: unknown[]) => void calls.push(args) });
  await store.set("k", "v", 1000);
  expect(calls).toEqual([["k", "v", "PX", 1000]]);
});
