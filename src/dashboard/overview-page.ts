/**
 * The landing page: the headline numbers of the last 26 weeks with links into the merges table,
 * the four charts, the latest bypasses, and a commit lookup ("who owns commit abc123?").
 */
import type { MergeRecord, ReportRow } from "../audit/audit-store.js";
import { CHART_COLORS, formatPercent, rateChart, weeklyBarChart, type RateRow } from "./charts.js";
import { MAX_COUNTED, type DashboardFigures } from "./dashboard-figures.js";
import { html, type SafeHtml } from "./html.js";
import { parkedDeliveriesSection, type ParkedDeliveries } from "./inbox-section.js";
import { DASHBOARD_PREFIX, page, type SignedIn } from "./layout.js";
import { mergesTable } from "./merges-page.js";

const MAX_TEAMS = 12;
const LEVEL_ORDER = ["none", "assisted", "generated", "agent", "undisclosed"];

export interface OverviewPageInput {
  signedIn: SignedIn;
  figures: DashboardFigures;
  /** The repo/team scope of the figures, as typed. */
  scope: { repo: string; team: string };
  scopeProblems: { field: "repo" | "team"; message: string }[];
  recentBypasses: MergeRecord[];
  /** A GitHub session's repositories (everything it sees); null for the audit token. */
  readable: readonly string[] | null;
  /** The whole trail's chain head, for admin (token) sessions only; null: not shown. */
  chainHead: { seq: number; entryHash: string } | "empty" | null;
  /** Webhook deliveries parked in the inbox, for admin (token) sessions only; null: not shown. */
  parked?: ParkedDeliveries | null;
}

export function overviewPage(input: OverviewPageInput): SafeHtml {
  const f = input.figures;
  const t = f.total;
  const scopeParams = new URLSearchParams();
  if (input.scope.repo && !input.scopeProblems.some((p) => p.field === "repo")) scopeParams.set("repo", input.scope.repo);
  if (input.scope.team && !input.scopeProblems.some((p) => p.field === "team")) scopeParams.set("team", input.scope.team);
  const mergesLink = (extra: Record<string, string>) => {
    const params = new URLSearchParams(scopeParams);
    params.set("since", f.since);
    for (const [k, v] of Object.entries(extra)) params.set(k, v);
    return `${DASHBOARD_PREFIX}/merges?${params.toString()}`;
  };
  const weeks = f.weeks.map((w) => w.weekStart);
  const lastFull = f.weeks[f.weeks.length - 2];

  const share = weeklyBarChart({
    id: "chart-ai-share",
    title: "AI-assisted share of merges per week",
    summary:
      `${t.aiAssisted} of ${t.merges} merges since ${f.since} (${formatPercent(t.aiAssistedShare)})` +
      " were disclosed as assisted, generated or agent." +
      (lastFull ? ` Last full week: ${formatPercent(lastFull.aiAssistedShare)} (${lastFull.aiAssisted} of ${lastFull.merges}).` : ""),
    weeks,
    percent: true,
    series: [
      {
        label: "AI-assisted share",
        color: CHART_COLORS.blue,
        values: f.weeks.map((w) => w.aiAssistedShare),
        describe: (i) => {
          const w = f.weeks[i]!;
          return `Week of ${w.weekStart}: ${formatPercent(w.aiAssistedShare)} AI-assisted (${w.aiAssisted} of ${w.merges} merges)`;
        },
      },
    ],
    table: {
      headers: ["Merges", "AI-assisted", "Share"],
      rows: f.weeks.map((w) => [w.merges, w.aiAssisted, formatPercent(w.aiAssistedShare)]),
    },
  });

  const gate = weeklyBarChart({
    id: "chart-bypasses",
    title: "Gate bypasses and boundary exceptions per week",
    summary:
      `${t.bypassed} ${t.bypassed === 1 ? "merge" : "merges"} bypassed the countersign check and merges carried ` +
      `${t.exceptions} boundary ${t.exceptions === 1 ? "exception" : "exceptions"} since ${f.since}.`,
    weeks,
    series: [
      {
        label: "Bypassed merges",
        color: CHART_COLORS.red,
        values: f.weeks.map((w) => w.bypassed),
        describe: (i) => `Week of ${f.weeks[i]!.weekStart}: ${f.weeks[i]!.bypassed} bypassed`,
      },
      {
        label: "Exceptions",
        color: CHART_COLORS.purple,
        values: f.weeks.map((w) => w.exceptions),
        describe: (i) => `Week of ${f.weeks[i]!.weekStart}: ${f.weeks[i]!.exceptions} exceptions`,
      },
    ],
    table: { headers: ["Bypassed merges", "Exceptions"], rows: f.weeks.map((w) => [w.bypassed, w.exceptions]) },
  });

  const byAi = [...f.byAi].sort((a, b) => LEVEL_ORDER.indexOf(a.group.ai ?? "") - LEVEL_ORDER.indexOf(b.group.ai ?? ""));
  const revertAi = rateChart({
    id: "chart-revert-ai",
    title: "Revert rate by AI disclosure level",
    summary:
      `Share of merges since ${f.since} reverted within 30 days of merging (a change-failure proxy), per disclosure level.` +
      rateSummary(byAi, (r) => r.group.ai ?? "unknown"),
    rows: byAi.map((r) => rateRow(r.group.ai ?? "unknown", r)),
    headers: ["AI level", "Reverted within 30 days", "Merges (not themselves reverts)", "Revert rate"],
  });

  const byTeam = [...f.byTeam].sort((a, b) => b.merges - a.merges).slice(0, MAX_TEAMS);
  const revertTeam = rateChart({
    id: "chart-revert-team",
    title: "Revert rate by owning team",
    summary:
      `The same proxy per owning team${f.byTeam.length > MAX_TEAMS ? ` (the ${MAX_TEAMS} teams with the most merges)` : ""}.` +
      rateSummary(byTeam, (r) => r.group.team ?? "no owning team"),
    rows: byTeam.map((r) => rateRow(r.group.team ?? "no owning team", r)),
    headers: ["Owning team", "Reverted within 30 days", "Merges (not themselves reverts)", "Revert rate"],
    color: CHART_COLORS.purple,
  });

  const card = (value: string | number, what: string, href: string | null) =>
    html`<li><span class="value">${value}</span><span class="what">${href ? html`<a href="${href}">${what}</a>` : what}</span></li>`;
  const problem = (field: "repo" | "team") => input.scopeProblems.find((p) => p.field === field);
  const noAutofill = html`autocomplete="off" spellcheck="false"`;
  const scopeField = (field: "repo" | "team", label: string, hint: string) => {
    const id = `o-${field}`;
    const error = problem(field);
    const describedBy = `${id}-hint${error ? ` ${id}-error` : ""}`;
    const invalid = error ? html` aria-invalid="true"` : null;
    const errorText = error ? html`<span class="field-error" id="${id}-error">${error.message}</span>` : null;
    const aria = html`aria-describedby="${describedBy}"${invalid}`;
    const fieldInput = html`<input id="${id}" name="${field}" value="${input.scope[field]}" ${noAutofill} ${aria}>`;
    return html`<div><label for="${id}">${label}</label>${fieldInput}
    <span class="hint" id="${id}-hint">${hint}</span>${errorText}</div>`;
  };
  const shaAttrs = html`name="sha" required pattern="[0-9a-fA-F]{7,64}"`;
  const shaInput = html`<input id="lookup-sha" ${shaAttrs} ${noAutofill} aria-describedby="lookup-sha-hint">`;
  const readableNotice =
    input.readable !== null ? html`<p class="notice" role="status" id="readable-repos">${readableSentence(input.readable)}</p>` : null;
  const scopedTo = scopeParams.size ? html`, scoped to ${[...scopeParams.values()].join(" and ")}` : null;
  const chainCard =
    input.chainHead !== null
      ? card(input.chainHead === "empty" ? "empty" : `#${input.chainHead.seq}`, "audit chain head", `${DASHBOARD_PREFIX}/chain`)
      : null;
  const bypassesCaption = "The latest merges made while the countersign check was not success";
  const allBypassed = () => html`<p><a href="${mergesLink({ bypassed: "true" })}">All bypassed merges in this window</a></p>`;
  const latestBypasses = input.recentBypasses.length
    ? html`${mergesTable(input.recentBypasses, bypassesCaption)}${allBypassed()}`
    : html`<p>No merge bypassed the gate.</p>`;

  return page({
    title: "Overview",
    signedIn: input.signedIn,
    active: "overview",
    body: html`<h1>Overview: the last ${f.weeks.length} weeks</h1>
${parkedDeliveriesSection(input.parked ?? null)}
${readableNotice}
<p class="muted">From ${f.since} to ${f.until} (UTC)${scopedTo}. Weeks start on Monday; the current week is partial.</p>
<div class="forms">
<form class="filters inline" method="get" action="${DASHBOARD_PREFIX}/" aria-label="Scope the overview">
  ${scopeField("repo", "Repository", "owner/name; empty for all")}
  ${scopeField("team", "Owning team", "@org/team; empty for all")}
  <div class="actions"><button type="submit">Scope</button></div>
</form>
<form class="filters inline" method="get" action="${DASHBOARD_PREFIX}/commit" role="search" aria-label="Find the merge containing a commit">
  <div><label for="lookup-sha">Which merge contains commit…</label>${shaInput}
    <span class="hint" id="lookup-sha-hint">7 or more hex characters of a merge, head or any PR commit</span></div>
  <div class="actions"><button type="submit">Find merge</button></div>
</form>
</div>
<h2>Headline numbers</h2>
<ul class="cards">
  ${card(t.merges, "merges", mergesLink({}))}
  ${card(formatPercent(t.aiAssistedShare), `AI-assisted (${t.aiAssisted})`, mergesLink({ ai: "ai" }))}
  ${card(t.undisclosed, "undisclosed", mergesLink({ ai: "undisclosed" }))}
  ${card(t.bypassed, "bypassed the gate", mergesLink({ bypassed: "true" }))}
  ${card(t.exceptions, "boundary exceptions", mergesLink({ exceptions: "true" }))}
  ${card(
    `${formatPercent(t.revertRate30d, 1)}`,
    `reverted within 30 days (${t.revertedWithin30d} of ${t.revertBase})`,
    mergesLink({ reverted: "true" }),
  )}
  ${chainCard}
</ul>
<h2>Trends</h2>
<div class="charts">
${share}
${gate}
${revertAi}
${revertTeam}
</div>
${f.countedFrom ? countedNotice(f.countedFrom) : null}
${revertNote}
<h2>Latest bypasses</h2>
${latestBypasses}`,
  });
}

const REVERTS_CODE = html`<code>Reverts owner/repo#N</code>`;
const THIS_REVERTS_CODE = html`<code>This reverts commit …</code>`;
const NOT_DEPLOYMENTS = "not failed deployments; merges of the last 30 days may still be reverted.";
const RECORDED = html`(${REVERTS_CODE}, ${THIS_REVERTS_CODE})`;
const revertNote = html`<p class="muted">Revert rates count reverts Countersign recorded ${RECORDED}, ${NOT_DEPLOYMENTS}</p>`;

function countedNotice(countedFrom: string): SafeHtml {
  const text =
    `More than ${MAX_COUNTED.toLocaleString("en")} merges in this window: the weekly bars before ${countedFrom} are incomplete.` +
    " Scope the overview to a repository or team for exact weekly figures.";
  return html`<p class="notice" role="status">${text}</p>`;
}

function readableSentence(repos: readonly string[]): string {
  if (repos.length === 0)
    return (
      "You can read no repository that Countersign is installed on, so there is nothing to show." +
      " Ask for access on GitHub, then sign in again."
    );
  const shown = repos.slice(0, 10).join(", ");
  const which = repos.length === 1 ? "repository" : `${repos.length} repositories`;
  const more = repos.length > 10 ? ` and ${repos.length - 10} more` : "";
  return `You see the ${which} you could read on GitHub when you signed in: ${shown}${more}.`;
}

function rateRow(label: string, r: ReportRow): RateRow {
  return { label, numerator: r.revertedWithin30d, denominator: r.revertBase, rate: r.revertRate30d };
}

function rateSummary(rows: readonly ReportRow[], label: (r: ReportRow) => string): string {
  const rated = rows.filter((r) => r.revertRate30d !== null);
  if (rated.length === 0) return " No merges in this window.";
  const top = rated.reduce((a, b) => ((b.revertRate30d ?? 0) > (a.revertRate30d ?? 0) ? b : a));
  return ` Highest: ${label(top)} at ${formatPercent(top.revertRate30d, 1)} (${top.revertedWithin30d} of ${top.revertBase}).`;
}
