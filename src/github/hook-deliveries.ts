/**
 * The app webhook's delivery log on GitHub, read as the App (a JWT: Probot's `app.auth()` with no
 * installation). GitHub never redelivers a failed delivery by itself; its advice is a scheduled job
 * that lists the deliveries attempted since its last run, finds the GUIDs whose attempts all failed,
 * and asks for one redelivery of each. These are the GitHub calls of that job (handlers/reconcile.ts).
 */
import type { GitHub } from "./github.js";

/** One delivery attempt, as GET /app/hook/deliveries lists it. */
export interface HookDelivery {
  /** This attempt's id (what a redelivery is requested for). */
  id: number;
  /** The delivery's GUID (`X-GitHub-Delivery`), the same on every attempt of it. */
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  /** "OK" when the app answered 2xx. */
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}

export interface DeliveriesSince {
  /** Newest first. */
  deliveries: HookDelivery[];
  /** GitHub calls made (one per page of 100). */
  calls: number;
  /** Stopped at `maxPages` before reaching `since`: older attempts were not read. */
  truncated: boolean;
}

/**
 * The attempts newer than the last one seen (`afterId`, ids only grow) and made at or after `since`
 * (epoch ms), newest first: pages of 100 follow the `cursor` in each answer's `Link` header and stop
 * at the first attempt already seen or older than `since`.
 */
export async function listDeliveriesSince(
  app: GitHub,
  window: { since: number; afterId: number | null },
  maxPages = 50,
): Promise<DeliveriesSince> {
  const deliveries: HookDelivery[] = [];
  let calls = 0;
  const pages = app.paginate.iterator(app.rest.apps.listWebhookDeliveries, { per_page: 100 });
  for await (const page of pages) {
    calls++;
    for (const d of page.data as unknown as HookDelivery[]) {
      const seen = window.afterId !== null && d.id <= window.afterId;
      if (seen || Date.parse(d.delivered_at) < window.since) return { deliveries, calls, truncated: false };
      deliveries.push(d);
    }
    if (calls >= maxPages) return { deliveries, calls, truncated: true };
  }
  return { deliveries, calls, truncated: false };
}

export const deliverySucceeded = (d: Pick<HookDelivery, "status" | "status_code">): boolean =>
  d.status === "OK" || (d.status_code >= 200 && d.status_code < 300);

/**
 * What to redeliver: for each GUID none of whose attempts succeeded, its newest failed attempt,
 * unless one of its attempts already is a redelivery or this app asked for one before
 * (`alreadyRequested`): a failing delivery is redelivered once, never in a loop.
 */
export function chooseRedeliveries(deliveries: readonly HookDelivery[], alreadyRequested: ReadonlySet<string>): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const d of deliveries) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);
  const chosen: HookDelivery[] = [];
  for (const [guid, attempts] of byGuid) {
    if (alreadyRequested.has(guid)) continue;
    if (attempts.some((a) => deliverySucceeded(a) || a.redelivery)) continue;
    chosen.push(attempts.reduce((newest, a) => (a.id > newest.id ? a : newest)));
  }
  return chosen.sort((a, b) => a.id - b.id);
}

/** Asks GitHub to send an attempt's payload again (202: queued; the GUID is kept). */
export async function requestRedelivery(app: GitHub, deliveryId: number): Promise<void> {
  await app.rest.apps.redeliverWebhookDelivery({ delivery_id: deliveryId });
}

/** The repositories (by id) that had any delivery, per installation: where something happened. */
export function activeRepositories(deliveries: readonly HookDelivery[]): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const d of deliveries) {
    if (d.installation_id === null || d.repository_id === null) continue;
    const set = out.get(d.installation_id) ?? new Set<number>();
    set.add(d.repository_id);
    out.set(d.installation_id, set);
  }
  return out;
}

/**
 * Whether GitHub answers, at the cost of one read as the App (`GET /app`, which a JWT may call and
 * no installation's rate limit pays for): the outage watch's probe while GitHub's reads fail.
 */
export async function probeApp(app: GitHub): Promise<void> {
  await app.request("GET /app", { request: { retries: 0 } });
}
