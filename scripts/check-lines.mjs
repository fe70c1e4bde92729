#!/usr/bin/env node
/**
 * Line length (`npm run lint`, run by .ci/run): no line of source, test, bench, tool or script
 * code over 140 characters. Biome formats the code to that width but leaves long strings and
 * comments alone, so this check catches those. Test data (test/fixtures/) and generated files are
 * exempt. Exit status 1 with one line per offending line.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 140;
const CODE = /\.(ts|mts|mjs|js|sh)$/;
// Test data, generated files, and shipped migrations (never edited: their SQL is checksummed).
const EXEMPT = [/^test\/fixtures\//, /^schema\//, /^dist\//, /^src\/audit\/migrations\/000[1-7]-/];

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => CODE.test(f) && !EXEMPT.some((re) => re.test(f)));
let bad = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // deleted in the working tree
  }
  text.split("\n").forEach((line, i) => {
    if (line.length > MAX) {
      bad++;
      console.log(`${file}:${i + 1}: ${line.length} characters (at most ${MAX})`);
    }
  });
}
if (bad > 0) {
  console.log(`${bad} line${bad === 1 ? "" : "s"} over ${MAX} characters`);
  process.exit(1);
}
console.log(`lines: ok (${files.length} files, none over ${MAX} characters)`);
