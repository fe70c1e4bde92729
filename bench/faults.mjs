// Fault bench: the production app (`node dist/main.js`) against the GitHub simulator while something
// breaks, recovering by itself (the durable inbox and the recovery sweep; never `countersign backfill`).
//
//   npm run bench:faults                                   single process (SQLite), then 2 replicas
//   npm run bench:faults -- --modes replicas --faults c,d  (PostgreSQL + Redis) — pick modes and faults
//   npm run bench:faults -- --quick                        shorter outages and fewer PRs, for a smoke run
//   FAULTS_LOG_LEVEL=info npm run bench:faults -- --logs /tmp/app.log   the apps' logs at another level (default warn)
//   npm run bench:faults -- --verbose                      what is left every 5 s; per fault, the GitHub writes
//                                                          from its end to recovery, and the check-run writes per PR
//
// Faults, each on fresh repositories while PRs are opened, reviewed and merged:
//   a  the app SIGKILLed mid-burst and restarted (one replica of two in replicas mode)
//   b  GitHub answering 502 to every read (REST GET and GraphQL) for --outage-seconds (60) while
//      --outage-merges (100) PRs merge
//   c  PostgreSQL stopped mid-burst and started again (replicas mode; .ci/postgres.sh pause/resume)
//   d  Redis unavailable for --redis-down-seconds (30) (replicas mode; the redis-server child stopped
//      and started again on its port, empty)
// The simulator logs every failed delivery (the app unreachable, or answering 5xx) the way GitHub's
// webhook delivery log does, so the sweep can ask for redeliveries. Per fault the table shows merges
// recorded / merged, open PRs whose latest `countersign` check has the expected conclusion / open,
// duplicate merge records, duplicate check runs, and the time from the fault's end until every merge
// is recorded complete and every open PR's check is right. The apps run with
// RECONCILE_INTERVAL_SECONDS=--reconcile-seconds (10). Everything binds to 127.0.0.1 and stops itself;
// each recovery wait is bounded (--recovery-timeout-seconds, 240).
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { APP_ID, prBody, replicaStarter } from "./app-replicas.mjs";
import { prng } from "./prng.mjs";
import { flag, NOTE, quiet, runWhenMain, SCENARIOS, servers, sleep, startPostgres, stopServers, duplicateCheckRuns } from "./load.mjs";
import { seedAcme } from "../tools/demo/acme.mjs";
import { generateAppCredentials, ROOT, stopAllChildren } from "../tools/demo/app-process.mjs";
import { startRedisServer } from "../tools/demo/redis-server.mjs";
import { startGitHubSimulator } from "../tools/github-simulator/index.mjs";

const FAULTS = {
  a: "app SIGKILLed mid-burst, restarted",
  b: "GitHub 502 on every read",
  c: "PostgreSQL restarted mid-burst",
  d: "Redis unavailable",
};

function config() {
  const quick = process.argv.includes("--quick");
  const num = (name, full, short) => {
    const v = flag(name);
    const n = v === undefined ? (quick ? short : full) : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${v}`);
    return n;
  };
  const modes = (flag("modes") ?? "single,replicas").split(",").filter(Boolean);
  for (const m of modes) if (!["single", "replicas"].includes(m)) throw new Error(`--modes takes single and/or replicas, got ${m}`);
  const faults = flag("faults")?.split(",").filter(Boolean) ?? null;
  for (const f of faults ?? []) if (!FAULTS[f]) throw new Error(`--faults takes ${Object.keys(FAULTS).join(",")}, got ${f}`);
  return {
    quick,
    verbose: process.argv.includes("--verbose"),
    modes,
    faults,
    opens: num("opens", 20, 6),
    merges: num("merges", 30, 8),
    outageMerges: num("outage-merges", 100, 20),
    outageSeconds: num("outage-seconds", 60, 15),
    redisDownSeconds: num("redis-down-seconds", 30, 10),
    pgDownSeconds: num("pg-down-seconds", 5, 3),
    appDownSeconds: num("app-down-seconds", 3, 2),
    burstSeconds: num("burst-seconds", 10, 6),
    reconcileSeconds: num("reconcile-seconds", 10, 10),
    recoveryTimeoutSeconds: num("recovery-timeout-seconds", 240, 120),
    repos: num("repos", 4, 2),
    latencyMs: num("latency-ms", 30, 30),
  };
}

export default async function faults() {
  const cfg = config();
  const rows = [];
  let failed = false;
  console.log(
    `faults: ${cfg.opens} PRs opened and ${cfg.merges} merged per fault (${cfg.outageMerges} merged during the GitHub ` +
      `outage) over ${cfg.repos} ` +
      `repositories, ${cfg.latencyMs} ms API latency, RECONCILE_INTERVAL_SECONDS=${cfg.reconcileSeconds}; ` +
      `outage ${cfg.outageSeconds} s, Redis down ${cfg.redisDownSeconds} s, PostgreSQL down ${cfg.pgDownSeconds} s, ` +
      `app down ${cfg.appDownSeconds} s`,
  );
  for (const mode of cfg.modes) {
    const wanted = cfg.faults ?? (mode === "single" ? ["a", "b"] : ["a", "b", "c", "d"]);
    const list = wanted.filter((f) => mode === "replicas" || f === "a" || f === "b");
    if (list.length < wanted.length)
      console.log(`faults: ${wanted.filter((f) => !list.includes(f)).join(",")} need replicas mode (PostgreSQL + Redis)`);
    if (list.length === 0) continue;
    try {
      rows.push(...(await runMode(mode, list, cfg)));
    } catch (error) {
      failed = true;
      console.error(`faults: ${mode} mode failed: ${error?.stack ?? error}`);
    }
  }
  printTable(rows, cfg);
  const missed = rows.filter((r) => !r.goal);
  if (missed.length || failed) {
    console.log(`\nfaults: goal missed for ${missed.map((r) => `${r.mode} ${r.fault}`).join(", ") || "(a mode failed)"}`);
    process.exitCode = 1;
  } else console.log(`\nfaults: every goal met (100% recorded, 100% right checks, no duplicates, recovery within 2 sweep intervals)`);
}

async function runMode(mode, list, cfg) {
  const replicas = mode === "replicas" ? 2 : 1;
  const dir = mkdtempSync(join(tmpdir(), "countersign-faults-"));
  const creds = generateAppCredentials();
  const sim = await startGitHubSimulator({ appId: APP_ID, publicKey: creds.publicKey });
  const apps = [];
  const env = { RECONCILE_INTERVAL_SECONDS: String(cfg.reconcileSeconds) };
  let databaseUrl = `sqlite://${join(dir, "audit.db")}`;
  let pg = null;
  let redis = null;
  const rows = [];
  const world = { sim, apps, cfg, mode, rand: prng(mode === "single" ? 7 : 11) };
  try {
    if (replicas > 1) {
      pg = await startPostgres();
      databaseUrl = pg.url;
      redis = await startRedisServer();
      servers.push({ name: "redis-server", stop: () => world.redis.stop() }); // fault d replaces it
      env.REDIS_URL = redis.url;
    }
    const startApp = replicaStarter({ sim, creds, dir, apps }, () => ({
      databaseUrl,
      env,
      logLevel: process.env.FAULTS_LOG_LEVEL ?? "warn",
    }));
    for (let i = 0; i < replicas; i++) await startApp(i);
    sim.setLatency(cfg.latencyMs);
    const { openAuditStore } = await import(pathToFileURL(join(ROOT, "dist", "audit", "open-audit-store.js")).href);
    const store = await openAuditStore(databaseUrl);
    console.log(`\n== ${mode}: ${replicas} app process(es) on ${pg ? "PostgreSQL + Redis (started for this run)" : "SQLite"}`);
    try {
      Object.assign(world, { startApp, store, pg, redis });
      for (const fault of list) {
        await quiet(sim, 3000, Date.now() + 60_000); // the previous fault's tail (labels, a sweep)
        rows.push(await runFault(world, fault));
      }
    } finally {
      await store.close().catch(() => {});
    }
  } finally {
    const logs = flag("logs"); // --logs <file>: the apps' log lines, for a post-mortem of a missed goal
    if (logs) appendFileSync(logs, apps.flatMap((a, i) => a.log.map((l) => `${mode}#${i + 1} ${l}`)).join("\n") + "\n");
    await stopAllChildren();
    await stopServers();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** One fault on fresh repositories: the events, the fault itself, then the wait for full recovery. */
async function runFault(w, fault) {
  const { sim, cfg, rand } = w;
  const repos = Array.from({ length: cfg.repos }, (_, i) => `acme/${w.mode}-${fault}-${i}`);
  for (const r of repos) seedAcme(sim, r);
  const merges = fault === "b" ? cfg.outageMerges : cfg.merges;
  const windowMs = fault === "b" ? cfg.outageSeconds * 1000 : fault === "d" ? cfg.redisDownSeconds * 1000 : cfg.burstSeconds * 1000;
  const plan = planEvents(repos, cfg.opens, merges, rand);
  const mark = sim.mark();
  const deliveriesBefore = sim.deliveries.length;
  const errorsBefore = w.apps.map((a) => a.errors().length);
  const t0 = Date.now();
  let faultEnd = null;

  // The fault's start and end, on a timer alongside the events.
  const injected = (async () => {
    if (fault === "a") {
      await sleep(windowMs * 0.4);
      const victim = w.apps.length > 1 ? 1 : 0;
      const port = w.apps[victim].port;
      await w.apps[victim].stop("SIGKILL", 0);
      await sleep(cfg.appDownSeconds * 1000);
      await w.startApp(victim, port);
    } else if (fault === "b") {
      const faults = [sim.fault({ method: "GET", status: 502 }), sim.fault({ method: "POST", path: "/graphql", status: 502 })];
      await sleep(windowMs);
      for (const f of faults) f.remove();
    } else if (fault === "c") {
      await sleep(windowMs * 0.4);
      execFileSync("bash", [w.pg.script, "pause"], { env: w.pg.env, stdio: "ignore" });
      await sleep(cfg.pgDownSeconds * 1000);
      execFileSync("bash", [w.pg.script, "resume"], { env: w.pg.env, stdio: "ignore" });
    } else if (fault === "d") {
      const port = w.redis.port;
      await w.redis.stop();
      await sleep(windowMs);
      w.redis = await startRedisServer({ port });
    }
    faultEnd = Date.now();
  })();
  // Events paced over the window (the outage: over 90% of it, so every merge lands inside it).
  const spread = fault === "b" || fault === "d" ? windowMs * 0.9 : windowMs;
  const answers = await paced(plan.events, spread, (e) => e.send(sim, nextUrl(w)));
  await injected;
  const failedDeliveries = answers.filter((r) => !(r.status >= 200 && r.status < 300)).length;

  // Recovery: every merged PR recorded complete, every open PR's latest check right.
  const deadline = faultEnd + cfg.recoveryTimeoutSeconds * 1000;
  let state = await observe(w, plan);
  let shown = 0;
  while (!state.recovered && Date.now() < deadline) {
    if (cfg.verbose && Date.now() - shown >= 5000) {
      shown = Date.now();
      console.log(
        `   +${((Date.now() - faultEnd) / 1000).toFixed(0)} s: ${state.problems.length} left, ` +
          `e.g. ${state.problems.slice(0, 3).join("; ")}`,
      );
    }
    await sleep(500);
    state = await observe(w, plan);
  }
  const recoveredAt = state.recovered ? Date.now() : null;
  await quiet(sim, 3000, Date.now() + 30_000); // let trailing writes land before counting duplicates
  state = await observe(w, plan);
  const dupChecks = duplicateCheckRuns(
    sim,
    plan.open.map((p) => ({ repo: p.repo, number: p.number, headSha: p.headSha })),
  );
  const redeliveries = sim.requests
    .slice(mark)
    .filter((r) => r.method === "POST" && /^\/app\/hook\/deliveries\/\d+\/attempts$/.test(r.path)).length;
  const attempts = sim.deliveries.slice(deliveriesBefore);
  const recoverySeconds = recoveredAt ? (recoveredAt - faultEnd) / 1000 : null;
  const checkWrites = checkWritesPerPr(sim, plan, faultEnd);
  // The check-run writes GitHub received from the fault's end to full recovery (one a second at most).
  const checkRunWrites = sim.requests
    .slice(mark)
    .filter((r) => r.kind === "write" && /\/check-runs/.test(r.path) && r.at >= faultEnd && r.at <= (recoveredAt ?? Date.now())).length;
  const row = {
    mode: w.mode,
    fault,
    name: FAULTS[fault],
    merged: plan.merged.length,
    recorded: state.recorded,
    complete: state.complete,
    open: plan.open.length,
    rightChecks: state.rightChecks,
    duplicateMerges: state.duplicateMerges,
    duplicateChecks: dupChecks.duplicates,
    recoverySeconds,
    checkWrites: checkRunWrites,
    goal:
      state.recorded === plan.merged.length &&
      state.complete === plan.merged.length &&
      state.rightChecks === plan.open.length &&
      state.duplicateMerges === 0 &&
      dupChecks.duplicates === 0 &&
      recoverySeconds !== null &&
      recoverySeconds <= 2 * cfg.reconcileSeconds,
  };
  const appErrors = w.apps.flatMap((a, i) => a.errors().slice(errorsBefore[i] ?? 0));
  console.log(
    `\n${fault}) ${FAULTS[fault]}: ${plan.events.length} events over ${(spread / 1000).toFixed(0)} s, ` +
      `fault ended ${((faultEnd - t0) / 1000).toFixed(1)} s in`,
  );
  console.log(
    `   deliveries not answered 2xx while it lasted: ${failedDeliveries}; redeliveries requested by the sweep: ${redeliveries}; ` +
      `redelivery attempts answered 2xx: ${attempts.filter((d) => d.redelivery && d.status >= 200 && d.status < 300).length}`,
  );
  console.log(
    `   merges recorded ${row.recorded}/${row.merged} (complete ${row.complete}), right checks ${row.rightChecks}/${row.open}, ` +
      `duplicate merge records ${row.duplicateMerges}, duplicate check runs ${row.duplicateChecks}` +
      (recoverySeconds === null
        ? `; NOT recovered within ${cfg.recoveryTimeoutSeconds} s: ${state.problems.slice(0, 4).join("; ")}`
        : `; recovered ${recoverySeconds.toFixed(1)} s after the fault ended`),
  );
  if (appErrors.length) console.log(`   the app logged ${appErrors.length} error(s), e.g. ${appErrors[0].slice(0, 240)}`);
  if (cfg.verbose && recoveredAt) {
    console.log(`   ${writeTimeline(sim, mark, faultEnd, recoveredAt)}`);
    console.log(`   ${checkWrites.text}`);
  }
  return row;
}

/**
 * Where the recovery time went: the GitHub writes between the fault's end and full recovery, by
 * kind, when the first and last check-run write came, and the longest pause between writes. At one
 * write a second, N check-run writes take N - 1 s at least.
 */
function writeTimeline(sim, mark, faultEnd, recoveredAt) {
  const writes = sim.requests
    .slice(mark)
    .filter((r) => r.at >= faultEnd && r.at <= recoveredAt && (r.kind === "write" || (r.kind === "auth" && r.method === "POST")));
  const kindOf = (r) =>
    /\/check-runs/.test(r.path)
      ? "check runs"
      : /\/labels/.test(r.path)
        ? "labels"
        : /requested_reviewers/.test(r.path)
          ? "review requests"
          : /\/attempts$/.test(r.path)
            ? "redeliveries"
            : /access_tokens$/.test(r.path)
              ? "tokens"
              : "other";
  const counts = {};
  for (const w of writes) counts[kindOf(w)] = (counts[kindOf(w)] ?? 0) + 1;
  const checks = writes.filter((w) => kindOf(w) === "check runs");
  const at = (t) => `+${((t - faultEnd) / 1000).toFixed(1)} s`;
  let gap = { ms: 0, after: faultEnd };
  let prev = faultEnd;
  for (const w of writes.filter((x) => kindOf(x) !== "tokens")) {
    if (w.at - prev > gap.ms) gap = { ms: w.at - prev, after: prev };
    prev = w.at;
  }
  const paced = writes.filter((x) => x.kind === "write");
  const close = paced.slice(1).filter((w, i) => w.at - paced[i].at < 900);
  return (
    `${close.length} of ${paced.length} paced writes under 0.9 s after the previous; ` +
    `writes from the fault's end to recovery: ${
      Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ") || "none"
    }; ` +
    (checks.length ? `check runs from ${at(checks[0].at)} to ${at(checks.at(-1).at)}; ` : "") +
    `longest pause ${(gap.ms / 1000).toFixed(1)} s from ${at(gap.after)}`
  );
}

const describeWrite = (e) => `${e.action} ${e.status}/${e.conclusion} "${e.title}"`;

/**
 * How many check-run writes each open PR took after the fault ended (one is the least a wrong or
 * missing check needs; the simulator's history has whole seconds).
 */
function checkWritesPerPr(sim, plan, faultEnd) {
  const per = plan.open.map((pr) => {
    const entries = sim.checkRuns(pr.repo, { sha: pr.headSha, name: "countersign" }).flatMap((r) => r.history);
    const after = entries.filter((e) => Date.parse(e.at) >= faultEnd);
    return { pr, after };
  });
  const more = per.filter((p) => p.after.length > 1);
  const example = more[0] ? `; e.g. ${more[0].pr.repo}#${more[0].pr.number}: ${more[0].after.map(describeWrite).join(" → ")}` : "";
  const text =
    `check-run writes after the fault: ${per.filter((p) => p.after.length === 0).length} PRs none, ` +
    `${per.filter((p) => p.after.length === 1).length} one, ${more.length} more than one${example}`;
  return { text };
}

/**
 * The fault's events: `opens` PRs opened (a share with an approving review) that stay open, and
 * `merges` PRs merged; shuffled. Each PR is created on the simulator when its event is sent.
 */
function planEvents(repos, opens, merges, rand) {
  const open = [];
  const merged = [];
  const events = [];
  let n = 0;
  for (let i = 0; i < opens; i++) {
    const repo = repos[n++ % repos.length];
    let x = rand();
    const [, scenario, expected] = SCENARIOS.find(([share]) => (x -= share) < 0) ?? SCENARIOS[0];
    const pr = { repo, scenario, expected, number: null, headSha: null };
    open.push(pr);
    events.push({
      send: async (sim, url) => {
        const opened = await sim.openPullRequest(repo, prOptions(scenario, `open ${i}`, i));
        Object.assign(pr, { number: opened.number, headSha: opened.headSha });
        const answers = [await sim.deliver(opened.delivery.event, opened.delivery.payload, { id: opened.delivery.id, url: url() })];
        if (scenario === "assisted + noted approval") {
          const reviewer = i % 2 === 0 ? "pay-lead" : "plat-lead"; // the code owner of prOptions' directory
          const review = await sim.review(repo, opened.number, { user: reviewer, body: NOTE, deliver: false });
          answers.push(await sim.deliver(review.delivery.event, review.delivery.payload, { id: review.delivery.id, url: url() }));
        }
        return answers;
      },
    });
  }
  for (let i = 0; i < merges; i++) {
    const repo = repos[n++ % repos.length];
    const pr = { repo, number: null };
    merged.push(pr);
    events.push({
      send: async (sim, url) => {
        const opened = await sim.openPullRequest(repo, { ...prOptions("none", `merge ${i}`, i), deliver: false });
        pr.number = opened.number;
        const merge = await sim.merge(repo, opened.number, { by: "maintainer", deliver: false });
        return [await sim.deliver("pull_request", merge.delivery.payload, { id: merge.delivery.id, url: url() })];
      },
    });
  }
  events.sort(() => rand() - 0.5);
  return { open, merged, events };
}

function prOptions(scenario, title, i) {
  const body = prBody(scenario);
  const dirName = i % 2 === 0 ? "src/billing" : "src/api";
  return {
    title,
    body,
    author: { login: `dev${i % 13}` },
    files: [`${dirName}/f${i}.ts`, `docs/f${i}.md`],
    requestedTeams: [dirName === "src/billing" ? "payments" : "platform"],
    deliver: false,
  };
}

/** Deliveries alternate between the replicas (a load balancer in front of them, without health checks). */
function nextUrl(w) {
  return () => w.apps[(w.turn = (w.turn ?? 0) + 1) % w.apps.length].webhookUrl;
}

/** Calls `fn(item)` for each item at evenly spaced times over `ms`, without waiting for the previous; all answers, flattened. */
async function paced(items, ms, fn) {
  const gap = items.length > 1 ? ms / items.length : 0;
  const started = Date.now();
  const pending = [];
  for (const [i, item] of items.entries()) {
    const wait = started + i * gap - Date.now();
    if (wait > 0) await sleep(wait);
    pending.push(fn(item));
  }
  return (await Promise.all(pending)).flat();
}

/** The trail and the checks now (the store may be briefly unreachable: then nothing counts yet). */
async function observe(w, plan) {
  const problems = [];
  let recorded = 0;
  let complete = 0;
  let duplicateMerges = 0;
  try {
    const byRepo = new Map();
    for (const pr of plan.merged) byRepo.set(pr.repo, [...(byRepo.get(pr.repo) ?? []), pr]);
    for (const [repo, list] of byRepo) {
      const rows = [];
      for await (const m of w.store.iterateMerges({ repo })) rows.push(m);
      for (const pr of list) {
        const mine = rows.filter((m) => m.prNumber === pr.number);
        if (mine.length > 0) recorded++;
        else problems.push(`${repo}#${pr.number} not recorded`);
        if (mine.length > 1) duplicateMerges += mine.length - 1;
        if (mine.length > 0 && mine.every((m) => m.incomplete !== true)) complete++;
        else if (mine.length > 0) problems.push(`${repo}#${pr.number} incomplete`);
      }
    }
  } catch (error) {
    problems.push(`the audit store could not be read: ${error.message}`);
  }
  let rightChecks = 0;
  for (const pr of plan.open) {
    const check = pr.headSha ? w.sim.latestCheck(pr.repo, pr.headSha) : null;
    if (check?.status === "completed" && check.conclusion === pr.expected) rightChecks++;
    else
      problems.push(
        `${pr.repo}#${pr.number}: expected ${pr.expected}, ` +
          `check ${check ? `${check.status}/${check.conclusion} "${check.title}"` : "none"}`,
      );
  }
  const recovered = problems.length === 0;
  return { recorded, complete, duplicateMerges, rightChecks, recovered, problems };
}

function printTable(rows, cfg) {
  if (rows.length === 0) return;
  const head = [
    "mode",
    "fault",
    "merges recorded / merged",
    "open PRs with a right check / open",
    "duplicate merge records",
    "duplicate check runs",
    "fault end → full recovery",
    "check-run writes fault end → recovery (their spacing alone)",
  ];
  const body = rows.map((r) => [
    r.mode === "single" ? "single (SQLite)" : "2 replicas (PostgreSQL + Redis)",
    `(${r.fault}) ${r.name}`,
    `${r.recorded}/${r.merged}${r.complete < r.recorded ? ` (${r.recorded - r.complete} incomplete)` : ""}`,
    `${r.rightChecks}/${r.open}`,
    String(r.duplicateMerges),
    String(r.duplicateChecks),
    r.recoverySeconds === null ? `not within ${cfg.recoveryTimeoutSeconds} s` : `${r.recoverySeconds.toFixed(1)} s`,
    `${r.checkWrites} (≥ ${Math.max(0, r.checkWrites - 1)} s)`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(
    `\nFault table (RECONCILE_INTERVAL_SECONDS=${cfg.reconcileSeconds}: goal is recovery within ${2 * cfg.reconcileSeconds} s)\n`,
  );
  console.log(line(head));
  console.log(`|${widths.map((n) => "-".repeat(n + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
}

await runWhenMain(import.meta.url, faults);
