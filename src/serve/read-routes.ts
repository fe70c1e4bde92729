/**
 * The read-only HTTP routes over the audit store: `/healthz`, the audit API (bearer token) and
 * the dashboard (token or GitHub sign-in). Mounted by the app (next to its webhooks) and by
 * `countersign serve` (on their own, without GitHub App credentials).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditStore } from "../audit/audit-store.js";
import { createDashboardHandler, type DashboardLog } from "../dashboard/dashboard-handler.js";
import type { GitHubOAuthConfig } from "../github/user-sign-in.js";
import { createAuditApiHandler } from "../http/audit-api.js";
import type { TrustedProxies } from "../http/client-address.js";

/** Answers a request (true) or passes it on (false), as Probot's `addHandler` handlers do. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** `GET /healthz`: 200 with the JSON `body()` returns at the time of the request. */
export function healthzHandler(body: () => Record<string, unknown> | Promise<Record<string, unknown>>): RouteHandler {
  return async (req, res) => {
    if (req.method !== "GET" || new URL(req.url ?? "/", "http://localhost").pathname !== "/healthz") return false;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(await body()));
    return true;
  };
}

export interface ReadRoutesOptions {
  store: AuditStore;
  /** AUDIT_API_TOKEN: turns on the JSON API and the dashboard's token sign-in. */
  auditApiToken?: string | null;
  /** GITHUB_CLIENT_ID/SECRET: the dashboard's GitHub sign-in. */
  githubOAuth?: GitHubOAuthConfig | null;
  /** Links to pull requests and commits (GHE: its web URL). */
  githubUrl?: string;
  /** TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For names the client (the sign-in throttle). */
  trustedProxies?: TrustedProxies | null;
  log: DashboardLog;
}

/** The audit API (token only) and the dashboard (either sign-in); none when neither is configured. */
export function readRoutes(options: ReadRoutesOptions): RouteHandler[] {
  const routes: RouteHandler[] = [];
  if (options.auditApiToken) routes.push(createAuditApiHandler({ store: options.store, token: options.auditApiToken, log: options.log }));
  if (options.auditApiToken || options.githubOAuth) {
    routes.push(
      createDashboardHandler({
        store: options.store,
        token: options.auditApiToken ?? undefined,
        github: options.githubOAuth ?? null,
        log: options.log,
        trustedProxies: options.trustedProxies ?? null,
        ...(options.githubUrl ? { githubUrl: options.githubUrl } : {}),
      }),
    );
  }
  return routes;
}
