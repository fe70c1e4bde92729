/**
 * The app webhook's delivery log, as GitHub keeps it and serves it to the app (JWT):
 *   GET  /app/hook/deliveries                          newest first, `per_page` (max 100) and an opaque
 *                                                      `cursor`, the next page named in the `Link` header
 *   GET  /app/hook/deliveries/{delivery_id}            one attempt, with its request and response
 *   POST /app/hook/deliveries/{delivery_id}/attempts   redeliver: 202, then the original payload is sent
 *                                                      again under the same GUID as a new attempt with
 *                                                      `redelivery: true`
 * Every attempt the simulator makes is one entry with its own numeric id: `status` is "OK" for a 2xx
 * answer, "Invalid HTTP Response: <code>" for another answer, and "failed to connect to host" with
 * `status_code` 0 when the app could not be reached (or timed out).
 */
import { HttpError } from "./rest.mjs";

const PER_PAGE_MAX = 100;

/** GitHub's words for an attempt's outcome. */
export function deliveryStatus(statusCode) {
  if (statusCode >= 200 && statusCode < 300) return "OK";
  if (!statusCode) return "failed to connect to host";
  return `Invalid HTTP Response: ${statusCode}`;
}

/** The REST shape of one attempt (the list's items; `full` adds request and response). */
export function hookDeliveryJson(d, { full = false } = {}) {
  const item = {
    id: d.hookDeliveryId,
    guid: d.id,
    delivered_at: new Date(d.at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    redelivery: Boolean(d.redelivery),
    duration: (d.ms ?? 0) / 1000,
    status: deliveryStatus(d.status ?? 0),
    status_code: d.status ?? 0,
    event: d.event,
    action: d.action,
    installation_id: d.installationId ?? null,
    repository_id: d.repositoryId ?? null,
    throttled_at: null,
  };
  if (!full) return item;
  return {
    ...item,
    url: d.url ?? null,
    request: { headers: { "X-GitHub-Event": d.event, "X-GitHub-Delivery": d.id }, payload: JSON.parse(d.payload) },
    response: { headers: {}, payload: d.body ?? null },
  };
}

/**
 * Registers the three routes. `ctx.deliveries()` is the attempt log (oldest first), `ctx.redeliver(d)`
 * sends attempt `d`'s payload again in the background, `ctx.base()` the API URL for the Link header.
 */
export function registerHookDeliveryRoutes(route, ctx) {
  const attempted = () => ctx.deliveries().filter((d) => d.status !== null && d.hookDeliveryId !== undefined);
  const byId = (id) => attempted().find((d) => d.hookDeliveryId === Number(id)) ?? null;

  route(
    "GET",
    "/app/hook/deliveries",
    (req) => {
      const perPage = Math.min(Math.max(Number(req.query.get("per_page") ?? 30) || 30, 1), PER_PAGE_MAX);
      const cursor = req.query.get("cursor");
      let before = Infinity;
      if (cursor) {
        const m = /^v1_(\d+)$/.exec(cursor);
        if (!m) throw new HttpError(422, "Invalid cursor", { errors: [{ resource: "HookDelivery", field: "cursor", code: "invalid" }] });
        before = Number(m[1]);
      }
      const items = attempted()
        .filter((d) => d.hookDeliveryId < before)
        .sort((a, b) => b.hookDeliveryId - a.hookDeliveryId);
      const page = items.slice(0, perPage);
      const headers = {};
      if (items.length > perPage) {
        const q = new URLSearchParams(req.query);
        q.set("per_page", String(perPage));
        q.set("cursor", `v1_${page[page.length - 1].hookDeliveryId}`);
        headers.link = `<${ctx.base().api}${req.path}?${q.toString()}>; rel="next"`;
      }
      return { status: 200, body: page.map((d) => hookDeliveryJson(d)), headers };
    },
    { auth: "app" },
  );
  route(
    "GET",
    "/app/hook/deliveries/{delivery_id}",
    (req) => {
      const d = byId(req.params.delivery_id);
      if (!d) throw new HttpError(404, "Not Found");
      return { status: 200, body: hookDeliveryJson(d, { full: true }) };
    },
    { auth: "app" },
  );
  route(
    "POST",
    "/app/hook/deliveries/{delivery_id}/attempts",
    (req) => {
      const d = byId(req.params.delivery_id);
      if (!d) throw new HttpError(404, "Not Found");
      ctx.redeliver(d);
      return { status: 202, body: {} };
    },
    { auth: "app" },
  );
}
