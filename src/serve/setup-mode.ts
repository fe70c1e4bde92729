/**
 * Before the app is registered (no APP_ID): Probot's setup page, which registers a GitHub App
 * from app.yml and saves its credentials to `.env`, plus `GET /healthz` answering 200 with
 * "awaiting registration", so a container's health check passes while someone registers it.
 * Probot's own `run()` serves only the setup page (and refuses to start when NODE_ENV is
 * production), so this builds the same server with the health route in front of it.
 *
 * Hardened like the app's server (http/app-server.ts), since it may face the internet while it
 * waits: the process's redacting logger for everything (the manifest callback's one-time `code`
 * is in its URL, and a failed exchange of it is logged with GitHub's URL, which holds the code
 * too), every request body bounded while it streams (the import form posts a private key and a
 * webhook secret, which Probot would read whole, whatever its size), and the header and request
 * timeouts.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "pino";
import { type Probot, Server } from "probot";
import { guardedProbot, setTimeouts } from "../http/app-server.js";
import { limitEveryRequestBody } from "../http/body-limit.js";
import { healthzHandler, type RouteHandler } from "./read-routes.js";

type SetupAppFactory = (options: { host: string; port: number; log: Probot["log"] }) => () => Promise<RouteHandler>;

export const AWAITING_REGISTRATION = "awaiting registration: no APP_ID yet; open this server in a browser to register the GitHub App";

/**
 * The most a request body may hold in setup mode. The only body the setup page reads is the
 * import form's JSON (an App id, a private key of a few KB, a webhook secret); nothing else
 * served before registration takes a body.
 */
export const SETUP_MAX_BODY_BYTES = 1024 * 1024;

export interface SetupModeOptions {
  host: string;
  port: number;
  /** The process's logger (createRedactingLog): Probot's request logger and the setup page log through it. */
  log: Logger;
}

export async function startSetupMode(options: SetupModeOptions): Promise<Server> {
  const { log } = options;
  const server = new Server({
    host: options.host,
    port: options.port,
    log,
    // Probot's own setup mode does the same: the Probot instance is never used to call GitHub.
    Probot: guardedProbot((middleware) =>
      limitEveryRequestBody(middleware, SETUP_MAX_BODY_BYTES, "setup mode, before registration"),
    ).defaults({ appId: 1, privateKey: "unused in setup mode" }),
  });
  server.addHandler(healthzHandler(() => ({ ok: true, status: "awaiting-registration", message: AWAITING_REGISTRATION })));
  const setupApp = (await probotSetupApp())({ host: server.host, port: server.port, log: log.child({ name: "setup" }) });
  await server.loadHandlerFactory(async () => withoutParserQuotes(await setupApp(), log));
  setTimeouts(await server.start());
  log.warn(
    "Setup mode (no APP_ID): only the registration page and /healthz are served. The audit API, the dashboard and the " +
      "webhook handlers start once APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are set (the setup page writes them to .env; " +
      "then restart). To read an existing audit trail without App credentials, run `countersign serve`.",
  );
  return server;
}

/**
 * The setup page with an import body that is not JSON answered 400 and logged without the
 * parser's message: V8 quotes the text around the error, which may be part of a private key or
 * secret typed into the form (Probot would answer 500 and log the message whole).
 */
function withoutParserQuotes(handler: RouteHandler, log: Logger): RouteHandler {
  return async (req, res) => {
    try {
      return await handler(req, res);
    } catch (error) {
      if (!(error instanceof SyntaxError) || req.method !== "POST" || !req.url?.startsWith("/probot/import")) throw error;
      log.warn("POST /probot/import: the body is not JSON; nothing was saved");
      res.writeHead(400, { "content-type": "text/plain" }).end("the body must be JSON: {appId, pem, webhook_secret}");
      return true;
    }
  };
}

/** Probot's setup page (not in its package exports: loaded from the file next to its entry point). */
async function probotSetupApp(): Promise<SetupAppFactory> {
  const entry = createRequire(import.meta.url).resolve("probot");
  const mod = (await import(pathToFileURL(join(dirname(entry), "apps/setup.js")).href)) as { setupAppFactory?: SetupAppFactory };
  if (typeof mod.setupAppFactory !== "function")
    throw new Error("this Probot version has no setup page at lib/apps/setup.js; set " + "APP_ID, PRIVATE_KEY and WEBHOOK_SECRET instead");
  return mod.setupAppFactory;
}
