/**
 * Process entry (`npm start`): parse the environment → open the audit store (migrations run) →
 * connect to Redis when REDIS_URL is set (replicas) → start the Probot server. Without APP_ID,
 * Probot serves its setup page to register the app from app.yml. Probot reads REDIS_URL itself
 * too, for its cluster-wide throttle (ioredis, a dependency so it is never fetched at run time).
 */
import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "./app.js";
import { ConditionalReads, redisReadStore } from "./github/conditional-requests.js";
import { CountersignOctokit } from "./github/octokit.js";
import { openAuditStore } from "./audit/open-audit-store.js";
import { openRedisLeases } from "./cluster/redis-leases.js";
import { githubOAuthOf, githubUrls, parseEnv } from "./env.js";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const parsed = parseEnv(process.env);
  if (!parsed.ok) {
    console.error(`countersign: refusing to start:\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}`);
    process.exit(1);
  }
  const env = parsed.env;
  const store = await openAuditStore(env.DATABASE_URL);
  const leases = env.REDIS_URL ? await openRedisLeases(env.REDIS_URL) : null;
  const changeEvents = env.INCIDENT_WEBHOOK_URL
    ? { url: env.INCIDENT_WEBHOOK_URL, routingKey: env.INCIDENT_WEBHOOK_ROUTING_KEY ?? null, webHost: env.GHE_HOST ?? "github.com" }
    : null;
  // Replicas share kept ETags and bodies through the same Redis, so a read one made is a 304 for all.
  const conditionalReads = new ConditionalReads({ shared: leases ? redisReadStore(leases.redis) : null });
  const server = await run(
    createApp({
      store,
      appId: env.APP_ID ? Number(env.APP_ID) : null,
      changeEvents,
      auditApiToken: env.AUDIT_API_TOKEN ?? null,
      githubOAuth: githubOAuthOf(env),
      githubUrl: githubUrls(env).web,
      leases,
      conditionalReads,
    }),
    { Octokit: CountersignOctokit },
  );
  const stop = async () => {
    await server.stop();
    await leases?.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`countersign: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
