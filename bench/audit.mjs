// Audit-trail benchmark (issue 5): N synthetic merges in SQLite and PostgreSQL, then the queries a
// postmortem runs, against the targets, with a naive baseline measured in the same run.
//
// 1. Synthesize N merges (default 1,000,000; BENCH_AUDIT_MERGES to scale down) over two years:
//    40 repos, 30 source areas owned by 25 teams, ~10 changed paths and ~5 commits each, AI use
//    growing over time, reviews with notes, bypasses, exceptions and reverts (seeded PRNG).
// 2. Load them with recordMergesBulk (one transaction per BATCH merges, the hash chain built under
//    the chain lock as for single appends) and record the reverts; report merges/s; verify the chain
//    and every projection row against it (the time of `countersign audit verify`).
//    PostgreSQL then gets VACUUM ANALYZE (as autovacuum would); SQLite no ANALYZE at all.
// 3. Time, after a warm-up, over RUNS runs each (BENCH_AUDIT_RUNS, default 50):
//    (a) AI-assisted merges under a path glob in the last 90 days (first page of 100, with
//        reviewers and notes), for an area, a directory and a single file;
//    (b) SHA lookup, full and 7 characters;
//    (c) reports (all merges, last 90 days, a period with partial days and months, a team, a repo)
//        from the report rollup, against the query over every matching merge (the way reports
//        were answered before the rollup) in the same run, results checked equal; the rollup rebuild;
//    (d) exporting everything as NDJSON through the real CLI in a child process (time and peak RSS).
//    Baseline: (a) by a naive scan of every merge_paths row with LIKE '%…%', then a join to merges
//    (BENCH_AUDIT_BASELINE_RUNS, default 5).
// 4. Print one table with the targets and PASS/FAIL.
//
// PostgreSQL: COUNTERSIGN_TEST_POSTGRES_URL, else a throwaway server started with .ci/postgres.sh
// (PostgreSQL binaries needed; as root it runs as the postgres user). BENCH_AUDIT_ENGINES=sqlite
// or =postgres runs one engine. Run: npm run bench -- audit   (builds first; imports ../dist)
import { execFileSync, fork } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AREAS, END, MergeFactory, REPOS, TEAMS } from "./synthetic-merges.mjs";

export { MergeFactory };

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

const N = Number(process.env.BENCH_AUDIT_MERGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 50);
const EXPORT_RUNS = Number(process.env.BENCH_AUDIT_EXPORT_RUNS ?? RUNS);
const BASELINE_RUNS = Number(process.env.BENCH_AUDIT_BASELINE_RUNS ?? 5);
// BENCH_AUDIT_PARTS: which of (a)-(d) to time (default all), e.g. "c" for the reports alone.
const PARTS = new Set((process.env.BENCH_AUDIT_PARTS ?? "a,b,c,d").split(",").map((p) => p.trim()));
const ENGINES = (process.env.BENCH_AUDIT_ENGINES ?? "sqlite,postgres")
  .split(",")
  .map((e) => e.trim())
  .filter(Boolean);
const BATCH = 2_000;
const SINCE_90D = new Date(END - 90 * 86_400_000).toISOString();
const AI_ASSISTED = ["assisted", "generated", "agent"];
// Three globs an incident review would type: a hot area, one of its directories, one file.
const GLOBS = [
  ["area", "src/payments/**"],
  ["directory", "src/payments/jobs/**"],
  ["file", "src/payments/jobs/f7.*"],
];

// ---- helpers ---------------------------------------------------------------------------------

const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(2)} ms`);
const fmtMb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function timeRuns(runs, fn, warmup = 3) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { runs, p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL server: COUNTERSIGN_TEST_POSTGRES_URL, or a throwaway one via .ci/postgres.sh. */
async function postgresServer() {
  const external = process.env.COUNTERSIGN_TEST_POSTGRES_URL?.trim();
  if (external) return { url: external, started: false, stop: () => {} };
  // Not a mkdtemp directory: the server runs as the postgres user, which must reach it (/tmp is 1777).
  const dir = join(tmpdir(), `countersign-bench-pg-${process.pid}-${Date.now().toString(36)}`);
  const env = { ...process.env, COUNTERSIGN_PG_DIR: dir, COUNTERSIGN_PG_PORT: String(await freePort()) };
  const script = join(root, ".ci/postgres.sh");
  try {
    const out = execFileSync("bash", [script, "start"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const url = /COUNTERSIGN_TEST_POSTGRES_URL=(\S+)/.exec(out)?.[1];
    if (!url) throw new Error(`no URL in: ${out}`);
    return {
      url,
      started: true,
      stop: () => {
        try {
          execFileSync("bash", [script, "stop"], { env, stdio: "ignore" });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return {
      url: null,
      reason:
        `could not start PostgreSQL with ` +
        `.ci/postgres.sh: ${(error.stderr || error.message || "").toString().trim().split("\n").slice(-2).join(" ")}`,
    };
  }
}

// ---- 2-4. per engine -------------------------------------------------------------------------

async function benchEngine(engine, ctx) {
  const rows = [];
  const row = (measure, values) => rows.push({ engine, measure, ...values });
  const { store, url, raw, cleanup } = await ctx.open(engine);
  try {
    // 2. load
    const factory = new MergeFactory(N);
    let storeMs = 0;
    let reverts = 0;
    const wall = performance.now();
    for (let done = 0; done < N; ) {
      const batch = [];
      const revertLinks = [];
      for (let k = 0; k < BATCH && done < N; k++, done++) {
        const { input, revert } = factory.next();
        batch.push(input);
        if (revert) revertLinks.push(revert);
      }
      const t = performance.now();
      await store.recordMergesBulk(batch);
      for (const r of revertLinks) await store.recordRevert(r, null);
      storeMs += performance.now() - t;
      reverts += revertLinks.length;
      if (process.stderr.isTTY && done % 50_000 < BATCH) process.stderr.write(`\r${engine}: ${fmtInt(done)} / ${fmtInt(N)} merges`);
    }
    if (process.stderr.isTTY) process.stderr.write("\n");
    const wallMs = performance.now() - wall;
    const stats =
      `${(factory.pathCount / N).toFixed(1)} paths, ${(factory.commitCount / N).toFixed(1)} commits per ` +
      `merge; ${fmtInt(reverts)} reverts`;
    row("load: recordMergesBulk (2,000 per transaction)", {
      result: `${fmtInt(N / (storeMs / 1000))} merges/s (store time ${fmtMs(storeMs)}, wall incl. synthesis ${fmtMs(wallMs)}; ${stats})`,
    });
    if (engine === "postgres") {
      // What autovacuum does soon after a bulk load; done now so that it does not run mid-measurement.
      // (SQLite: no ANALYZE. The store's plans do not depend on statistics.)
      const analyzeStart = performance.now();
      await raw.analyze();
      row("VACUUM ANALYZE", { result: fmtMs(performance.now() - analyzeStart) });
    }
    const verifyStart = performance.now();
    const verified = await store.verify();
    row("verify: hash chain + every queryable row", {
      result:
        `${verified.ok ? "ok" : `BROKEN at ${verified.brokenAt?.seq}`}: ${fmtInt(verified.entries)} entries ` +
        `in ${fmtMs(performance.now() - verifyStart)}`,
      pass: verified.ok,
    });
    row("size on disk", { result: await raw.size() });

    // 3a. AI-assisted merges under a glob in the last 90 days
    for (const [kind, glob] of PARTS.has("a") ? GLOBS : []) {
      const filter = { path: glob, ai: AI_ASSISTED, since: SINCE_90D, limit: 100 };
      const page = await store.listMergesPage(filter);
      const notes = page.merges.reduce((n, m) => n + m.reviewers.filter((r) => r.verified).length, 0);
      const t = await timeRuns(RUNS, () => store.listMergesPage(filter));
      const prefix = glob.replace(/\*.*$/, "");
      const base = await timeRuns(BASELINE_RUNS, () => raw.naivePathQuery(prefix, SINCE_90D, AI_ASSISTED), 1);
      row(`(a) AI-assisted under ${glob} (${kind}), last 90 days, page of 100`, {
        ...t,
        target: "p95 < 50 ms",
        pass: t.p95 < 50,
        note: `${page.merges.length} merges, ${notes} notes${page.nextCursor ? ", more pages" : ""}`,
        baseline: `naive: LIKE '%${prefix}%' over all merge_paths, then join merges: p50 ${fmtMs(base.p50)} (${base.runs} runs)`,
        ratio: `${fmtInt(base.p50 / t.p50)}x`,
      });
    }

    // 3b. SHA lookups
    const samples = factory.samples.filter((s) => s.merge);
    const lookups = [
      ["(b) SHA lookup, full 40 hex", (s) => s.full],
      ["(b) SHA lookup, 7 hex", (s) => s.full.slice(0, 7)],
    ];
    for (const [label, shaOf] of PARTS.has("b") ? lookups : []) {
      let found = 0;
      let ambiguous = 0;
      const runs = Math.max(RUNS, Math.min(samples.length, 200));
      const t = await timeRuns(runs, async (i) => {
        try {
          if (await store.findMergeBySha(shaOf(samples[i % samples.length]))) found += 1;
        } catch (error) {
          if (!/ambiguous/.test(error.message)) throw error;
          ambiguous += 1;
        }
      });
      row(label, {
        ...t,
        target: "p95 < 5 ms",
        pass: t.p95 < 5,
        note: `${found} found${ambiguous ? `, ${ambiguous} refused as ambiguous` : ""} (incl. warm-up)`,
      });
    }

    // 3c. reports: the rollup (store.report) against the query over every merge (before it), same run
    if (PARTS.has("c")) await benchReports(store, row);

    // 3d. export everything as NDJSON, in a child process running the CLI
    if (!PARTS.has("d")) return rows;
    const exports = [];
    for (let i = 0; i < EXPORT_RUNS + 1; i++) exports.push(await exportInChild(url));
    const measured = exports.slice(1); // the first run warms the OS page cache
    const times = measured.map((e) => e.ms).sort((a, b) => a - b);
    const rss = measured.map((e) => e.maxRssKb).sort((a, b) => a - b);
    const maxRss = rss[rss.length - 1];
    row("(d) export everything as NDJSON (CLI in a child process)", {
      runs: measured.length,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      target: "peak RSS < 150 MB",
      pass: maxRss < 150 * 1024 && measured.every((e) => e.lines === N && e.code === 0),
      note:
        `${fmtInt(measured[0].lines)} lines, ${(measured[0].bytes / 1e9).toFixed(2)} GB; ` +
        `peak RSS p50 ${fmtMb(percentile(rss, 50))}, max ${fmtMb(maxRss)}; ${fmtInt(N / (percentile(times, 50) / 1000))} merges/s`,
    });
  } finally {
    await store.close();
    await raw.close();
    cleanup();
  }
  return rows;
}

const daysAgo = (days) => new Date(END - days * 86_400_000).toISOString();
/** Reports a dashboard or an audit asks for: whole months, partial days and months at both ends, filters. */
const REPORTS = [
  ["all merges, by team and month", {}, ["team", "month"]],
  ["last 90 days, by team and month", { since: SINCE_90D }, ["team", "month"]],
  ["45.5 to 3.3 days ago (partial days and months), by AI level", { since: daysAgo(45.5), until: daysAgo(3.3) }, ["ai"]],
  ["one team (any it owns files in), by month", { team: "@acme/payments" }, ["month"]],
  [
    "one repo, AI-assisted, 400 days from a mid-month noon, by team",
    { repo: "acme/pay", ai: AI_ASSISTED, since: daysAgo(400.5) },
    ["team"],
  ],
];

/**
 * (c) Each report through the rollup (`store.report`, after) and through the query over every
 * matching merge (`store.reportFromMerges`, before), checked equal, both timed in this run. Also
 * the rollup's full rebuild from the merges (what migration 7 runs on an existing trail).
 */
async function benchReports(store, row) {
  for (const [label, filter, groupBy] of REPORTS) {
    const fromRollup = await store.report(filter, groupBy);
    const fromMerges = await store.reportFromMerges(filter, groupBy);
    const same = JSON.stringify(fromRollup) === JSON.stringify(fromMerges);
    const after = await timeRuns(RUNS, () => store.report(filter, groupBy), 1);
    const before = await timeRuns(BASELINE_RUNS, () => store.reportFromMerges(filter, groupBy), 1);
    row(`(c) report: ${label}`, {
      ...after,
      target: "p95 < 100 ms",
      pass: after.p95 < 100 && same,
      note: `${fromRollup.rows.length} groups, ${fmtInt(fromRollup.total.merges)} merges; ${same ? "same as" : "DIFFERS FROM"} before`,
      baseline: `before (query over the merges): p50 ${fmtMs(before.p50)}, p95 ${fmtMs(before.p95)} (${before.runs} runs)`,
      ratio: `${fmtInt(before.p50 / after.p50)}x`,
    });
  }
  const rebuildStart = performance.now();
  await store.rebuildReportRollup();
  const rebuildMs = performance.now() - rebuildStart;
  row("(c) report rollup: rebuild from the merges (migration 7 on an existing trail)", {
    result: `${fmtMs(rebuildMs)}; then ${(await store.reportRollupProblem()) ?? "matches the merges"}`,
  });
}

/** Runs `countersign audit export --format ndjson` (the built CLI) with stdout to /dev/null. */
function exportInChild(databaseUrl) {
  const devNull = openSync("/dev/null", "w");
  const cwd = mkdtempSync(join(tmpdir(), "countersign-bench-export-"));
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--export-child"], {
      cwd,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", devNull, "inherit", "ipc"],
      execArgv: [],
    });
    let result = null;
    child.on("message", (m) => (result = m));
    child.on("error", reject);
    child.on("exit", (code) => {
      closeSync(devNull);
      rmSync(cwd, { recursive: true, force: true });
      if (result && !result.error) resolve(result);
      else reject(new Error(`export child exited with ${code}: ${result?.error ?? "no result"}`));
    });
  });
}

async function exportChild() {
  try {
    const { writeSync } = await import("node:fs");
    const { main } = await import(pathToFileURL(join(root, "dist/cli/main.js")).href);
    let lines = 0;
    let bytes = 0;
    const started = performance.now();
    const code = await main(["node", "countersign", "audit", "export", "--format", "ndjson"], {
      out: (text) => {
        const chunk = `${text}\n`;
        for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) lines += 1;
        bytes += Buffer.byteLength(chunk);
        writeSync(1, chunk);
      },
      err: (text) => process.stderr.write(`${text}\n`),
    });
    const ms = performance.now() - started;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    process.send({ code, ms, lines, bytes, maxRssKb: process.resourceUsage().maxRSS, vmHwmKb: hwm ? Number(hwm) : null });
  } catch (error) {
    process.send({ error: error.stack ?? String(error) });
  }
  process.disconnect();
}

// ---- engines -----------------------------------------------------------------------------------

function engines() {
  let pgServer = null;
  return {
    async open(engine) {
      if (engine === "sqlite") {
        const { SqliteAuditStore } = await import(pathToFileURL(join(root, "dist/audit/sqlite-audit-store.js")).href);
        const { default: Database } = await import("better-sqlite3");
        const dir = mkdtempSync(join(tmpdir(), "countersign-bench-sqlite-"));
        const file = join(dir, "audit.db");
        const store = new SqliteAuditStore(file);
        await store.migrate();
        const db = new Database(file, { readonly: false });
        return {
          store,
          url: `sqlite://${file}`,
          cleanup: () => rmSync(dir, { recursive: true, force: true }),
          raw: {
            size: async () => {
              const bytes = ["", "-wal"].reduce((n, s) => n + (existsSync(file + s) ? statSync(file + s).size : 0), 0);
              return `${(bytes / 1e9).toFixed(2)} GB`;
            },
            // The approach the indexes replace: every path row matched with LIKE (materialised,
            // so the planner cannot turn it into a per-merge probe), then the merges.
            naivePathQuery: async (prefix, since, levels) =>
              db
                .prepare(
                  `WITH hit AS MATERIALIZED (SELECT DISTINCT merge_id FROM merge_paths WHERE path LIKE ?)
                   SELECT m.id FROM hit JOIN merges m ON m.id = hit.merge_id
                   WHERE m.merged_at >= ? AND m.ai_level IN (${levels.map(() => "?").join(", ")}) ORDER BY m.merged_at DESC LIMIT 100`,
                )
                .all(`%${prefix}%`, since, ...levels),
            close: async () => db.close(),
          },
        };
      }
      const { PostgresAuditStore } = await import(pathToFileURL(join(root, "dist/audit/postgres-audit-store.js")).href);
      const { default: pg } = await import("pg");
      pgServer ??= await postgresServer();
      if (!pgServer.url) throw new Error(pgServer.reason);
      const admin = new pg.Client({ connectionString: pgServer.url });
      await admin.connect();
      const name = `countersign_bench_${process.pid}`;
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      if (pgServer.started) {
        // Our own throwaway server: room for a bulk load (WAL), nothing a query depends on.
        await admin.query("ALTER SYSTEM SET max_wal_size = '8GB'");
        await admin.query("ALTER SYSTEM SET checkpoint_timeout = '30min'");
        await admin.query("SELECT pg_reload_conf()");
      }
      const u = new URL(pgServer.url);
      u.pathname = `/${name}`;
      const url = u.toString();
      const store = new PostgresAuditStore(url);
      await store.migrate();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return {
        store,
        url,
        cleanup: () => {},
        raw: {
          analyze: async () => void (await client.query("VACUUM ANALYZE")),
          size: async () => (await client.query("SELECT pg_size_pretty(pg_database_size(current_database())) AS s")).rows[0].s,
          naivePathQuery: async (prefix, since, levels) =>
            (
              await client.query(
                `WITH hit AS MATERIALIZED (SELECT DISTINCT merge_id FROM merge_paths WHERE path LIKE $1)
                 SELECT m.id FROM hit JOIN merges m ON m.id = hit.merge_id
                 WHERE m.merged_at >= $2 AND m.ai_level = ANY($3::text[]) ORDER BY m.merged_at DESC LIMIT 100`,
                [`%${prefix}%`, since, levels],
              )
            ).rows,
          close: async () => {
            await client.end();
            if (!process.env.BENCH_AUDIT_KEEP) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
            await admin.end();
          },
        },
      };
    },
    stop() {
      pgServer?.stop?.();
    },
  };
}

// ---- report ------------------------------------------------------------------------------------

function printTable(rows) {
  const header = ["engine", "measure", "runs", "p50", "p95", "target", "result", "notes / baseline (same run)", "ratio"];
  const body = rows.map((r) => [
    r.engine,
    r.measure,
    r.runs === undefined ? "" : String(r.runs),
    r.p50 === undefined ? "" : fmtMs(r.p50),
    r.p95 === undefined ? "" : fmtMs(r.p95),
    r.target ?? "",
    r.pass === undefined ? (r.result ?? "") : `${r.pass ? "PASS" : "FAIL"}${r.result ? ` ${r.result}` : ""}`,
    [r.note, r.baseline].filter(Boolean).join("; "),
    r.ratio ?? "",
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((b) => (i === 6 || i === 7 ? Math.min(b[i].length, 60) : b[i].length))),
  );
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

export default async function run() {
  const started = performance.now();
  console.log(
    `Audit trail benchmark: ${fmtInt(N)} synthetic merges over 2 years (${REPOS.length} repos, ${AREAS.length} ` +
      `areas, ${TEAMS.length} teams); ` +
      `${RUNS} runs per query after a warm-up; node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"})`,
  );
  const ctx = engines();
  const all = [];
  try {
    for (const engine of ENGINES) {
      if (engine !== "sqlite" && engine !== "postgres") throw new Error(`BENCH_AUDIT_ENGINES: unknown engine ${engine}`);
      try {
        const t = performance.now();
        all.push(...(await benchEngine(engine, ctx)));
        all.push({ engine, measure: "engine total (wall)", result: fmtMs(performance.now() - t) });
      } catch (error) {
        if (engine === "postgres" && /could not start PostgreSQL/.test(error.message)) {
          all.push({ engine, measure: "skipped", result: error.message });
        } else throw error;
      }
    }
  } finally {
    ctx.stop();
  }
  console.log("");
  printTable(all);
  const targets = "(a) p95 < 50 ms, (b) p95 < 5 ms, (c) p95 < 100 ms, (d) peak RSS < 150 MB, on both engines";
  console.log(`\nTotal ${fmtMs(performance.now() - started)}. Targets: ${targets}.`);
  const failed = all.filter((r) => r.pass === false);
  if (failed.length > 0) process.exitCode = 1;
}

if (process.argv[2] === "--export-child") {
  await exportChild();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
