/**
 * One merge in full, in the order a post-incident review asks: was the gate green, what did the
 * author disclose and how was it detected, who reviewed which commit and what they verified, who
 * owns it, which boundaries it touched and who granted exceptions, was it reverted, and where the
 * record sits in the hash chain.
 */
import { githubUrlOf, type MergeIncidentLink, type MergeRecord } from "../audit/audit-store.js";
import { html, joinHtml, trustedHtml, type SafeHtml } from "./html.js";
import { plainText } from "./plain-text.js";
import { checkBadge, DASHBOARD_PREFIX, formatTime, levelBadge, mergeHref, page, shortSha, type SignedIn } from "./layout.js";

const MAX_PATHS_SHOWN = 300;
const COUNTED_BADGE = html`<span class="badge ok">counted</span>`;
const NOT_COUNTED_BADGE = html`<span class="badge warn">not counted</span>`;
const MERGED_HEAD = html`<span class="badge ok">= merged head</span>`;
const NOT_MERGED_HEAD = html`<span class="badge warn">≠ merged head</span>`;

export interface MergePageInput {
  signedIn: SignedIn;
  merge: MergeRecord;
  /** Incidents linked to this merge, each with its current relation (store.incidentsForMerge). */
  incidents?: readonly MergeIncidentLink[];
  /** Base of links to the pull request and commits, e.g. https://github.com (GHE: your host). */
  githubUrl: string;
}

export function mergePage({ signedIn, merge: m, incidents = [], githubUrl }: MergePageInput): SafeHtml {
  const [owner = "", name = ""] = m.repo.split("/");
  const repoUrl = `${githubUrlOf(m, githubUrl)}/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  const commitLink = (sha: string | null | undefined) =>
    sha
      ? html`<a class="mono" href="${repoUrl}/commit/${encodeURIComponent(sha)}" rel="noreferrer" title="${sha}">${shortSha(sha)}</a>`
      : html`<span class="muted">—</span>`;
  const commentLink = (id: number) => html`<a href="${repoUrl}/pull/${m.prNumber}#issuecomment-${id}" rel="noreferrer">the comment</a>`;
  const counted = m.reviewers.filter((r) => r.counted);
  const reverts = m.revertedBy ?? [];

  const incomplete = m.incomplete
    ? html`<p class="badge danger" role="status">Incomplete record: written while GitHub could not be read;
  missing ${(m.missing ?? []).join(", ")}.
  The recovery sweep completes it.</p>`
    : null;
  const bypass = m.bypassed
    ? html`<span class="badge danger">bypassed</span> merged while <code>countersign</code> was ${m.checkConclusion ?? "absent"}`
    : html`<span class="muted">not bypassed</span>`;
  const tools = m.aiTools.length ? m.aiTools.join(", ") : html`<span class="muted">no tools seen</span>`;
  const agent = m.agent ? html`; agent <strong>${m.agent}</strong>` : null;
  const sponsor = m.sponsor ? html`; sponsor <strong>@${m.sponsor}</strong>` : null;
  const reviewWord = m.reviewers.length === 1 ? "review" : "reviews";
  const countedNames = counted.length ? html`: ${counted.map((r) => r.reviewer).join(", ")}` : null;
  const touched = m.boundaries.length ? m.boundaries.map((b) => b.name).join(", ") : html`<span class="muted">none touched</span>`;
  const exceptionWord = m.exceptions.length === 1 ? "exception" : "exceptions";
  const granted = m.exceptions.length ? html`; ${m.exceptions.length} ${exceptionWord} granted` : null;
  const glance = html`${incomplete}<dl class="facts" aria-label="At a glance">
  <dt>Gate at merge</dt><dd>${checkBadge(m.checkConclusion)} ${bypass}</dd>
  <dt>AI disclosure</dt><dd>${levelBadge(m.aiLevel)} ${tools}${agent}${sponsor}</dd>
  <dt>Understanding reviews</dt><dd>${counted.length} counted of ${m.reviewers.length} approving ${reviewWord}${countedNames}</dd>
  <dt>Owning team</dt><dd>${m.owningTeam ?? html`<span class="muted">none</span>`}</dd>
  <dt>Boundaries</dt><dd>${touched}${granted}</dd>
  <dt>Reverted</dt><dd>${
    reverts.length
      ? joinHtml(
          reverts.map((r) => html`<a href="${mergeHref(r.repo, r.prNumber)}">by ${r.repo}#${r.prNumber}</a>`),
          ", ",
        )
      : html`<span class="muted">no</span>`
  }</dd>
  <dt>Audit entry</dt><dd>seq ${m.seq}, <code>${m.entryHash}</code></dd>
</dl>`;

  const merged = html`<dl class="facts">
  <dt>Merged</dt><dd>${formatTime(m.mergedAt)} by ${m.mergedBy ?? "unknown"} into <code>${m.baseRef}</code></dd>
  <dt>Author</dt><dd>${m.author}</dd>
  <dt>Merge commit</dt><dd>${commitLink(m.mergeCommitSha)}</dd>
  <dt>Head merged</dt><dd>${commitLink(m.headSha)}</dd>
  <dt>Base</dt><dd>${commitLink(m.baseSha)}</dd>
  <dt>Pull request</dt><dd><a href="${repoUrl}/pull/${m.prNumber}" rel="noreferrer">${m.repo}#${m.prNumber} on GitHub</a></dd>
</dl>`;

  const disclosedTools = m.aiTools.length ? html`, tools: ${m.aiTools.join(", ")}` : null;
  const disclosedAgent = m.agent ? html`, coding agent ${m.agent}` : null;
  const disclosedSponsor = m.sponsor ? html`, accountable sponsor @${m.sponsor}` : null;
  const disclosure = html`<p>Level ${levelBadge(m.aiLevel)}${disclosedTools}${disclosedAgent}${disclosedSponsor}.</p>
${
  m.disclosureSources.length
    ? html`<table>
  <caption>Where the disclosure came from</caption>
  ${columnHeads("Seen in", "Tool", "Commit", "What was found")}
  <tbody>${m.disclosureSources.map(
    (s) => html`<tr><th scope="row">${s.where}</th>
<td>${s.tool ?? html`<span class="muted">level only</span>`}</td>
<td>${commitLink(s.sha)}</td><td class="note">${plainText(s.detail)}</td></tr>`,
  )}</tbody>
</table>`
    : html`<p class="muted">No disclosure answer or evidence was recorded.</p>`
}`;

  const reviewsCaption = "Approving reviews: the commit each reviewer approved against the head that was merged";
  const reviews = m.reviewers.length
    ? html`<table>
  <caption>${reviewsCaption} (<code>${shortSha(m.headSha)}</code>)</caption>
  ${columnHeads("Reviewer", "Counted", "Approved commit", "Submitted (UTC)", "Checklist ticked", "Verified note")}
  <tbody>${m.reviewers.map(
    (r) => html`<tr>
    <th scope="row">${r.reviewer}<br><span class="muted">${r.state.toLowerCase()}</span></th>
    <td>${r.counted ? COUNTED_BADGE : html`${NOT_COUNTED_BADGE}${r.reason ? html`<br>${r.reason}` : null}`}</td>
    <td>${commitLink(r.reviewedSha)}<br>${
      r.reviewedSha === null ? html`<span class="muted">unknown</span>` : r.reviewedSha === m.headSha ? MERGED_HEAD : NOT_MERGED_HEAD
    }</td>
    <td class="nowrap">${formatTime(r.submittedAt).replace(" UTC", "")}</td>
    <td>${r.checklist.length ? html`<ul>${r.checklist.map((c) => html`<li>${c}</li>`)}</ul>` : html`<span class="muted">none</span>`}</td>
    <td>${r.verified ? html`<p class="note">${r.verified}</p>` : html`<span class="muted">no note</span>`}</td>
  </tr>`,
  )}</tbody>
</table>`
    : html`<p class="muted">No approving review was recorded.</p>`;

  const ownership = html`<p>Owning team: <strong>${m.owningTeam ?? "none"}</strong> (the team owning the most changed files).</p>
${
  m.teams.length
    ? html`<table>
  <caption>Every owning team (CODEOWNERS at the base)</caption>
  <thead><tr><th scope="col">Team</th><th scope="col" class="num">Changed files owned</th></tr></thead>
  <tbody>${m.teams.map((t) => html`<tr><th scope="row">${t.team}</th><td class="num">${t.files}</td></tr>`)}</tbody>
</table>`
    : null
}`;

  const boundaries = m.boundaries.length
    ? html`<table>
  <caption>Boundaries the change touched</caption>
  <thead><tr><th scope="col">Boundary</th><th scope="col">Action</th><th scope="col">Outcome</th></tr></thead>
  <tbody>${m.boundaries.map((b) => html`<tr><th scope="row">${b.name}</th><td>${b.action}</td><td>${b.outcome}</td></tr>`)}</tbody>
</table>`
    : html`<p class="muted">No configured boundary was touched.</p>`;

  const exceptions = m.exceptions.length
    ? html`<table>
  <caption>Boundary exceptions: who granted them, why, and on which commit</caption>
  ${columnHeads("Boundary", "Granted by", "Reason", "Granted on commit", "When (UTC)")}
  <tbody>${m.exceptions.map(
    (e) => html`<tr>
    <th scope="row">${e.boundary}</th>
    <td>${e.grantedBy}</td>
    <td><p class="note">${e.reason}</p>${e.commentId !== null ? commentLink(e.commentId) : null}</td>
    <td>${commitLink(e.sha)}<br>${e.sha === m.headSha ? MERGED_HEAD : NOT_MERGED_HEAD}</td>
    <td class="nowrap">${formatTime(e.grantedAt).replace(" UTC", "")}</td>
  </tr>`,
  )}</tbody>
</table>`
    : html`<p class="muted">No exception was granted.</p>`;

  const revertList = reverts.length
    ? html`<ul>${reverts.map((r) => {
        const link = html`<a href="${mergeHref(r.repo, r.prNumber)}">${r.repo}#${r.prNumber}</a>`;
        const commit = r.revertedSha ? html`, commit <code>${shortSha(r.revertedSha)}</code>` : null;
        const found = html`found in the ${methodLabel(r.method)}${commit}`;
        return html`<li>Reverted by ${link} (${found}), detected ${formatTime(r.detectedAt)}, audit seq ${r.seq}.</li>`;
      })}</ul>`
    : html`<p class="muted">No revert of this merge has been recorded.</p>`;

  const incidentTable = incidents.length
    ? html`<table>
  <caption>Incidents linked to this merge (the current relation; <code>countersign postmortem</code> writes the review section)</caption>
  ${columnHeads("Incident", "Relation", "Severity, category", "Started (UTC)", "Note", "Linked")}
  <tbody>${incidents.map((l) => {
    const inc = l.incident;
    const incName = safeUrl(inc.url) ? html`<a href="${inc.url}" rel="noreferrer">${inc.externalId}</a>` : inc.externalId;
    const incTitle = inc.title ? html`<br><span class="muted">${inc.title}</span>` : null;
    const relation =
      l.relation === "caused"
        ? html`<span class="badge danger">caused</span>`
        : l.relation === "dismissed"
          ? html`<span class="muted">dismissed</span>`
          : l.relation;
    return html`<tr>
    <th scope="row">${incName}${incTitle}</th>
    <td>${relation}</td>
    <td>${l.incident.severity ? `SEV${l.incident.severity}` : "—"}${l.incident.category ? `, ${l.incident.category}` : ""}</td>
    <td class="nowrap">${l.incident.startedAt ? formatTime(l.incident.startedAt).replace(" UTC", "") : "—"}</td>
    <td>${l.note ? html`<p class="note">${l.note}</p>` : html`<span class="muted">—</span>`}</td>
    <td class="nowrap">${l.linkedBy ? `${l.linkedBy}, ` : ""}${formatTime(l.linkedAt).replace(" UTC", "")}</td>
  </tr>`;
  })}</tbody>
</table>`
    : html`<p class="muted">No incident is linked to this merge.</p>`;

  const shown = m.paths.slice(0, MAX_PATHS_SHOWN);
  const pathWord = m.paths.length === 1 ? "path" : "paths";
  const truncated = m.paths.length > shown.length ? `, the first ${shown.length} shown` : "";
  const pathRows = shown.map(
    (p) => html`<tr><th scope="row" class="mono">${p.path}</th><td>${p.status}</td><td class="mono">${p.previousPath ?? ""}</td></tr>`,
  );
  const paths = html`<table>
  <caption>${m.paths.length} changed ${pathWord}${truncated}</caption>
  <thead><tr><th scope="col">Path</th><th scope="col">Status</th><th scope="col">Renamed from</th></tr></thead>
  <tbody>${pathRows}</tbody>
</table>`;

  const audit = html`<dl class="facts">
  <dt>Chain position</dt><dd>seq ${m.seq}</dd>
  <dt>Entry hash</dt><dd><code>${m.entryHash}</code></dd>
  <dt>Recorded</dt><dd>${formatTime(m.recordedAt)} from ${m.source}</dd>
  <dt>Config in force</dt><dd>${
    m.configInvalid
      ? html`invalid (${m.configInvalid.source}): the gates were not evaluated`
      : m.configHash
        ? html`sha256 <code>${m.configHash}</code>`
        : "the defaults (no config file)"
  }</dd>
  <dt>Commits</dt><dd>${
    m.commitShas.length
      ? joinHtml(
          m.commitShas.map((s) => commitLink(s)),
          trustedHtml(", "),
        )
      : html`<span class="muted">none recorded</span>`
  }</dd>
</dl>
${signedIn.admin ? html`<p><a href="${DASHBOARD_PREFIX}/chain">Verify the whole chain</a></p>` : null}`;

  return page({
    title: `${m.repo}#${m.prNumber}`,
    signedIn,
    active: "merges",
    body: html`<p><a href="${DASHBOARD_PREFIX}/merges">← All merges</a></p>
<h1>${m.repo}#${m.prNumber}: ${m.title}</h1>
${glance}
<h2 id="merged">Merge</h2>${merged}
<h2 id="disclosure">AI disclosure</h2>${disclosure}
<h2 id="reviews">Understanding reviews</h2>${reviews}
<h2 id="ownership">Ownership</h2>${ownership}
<h2 id="boundaries">Boundaries</h2>${boundaries}
<h2 id="exceptions">Exceptions</h2>${exceptions}
<h2 id="reverts">Reverts</h2>${revertList}
<h2 id="incidents">Incidents</h2>${incidentTable}
<h2 id="paths">Changed paths</h2>${paths}
<h2 id="audit">Audit record</h2>${audit}`,
  });
}

function methodLabel(method: string): string {
  switch (method) {
    case "body":
      return "reverting PR's body";
    case "branch":
      return "reverting PR's branch name";
    case "commit_msg":
      return "commit message";
    default:
      return "title only (weak)";
  }
}

/** Only http(s) incident URLs become links (the store validates them; this keeps the page safe regardless). */
function safeUrl(url: string | null): boolean {
  return url !== null && /^https?:\/\//i.test(url);
}

/** A table's `<thead>`: one `<th scope="col">` per label. */
function columnHeads(...labels: string[]): SafeHtml {
  return html`<thead><tr>${labels.map((label) => html`<th scope="col">${label}</th>`)}</tr></thead>`;
}
