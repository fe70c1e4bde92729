/** The merges table: the filter form, one page of merges (newest first), cursor paging, the CSV link. */
import type { MergeRecord } from "../audit/audit-store.js";
import { AI_CHOICES, filterQuery, isFiltered, type FilterProblem, type FilterValues } from "./dashboard-filter.js";
import { html, joinHtml, trustedHtml, type SafeHtml } from "./html.js";
import { checkBadge, DASHBOARD_PREFIX, formatTime, levelBadge, mergeHref, page, type SignedIn } from "./layout.js";

export const PAGE_SIZE = 50;

const SELECTED = trustedHtml(" selected");

export interface MergesPageInput {
  signedIn: SignedIn;
  values: FilterValues;
  problems: FilterProblem[];
  /** null when the filter was refused (problems). */
  merges: MergeRecord[] | null;
  nextCursor: string | null;
  /** 1-based, for the caption only (cursors carry the position). */
  pageNumber: number;
}

export function mergesPage(input: MergesPageInput): SafeHtml {
  const { values, problems } = input;
  const next = input.nextCursor
    ? `${DASHBOARD_PREFIX}/merges${filterQuery(values, { cursor: input.nextCursor, page: String(input.pageNumber + 1) })}`
    : null;
  const first = input.pageNumber > 1 ? `${DASHBOARD_PREFIX}/merges${filterQuery(values)}` : null;
  const csv = `${DASHBOARD_PREFIX}/merges.csv${filterQuery(values)}`;

  let results: SafeHtml;
  if (input.merges === null) {
    const fieldWord = problems.length === 1 ? "field" : "fields";
    results = html`<div class="alert" role="alert"><p><strong>The filter was not applied.</strong> Fix the highlighted ${fieldWord}:</p>
      <ul>${problems.map((p) => html`<li>${fieldLabel(p.field)}: ${p.message}</li>`)}</ul></div>`;
  } else if (input.merges.length === 0) {
    results = html`<p role="status">No merges ${isFiltered(values) ? "match this filter" : "are recorded yet"}.</p>`;
  } else {
    const mergeWord = input.merges.length === 1 ? "merge" : "merges";
    const more = input.nextCursor ? "; more on the next page" : "";
    results = html`<p class="pager" role="status">
    <span>${input.merges.length} ${mergeWord} on page ${input.pageNumber}${more}.</span>
    <a class="button secondary" href="${csv}" download>Download CSV</a>
    <span class="muted">(every merge matching the filter, not only this page)</span>
  </p>
  ${mergesTable(input.merges, `Merges${isFiltered(values) ? " matching the filter" : ""}, newest first, page ${input.pageNumber}`)}
  <nav class="pager" aria-label="Pages">
    ${first ? html`<a href="${first}">First page</a>` : null}
    ${next ? html`<a href="${next}" rel="next">Next page</a>` : html`<span class="muted">End of the results.</span>`}
  </nav>`;
  }

  return page({
    title: "Merges",
    signedIn: input.signedIn,
    active: "merges",
    body: html`<h1>Merges</h1>
${filterForm(values, problems)}
${results}`,
  });
}

export function mergesTable(merges: readonly MergeRecord[], caption: string): SafeHtml {
  return html`<table class="merges">
  <caption>${caption}</caption>
  <thead><tr>
    <th scope="col">Merged (UTC)</th>
    <th scope="col">Pull request</th>
    <th scope="col">AI disclosure</th>
    <th scope="col">Owning team</th>
    <th scope="col">Counted reviewers</th>
    <th scope="col">Gate at merge</th>
    <th scope="col">Exceptions</th>
    <th scope="col">Reverted</th>
  </tr></thead>
  <tbody>${merges.map(mergeRow)}</tbody>
</table>`;
}

const BYPASSED_BADGE = html` <span class="badge danger">bypassed</span>`;
const INCOMPLETE_BADGE = html`<span class="badge danger" title="recorded while GitHub could not be read">incomplete</span>`;

function mergeRow(m: MergeRecord): SafeHtml {
  const counted = m.reviewers.filter((r) => r.counted).map((r) => r.reviewer);
  return html`<tr>
    <td class="nowrap">${formatTime(m.mergedAt).replace(" UTC", "")}</td>
    <th scope="row"><a href="${mergeHref(m.repo, m.prNumber)}">${m.repo}#${m.prNumber}</a><br><span class="muted">${m.title}</span></th>
    <td>${levelBadge(m.aiLevel)}${m.aiTools.length ? html`<br><span class="muted">${m.aiTools.join(", ")}</span>` : null}</td>
    <td>${m.owningTeam ?? html`<span class="muted">none</span>`}</td>
    <td>${counted.length ? counted.join(", ") : html`<span class="muted">none</span>`}</td>
    <td>${m.incomplete ? INCOMPLETE_BADGE : html`${checkBadge(m.checkConclusion)}${m.bypassed ? BYPASSED_BADGE : null}`}</td>
    <td>${
      m.exceptions.length
        ? joinHtml(
            m.exceptions.map((e) => html`${e.boundary} <span class="muted">by ${e.grantedBy}</span>`),
            trustedHtml("<br>"),
          )
        : html`<span class="muted">none</span>`
    }</td>
    <td>${
      (m.revertedBy ?? []).length
        ? joinHtml(
            (m.revertedBy ?? []).map((r) => html`<a href="${mergeHref(r.repo, r.prNumber)}">by ${r.repo}#${r.prNumber}</a>`),
            trustedHtml("<br>"),
          )
        : html`<span class="muted">no</span>`
    }</td>
  </tr>`;
}

const LABELS: Record<FilterProblem["field"], string> = {
  repo: "Repository",
  path: "Changed path (glob)",
  team: "Owning team",
  ai: "AI disclosure",
  bypassed: "Bypassed the gate",
  incomplete: "Incomplete record",
  reverted: "Reverted",
  exceptions: "Boundary exceptions",
  since: "Merged from",
  until: "Merged until",
  sha: "Commit SHA",
  cursor: "Page",
  filter: "Filter",
};

function fieldLabel(field: FilterProblem["field"]): string {
  return LABELS[field];
}

function filterForm(values: FilterValues, problems: FilterProblem[]): SafeHtml {
  const errorOf = (field: keyof FilterValues) => problems.find((p) => p.field === field)?.message;
  const describedBy = (field: keyof FilterValues, hint: boolean) =>
    [hint ? `f-${field}-hint` : "", errorOf(field) ? `f-${field}-error` : ""].filter(Boolean).join(" ");
  const aria = (field: keyof FilterValues, hint: boolean) => {
    const ids = describedBy(field, hint);
    return html`${ids ? html` aria-describedby="${ids}"` : null}${errorOf(field) ? html` aria-invalid="true"` : null}`;
  };
  const error = (field: keyof FilterValues) => {
    const message = errorOf(field);
    return message ? html`<span class="field-error" id="f-${field}-error">${message}</span>` : null;
  };
  const text = (field: keyof FilterValues, hint: string | null, attrs: SafeHtml | null = null) => html`<div>
    <label for="f-${field}">${fieldLabel(field)}</label>
    <input id="f-${field}" name="${field}" value="${values[field]}"${attrs}${aria(field, hint !== null)}>
    ${hint ? html`<span class="hint" id="f-${field}-hint">${hint}</span>` : null}${error(field)}
  </div>`;
  const select = (field: keyof FilterValues, choices: readonly { value: string; label: string }[]) => html`<div>
    <label for="f-${field}">${fieldLabel(field)}</label>
    <select id="f-${field}" name="${field}"${aria(field, false)}>
      ${choices.map((c) => html`<option value="${c.value}"${c.value === values[field] ? SELECTED : null}>${c.label}</option>`)}
    </select>${error(field)}
  </div>`;
  const yesNo = [
    { value: "", label: "Any" },
    { value: "true", label: "Yes" },
    { value: "false", label: "No" },
  ];
  return html`<form class="filters" method="get" action="${DASHBOARD_PREFIX}/merges" role="search" aria-label="Filter merges">
  ${text("repo", "owner/name", trustedHtml(' autocomplete="off" spellcheck="false"'))}
  ${text("path", "e.g. src/payments/** (picomatch)", trustedHtml(' autocomplete="off" spellcheck="false"'))}
  ${text("team", "@org/team, any owning team", trustedHtml(' autocomplete="off" spellcheck="false"'))}
  ${select("ai", AI_CHOICES)}
  ${select("bypassed", yesNo)}
  ${select("incomplete", yesNo)}
  ${select("reverted", yesNo)}
  ${select("exceptions", yesNo)}
  ${text("since", "first day, UTC", trustedHtml(' type="date"'))}
  ${text("until", "last day, UTC (included)", trustedHtml(' type="date"'))}
  ${text("sha", "merge, head or any PR commit (7+ hex)", trustedHtml(' autocomplete="off" spellcheck="false"'))}
  <div class="actions">
    <button type="submit">Apply filter</button>
    <a class="button secondary" href="${DASHBOARD_PREFIX}/merges">Clear</a>
  </div>
</form>`;
}
