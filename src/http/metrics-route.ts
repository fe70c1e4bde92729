/**
 * GET /metrics in Prometheus' text format, behind a bearer token (METRICS_TOKEN, else
 * AUDIT_API_TOKEN). Not served at all without one: the metrics name repositories' activity.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppMetrics } from "../metrics/app-metrics.js";
import { authorized, digest } from "./bearer-token.js";

export const METRICS_PATH = "/metrics";

export function createMetricsHandler(options: { metrics: AppMetrics; token: string }) {
  if (!options.token) {
    throw new Error("createMetricsHandler: token is empty; leave /metrics unregistered without METRICS_TOKEN or AUDIT_API_TOKEN");
  }
  const expected = digest(options.token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== METRICS_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    if (!authorized(req.headers.authorization, expected)) {
      res
        .writeHead(401, { "www-authenticate": 'Bearer realm="countersign"', "content-type": "text/plain" })
        .end("send Authorization: Bearer <METRICS_TOKEN>\n");
      return true;
    }
    const text = await options.metrics.registry.metrics();
    res
      .writeHead(200, { "content-type": options.metrics.registry.contentType, "cache-control": "no-store" })
      .end(req.method === "HEAD" ? undefined : text);
    return true;
  };
}
