/**
 * `evaluate(snapshot, config)`: the whole policy as a pure function of data. It reads only its
 * arguments (no clock, no I/O), so the check run, the CLI and the audit trail all see the same
 * verdict for the same inputs.
 *
 * Gates, in order: 1 disclosure, 2 understanding review, 3 ownership, 4 boundaries, 5 incident.
 */
import { checkBoundaries, checkIncident, parseIncidentDeclaration, type BoundaryFinding, type IncidentFinding } from "./boundaries.js";
import { exceptionCommand } from "./commands.js";
import { codeownersTooLarge, parseCodeowners, type Codeowners } from "./codeowners.js";
import type { Config } from "./config.js";
import { DISCLOSURE_TEMPLATE } from "./disclosure-template.js";
import { parseDisclosure, type DisclosureResult } from "./disclosure.js";
import { resolveOwnership, type Ownership } from "./ownership.js";
import { proseLines } from "./markdown-lines.js";
import { noteEditedByOther, noteTemplate, parseUnderstandingNote, type UnderstandingNote } from "./review-note.js";
import { latestDecisiveReviews } from "./reviews.js";
import type { PullRequestSnapshot } from "./snapshot.js";

export type GateId = "disclosure" | "review" | "ownership" | "boundaries" | "incident";
export type GateStatus = "passed" | "unmet" | "not_applicable";

export interface Gate {
  id: GateId;
  name: string;
  status: GateStatus;
  /** One line for the summary table. */
  summary: string;
  /** What is missing, or why it passed. */
  reasons: string[];
  /** The exact text to add (markdown), for unmet gates. */
  fix: string | null;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface ReviewJudgement {
  reviewer: string;
  reviewId: number;
  state: string;
  reviewedSha: string | null;
  submittedAt: string | null;
  counted: boolean;
  /** Why it does not count; null when it counts. */
  reason: string | null;
  note: UnderstandingNote;
}

export interface Verdict {
  conclusion: "success" | "failure";
  title: string;
  gates: Gate[];
  annotations: Annotation[];
  disclosure: DisclosureResult;
  reviews: ReviewJudgement[];
  sponsor: string | null;
  ownership: Ownership & { codeownersPath: string | null; codeownersErrors: { line: number; message: string }[] };
  boundaries: BoundaryFinding[];
  incident: IncidentFinding | null;
  /** The label the PR should carry (`owner:<team-slug>`), when ownership labels are on. */
  ownerLabel: string | null;
}

const GATE_NAMES: Record<GateId, string> = {
  disclosure: "AI disclosure",
  review: "Understanding review",
  ownership: "Ownership",
  boundaries: "Boundaries",
  incident: "Incident patch",
};

/** Evaluates every gate for one snapshot. Never throws on well-typed input. */
export function evaluate(snapshot: PullRequestSnapshot, config: Config, options: { codeowners?: Codeowners | null } = {}): Verdict {
  const disclosure = parseDisclosure(
    {
      body: snapshot.body,
      commits: snapshot.commits,
      author: { login: snapshot.author.login, type: snapshot.author.type === "Bot" ? "Bot" : "User" },
    },
    config.disclosure,
  );
  const sponsor =
    disclosure.level === "agent"
      ? (disclosure.sponsor ?? snapshot.assignees.find((a) => a.type === "User" && !isSameLogin(a.login, disclosure.agent))?.login ?? null)
      : null;
  const reviews = judgeReviews(snapshot, config, sponsor);

  const gates: Gate[] = [];
  const annotations: Annotation[] = [];

  gates.push(disclosureGate(disclosure, snapshot));
  gates.push(reviewGate(disclosure, reviews, config, sponsor));

  const codeowners = options.codeowners !== undefined ? options.codeowners : loadCodeowners(snapshot);
  const ownership = resolveOwnership(codeowners, snapshot.files, {
    requireTeam: config.ownership.require_team,
    fallbackTeam: config.ownership.fallback_team,
  });
  const ownershipView = {
    ...ownership,
    codeownersPath: snapshot.codeowners.path,
    codeownersErrors: codeowners?.errors ?? [],
  };
  gates.push(ownershipGate(ownershipView, snapshot, config, annotations));

  const boundaries = checkBoundaries(config, {
    level: disclosure.level,
    files: snapshot.files,
    headSha: snapshot.headSha,
    approvals: reviews.map((r) => ({ login: r.reviewer, counts: r.counted })),
    exceptions: snapshot.exceptions,
    teamMembers: snapshot.teamMembers,
    accountable: { author: snapshot.author.login, sponsor },
  });
  gates.push(boundariesGate(boundaries, snapshot, annotations));

  let incident: IncidentFinding | null = null;
  if (snapshot.labels.some((l) => l.toLowerCase() === config.incident.label.toLowerCase())) {
    incident = checkIncident(
      config,
      parseIncidentDeclaration(proseLines(snapshot.body ?? "")),
      snapshot.files,
      snapshot.reviews,
      snapshot.author.login,
      snapshot.headSha,
    );
    gates.push(incidentGate(incident, config, snapshot, annotations));
  } else {
    gates.push(gate("incident", "not_applicable", `Not labelled \`${config.incident.label}\``, [], null));
  }

  if (snapshot.filesTruncated) {
    for (const g of gates) {
      if (g.id === "ownership" || g.id === "boundaries" || g.id === "incident") {
        g.status = "unmet";
        g.reasons.unshift("GitHub lists at most 3,000 changed files and this PR has more: the rest cannot be checked. Split the PR.");
        g.summary = "Too many files to check";
      }
    }
  }

  const unmet = gates.filter((g) => g.status === "unmet").length;
  const applicable = gates.filter((g) => g.status !== "not_applicable").length;
  const conclusion = unmet === 0 ? "success" : "failure";
  const title =
    conclusion === "success"
      ? `Passed: ${applicable} of ${gates.length} gates ` +
        `met${applicable < gates.length ? `, ${gates.length - applicable} not applicable` : ""}`
      : `Blocked: ${unmet} of ${gates.length} gates unmet`;
  const ownerLabel = config.ownership.label && ownership.owningTeam ? `owner:${teamSlug(ownership.owningTeam)}` : null;

  return {
    conclusion,
    title,
    gates,
    annotations,
    disclosure,
    reviews,
    sponsor,
    ownership: ownershipView,
    boundaries,
    incident,
    ownerLabel,
  };
}

export function teamSlug(team: string): string {
  return team.replace(/^@/, "").split("/").pop() ?? team;
}

function loadCodeowners(snapshot: PullRequestSnapshot): Codeowners | null {
  const src = snapshot.codeowners;
  if (src.path === null || src.text === null) return null;
  return parseCodeowners(src.text);
}

function gate(id: GateId, status: GateStatus, summary: string, reasons: string[], fix: string | null): Gate {
  return { id, name: GATE_NAMES[id], status, summary, reasons, fix };
}

function isSameLogin(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

function short(sha: string | undefined | null): string {
  return sha ? sha.slice(0, 7) : "";
}

// ---- Gate 1 ---------------------------------------------------------------------------------

function disclosureGate(d: DisclosureResult, snapshot: PullRequestSnapshot): Gate {
  const seen = describeEvidence(d);
  if (snapshot.commitsTruncated && d.level !== "agent") {
    return gate(
      "disclosure",
      "unmet",
      "Too many commits to check",
      [
        "GitHub lists at most 250 commits of a PR and this one has more: AI evidence in the rest cannot be checked. Squash or " +
          "split the PR.",
      ],
      null,
    );
  }
  if (d.level === "undisclosed") {
    const reasons = [...d.problems];
    if (reasons.length === 0) reasons.push("The PR body has no AI-assistance disclosure.");
    if (seen) reasons.push(`AI tools seen: ${seen}.`);
    return gate(
      "disclosure",
      "unmet",
      "No valid AI-assistance disclosure",
      reasons,
      `Add this section to the PR description and check exactly one box:\n\n${DISCLOSURE_TEMPLATE}`,
    );
  }
  if (d.contradiction) {
    const reasons = d.problems.length > 0 ? [...d.problems] : ["The disclosure says no AI was used, but AI evidence was found."];
    if (seen) reasons.push(`AI tools seen: ${seen}.`);
    return gate(
      "disclosure",
      "unmet",
      "Disclosure says `none` but AI use was detected",
      reasons,
      `Correct the disclosure to the level that matches (for example check **Assisted** or **Generated**), and list the tools:\n` +
        `\n${DISCLOSURE_TEMPLATE}`,
    );
  }
  const tools = d.tools.length > 0 ? ` (${d.tools.join(", ")})` : d.level !== "none" ? " (an AI tool)" : "";
  const source = verdictSource(d);
  if (d.levelUnclear) {
    // Prose says AI was used but not how much: that is a disclosure at `assisted` (so the
    // understanding review applies), and one ticked box makes it precise.
    const ask = "Check the one box that matches (None, Assisted, Generated or Agent) to make the level precise";
    return gate(
      "disclosure",
      "passed",
      `Disclosed: assisted${tools}, level unclear, from ${source}; check one box to be precise`,
      [
        `Read as **assisted**${tools} from ${source}: it reports AI use but not how much.`,
        `${ask}:\n\n${DISCLOSURE_TEMPLATE}`,
        ...(seen ? [`AI tools seen: ${seen}.`] : []),
      ],
      `${ask}, in the PR description (read: ${source}):\n\n${DISCLOSURE_TEMPLATE}`,
    );
  }
  if (d.autocompleteExempt) {
    const used = d.tools.length > 0 ? ` (${d.tools.join(", ")})` : "";
    return gate(
      "disclosure",
      "passed",
      `Disclosed: autocomplete only${used}, counted as none (disclosure.autocomplete_exempt) from ${source}`,
      [
        `Read as AI used for autocomplete only${used} from ${source}; ` +
          "this repository counts that as **none** (disclosure.autocomplete_exempt).",
      ],
      null,
    );
  }
  const reasons = [`Level: **${d.level}**${tools} from ${source}.`];
  for (const a of d.answers.slice(1, 4)) reasons.push(`Also read: ${a.level} from ${answerSource(a)}.`);
  if (d.agent) reasons.push(`Coding agent: @${d.agent}.`);
  if (seen) reasons.push(`AI tools seen: ${seen}.`);
  return gate("disclosure", "passed", `Disclosed: ${d.level}${tools} from ${source}`, reasons, null);
}

/** Where the verdict came from, quoted, so an author whose prose was misread sees why. */
function verdictSource(d: DisclosureResult): string {
  const top = d.answers.find((a) => a.level === d.declared) ?? d.answers[0];
  if (top && (d.declared === d.level || !d.agent)) return answerSource(top);
  if (d.agent) return `agent identity @${d.agent}`;
  const e = d.evidence.find((x) => x.level === d.level) ?? d.evidence[0];
  return e ? `${e.kind} ${quote(e.detail)}` : "the PR";
}

function answerSource(a: DisclosureResult["answers"][number]): string {
  const where = a.where === "commit" ? `commit ${short(a.sha)}` : "the PR body";
  const what = a.source === "section" ? "checked box" : a.source === "line" ? "line" : a.source === "trailer" ? "trailer" : "sentence";
  return `${where} ${what} ${quote(a.text)}`;
}

function describeEvidence(d: DisclosureResult): string {
  const parts = d.evidence.map((e) => {
    const where = e.where === "commit" ? `commit ${short(e.sha)}` : e.where === "pr" ? "PR author" : "PR body";
    return `${e.tool ?? "AI"} (${e.kind} in ${where})`;
  });
  return [...new Set(parts)].slice(0, 8).join(", ");
}

function quote(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return `“${t.length > 120 ? `${t.slice(0, 119)}…` : t}”`;
}

// ---- Gate 2 ---------------------------------------------------------------------------------

/** The latest decisive review per reviewer, judged against the note requirements. */
function judgeReviews(snapshot: PullRequestSnapshot, config: Config, sponsor: string | null): ReviewJudgement[] {
  const out: ReviewJudgement[] = [];
  for (const r of latestDecisiveReviews(snapshot.reviews)) {
    if (r.state !== "APPROVED" || !r.user) continue;
    const note = parseUnderstandingNote(r.body, config.review);
    let reason: string | null = null;
    if (isSameLogin(r.user.login, snapshot.author.login)) reason = "is the PR author";
    else if (r.user.type === "Bot") reason = "is a bot; an understanding review must come from a human";
    else if (isSameLogin(r.user.login, sponsor)) reason = "is the agent's sponsor; another human must review";
    else if (config.review.require_fresh_review && r.commitId !== snapshot.headSha) {
      reason = `approved an older commit (${short(r.commitId)}); the head is now ${short(snapshot.headSha)}`;
    } else if (noteEditedByOther(r)) reason = noteEditedByOther(r);
    else if (!note.ok) reason = note.problems.join("; ");
    out.push({
      reviewer: r.user.login,
      reviewId: r.id,
      state: r.state,
      reviewedSha: r.commitId,
      submittedAt: r.submittedAt,
      counted: reason === null,
      reason,
      note,
    });
  }
  return out;
}

function reviewGate(d: DisclosureResult, reviews: ReviewJudgement[], config: Config, sponsor: string | null): Gate {
  const effective = d.level === "undisclosed" ? "assisted" : d.level;
  if (!config.review.applies_to.includes(effective)) {
    return gate("review", "not_applicable", `Not required for \`${d.level}\` changes`, [], null);
  }
  const need = config.review.required_approvals;
  const counted = reviews.filter((r) => r.counted);
  const reasons: string[] = [];
  if (d.level === "undisclosed") reasons.push("Until the PR is disclosed it is treated as AI-assisted.");
  let sponsorMissing = false;
  if (d.level === "agent") {
    if (sponsor) reasons.push(`Sponsor (accountable human): @${sponsor}; their approval does not count.`);
    else {
      sponsorMissing = true;
      reasons.push("This agent PR has no sponsor: add a line `Sponsor: @login` to the PR body or assign the accountable human.");
    }
  }
  for (const r of reviews) {
    reasons.push(r.counted ? `@${r.reviewer}: counted (${r.note.verified ?? ""})` : `@${r.reviewer} ${r.reason}`);
  }
  const template = noteTemplate(config.review);
  if (counted.length >= need && !sponsorMissing) {
    return gate("review", "passed", `${counted.length} noted approval${counted.length === 1 ? "" : "s"} on the head commit`, reasons, null);
  }
  if (reviews.length === 0) reasons.push("No approving review yet.");
  return gate(
    "review",
    "unmet",
    `${counted.length} of ${need} noted approval${need === 1 ? "" : "s"} on the head commit`,
    reasons,
    `A reviewer other than the author${d.level === "agent" ? " and the sponsor" : ""} approves with this in the review body:\n\n` +
      `\`\`\`markdown\n${template}\n\`\`\``,
  );
}

// ---- Gate 3 ---------------------------------------------------------------------------------

function ownershipGate(o: Verdict["ownership"], snapshot: PullRequestSnapshot, config: Config, annotations: Annotation[]): Gate {
  const reasons: string[] = [];
  if (snapshot.codeowners.path === null)
    reasons.push("No CODEOWNERS file at `.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS` on the base branch.");
  else if (snapshot.codeowners.text === null && codeownersTooLarge(snapshot.codeowners.sizeBytes)) {
    // The loader does not download a file GitHub ignores; a text given here is judged by parseCodeowners.
    reasons.push(
      `\`${snapshot.codeowners.path}\` is ${snapshot.codeowners.sizeBytes} bytes: GitHub ignores CODEOWNERS files of 3 MB or ` +
        `more, so nobody owns anything.`,
    );
  }
  for (const e of o.codeownersErrors.slice(0, 20)) {
    reasons.push(`\`${snapshot.codeowners.path}\` ${e.line > 0 ? `line ${e.line} skipped` : "is ignored"}: ${e.message}`);
  }
  if (o.codeownersErrors.length > 20) reasons.push(`…and ${o.codeownersErrors.length - 20} more invalid CODEOWNERS lines.`);
  const gh = snapshot.codeowners.githubErrors;
  if (gh && o.codeownersErrors.length > 0) {
    const ours = new Set(o.codeownersErrors.map((e) => e.line));
    const theirs = new Set(gh.map((e) => e.line));
    const agree = ours.size === theirs.size && [...ours].every((l) => theirs.has(l));
    reasons.push(
      agree
        ? `GitHub reports the same invalid line${gh.length === 1 ? "" : "s"} (${[...theirs].sort((a, b) => a - b).join(", ")}).`
        : `GitHub's own check reports invalid lines ${gh.map((e) => `${e.line} (${e.message})`).join(", ") || "none"}.`,
    );
  }
  if (o.teams.length > 0)
    reasons.push(`Teams: ${o.teams.map((t) => `${t.team} (${t.files} file${t.files === 1 ? "" : "s"})`).join(", ")}.`);

  if (snapshot.files.length === 0) return gate("ownership", "not_applicable", "No changed files", reasons, null);
  if (o.unowned.length === 0) {
    return gate("ownership", "passed", o.owningTeam ? `Owned by ${o.owningTeam}` : "Every file has an owner", reasons, null);
  }
  const what = config.ownership.require_team ? "no owning team" : "no owner";
  reasons.unshift(`${o.unowned.length} changed file${o.unowned.length === 1 ? " has" : "s have"} ${what}: ${listPaths(o.unowned)}.`);
  for (const path of o.unowned) {
    annotations.push({
      path,
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "No owner",
      message: `CODEOWNERS gives this file ${what}. Add a rule for it, or set ownership.fallback_team in .github/countersign.yml.`,
    });
  }
  const example = o.unowned[0] ?? "path/to/file";
  return gate(
    "ownership",
    "unmet",
    `${o.unowned.length} file${o.unowned.length === 1 ? "" : "s"} with ${what}`,
    reasons,
    `Add a rule to \`${snapshot.codeowners.path ?? ".github/CODEOWNERS"}\` on the base branch, for example:\n\n\`\`\`\n` +
      `/${example} @org/team\n\`\`\`\nor set \`ownership.fallback_team: "@org/team"\` in \`.github/countersign.yml\`.`,
  );
}

function listPaths(paths: string[], max = 5): string {
  const shown = paths
    .slice(0, max)
    .map((p) => `\`${p}\``)
    .join(", ");
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

// ---- Gate 4 ---------------------------------------------------------------------------------

function boundariesGate(findings: BoundaryFinding[], snapshot: PullRequestSnapshot, annotations: Annotation[]): Gate {
  if (findings.length === 0) return gate("boundaries", "not_applicable", "No boundary touched", [], null);
  const unmet = findings.filter((f) => f.status === "unmet");
  const reasons: string[] = [];
  for (const f of findings) {
    reasons.push(
      `**${f.name}** ` +
        `(${listPaths(f.files)}): ${f.status === "passed" ? "passed, " : ""}${f.reasons.join("; ")}${f.message ? `. ${f.message}` : ""}`,
    );
  }
  for (const f of unmet) {
    const who = f.approvers.length > 0 ? f.approvers.join(", ") : "nobody (no approvers configured)";
    const comment = exceptionCommand(f.name, snapshot.headSha, "<reason>");
    const how =
      f.action === "require_approval"
        ? `Needs approval from ${who}.`
        : `An exception can be granted by ${who} with a PR comment: ${comment}`;
    for (const path of f.files) {
      annotations.push({
        path,
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        title: `Boundary "${f.name}"`,
        message: `${f.message ?? `This path is inside the "${f.name}" boundary.`} ${how}`.trim(),
      });
    }
  }
  if (unmet.length === 0)
    return gate("boundaries", "passed", `${findings.length} boundar${findings.length === 1 ? "y" : "ies"} cleared`, reasons, null);
  // The command carries the head SHA, so an approver's exception covers only the commit they looked at.
  const fixes = unmet.map((f) => {
    const command = `\`${exceptionCommand(f.name, snapshot.headSha)}\``;
    if (f.action === "require_approval") {
      const from = `${f.approvers.join(", ")}${f.approvers.length ? "" : " (none configured)"}`;
      return `- **${f.name}**: an approving review with an understanding note from ${from}, or an exception: ${command}`;
    }
    const who = f.approvers.length
      ? `one of ${f.approvers.join(", ")} (not the PR's author or sponsor) reviews head ${short(snapshot.headSha)} and comments`
      : "no approver is configured, so remove these files from the PR or ask an admin to configure approvers;";
    return `- **${f.name}**: ${who} ${command}`;
  });
  return gate("boundaries", "unmet", `${unmet.map((f) => f.name).join(", ")} blocked`, reasons, fixes.join("\n"));
}

// ---- Gate 5 ---------------------------------------------------------------------------------

function incidentGate(inc: IncidentFinding, config: Config, _snapshot: PullRequestSnapshot, annotations: Annotation[]): Gate {
  const reasons: string[] = [];
  const missing: string[] = [];
  if (inc.declaration.scope.length === 0) missing.push("`Scope:` (the paths this patch may touch)");
  if (!inc.declaration.rollback) missing.push("`Rollback:` (how to undo it)");
  if (missing.length > 0) reasons.push(`The PR body must declare ${missing.join(" and ")}.`);
  if (inc.outOfScope.length > 0) reasons.push(`Outside the declared scope: ${listPaths(inc.outOfScope, 20)}.`);
  if (inc.forbidden.length > 0)
    reasons.push(`Not allowed in an incident patch (dependencies, lockfiles, migrations): ${listPaths(inc.forbidden, 20)}.`);
  if (inc.independentApprovers.length === 0) reasons.push("Needs an approval on the head commit from someone other than the author.");
  for (const path of inc.outOfScope) {
    annotations.push({
      path,
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "Outside incident scope",
      message: `Not covered by the declared Scope: ${inc.declaration.scope.join(", ")}`,
    });
  }
  for (const path of inc.forbidden) {
    annotations.push({
      path,
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "Forbidden in incident patch",
      message: "Dependency manifests, lockfiles and migrations are refused in incident patches; ship them in a normal PR.",
    });
  }
  if (reasons.length === 0) {
    return gate(
      "incident",
      "passed",
      `Scoped to ${inc.declaration.scope.join(", ")}, rollback declared`,
      [`Rollback: ${inc.declaration.rollback}`],
      null,
    );
  }
  return gate(
    "incident",
    "unmet",
    `Incident patch (\`${config.incident.label}\`) out of bounds`,
    reasons,
    "Declare in the PR body:\n\n```markdown\nScope: src/payments/retry.ts, src/payments/queue/**\n" +
      "Rollback: revert this PR; the feature flag payments.retry_v2 falls back to v1\n```\nand keep every changed file inside the " +
      "scope.",
  );
}
