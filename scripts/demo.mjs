#!/usr/bin/env node
/**
 * `npm run demo`: Countersign end to end on this machine, no GitHub account needed.
 *
 *   1. start the local GitHub simulator (tools/github-simulator) with an org, teams, a repository
 *      holding .github/countersign.yml and CODEOWNERS on its base branch
 *   2. start the real app server, `node dist/main.js`, as a child process pointed at it
 *      (GHE_HOST/GHE_PROTOCOL=http, a freshly generated PRIVATE_KEY, SQLite in a temp dir)
 *   3. play a scripted set of PRs through signed webhooks, one per gate outcome, printing each
 *      `countersign` check run as the app writes it
 *   4. stop the app, then print the audit trail with the CLI: `audit merges`, `audit verify`
 *      (and `audit report` when this build has it)
 *   5. record an incident, link the bypassed, later reverted merge (#1) to it as the cause, and end
 *      with the postmortem section generated from the incident id
 *
 * Exits 0 when every check concluded as scripted; children are stopped on exit and on signals.
 * Needs `npm run build` first (it runs dist/, the production code).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startGitHubSimulator } from "../tools/github-simulator/index.mjs";
import { COPILOT_AGENT, disclosure, note as NOTE, seedAcme } from "../tools/demo/acme.mjs";
import { seedHistory } from "../tools/demo/history.mjs";
import { generateAppCredentials, ROOT, runCli, startAppProcess, stopAllChildren } from "../tools/demo/app-process.mjs";

const APP_ID = 4242;
const REPO = "acme/payments-api";
const started = Date.now();
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const green = (s) => paint("32", s);
const red = (s) => paint("31", s);
const dim = (s) => paint("2", s);
const bold = (s) => paint("1", s);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;

// ---------------------------------------------------------------------------------------------
// Process management: everything started here is stopped on exit, error or signal.

let sim = null;
let workDir = null;
let cleaning = null;

async function cleanup() {
  cleaning ??= (async () => {
    await stopAllChildren();
    if (sim) await sim.close().catch(() => {});
    if (workDir && !process.env.DEMO_KEEP) rmSync(workDir, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the app and the simulator…`);
    void cleanup().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(ROOT, "dist", "main.js"))) {
    console.error("countersign demo: dist/main.js is missing. Run `npm run build` first.");
    return 2;
  }
  workDir = mkdtempSync(join(tmpdir(), "countersign-demo-"));
  const creds = generateAppCredentials();

  // 1. The simulator and its world.
  sim = await startGitHubSimulator({ appId: APP_ID, publicKey: creds.publicKey });
  seedAcme(sim, REPO);

  // 2. Six months of earlier merges (as a backfill would record them), then the real app, as
  //    `npm start` runs it, on the same store.
  const databaseUrl = `sqlite://${join(workDir, "audit.db")}`;
  const { openAuditStore } = await import(pathToFileURL(join(ROOT, "dist/audit/open-audit-store.js")).href);
  let clock = Date.now();
  const historyStore = await openAuditStore(databaseUrl, { now: () => new Date(clock) });
  const history = await seedHistory(historyStore, { now: Date.now(), setClock: (ms) => (clock = ms) });
  await historyStore.close();
  const app = await startAppProcess({
    sim,
    appId: APP_ID,
    privateKey: creds.privateKey,
    webhookSecret: creds.webhookSecret,
    databaseUrl,
    cwd: workDir,
    logLevel: process.env.LOG_LEVEL ?? "warn",
  });
  console.log(bold("Countersign demo"));
  console.log(dim(`  GitHub simulator  ${sim.apiUrl} (GHE layout; GraphQL at /api/graphql)`));
  console.log(dim(`  app               node dist/main.js on http://127.0.0.1:${app.port} (APP_ID ${APP_ID}, key generated just now)`));
  const earlier = `${history.merges} earlier merges since ${history.since.slice(
    0,
    10,
  )}, ${history.reverts} reverts, ${history.incidents} incidents`;
  console.log(dim(`  audit trail       ${databaseUrl}: ${earlier}`));
  console.log(dim(`  repository        ${REPO}: .github/countersign.yml (auth boundary, agent scope docs/ test/), CODEOWNERS`));
  sim.setWebhook({ url: app.webhookUrl, secret: creds.webhookSecret });
  console.log(dim(`  app ready after ${elapsed().trim()}\n`));

  // Every check-run write, as it happens.
  sim.on("check_run", ({ run, action }) => {
    const pr = [...sim.world.findRepo(REPO).pulls.values()].find((p) => p.headSha === run.headSha);
    const mark = run.conclusion === "success" ? green("✔ success") : red(`✘ ${run.conclusion ?? run.status}`);
    const unmet = [...String(run.output.summary ?? "").matchAll(/^\| \d+\. ([^|]+) \| ❌ unmet/gm)].map((m) => m[1].trim());
    console.log(
      `${dim(elapsed())}     check #${pr?.number ?? "?"} ${action.padEnd(7)} ${mark} ` +
        ` ${run.output.title}${unmet.length ? dim(`  (unmet: ${unmet.join(", ")})`) : ""}`,
    );
  });

  // 3. The script: one PR per gate outcome, then merges and a revert.
  const failures = [];
  const step = (text) => console.log(`${dim(elapsed())}  ${bold("▸")} ${text}`);
  const expectCheck = async (sha, conclusion, what) => {
    // The delivery's response normally arrives after the check is written; allow for a 202.
    await sim
      .waitForCheck(REPO, sha, (r) => r.conclusion === conclusion, { timeoutMs: 15_000 })
      .catch((e) => failures.push(`${what}: ${e.message}`));
  };
  const expectDelivered = (d, what) => {
    if (d.status !== 200 && d.status !== 202) failures.push(`${what}: webhook answered ${d.status} ${d.body ?? ""}`);
  };

  step(`#1 undisclosed: "Retry S3 uploads" says nothing about AI`);
  const p1 = await sim.openPullRequest(REPO, {
    title: "Retry S3 uploads",
    body: "Adds exponential backoff to the uploader.",
    author: { login: "ana" },
    files: ["src/upload/retry.ts"],
  });
  await expectCheck(p1.headSha, "failure", "#1 undisclosed");

  step(`#2 assisted, approved with "LGTM" only (no understanding note)`);
  const p2 = await sim.openPullRequest(REPO, {
    title: "Cache exchange rates",
    body: `Caches FX rates for 60 s.\n\n${disclosure("assisted", "GitHub Copilot")}`,
    author: { login: "ben" },
    files: ["src/fx/cache.ts"],
    requestedTeams: ["platform"],
  });
  await sim.review(REPO, p2.number, { user: "plat-dev", body: "LGTM" });
  await expectCheck(p2.headSha, "failure", "#2 assisted without a note");

  step(`#3 assisted, approved with an understanding note`);
  const p3 = await sim.openPullRequest(REPO, {
    title: "Paginate invoice export",
    body: `Streams invoices 500 at a time.\n\n${disclosure("assisted", "Claude Code")}`,
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
    requestedTeams: ["payments"],
  });
  await sim.review(REPO, p3.number, {
    user: "pay-lead",
    body: NOTE("exported 12k invoices from the staging snapshot and diffed the CSV against the old exporter byte for byte"),
  });
  await expectCheck(p3.headSha, "success", "#3 assisted with a note");

  step(`#4 AI-assisted change inside the "auth" boundary, then a security exception`);
  const p4 = await sim.openPullRequest(REPO, {
    title: "Rotate session signing keys",
    body: `Rotates the HMAC key monthly.\n\n${disclosure("generated", "Cursor")}`,
    author: { login: "dev-dan" },
    files: ["src/auth/session-keys.ts"],
    requestedTeams: ["security"],
  });
  await sim.review(REPO, p4.number, {
    user: "plat-lead",
    body: NOTE("rotated keys on a staging cluster and checked old sessions still verify until expiry"),
  });
  await expectCheck(p4.headSha, "failure", "#4 boundary blocked");
  // Bound to the head commit the approver reviewed (the check's fix text shows the command with it).
  const exception =
    `/countersign exception auth@${p4.headSha}: reviewed with security in SEC-1234; ` + `signing algorithm and key storage unchanged`;
  await sim.comment(REPO, p4.number, { user: "sec-lead", body: exception });
  await expectCheck(p4.headSha, "success", "#4 after the exception");

  step(`#5 coding agent (Copilot) touching src/ outside agents.scope`);
  const p5 = await sim.openPullRequest(REPO, {
    title: "Document and tune upload retries",
    body: "Sponsor: @plat-lead\n\nCo-authored with the Copilot coding agent.",
    author: COPILOT_AGENT.author,
    commits: [COPILOT_AGENT.commit],
    files: ["docs/uploads.md", "src/upload/retry.ts"],
    requestedTeams: ["platform"],
  });
  await expectCheck(p5.headSha, "failure", "#5 agent outside scope");

  step(`#6 incident patch without a rollback plan`);
  const p6 = await sim.openPullRequest(REPO, {
    title: "Hotfix: null currency on refunds",
    body: `${disclosure("none")}\nScope: src/billing/**\n`,
    author: { login: "eve" },
    labels: ["incident"],
    files: ["src/billing/refunds.ts"],
    requestedTeams: ["payments"],
  });
  await expectCheck(p6.headSha, "failure", "#6 incident without rollback");

  step(`merge #3 (check green): recorded`);
  expectDelivered((await sim.merge(REPO, p3.number, { by: "pay-lead" })).delivery, "merge #3");

  step(`merge #4 (green through the exception): the exception goes into the merge record`);
  expectDelivered((await sim.merge(REPO, p4.number, { by: "sec-lead" })).delivery, "merge #4");

  step(`merge #1 while its check is red (admin bypass): recorded as bypassed`);
  expectDelivered((await sim.merge(REPO, p1.number, { by: "admin-al" })).delivery, "merge #1");

  step(`#7 reverts #1: opened, then merged (links the revert in the trail)`);
  const p7 = await sim.openPullRequest(REPO, {
    title: 'Revert "Retry S3 uploads"',
    body: `Reverts ${REPO}#1\n\nUploads time out in eu-west-1.\n\nAI-Assisted: none`,
    author: { login: "plat-lead" },
    head: "revert-1-retry-s3-uploads",
    files: ["src/upload/retry.ts"],
    requestedTeams: ["platform"],
  });
  await expectCheck(p7.headSha, "success", "#7 revert");
  expectDelivered((await sim.merge(REPO, p7.number, { by: "plat-lead" })).delivery, "merge #7");

  const bad = sim.deliveries.filter((d) => d.status !== 200 && d.status !== 202);
  for (const d of bad) failures.push(`delivery ${d.event}.${d.action} answered ${d.status}`);
  const calls = sim.requests.filter((r) => r.kind !== "auth");
  console.log(
    dim(
      `\n  ${sim.deliveries.length} signed deliveries, ${calls.length} GitHub API calls ` +
        `(${calls.filter((r) => r.kind === "write").length} writes), ${sim.world.findRepo(REPO).checkRuns.length} check runs`,
    ),
  );

  // 4. Stop the app (SIGTERM: it closes the store), then read the trail with the CLI.
  await app.stop("SIGTERM", 5000);
  const appErrors = app.errors();
  if (appErrors.length > 0) {
    console.log(red(`\n  the app logged ${appErrors.length} error(s):`));
    for (const l of appErrors.slice(0, 5)) console.log(`    ${l.slice(0, 400)}`);
  }

  const cliEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? workDir, DATABASE_URL: databaseUrl };
  const cli = (args) => runCli(args, { env: cliEnv, cwd: workDir });
  const today = new Date(started - 60_000).toISOString();
  for (const args of [
    ["audit", "merges", "--since", today],
    ["audit", "merges", "--path", "src/auth/**", "--format", "ndjson"],
    ["audit", "verify"],
  ]) {
    console.log(`\n${bold(`$ countersign ${args.map((a) => (/[*\s]/.test(a) ? `'${a}'` : a)).join(" ")}`)}`);
    const res = await cli(args);
    console.log(args.includes("ndjson") ? excerpt(res.out) : res.out);
    if (res.code !== 0) failures.push(`countersign ${args.join(" ")} exited ${res.code}`);
  }
  const help = await cli(["audit", "--help"]);
  if (/^\s+report\b/m.test(help.out)) {
    console.log(`\n${bold("$ countersign audit report")}`);
    const res = await cli(["audit", "report"]);
    console.log(res.out);
    if (res.code !== 0) failures.push(`countersign audit report exited ${res.code}`);
  }

  // 5. The incident review: #1 merged undisclosed past a failing gate and was reverted by #7.
  //    Record the incident, link #1 to it as the cause, and let the postmortem start from the id.
  const steps = [
    [
      "incident",
      "open",
      "--id",
      "INC-1",
      "--title",
      "Checkout errors after an undisclosed change",
      "--severity",
      "2",
      "--category",
      "shadow-ai",
      "--started-at",
      new Date().toISOString(),
    ],
    ["incident", "link", "INC-1", "--merge", `${REPO}#1`, "--relation", "caused", "--note", "reverted by #7"],
  ];
  for (const args of steps) {
    console.log(`\n${bold(`$ countersign ${args.map((a) => (/[\s#]/.test(a) ? `'${a}'` : a)).join(" ")}`)}`);
    const res = await cli(args);
    if (res.out.trim()) console.log(res.out.trim());
    if (res.code !== 0) failures.push(`countersign ${args.slice(0, 2).join(" ")} exited ${res.code}`);
  }
  console.log(`\n${bold("$ countersign postmortem INC-1")}`);
  const pm = await cli(["postmortem", "INC-1"]);
  console.log(pm.out);
  if (pm.code !== 0) failures.push(`countersign postmortem exited ${pm.code}`);
  if (!/Was the gate bypassed\? Yes/.test(pm.out)) failures.push("the postmortem of INC-1 (merge #1) does not say the gate was bypassed");

  console.log("");
  if (failures.length > 0) {
    console.log(red(`Demo finished with ${failures.length} unexpected result(s) in ${elapsed().trim()}:`));
    for (const f of failures) console.log(red(`  - ${f}`));
    return 1;
  }
  console.log(green(`Demo finished in ${elapsed().trim()}: every check concluded as scripted, the trail verifies.`));
  if (process.env.DEMO_KEEP) {
    console.log(
      `\nThe store is kept in ${workDir}. Open the dashboard on it (then http://localhost:3000/countersign/, sign in with the ` + `token):`,
    );
    console.log(`  DATABASE_URL=${databaseUrl} AUDIT_API_TOKEN=demo-dashboard-token-0000 node bin/countersign.js serve`);
  } else {
    console.log(dim("\nRun it with DEMO_KEEP=1 to keep the store and open the dashboard on it (the demo prints the command)."));
  }
  return 0;
}

/** The parts of a merge record an incident review asks about first (the full record is much longer). */
function excerpt(ndjson) {
  return ndjson
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      try {
        const m = JSON.parse(l);
        const keep = {
          repo: m.repo,
          prNumber: m.prNumber,
          aiLevel: m.aiLevel,
          aiTools: m.aiTools,
          mergedBy: m.mergedBy,
          reviewers: m.reviewers?.map((r) => ({ reviewer: r.reviewer, counted: r.counted, verified: r.verified })),
          boundaries: m.boundaries,
          exceptions: m.exceptions?.map((e) => ({
            boundary: e.boundary,
            grantedBy: e.grantedBy,
            reason: e.reason,
            sha: e.sha?.slice(0, 7),
          })),
          bypassed: m.bypassed,
        };
        return JSON.stringify(keep, null, 2);
      } catch {
        return l;
      }
    })
    .join("\n");
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(red(`countersign demo failed: ${error instanceof Error ? error.message : String(error)}`));
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
