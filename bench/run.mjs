#!/usr/bin/env node
// `npm run bench -- <name>`: builds, then runs bench/<name>.mjs (all of them without a name).
// Each benchmark measures its baselines in the same process and prints ratios against them.
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith(".mjs") && f !== "run.mjs").map((f) => f.replace(/\.mjs$/, ""));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(", ")}. Available: ${available.join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  console.log(`\n== bench: ${name}`);
  const mod = await import(pathToFileURL(join(here, `${name}.mjs`)).href);
  if (typeof mod.default === "function") await mod.default();
}
