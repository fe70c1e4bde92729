// Load and crash bench: the production app (`node dist/main.js`) against the GitHub simulator.
//
//   npm run bench -- load                     (LOAD_PRS=500 by default when named, 100 in `npm run bench`)
//   LOAD_PRS=100 LOAD_LATENCY_MS=30 node bench/load.mjs
//
// 1. Idle latency: single PRs opened one at a time on an idle app, webhook sent → check run
//    completed on the simulator (p50, p95).
// 2. Burst: LOAD_PRS PRs opened at once across LOAD_REPOS repositories, LOAD_DUP_RATE of the
//    deliveries sent twice with the same X-GitHub-Delivery, approvals arriving during the burst,
//    LOAD_LATENCY_MS on every API call. The app spaces writes 1 s apart (GraphQL reads are not
//    queued with them: src/github/write-pacing.ts), so the floor is writes x 1 s: reported against the wall time, with
//    writes per evaluation and API calls per delivery. Every final conclusion is checked; no
//    delivery may be dropped (200, or 202 "still processing").
// 3. Merges: a share of the PRs merged in a burst (duplicates included): exactly one merge record
//    per merged PR, bypassed exactly when the check was not green.
// 4. Crash: another burst of merges, the app SIGKILLed in the middle, restarted, then
//    `countersign backfill` per repository: no merge missing from the trail, none twice, and the
//    hash chain verifies.
//
// Replicas (issue #6, part 5): `npm run bench -- load --replicas 2` (or LOAD_REPLICAS=2) runs two
// app processes sharing a throwaway PostgreSQL (started with .ci/postgres.sh) and a throwaway
// redis-server (REDIS_URL: Probot's cluster-wide write spacing and the per-head evaluation lease),
// and alternates deliveries between them, so a duplicate delivery usually lands on the other
// replica. LOAD_DATABASE_URL=postgres://… and LOAD_REDIS_URL=redis://… use existing servers
// instead; LOAD_REDIS_URL=none runs the replicas without Redis (to measure what the lease prevents).
// It also prints deliveries per replica, duplicate check-run creates and the Redis keys seen, and
// fails on any duplicate check run or merge record.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { APP_ID, prBody, replicaStarter } from "./app-replicas.mjs";
import { prng } from "./prng.mjs";
import { disclosure, note, seedAcme } from "../tools/demo/acme.mjs";
import { freePort, generateAppCredentials, ROOT, runCli, stopAllChildren } from "../tools/demo/app-process.mjs";
import { startRedisServer } from "../tools/demo/redis-server.mjs";
import { startGitHubSimulator } from "../tools/github-simulator/index.mjs";

const WRITE_SPACING_MS = 1000; // src/github/write-pacing.ts (GitHub's advice for mutating requests)

export const NOTE = note("replayed the change against the staging snapshot and read every branch of the new code");
export const SCENARIOS = [
  // [share, name, expected conclusion]
  [0.4, "assisted + noted approval", "success"],
  [0.2, "assisted, no approval", "failure"],
  [0.25, "none", "success"],
  [0.15, "undisclosed", "failure"],
];

/** `--name value` or `--name=value` on the command line (after `npm run bench -- load`). */
export function flag(name) {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].slice(args[i].indexOf("=") + 1) : args[i + 1];
}

function config(explicit) {
  const n = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
  const replicas = Number(flag("replicas") ?? process.env.LOAD_REPLICAS ?? process.env.BENCH_LOAD_REPLICAS ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new Error(`--replicas must be a positive integer, got ${flag("replicas") ?? process.env.LOAD_REPLICAS}`);
  return {
    prs: n("LOAD_PRS", explicit ? 500 : 100),
    repos: n("LOAD_REPOS", 10),
    latencyMs: n("LOAD_LATENCY_MS", 30),
    dupRate: n("LOAD_DUP_RATE", 0.2),
    idleSamples: n("LOAD_IDLE_SAMPLES", 15),
    mergeRate: n("LOAD_MERGE_RATE", 0.2),
    crashRate: n("LOAD_CRASH_RATE", 0.2),
    replicas,
    databaseUrl: process.env.LOAD_DATABASE_URL ?? null,
    redisUrl: process.env.LOAD_REDIS_URL ?? null,
  };
}

/** Servers this run started (PostgreSQL, Redis), stopped in `finally` and on SIGINT. */
export const servers = [];
export async function stopServers() {
  for (const s of servers.splice(0).reverse()) await s.stop().catch((e) => console.error(`load: stopping ${s.name}: ${e.message}`));
}

/** A throwaway PostgreSQL through .ci/postgres.sh (as the postgres user when root), on a free port. */
export async function startPostgres() {
  const script = join(ROOT, ".ci", "postgres.sh");
  const env = {
    ...process.env,
    COUNTERSIGN_PG_DIR: join(tmpdir(), `countersign-load-pg-${process.pid}`),
    COUNTERSIGN_PG_PORT: String(await freePort()),
  };
  delete env.GITHUB_ENV; // the script would export the URL to later CI steps
  let out;
  try {
    out = execFileSync("bash", [script, "start"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(
      `could not start PostgreSQL for the replicas (${String(error.stderr ?? error.message)
        .trim()
        .split("\n")
        .at(-1)}): install PostgreSQL or set LOAD_DATABASE_URL=postgres://…`,
    );
  }
  const url = /COUNTERSIGN_TEST_POSTGRES_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`.ci/postgres.sh start printed no URL: ${out}`);
  const server = {
    name: "PostgreSQL",
    url,
    env,
    script,
    stop: async () => void execFileSync("bash", [script, "stop"], { env, stdio: "ignore" }),
  };
  servers.push(server);
  return server;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const _mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

export default async function load() {
  const explicit = process.argv.slice(2).includes("load") || process.argv[1]?.endsWith("load.mjs");
  const cfg = config(explicit);
  if (!existsSync(join(ROOT, "dist", "main.js"))) throw new Error("dist/main.js is missing: run `npm run build` first");
  const rand = prng(42);
  const dir = mkdtempSync(join(tmpdir(), "countersign-load-"));
  const creds = generateAppCredentials();
  const sim = await startGitHubSimulator({ appId: APP_ID, publicKey: creds.publicKey });
  // Replicas share what must be shared: the audit trail (PostgreSQL) and Redis.
  let databaseUrl = cfg.databaseUrl ?? `sqlite://${join(dir, "audit.db")}`;
  let redisUrl = cfg.redisUrl === "none" ? null : cfg.redisUrl;
  let started = "";
  const problems = [];
  const apps = [];
  const perReplica = [];
  const startApp = replicaStarter({ sim, creds, dir, apps }, () => ({
    databaseUrl,
    env: redisUrl ? { REDIS_URL: redisUrl } : {},
    logLevel: "error",
  }));
  // Deliveries alternate between replicas (a load balancer in front of them).
  let turn = 0;
  const nextUrl = () => {
    const i = turn++ % apps.length;
    perReplica[i] = (perReplica[i] ?? 0) + 1;
    return apps[i].webhookUrl;
  };

  try {
    if (cfg.replicas > 1 && !cfg.databaseUrl) {
      databaseUrl = (await startPostgres()).url;
      started += " PostgreSQL (.ci/postgres.sh)";
    }
    if (cfg.replicas > 1 && !cfg.redisUrl) {
      const redis = await startRedisServer();
      servers.push({ name: "redis-server", stop: redis.stop });
      redisUrl = redis.url;
      started += ` redis-server (${redis.url})`;
    }
    console.log(
      `load: ${cfg.prs} PRs over ${cfg.repos} repositories, ${Math.round(cfg.dupRate * 100)}% duplicate ` +
        `deliveries, ${cfg.latencyMs} ms API latency; write spacing ${WRITE_SPACING_MS} ms (src/github/write-pacing.ts)`,
    );
    console.log(
      `      ${cfg.replicas} app process(es) ` +
        `on ${databaseUrl.replace(/\/\/[^@/]*@/, "//…@").replace(/^sqlite:.*/, "SQLite")}${
          redisUrl ? ` with ` + `REDIS_URL` : ""
        }${started ? `; started${started}` : ""}`,
    );
    const repos = Array.from({ length: cfg.repos }, (_, i) => `acme/load-${String(i).padStart(2, "0")}`);
    for (const r of repos) seedAcme(sim, r);
    seedAcme(sim, "acme/idle");
    for (let i = 0; i < cfg.replicas; i++) await startApp(i);
    sim.setLatency(cfg.latencyMs);

    // ---- 1. idle latency ----------------------------------------------------------------------
    const idle = [];
    const idleHeads = [];
    for (let i = 0; i < cfg.idleSamples; i++) {
      const pr = await sim.openPullRequest("acme/idle", {
        title: `idle ${i}`,
        body: disclosure("none"),
        author: { login: "ana" },
        files: ["src/api/a.ts"],
        requestedTeams: ["platform"],
        labels: ["owner:platform"],
        deliver: false,
      });
      idleHeads.push({ repo: "acme/idle", number: pr.number, headSha: pr.headSha });
      const t0 = performance.now();
      const done = sim
        .waitForCheck("acme/idle", pr.headSha, (r) => r.status === "completed", { timeoutMs: 30_000 })
        .then(() => performance.now() - t0);
      await sim.deliver(pr.delivery.event, pr.delivery.payload);
      idle.push(await done);
      await sleep(WRITE_SPACING_MS + 200); // let the write limiter go idle again
    }
    const warm = idle.slice(1);
    console.log(`\n1. idle app, one event at a time (${idle.length} samples):`);
    console.log(
      `   webhook → check completed: p50 ${fmt(pct(warm, 50), 0)} ms, p95 ${fmt(pct(warm, 95), 0)} ms warm; ` +
        `the first (cold: token, GraphQL) ${fmt(idle[0], 0)} ms`,
    );

    // ---- 2. burst -----------------------------------------------------------------------------
    const prs = [];
    for (let i = 0; i < cfg.prs; i++) {
      const repo = repos[i % repos.length];
      let x = rand();
      const [, scenario, expected] = SCENARIOS.find(([share]) => (x -= share) < 0) ?? SCENARIOS[0];
      const body = prBody(scenario);
      const dirName = rand() < 0.5 ? "src/billing" : "src/api";
      const team = dirName === "src/billing" ? "payments" : "platform";
      const opened = await sim.openPullRequest(repo, {
        title: `Change ${i}`,
        body,
        author: { login: `dev${i % 37}` },
        files: [`${dirName}/m${i}.ts`, `${dirName}/m${i}.test.ts`, `docs/m${i}.md`],
        requestedTeams: [team], // GitHub requests code owners itself when the PR opens
        deliver: false,
      });
      prs.push({
        repo,
        number: opened.number,
        headSha: opened.headSha,
        scenario,
        expected,
        reviewer: team === "payments" ? "pay-lead" : "plat-lead",
        opened,
      });
    }
    const startMark = sim.mark();
    const deliveries = [];
    const send = (d) => {
      const p = sim.deliver(d.event, d.payload, { id: d.id, url: nextUrl() });
      deliveries.push(p);
      // GitHub redelivers with the same GUID
      if (rand() < cfg.dupRate) deliveries.push(sim.deliver(d.event, d.payload, { id: d.id, url: nextUrl() }));
      return p;
    };
    const t0 = performance.now();
    const t0Date = Date.now();
    for (const pr of prs) send(pr.opened.delivery);
    // Approvals land while the burst is being processed.
    for (const pr of prs.filter((p) => p.scenario === "assisted + noted approval")) {
      const review = await sim.review(pr.repo, pr.number, { user: pr.reviewer, body: NOTE, deliver: false });
      send(review.delivery);
    }
    const results = await Promise.all(deliveries);
    const settleDeadline = Date.now() + Math.max(180_000, cfg.prs * 6 * WRITE_SPACING_MS);
    let pending = prs;
    while (pending.length > 0 && Date.now() < settleDeadline) {
      pending = pending.filter((p) => sim.latestCheck(p.repo, p.headSha)?.conclusion !== p.expected);
      if (pending.length > 0) await sleep(250);
    }
    const settled = performance.now() - t0;
    // Labels and review requests follow each check write in the write queue: the burst is over
    // when the app has gone quiet, not when the last conclusion is right.
    await quiet(sim, 3 * WRITE_SPACING_MS, settleDeadline);
    const last = sim.requests.at(-1);
    const wall = Math.max(settled, last ? last.at + last.ms - t0Date : 0);
    const burst = sim.requests.slice(startMark).filter((r) => r.kind !== "auth");
    const writes = burst.filter((r) => r.kind === "write");
    const graphql = burst.filter((r) => r.kind === "graphql");
    const floor = writes.length * WRITE_SPACING_MS;
    const byDelivery = new Map();
    for (const r of burst) {
      const k = r.deliveryId ?? "(none)";
      const e = byDelivery.get(k) ?? { calls: 0, writes: 0, evaluations: 0 };
      e.calls++;
      if (r.kind === "write") e.writes++;
      if (r.method === "GET" && /\/pulls\/\d+\/files$/.test(r.path) && !/(^|&)page=/.test(r.query)) e.evaluations++;
      byDelivery.set(k, e);
    }
    const guids = new Set(results.map((r) => r.id));
    const perDelivery = [...guids].map((id) => byDelivery.get(id) ?? { calls: 0, writes: 0, evaluations: 0 });
    const evaluations = perDelivery.reduce((n, e) => n + e.evaluations, 0);
    const evaluating = perDelivery.filter((e) => e.evaluations > 0);
    const dropped = results.filter((r) => r.status !== 200 && r.status !== 202);
    const wrong = pending.map(
      (p) =>
        `${p.repo}#${p.number} (${p.scenario}): expected ${p.expected}, ` +
        `got ${sim.latestCheck(p.repo, p.headSha)?.conclusion ?? "no check"}`,
    );
    console.log(
      `\n2. burst: ${prs.length} PRs opened, ${results.length} deliveries (${guids.size} ` +
        `distinct, ${results.length - guids.size} duplicates), ${cfg.latencyMs} ms latency`,
    );
    console.log(
      `   wall time ${secs(wall)} (every conclusion right after ${secs(settled)}) ` +
        `against a floor of ${secs(floor)} (${writes.length} writes x ${WRITE_SPACING_MS} ` +
        `ms): ${fmt(wall / floor, 2)}x the floor`,
    );
    console.log(`   GraphQL base-file reads: ${graphql.length} for ${new Set(prs.map((p) => p.repo)).size} distinct base commits`);
    console.log(`   evaluations run: ${evaluations} for ${guids.size} distinct deliveries (duplicates and bursts coalesced)`);
    console.log(
      `   writes per evaluation: mean ${fmt(writes.length / Math.max(evaluations, 1), 2)}, ` +
        `max ${Math.max(0, ...evaluating.map((e) => e.writes / e.evaluations))}`,
    );
    console.log(
      `   API calls per delivery: mean ${fmt(burst.length / guids.size, 2)}, ` +
        `max ${Math.max(...perDelivery.map((e) => e.calls))} (reads ${burst.length - writes.length}, writes ${writes.length})`,
    );
    console.log(`   ${costLine(burst, guids.size)}`);
    const writeKind = (w) => `${w.method} ${w.path.replace(/\/\d+(\/|$)/g, "/N$1").replace(/^\/repos\/[^/]+\/[^/]+/, "")}`;
    console.log(`   writes by kind: ${summarize(writes.map(writeKind))}`);
    console.log(
      `   deliveries dropped: ${dropped.length}; answered 202 (still processing): ${results.filter((r) => r.status === 202).length}`,
    );
    console.log(`   final conclusions right: ${prs.length - wrong.length}/${prs.length}`);
    const dupChecks = duplicateCheckRuns(sim, [...prs, ...idleHeads]);
    console.log(
      `   countersign check runs: ${dupChecks.runs} for ${dupChecks.heads} head SHAs; ` +
        `duplicate creates: ${dupChecks.duplicates}${dupChecks.examples.length ? ` (e.g. ${dupChecks.examples.join(", ")})` : ""}`,
    );
    if (apps.length > 1) console.log(`   deliveries per replica: ${perReplica.map((n, i) => `#${i + 1} ${n}`).join(", ")}`);
    if (redisUrl) {
      const keys = await redisKeys(redisUrl);
      console.log(
        `   Redis keys after the burst: ${keys.bottleneck} Bottleneck (Probot's throttle, ` +
          `e.g. ${keys.example ?? "none"}), ${keys.leases} evaluation leases still held, ${keys.other} other`,
      );
      if (keys.bottleneck === 0)
        problems.push(
          "REDIS_URL is set but Probot's throttle left no Bottleneck keys in Redis: the replicas are not sharing write spacing",
        );
    }
    if (dupChecks.duplicates)
      problems.push(`${dupChecks.duplicates} duplicate countersign check runs, e.g. ${dupChecks.examples.join(", ")}`);
    if (dropped.length)
      problems.push(`${dropped.length} burst deliveries dropped (${[...new Set(dropped.map((d) => d.status))].join(", ")})`);
    if (wrong.length) problems.push(`${wrong.length} wrong conclusions, e.g. ${wrong.slice(0, 3).join("; ")}`);

    // ---- 2b. re-evaluations: every PR edited again once the burst has settled (same outcome) ---
    const reMark = sim.mark();
    const reDeliveries = [];
    for (const pr of prs) {
      const edited = await sim.editPullRequest(pr.repo, pr.number, { title: `Change ${pr.number} (edited)`, deliver: false });
      reDeliveries.push(sim.deliver(edited.delivery.event, edited.delivery.payload, { id: edited.delivery.id, url: nextUrl() }));
    }
    const reResults = await Promise.all(reDeliveries);
    await quiet(sim, 3 * WRITE_SPACING_MS, Date.now() + Math.max(120_000, cfg.prs * 2 * WRITE_SPACING_MS));
    const re = sim.requests.slice(reMark).filter((r) => r.kind !== "auth");
    const reWrong = prs.filter((p) => sim.latestCheck(p.repo, p.headSha)?.conclusion !== p.expected);
    console.log(`\n2b. re-evaluations: ${reResults.length} PRs edited again (the outcome does not change)`);
    console.log(`   ${costLine(re, reResults.length)}; final conclusions right: ${prs.length - reWrong.length}/${prs.length}`);
    if (reWrong.length) problems.push(`${reWrong.length} wrong conclusions after the re-evaluations`);

    // ---- 3. merges ----------------------------------------------------------------------------
    const { openAuditStore } = await import(pathToFileURL(join(ROOT, "dist", "audit", "open-audit-store.js")).href);
    const shuffled = [...prs].sort(() => rand() - 0.5);
    const toMerge = shuffled.slice(0, Math.round(prs.length * cfg.mergeRate));
    const toCrash = shuffled.slice(toMerge.length, toMerge.length + Math.round(prs.length * cfg.crashRate));
    const mergeDeliveries = [];
    const mergeMark = sim.mark();
    const m0 = performance.now();
    for (const pr of toMerge) {
      const merged = await sim.merge(pr.repo, pr.number, { by: "maintainer", deliver: false });
      mergeDeliveries.push(sim.deliver("pull_request", merged.delivery.payload, { id: merged.delivery.id, url: nextUrl() }));
      if (rand() < cfg.dupRate)
        mergeDeliveries.push(sim.deliver("pull_request", merged.delivery.payload, { id: merged.delivery.id, url: nextUrl() }));
      // a second delivery with a new GUID
      if (rand() < cfg.dupRate / 2) mergeDeliveries.push(sim.deliver("pull_request", merged.delivery.payload, { url: nextUrl() }));
    }
    const mergeResults = await Promise.all(mergeDeliveries);
    // Deliveries answered 202 are still being recorded: the burst is over when the app goes quiet.
    await quiet(sim, 3 * WRITE_SPACING_MS, Date.now() + Math.max(60_000, toMerge.length * 3 * WRITE_SPACING_MS));
    const mergeWall = performance.now() - m0;
    const check1 = await checkMerges(openAuditStore, databaseUrl, toMerge, sim);
    console.log(
      `\n3. merges: ${toMerge.length} PRs merged in a burst, ${mergeResults.length} deliveries ` +
        `(${mergeResults.length - toMerge.length} duplicates), ${secs(mergeWall)}`,
    );
    console.log(
      `   merge records: ${check1.recorded}/${toMerge.length}, duplicates ${check1.duplicates}, ` +
        `bypassed flags right ${check1.bypassRight}/${check1.recorded}`,
    );
    console.log(
      `   ${costLine(
        sim.requests.slice(mergeMark).filter((r) => r.kind !== "auth"),
        mergeResults.length,
      )}`,
    );
    if (mergeResults.some((r) => r.status !== 200 && r.status !== 202)) problems.push("merge deliveries dropped");
    if (check1.recorded !== toMerge.length || check1.duplicates || check1.bypassRight !== check1.recorded)
      problems.push(`merge trail wrong after the merge burst: ${JSON.stringify(check1)}`);

    // ---- 4. crash -----------------------------------------------------------------------------
    const crashDeliveries = [];
    let answered = 0;
    const killAfter = Math.max(1, Math.floor(toCrash.length * 0.4));
    let killed = null;
    for (const pr of toCrash) {
      const merged = await sim.merge(pr.repo, pr.number, { by: "maintainer", deliver: false });
      crashDeliveries.push(
        sim.deliver("pull_request", merged.delivery.payload, { id: merged.delivery.id, url: nextUrl() }).then((r) => {
          if (++answered === killAfter && !killed) killed = Promise.all(apps.map((a) => a.stop("SIGKILL", 0)));
          return r;
        }),
      );
    }
    const crashResults = await Promise.all(crashDeliveries);
    await killed;
    const lost = crashResults.filter((r) => r.status !== 200 && r.status !== 202).length;
    const before = await checkMerges(openAuditStore, databaseUrl, toCrash, sim);
    const t1 = performance.now();
    for (let i = 0; i < apps.length; i++) await startApp(i, apps[i].port);
    const restart = performance.now() - t1;
    const backfillEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      APP_ID: String(APP_ID),
      PRIVATE_KEY: creds.privateKey,
      ...sim.env(),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "error",
    };
    const b0 = performance.now();
    const backfillOut = [];
    for (const repo of repos) {
      const res = await runCli(["backfill", "--repo", repo], { env: backfillEnv, cwd: dir });
      backfillOut.push(res.out.split("\n").at(-1));
      if (res.code !== 0) problems.push(`backfill ${repo} exited ${res.code}: ${res.out.slice(-300)}`);
    }
    const backfillWall = performance.now() - b0;
    const after = await checkMerges(openAuditStore, databaseUrl, [...toMerge, ...toCrash], sim);
    const verify = await runCli(["audit", "verify"], { env: backfillEnv, cwd: dir });
    console.log(
      `\n4. crash: ${toCrash.length} merges in a burst, ` +
        `app${apps.length > 1 ? "s" : ""} SIGKILLed after ${killAfter} answers; ${lost} deliveries never answered`,
    );
    console.log(`   recorded before the restart: ${before.recorded}/${toCrash.length}; app restarted in ${secs(restart)}`);
    console.log(`   backfill (${repos.length} repositories, ${secs(backfillWall)}): e.g. "${backfillOut[0]}"`);
    console.log(
      `   after backfill: ${after.recorded}/${toMerge.length + toCrash.length} merged PRs recorded, ${after.duplicates} ` +
        `duplicates, ${after.missing.length} missing; ${after.backfilled} from backfill`,
    );
    console.log(`   audit verify: ${verify.out}`);
    if (after.missing.length || after.duplicates)
      problems.push(
        `merge trail after crash + backfill: ${JSON.stringify({ missing: after.missing.slice(0, 5), duplicates: after.duplicates })}`,
      );
    if (verify.code !== 0) problems.push(`audit verify failed: ${verify.out}`);
    if (apps.length > 1)
      console.log(`   deliveries per replica over the whole run: ${perReplica.map((n, i) => `#${i + 1} ${n}`).join(", ")}`);
    const appErrors = apps.flatMap((a) => a.errors());
    if (appErrors.length)
      console.log(`   the app logged ${appErrors.length} error(s) after the restart, e.g. ${appErrors[0].slice(0, 300)}`);
  } finally {
    await stopAllChildren();
    await stopServers();
    await sim.close();
    if (!process.env.LOAD_KEEP) rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length) {
    console.log(`\nload: ${problems.length} problem(s):`);
    for (const p of problems) console.log(`  - ${p}`);
    process.exitCode = 1;
  } else
    console.log(
      `\nload: every conclusion right, no delivery dropped, one check run per head, ` +
        `one merge record per merged PR${cfg.replicas > 1 ? ` across ${cfg.replicas} replicas` : ""}`,
    );
}

/** Resolves once the simulator has seen no request for `ms` (or at `deadline`). */
export async function quiet(sim, ms, deadline) {
  for (;;) {
    const last = sim.requests.at(-1)?.at ?? 0;
    if (Date.now() - last >= ms || Date.now() > deadline) return;
    await sleep(200);
  }
}

async function checkMerges(openAuditStore, databaseUrl, merged, sim) {
  const store = await openAuditStore(databaseUrl);
  try {
    let recorded = 0;
    let duplicates = 0;
    let bypassRight = 0;
    let backfilled = 0;
    const missing = [];
    const byRepo = new Map();
    for (const pr of merged) byRepo.set(pr.repo, [...(byRepo.get(pr.repo) ?? []), pr]);
    for (const [repo, list] of byRepo) {
      const rows = [];
      for await (const m of store.iterateMerges({ repo })) rows.push(m);
      const counts = new Map();
      for (const m of rows) counts.set(m.prNumber, (counts.get(m.prNumber) ?? 0) + 1);
      for (const pr of list) {
        const n = counts.get(pr.number) ?? 0;
        if (n === 0) missing.push(`${repo}#${pr.number}`);
        else recorded++;
        if (n > 1) duplicates += n - 1;
        const row = rows.find((m) => m.prNumber === pr.number);
        if (row) {
          const green = sim.latestCheck(repo, pr.headSha)?.conclusion === "success";
          if (row.bypassed === !green) bypassRight++;
          if (row.source === "backfill") backfilled++;
        }
      }
    }
    return { recorded, duplicates, bypassRight, backfilled, missing };
  } finally {
    await store.close();
  }
}

/** `countersign` check runs per head SHA: GitHub shows the newest, but a second create is a wasted write and a confusing history. */
export function duplicateCheckRuns(sim, heads) {
  let runs = 0;
  let duplicates = 0;
  const examples = [];
  const seen = new Set();
  for (const h of heads) {
    const key = `${h.repo}@${h.headSha}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const n = sim.checkRuns(h.repo, { sha: h.headSha, name: "countersign" }).length;
    runs += n;
    if (n > 1) {
      duplicates += n - 1;
      if (examples.length < 3) examples.push(`${h.repo}#${h.number} has ${n}`);
    }
  }
  return { runs, heads: seen.size, duplicates, examples };
}

/** What the replicas left in Redis: Bottleneck's keys (`b_…`) prove Probot's throttle is clustered. */
async function redisKeys(url) {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys("*");
    const bottleneck = keys.filter((k) => k.startsWith("b_"));
    const leases = keys.filter((k) => k.startsWith("countersign:lease:"));
    return {
      bottleneck: bottleneck.length,
      example: bottleneck.sort()[0] ?? null,
      leases: leases.length,
      other: keys.length - bottleneck.length - leases.length,
    };
  } finally {
    redis.disconnect();
  }
}

/**
 * Per delivery: API calls, the 304s among them (GitHub does not charge a 304) and the primary
 * rate-limit points charged, from the simulator's log; "without ETags" is what the same calls
 * cost when every read is charged.
 */
function costLine(entries, deliveries) {
  const per = (n) => fmt(n / Math.max(deliveries, 1), 2);
  const notModified = entries.filter((r) => r.notModified).length;
  const points = entries.filter((r) => r.charged).length;
  const charged = `rate-limit points ${per(points)} (without ETags: ${per(points + notModified)})`;
  return `per delivery: calls ${per(entries.length)}, 304s ${per(notModified)}, ${charged}`;
}

function summarize(items) {
  const counts = new Map();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
}

/** Runs `bench` when `url` is the script node was started with; SIGINT/SIGTERM stop the app processes and servers first. */
export async function runWhenMain(url, bench) {
  if (!process.argv[1] || url !== pathToFileURL(process.argv[1]).href) return;
  for (const signal of ["SIGINT", "SIGTERM"])
    process.once(
      signal,
      () =>
        void stopAllChildren()
          .then(stopServers)
          .then(() => process.exit(130)),
    );
  await bench();
}

await runWhenMain(import.meta.url, load);
