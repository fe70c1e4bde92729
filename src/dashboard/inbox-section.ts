/**
 * The overview's "Parked deliveries" section, for admin (token) sessions: webhook deliveries the
 * app gave up on after its last attempt, with the error, and the command that tries one again.
 * Shown only when there are some.
 */
import type { AuditStore } from "../audit/audit-store.js";
import type { InboxDeliverySummary } from "../audit/inbox-store.js";
import { html, type SafeHtml } from "./html.js";

export interface ParkedDeliveries {
  /** All parked deliveries (the list may be shorter). */
  count: number;
  deliveries: InboxDeliverySummary[];
}

export function parkedDeliveriesSection(parked: ParkedDeliveries | null): SafeHtml | null {
  if (!parked || parked.count === 0) return null;
  const rows = parked.deliveries.map((d) => {
    const event = d.action ? `${d.event}.${d.action}` : d.event;
    const cells = [html`<code>${d.id}</code>`, event, d.receivedAt, d.attempts, d.lastError ?? ""].map((c) => html`<td>${c}</td>`);
    return html`<tr>${cells}</tr>`;
  });
  const what = parked.count === 1 ? "delivery was" : "deliveries were";
  const shown = parked.count > parked.deliveries.length ? ` (${parked.deliveries.length} of ${parked.count})` : "";
  const headers = ["Delivery", "Event", "Received", "Attempts", "Last error"].map((h) => html`<th scope="col">${h}</th>`);
  return html`<h2 id="parked-deliveries">Parked deliveries</h2>
<p class="notice" role="status">${parked.count} webhook ${what} not processed after every attempt, so checks or merge records
may be missing. Fix the cause, then run <code>countersign inbox retry &lt;delivery-id&gt;</code>.</p>
<table><caption>The oldest parked deliveries${shown}</caption>
<thead><tr>${headers}</tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The parked count and the oldest 20 parked deliveries. */
export async function parkedDeliveries(store: AuditStore): Promise<ParkedDeliveries> {
  const inbox = store.inbox();
  const { parked } = await inbox.stats();
  return { count: parked, deliveries: parked > 0 ? await inbox.list({ state: "parked", limit: 20 }) : [] };
}
