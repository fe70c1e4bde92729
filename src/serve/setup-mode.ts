/**
 * Before the app is registered (no APP_ID): Probot's setup page, which registers a GitHub App
 * from app.yml and saves its credentials to `.env`, plus `GET /healthz` answering 200 with
 * "awaiting registration", so a container's health check passes while someone registers it.
 * Probot's own `run()` serves only the setup page (and refuses to start when NODE_ENV is
 * production), so this builds the same server with the health route in front of it.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Probot, Server } from "probot";
import { healthzHandler, type RouteHandler } from "./read-routes.js";

type SetupAppFactory = (options: { host: string; port: number; log: Probot["log"] }) => () => Promise<RouteHandler>;

export const AWAITING_REGISTRATION = "awaiting registration: no APP_ID yet; open this server in a browser to register the GitHub App";

export interface SetupModeOptions {
  host: string;
  port: number;
}

export async function startSetupMode(options: SetupModeOptions): Promise<Server> {
  const server = new Server({
    host: options.host,
    port: options.port,
    // Probot's own setup mode does the same: the Probot instance is never used to call GitHub.
    Probot: Probot.defaults({ appId: 1, privateKey: "unused in setup mode" }),
  });
  let log: Probot["log"] | undefined;
  await server.load((app, { addHandler }) => {
    log = app.log;
    addHandler(healthzHandler(() => ({ ok: true, status: "awaiting-registration", message: AWAITING_REGISTRATION })));
  });
  const setupLog = log!.child({ name: "setup" });
  await server.loadHandlerFactory((await probotSetupApp())({ host: server.host, port: server.port, log: setupLog }));
  await server.start();
  log!.warn(
    "Setup mode (no APP_ID): only the registration page and /healthz are served. The audit API, the dashboard and the " +
      "webhook handlers start once APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are set (the setup page writes them to .env; " +
      "then restart). To read an existing audit trail without App credentials, run `countersign serve`.",
  );
  return server;
}

/** Probot's setup page (not in its package exports: loaded from the file next to its entry point). */
async function probotSetupApp(): Promise<SetupAppFactory> {
  const entry = createRequire(import.meta.url).resolve("probot");
  const mod = (await import(pathToFileURL(join(dirname(entry), "apps/setup.js")).href)) as { setupAppFactory?: SetupAppFactory };
  if (typeof mod.setupAppFactory !== "function")
    throw new Error("this Probot version has no setup page at lib/apps/setup.js; set " + "APP_ID, PRIVATE_KEY and WEBHOOK_SECRET instead");
  return mod.setupAppFactory;
}
