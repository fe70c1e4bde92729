#!/usr/bin/env node
// `npm run bench -- <name>`: builds, then runs bench/<name>.mjs (all of them without a name).
// Each benchmark measures its baselines in the same process and prints ratios against them.
// Flags after the name go to the benchmark (`npm run bench -- load --replicas 2`); every flag takes a value.
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const HELPERS = new Set(["run.mjs", "prng.mjs", "app-replicas.mjs", "synthetic-merges.mjs"]);
// The fault bench runs for many minutes (a 60 s GitHub outage, 30 s without Redis…): by name only
// (`npm run bench -- faults`, or `npm run bench:faults`), not in the run of every benchmark.
const ON_REQUEST = new Set(["faults"]);
const available = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && !HELPERS.has(f))
  .map((f) => f.replace(/\.mjs$/, ""));
const args = process.argv.slice(2);
const wanted = args.filter((a, i) => !a.startsWith("--") && !(args[i - 1]?.startsWith("--") && !args[i - 1].includes("=")));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(", ")}. Available: ${available.join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available.filter((n) => !ON_REQUEST.has(n))) {
  console.log(`\n== bench: ${name}`);
  const mod = await import(pathToFileURL(join(here, `${name}.mjs`)).href);
  if (typeof mod.default === "function") await mod.default();
}
