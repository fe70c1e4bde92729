// CODEOWNERS benchmark: our parser against the npm libraries, in one process.
//
// 1. Generate a deterministic 2,000-rule CODEOWNERS of mixed forms and 3,000 changed paths (seeded PRNG).
// 2. Time parse + resolve of every path for ours, `codeowners` (reads a CODEOWNERS file from a
//    directory) and `@snyk/github-codeowners`: the same protocol for each, a warm-up of at least
//    3 runs and 1 s (a webhook server is long-lived, so the JIT is warm), then the median of at
//    least RUNS (default 5) runs and 1 s.
// 3. Score each library on the conformance table (test/fixtures/codeowners/conformance-cases.json).
// 4. Time our parse of a ~3 MB file just under GitHub's limit.
// 5. Adversarial patterns (a crafted CODEOWNERS line, a crafted audit path filter) against long
//    crafted paths: ours (linear, glob-match.ts) at full size; the backtracking baseline (the
//    same pattern as a RegExp, or picomatch) at growing sizes until one run passes 2 s.
//
// Run: npx tsc -p tsconfig.build.json && node bench/codeowners.mjs   (RUNS=9 to change the run count)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { prng } from "./prng.mjs";
import { CODEOWNERS_MAX_BYTES, parseCodeowners } from "../dist/policy/codeowners.js";
import { compileGlob } from "../dist/policy/glob-match.js";

const require = createRequire(import.meta.url);
const picomatch = require("picomatch");
const Codeowners = require("codeowners");
const { OwnershipEngine } = require("@snyk/github-codeowners/dist/lib/ownership/OwnershipEngine.js");

const CASES = JSON.parse(readFileSync(new URL("../test/fixtures/codeowners/conformance-cases.json", import.meta.url), "utf8"));
const RULES = 2000;
const PATHS = 3000;

const TOP = ["src", "packages", "apps", "services", "libs", "docs", "tools", "scripts", "infra", "test", "config", ".github"];
const MID = [
  "core",
  "api",
  "web",
  "auth",
  "billing",
  "search",
  "ui",
  "db",
  "migrations",
  "generated",
  "vendor",
  "internal",
  "utils",
  "components",
  "fixtures",
  "__snapshots__",
  "logs",
  "handlers",
  "models",
  "proto",
];
const EXT = [".ts", ".tsx", ".js", ".go", ".py", ".md", ".json", ".yml", ".proto", ".sql", ".test.ts", ".snap"];
const BASE = ["index", "main", "README", "config", "schema", "client", "server", "types", "utils", "handler", "Button", "setup"];

export function generateCodeowners(rand = prng(0xc0de)) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const num = (n) => Math.floor(rand() * n);
  const owners = () => {
    const r = rand();
    if (r < 0.04) return ""; // unsets ownership
    const list = [];
    const count = 1 + num(3);
    for (let i = 0; i < count; i++) {
      const kind = rand();
      list.push(kind < 0.55 ? `@acme/team-${num(120)}` : kind < 0.85 ? `@user${num(400)}` : `dev${num(200)}@example.com`);
    }
    return " " + list.join(" ");
  };
  const forms = [
    () => `/${pick(TOP)}/${pick(MID)}${num(40)}/`, // anchored directory
    () => `/${pick(TOP)}/${pick(MID)}${num(40)}/${pick(MID)}/`, // deeper anchored directory
    () => `/${pick(TOP)}/${pick(MID)}${num(40)}/${pick(BASE)}${pick(EXT)}`, // anchored file
    () => `${pick(MID)}/`, // floating directory
    () => `${pick(MID)}${num(40)}`, // floating name
    () => `*${pick(EXT)}`, // extension
    () => `/${pick(TOP)}/${pick(MID)}${num(40)}/*${pick(EXT)}`, // extension in a directory
    () => `${pick(TOP)}/*`, // lone star: direct children only
    () => `/${pick(TOP)}/${pick(MID)}${num(40)}/*`,
    () => `**/${pick(MID)}/**`, // **/x/**
    () => `**/${pick(MID)}${num(40)}/*${pick(EXT)}`,
    () => `/${pick(TOP)}/**/${pick(MID)}/`, // middle **
    () => `/${pick(TOP)}/${pick(MID)}?/`, // ? wildcard
    () => `/${pick(TOP)}/${pick(MID).slice(0, 3)}*`, // partial wildcard last segment
    () => `/${pick(TOP)}/*/${pick(MID)}/`, // wildcard in the middle
  ];
  const lines = ["# Generated for bench/codeowners.mjs", "* @acme/default", ""];
  for (let i = 1; i < RULES; i++) lines.push(pick(forms)() + owners());
  return lines.join("\n") + "\n";
}

export function generatePaths(rand = prng(0xbeef)) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const num = (n) => Math.floor(rand() * n);
  const paths = [];
  for (let i = 0; i < PATHS; i++) {
    const depth = 1 + num(5);
    const segs = [pick(TOP)];
    for (let d = 1; d < depth; d++) segs.push(rand() < 0.5 ? `${pick(MID)}${num(40)}` : pick(MID));
    segs.push(pick(BASE) + pick(EXT));
    paths.push(segs.join("/"));
  }
  return paths;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs `fn` at least `minRuns` times and for at least `minMs`; returns each run's milliseconds. */
function repeat(minRuns, minMs, fn) {
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < minRuns || (Number(process.hrtime.bigint() - start) / 1e6 < minMs && times.length < 1000)) {
    times.push(timeMs(fn).ms);
  }
  return times;
}

function timeMs(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** Each library as "write/parse this CODEOWNERS text, then give the owners of these paths". */
function libraries(dir) {
  const file = join(dir, "CODEOWNERS");
  return [
    {
      name: "countersign (ours)",
      prepare: (text) => text,
      run: (text, paths) => {
        const co = parseCodeowners(text);
        return paths.map((p) => co.ownersOf(p).owners);
      },
    },
    {
      name: "codeowners@5.1.1",
      prepare: (text) => writeFileSync(file, text),
      run: (_text, paths) => {
        const co = new Codeowners(dir);
        return paths.map((p) => co.getOwner(p));
      },
    },
    {
      name: "@snyk/github-codeowners@1.1.0",
      prepare: (text) => writeFileSync(file, text),
      run: (_text, paths) => {
        const engine = OwnershipEngine.FromCodeownersFile(file);
        return paths.map((p) => engine.calcFileOwnership(p));
      },
    },
  ];
}

/** Share of conformance rows where `<pattern> @owner` owning `path` agrees with the table; a throw disagrees. */
function conformance(lib) {
  let agree = 0;
  const error = console.error;
  console.error = () => {}; // @snyk/github-codeowners logs every file it fails to load
  try {
    for (const c of CASES) {
      const text = `${c.pattern} @owner\n`;
      try {
        lib.prepare(text);
        const [owners] = lib.run(text, [c.path]);
        if (owners.length > 0 === c.matches) agree++;
      } catch {
        // A library that throws on a line GitHub accepts (or skips) disagrees with GitHub.
      }
    }
  } finally {
    console.error = error;
  }
  return agree / CASES.length;
}

function threeMegabyteFile() {
  const lines = [];
  let size = 0;
  const rand = prng(0x3b);
  for (let i = 0; ; i++) {
    const line = `/services/svc${i % 500}/module${i}/**/*.ts @acme/team-${Math.floor(rand() * 300)} user${i}@example.com\n`;
    if (size + line.length >= CODEOWNERS_MAX_BYTES) break;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

/** [name, pattern, ours(path), backtracking baseline(path), path of size n, full n, first baseline n]. */
const ADVERSARIAL = [
  [
    "CODEOWNERS **/a/**/a/**/a/**/b vs a/ x n + c",
    (n) => parseCodeowners("**/a/**/a/**/a/**/b @acme/x\n").ownersOf(`${"a/".repeat(n)}c`),
    // The RegExp codeowners.ts used to build for that line.
    (n) => /^(?:.+\/)?a(?:\/.+)?\/a(?:\/.+)?\/a(?:\/.+)?\/b(?:\/.+)?$/su.test(`${"a/".repeat(n)}c`),
    800,
    50,
  ],
  [
    "path filter **/*e*e*e*e*e*e*e*e*e*e*q vs src/ + e x n",
    (n) => compileGlob("**/*e*e*e*e*e*e*e*e*e*e*q")(`src/${"e".repeat(n)}`),
    (n) => picomatch("**/*e*e*e*e*e*e*e*e*e*e*q", { dot: true })(`src/${"e".repeat(n)}`),
    100_000,
    16,
  ],
];

function adversarial() {
  return ADVERSARIAL.map(([name, ours, baseline, fullN, firstN]) => {
    const oursMs = timeMs(() => ours(fullN)).ms;
    let n = firstN;
    let last = null;
    for (;;) {
      const ms = timeMs(() => baseline(n)).ms;
      last = { n, ms, oursMs: timeMs(() => ours(n)).ms };
      if (ms > 2000 || n >= fullN) break;
      n = Math.min(fullN, Math.ceil(n * 1.25));
    }
    return { name, fullN, oursMs, baseline: last };
  });
}

export default async function run() {
  const runs = Math.max(5, Number(process.env.RUNS ?? 5));
  const text = generateCodeowners();
  const paths = generatePaths();
  const dir = mkdtempSync(join(tmpdir(), "countersign-bench-"));
  try {
    const rows = [];
    for (const lib of libraries(dir)) {
      lib.prepare(text);
      repeat(3, 1000, () => lib.run(text, paths)); // warm-up
      const times = repeat(runs, 1000, () => lib.run(text, paths));
      rows.push({ library: lib.name, medianMs: median(times), runs: times.length, conformance: conformance(lib) });
    }
    const ours = rows[0].medianMs;
    for (const row of rows) row.ratio = row.medianMs / ours;

    const big = threeMegabyteFile();
    const coldMs = timeMs(() => parseCodeowners(big)).ms;
    const parseTimes = repeat(runs, 0, () => parseCodeowners(big));
    const parse3mb = {
      bytes: Buffer.byteLength(big),
      rules: parseCodeowners(big).rules.length,
      firstMs: coldMs,
      medianMs: median(parseTimes),
    };

    const fmt = (n, d) => n.toFixed(d);
    console.log(
      `CODEOWNERS: ${RULES} rules x ${PATHS} changed paths, parse + resolve; median of >= ${runs} runs and 1 s after a >= 1 s warm-up`,
    );
    console.log(`conformance: ${CASES.length} rows of test/fixtures/codeowners/conformance-cases.json`);
    console.log("");
    console.log(
      ["library".padEnd(32), "median ms".padStart(10), "runs".padStart(5), "conformance".padStart(12), "x ours".padStart(9)].join("  "),
    );
    for (const r of rows) {
      console.log(
        [
          r.library.padEnd(32),
          fmt(r.medianMs, 2).padStart(10),
          String(r.runs).padStart(5),
          `${fmt(r.conformance * 100, 1)}%`.padStart(12),
          `${fmt(r.ratio, 1)}x`.padStart(9),
        ].join("  "),
      );
    }
    console.log("");
    console.log(
      `parse of a ${parse3mb.bytes.toLocaleString("en-US")}-byte CODEOWNERS (limit ${CODEOWNERS_MAX_BYTES.toLocaleString("en-US")}), ` +
        `${parse3mb.rules.toLocaleString("en-US")} rules: first ${fmt(parse3mb.firstMs, 1)} ms, ` +
        `median of ${runs} ${fmt(parse3mb.medianMs, 1)} ms`,
    );
    console.log("");
    console.log("adversarial patterns: ours at full size; the backtracking baseline up to the size where one run passes 2 s");
    const hostile = adversarial();
    for (const a of hostile) {
      console.log(
        `  ${a.name}: ours ${fmt(a.oursMs, 1)} ms at n=${a.fullN.toLocaleString("en-US")}; ` +
          `backtracking ${fmt(a.baseline.ms, 0)} ms at n=${a.baseline.n} ` +
          `(ours ${fmt(a.baseline.oursMs, 2)} ms there, ${fmt(a.baseline.ms / Math.max(a.baseline.oursMs, 0.01), 0)}x)`,
      );
    }
    return { rules: RULES, paths: PATHS, runs, libraries: rows, parse3mb, adversarial: hostile };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
