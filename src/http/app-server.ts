/**
 * Probot's HTTP server for the app, hardened: request bodies bounded before they are read
 * (body-limit.ts), header and request timeouts set (a client that trickles its headers or body
 * cannot hold a connection for Node's default five minutes). Before the app is registered (no
 * APP_ID), main starts setup mode instead (serve/setup-mode.ts), hardened the same way.
 */
import type { Server as HttpServer } from "node:http";
import { getPrivateKey } from "@probot/get-private-key";
import type { Logger } from "pino";
import { Probot, Server, type ApplicationFunction } from "probot";
import { limitRequestBodies, type NodeMiddleware } from "./body-limit.js";

/** The whole request line and headers must arrive within this time. */
export const HEADERS_TIMEOUT_MS = 20_000;
/** The whole request, body included (25 MB at 10 Mbit/s takes 20 s). */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Probot with its node middleware (which the server puts before every other handler) behind
 * `guard`, e.g. a body limit; `path` is the webhook path the middleware serves, when one is given.
 */
export function guardedProbot(guard: (middleware: NodeMiddleware, path: string | undefined) => NodeMiddleware): typeof Probot {
  return class GuardedProbot extends Probot {
    override async getNodeMiddleware(options: { log?: Logger | undefined; path?: string | undefined } = {}): Promise<NodeMiddleware> {
      return guard(await super.getNodeMiddleware(options), options.path);
    }
  };
}

export interface AppServerOptions {
  app: ApplicationFunction;
  log: Logger;
  Octokit: NonNullable<ConstructorParameters<typeof Probot>[0]>["Octokit"];
  env: NodeJS.ProcessEnv;
}

/** Starts the server the way Probot's `run` reads the environment (PORT, HOST, WEBHOOK_PATH, GHE_HOST, REDIS_URL…). */
export async function startAppServer({ app, log, Octokit, env }: AppServerOptions): Promise<{ stop(): Promise<void> }> {
  if (!env.APP_ID) throw new Error("APP_ID is not set: the app cannot start before it is registered (setup mode does that)");
  const privateKey = getPrivateKey({ env });
  if (!privateKey) {
    throw new Error("APP_ID is set but there is no private key: set PRIVATE_KEY or PRIVATE_KEY_PATH (the .pem from the App's settings)");
  }
  const webhookPath = env.WEBHOOK_PATH || "/api/github/webhooks";
  const server = new Server({
    host: env.HOST || "localhost",
    port: Number(env.PORT) || 3000,
    webhookPath,
    ...(env.WEBHOOK_PROXY_URL ? { webhookProxy: env.WEBHOOK_PROXY_URL } : {}),
    log,
    Probot: guardedProbot((middleware, path) => limitRequestBodies(middleware, path ?? webhookPath)).defaults({
      appId: env.APP_ID,
      privateKey,
      secret: env.WEBHOOK_SECRET,
      baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com",
      ...(env.REDIS_URL ? { redisConfig: env.REDIS_URL } : {}),
      log,
      Octokit,
    }),
  });
  await server.load(app);
  setTimeouts(await server.start());
  return server;
}

export function setTimeouts(http: HttpServer): void {
  http.headersTimeout = HEADERS_TIMEOUT_MS;
  http.requestTimeout = REQUEST_TIMEOUT_MS;
}
