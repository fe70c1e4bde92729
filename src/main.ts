/**
 * Process entry (`npm start`): parse the environment → open the audit store (migrations run) →
 * start the Probot server. Without APP_ID, Probot serves its setup page to register the app from
 * app.yml.
 */
import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "./app.js";
import { CountersignOctokit } from "./github/octokit.js";
import { openAuditStore } from "./audit/open-audit-store.js";
import { parseEnv } from "./env.js";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const parsed = parseEnv(process.env);
  if (!parsed.ok) {
    console.error(`countersign: refusing to start:\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}`);
    process.exit(1);
  }
  const store = await openAuditStore(parsed.env.DATABASE_URL);
  const env = parsed.env;
  const changeEvents = env.INCIDENT_WEBHOOK_URL
    ? { url: env.INCIDENT_WEBHOOK_URL, routingKey: env.INCIDENT_WEBHOOK_ROUTING_KEY ?? null, webHost: env.GHE_HOST ?? "github.com" }
    : null;
  const server = await run(createApp({ store, appId: env.APP_ID ? Number(env.APP_ID) : null, changeEvents, auditApiToken: env.AUDIT_API_TOKEN ?? null }), { Octokit: CountersignOctokit });
  const stop = async () => {
    await server.stop();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`countersign: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
