/**
 * Incidents and the merges linked to them (current relation only), newest first: where a
 * post-incident review starts when it has the incident id rather than a commit.
 */
import type { IncidentRecord } from "../audit/audit-store.js";
import { monthLabel, SERIES_COLORS, weeklyBarChart } from "./charts.js";
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
  const table = incidents.length ? incidentsTable(incidents, more) : noIncidents(signedIn.admin);
  const intro = "Each incident with the merges linked to it.";
  const postmortem = html`<code>countersign postmortem INCIDENT-ID</code>`;
  return page({
    title: "Incidents",
    signedIn,
    active: "incidents",
    body: html`<h1>Incidents</h1>
<p>${intro} A merge's page answers the review questions; ${postmortem} writes them for the whole incident.</p>
${incidents.length ? incidentTrendChart(incidents, more) : null}
${table}`,
  });
}

function incidentsTable(incidents: readonly IncidentRecord[], more: boolean): SafeHtml {
  const caption =
    `${incidents.length} ${incidents.length === 1 ? "incident" : "incidents"}${more ? ", the newest shown" : ""}` +
    ", newest first; each merge with its current relation";
  const headers = ["Incident", "Severity", "Category", "Started (UTC)", "Linked merges"];
  return html`<table>
  <caption>${caption}</caption>
  <thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
  <tbody>${incidents.map((i) => {
    const current = i.links.filter((l) => l.current);
    const name = /^https?:\/\//i.test(i.url ?? "") ? html`<a href="${i.url}" rel="noreferrer">${i.externalId}</a>` : i.externalId;
    const subtitle = i.title ? html`<br><span class="muted">${i.title}</span>` : null;
    return html`<tr>
    <th scope="row">${name}${subtitle}</th>
    <td>${i.severity ? `SEV${i.severity}` : "—"}</td>
    <td>${i.category ?? html`<span class="muted">not classified</span>`}</td>
    <td class="nowrap">${i.startedAt ? formatTime(i.startedAt).replace(" UTC", "") : "—"}</td>
    <td>${
      current.length
        ? joinHtml(
            current.map((l) => {
              const relation = l.relation === "caused" ? html`<span class="badge danger">caused</span>` : l.relation;
              return html`<a href="${mergeHref(l.repo, l.prNumber)}#incidents">${l.repo}#${l.prNumber}</a> ${relation}`;
            }),
            trustedHtml("<br>"),
          )
        : html`<span class="muted">none yet</span>`
    }</td>
  </tr>`;
  })}</tbody>
</table>`;
}

function noIncidents(admin: boolean): SafeHtml {
  const open = html`<code>countersign incident open</code>`;
  const post = html`<code>POST /countersign/api/incidents</code>`;
  const where = admin ? "" : " for your repositories";
  const then = "then link it to the merges it involves.";
  return html`<p class="muted">No incident is recorded${where}. Record one with ${open} or ${post}, ${then}</p>`;
}

/** Incidents per month (of their start, else of their recording) and category, as grouped bars. */
export function incidentTrendChart(incidents: readonly IncidentRecord[], more: boolean): SafeHtml {
  const monthOf = (i: IncidentRecord) => (i.startedAt ?? i.recordedAt).slice(0, 7);
  const seen = incidents.map(monthOf).sort();
  const months: string[] = [];
  for (let m = seen[0]!; m <= seen.at(-1)!; m = nextMonth(m)) months.push(m);
  const categories = [...new Set(incidents.map((i) => i.category ?? "not classified"))].sort();
  const count = (month: string, category: string) =>
    incidents.filter((i) => monthOf(i) === month && (i.category ?? "not classified") === category).length;
  const busiest = categories
    .map((c) => ({ c, n: incidents.filter((i) => (i.category ?? "not classified") === c).length }))
    .sort((a, b) => b.n - a.n)[0]!;
  const scope = more
    ? `the ${incidents.length} newest incidents`
    : `${incidents.length} ${incidents.length === 1 ? "incident" : "incidents"}`;
  return html`<div class="charts single">${weeklyBarChart({
    id: "chart-incidents",
    title: "Incidents per month, by category",
    summary:
      `${scope} from ${monthLabel(months[0]!)} to ${monthLabel(months.at(-1)!)}, by the month they started. Most frequent: ` +
      `${busiest.c} (${busiest.n}).`,
    weeks: months,
    series: categories.map((c, j) => ({
      label: c,
      color: SERIES_COLORS[j % SERIES_COLORS.length]!,
      values: months.map((m) => count(m, c)),
      describe: (i: number) => `${monthLabel(months[i]!)}: ${count(months[i]!, c)} ${c}`,
    })),
    table: { headers: categories, rows: months.map((m) => categories.map((c) => count(m, c))) },
    axis: { name: "Month started (UTC)", label: monthLabel, every: months.length > 8 ? 2 : 1 },
  })}</div>`;
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}
