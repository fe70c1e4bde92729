// Disclosure reader benchmark: is parsing linear on hostile input?
//
// 1. Baseline: parse 1 MB of ordinary PR prose (a realistic description repeated), measured in
//    this run, the reference every other figure is divided by.
// 2. Hostile bodies of 1 MB, each built to trip a naive reader (unclosed comments, nested lists,
//    repeated negations and openers, long lines): time each, report the worst and its ratio.
// 3. Linearity: the worst hostile body at 100 KB and at 1 MB; a linear reader takes ~10x longer,
//    a quadratic one ~100x.
// Median of RUNS (default 5) runs after one warm-up run each.
//
// Run: npm run bench -- disclosure   (RUNS=9 to change the run count)
import { performance } from "node:perf_hooks";
import { parseDisclosure } from "../dist/policy/disclosure.js";

const RUNS = Number(process.env.RUNS ?? 5);
const MB = 1_000_000;
const HUMAN = { login: "octocat", type: "User" };

const PROSE =
  "## Summary\nThis change moves the retry loop out of the uploader and into the client, so every caller gets it.\n\n" +
  "### AI disclosure\nI used Claude Code to draft the retry tests; I wrote the client change myself and read every line.\n\n" +
  "- [x] Tests added\n- [ ] Docs updated\n\nFixes #1234. See the design note for the backoff numbers.\n\n";

/** Hostile 1 MB bodies (the same families the unit test feeds the parser). */
function hostile(size) {
  const rep = (s) => s.repeat(Math.max(1, Math.floor(size / s.length)));
  return [
    ["long line of spaces", " ".repeat(size)],
    ["unclosed comment openers", rep("<!--x")],
    ["tiny comments", rep("<!---->")],
    ["AI sections with two boxes", rep("## AI disclosure\n- [x] None\n- [x] Agent\n")],
    ["nested details summaries", rep("<details><summary>AI use</summary>\n")],
    ["repeated free-text openers", rep("written primarily by ")],
    ["repeated negations", rep("did not use did not use ")],
    ["tool names and verbs", rep("Claude wrote and Copilot generated and GPT-4o implemented ")],
    ["negated use sentences", rep("No AI was used to write the description. ")],
    ["heading with trailing hashes", `## AI ${"# ".repeat(size / 2)}x`],
    ["parentheses", "(".repeat(size / 2) + ")".repeat(size / 2)],
    ["checkbox lines", rep("- [x] AI-Assisted: yes\n")],
  ];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(body) {
  parseDisclosure({ body, commits: [], author: HUMAN }); // warm-up
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    parseDisclosure({ body, commits: [], author: HUMAN });
    runs.push(performance.now() - t);
  }
  return median(runs);
}

export default function main() {
  const baseline = time(PROSE.repeat(Math.ceil(MB / PROSE.length)).slice(0, MB));
  console.log(`baseline: 1 MB of ordinary PR prose parses in ${baseline.toFixed(1)} ms (median of ${RUNS})`);
  const rows = hostile(MB).map(([name, body]) => ({ name, ms: time(body) }));
  rows.sort((a, b) => b.ms - a.ms);
  for (const r of rows) console.log(`  ${r.name.padEnd(30)} ${r.ms.toFixed(1).padStart(8)} ms  ${(r.ms / baseline).toFixed(2)}x baseline`);
  const worst = rows[0];
  const small = hostile(MB / 10).find(([name]) => name === worst.name)[1];
  const tSmall = time(small);
  console.log(
    `worst: ${worst.name}, ${worst.ms.toFixed(1)} ms at 1 MB; ${tSmall.toFixed(1)} ms at 100 KB ` +
      `(x${(worst.ms / tSmall).toFixed(1)} for 10x the input: ~10 is linear)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
