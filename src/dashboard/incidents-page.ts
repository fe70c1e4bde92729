/**
 * Incidents and the merges linked to them (current relation only), newest first: where a
 * post-incident review starts when it has the incident id rather than a commit.
 */
import type { IncidentRecord } from "../audit/audit-store.js";
import { html, joinHtml, trustedHtml, type SafeHtml } from "./html.js";
import { formatTime, mergeHref, page, type SignedIn } from "./layout.js";

export interface IncidentsPageInput {
  signedIn: SignedIn;
  /** Already limited to what the session may see (links outside its repositories removed). */
  incidents: readonly IncidentRecord[];
  /** True when the store had more than were asked for. */
  more: boolean;
}

export function incidentsPage({ signedIn, incidents, more }: IncidentsPageInput): SafeHtml {
  const table = incidents.length
    ? html`<table>
  <caption>${incidents.length} ${incidents.length === 1 ? "incident" : "incidents"}${more ? ", the newest shown" : ""}, newest first; each merge with its current relation</caption>
  <thead><tr><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Category</th><th scope="col">Started (UTC)</th><th scope="col">Linked merges</th></tr></thead>
  <tbody>${incidents.map((i) => {
    const current = i.links.filter((l) => l.current);
    return html`<tr>
    <th scope="row">${/^https?:\/\//i.test(i.url ?? "") ? html`<a href="${i.url}" rel="noreferrer">${i.externalId}</a>` : i.externalId}${i.title ? html`<br><span class="muted">${i.title}</span>` : null}</th>
    <td>${i.severity ? `SEV${i.severity}` : "—"}</td>
    <td>${i.category ?? html`<span class="muted">not classified</span>`}</td>
    <td class="nowrap">${i.startedAt ? formatTime(i.startedAt).replace(" UTC", "") : "—"}</td>
    <td>${current.length
      ? joinHtml(current.map((l) => html`<a href="${mergeHref(l.repo, l.prNumber)}#incidents">${l.repo}#${l.prNumber}</a> ${l.relation === "caused" ? html`<span class="badge danger">caused</span>` : l.relation}`), trustedHtml("<br>"))
      : html`<span class="muted">none yet</span>`}</td>
  </tr>`;
  })}</tbody>
</table>`
    : html`<p class="muted">No incident is recorded${signedIn.admin ? "" : " for your repositories"}. Record one with <code>countersign incident open</code> or <code>POST /countersign/api/incidents</code>, then link it to the merges it involves.</p>`;
  return page({
    title: "Incidents",
    signedIn,
    active: "incidents",
    body: html`<h1>Incidents</h1>
<p>Each incident with the merges linked to it. A merge's page answers the review questions; <code>countersign postmortem INCIDENT-ID</code> writes them for the whole incident.</p>
${table}`,
  });
}
