#!/usr/bin/env node
/**
 * Runs the GitHub simulator on its own, for poking at the app by hand:
 *
 *   node tools/github-simulator/cli.mjs --port 3100 --app-id 4242 --public-key app.pub.pem \
 *     --webhook-url http://127.0.0.1:3000/api/github/webhooks --webhook-secret dev --seed acme
 *
 * then start the app with the printed GHE_HOST/GHE_PROTOCOL. Every request is logged. With
 * `--seed acme`, the demo's organisation, teams and repository are created, and typing
 * `open <title>` on stdin opens an undisclosed PR (and sends its webhook).
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { seedAcme } from "../demo/acme.mjs";
import { startGitHubSimulator } from "./index.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3100" },
    host: { type: "string", default: "127.0.0.1" },
    "app-id": { type: "string", default: "1" },
    "public-key": { type: "string" },
    "webhook-url": { type: "string" },
    "webhook-secret": { type: "string", default: "development" },
    latency: { type: "string", default: "0" },
    seed: { type: "string" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    readFileSync(new URL(import.meta.url), "utf8")
      .split("*/")[0]
      .replace(/^#!.*\n\/\*\*?/, "")
      .replace(/^ \* ?/gm, ""),
  );
  process.exit(0);
}

const sim = await startGitHubSimulator({
  appId: Number(values["app-id"]),
  publicKey: values["public-key"] ? readFileSync(values["public-key"], "utf8") : null,
  webhook: values["webhook-url"] ? { url: values["webhook-url"], secret: values["webhook-secret"] } : null,
  latencyMs: Number(values.latency),
  port: Number(values.port),
  host: values.host,
  log: values.quiet ? null : (line) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`),
});
const repo = values.seed === "acme" ? seedAcme(sim, "acme/payments-api").fullName : null;

console.log(`GitHub simulator on ${sim.url} (REST ${sim.apiUrl}, GraphQL ${sim.graphqlUrl})`);
console.log(`Point the app at it:  GHE_HOST=${sim.host} GHE_PROTOCOL=http APP_ID=${values["app-id"]}`);
if (!values["public-key"]) console.log("(no --public-key: JWT signatures are not verified, only their claims)");
if (repo) console.log(`Seeded ${repo} (installation ${sim.world.findRepo(repo).installationId}); type "open <title>" to open a PR`);

if (repo) {
  const rl = createInterface({ input: process.stdin });
  rl.on("line", async (line) => {
    const m = /^open\s+(.+)$/.exec(line.trim());
    if (!m) return;
    const pr = await sim.openPullRequest(repo, {
      title: m[1],
      body: "Opened from the simulator's prompt.",
      author: { login: "octocat" },
      files: ["src/app.ts"],
    });
    console.log(
      `opened ${repo}#${pr.number} at ${pr.headSha.slice(0, 7)} (webhook: ${pr.delivery.status ?? "not sent: no --webhook-url"})`,
    );
  });
}

for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void sim.close().then(() => process.exit(0)));
