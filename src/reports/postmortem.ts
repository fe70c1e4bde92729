/**
 * The review section a blameless postmortem needs, composed from the audit trail alone. Every
 * question is answered from recorded facts, or "unknown" with the reason the trail lacks them —
 * never a guess. Pure: the caller loads the merge, its incident links and the merges nearby.
 * By incident id (composeIncidentPostmortem): a review of each merge linked as caused, else suspect.
 */
import type {
  IncidentFacts,
  IncidentLinkRecord,
  IncidentRelation,
  IncidentRecord,
  MergeIncidentLink,
  MergeRecord,
} from "../audit/audit-store.js";

export type Answer = "yes" | "no" | "partly" | "unknown";

export interface PostmortemFinding {
  id: "ai" | "understood" | "scope" | "review_bar" | "owned" | "bypassed" | "nearby";
  question: string;
  answer: Answer;
  details: string[];
}

export interface IncidentContext {
  id: string;
  title: string | null;
  url: string | null;
  severity: number | null;
  category: string | null;
  startedAt: string | null;
  /** The change's current relation to the incident. */
  relation: string | null;
  note: string | null;
  /** Hours from the merge to the incident's start (negative: it started before the merge); null without a start. */
  mergeToStartHours: number | null;
}

export interface PostmortemInput {
  /** What was asked for: a SHA, owner/repo#N or an incident id. */
  ref: string;
  merge: MergeRecord | null;
  /** Merges that touched the same paths in the 72 hours before this one. */
  nearby: MergeRecord[];
  /** The incident the postmortem is for, with this change's relation to it. */
  incident?: IncidentContext | null;
  /** Every incident linked to this change, with its current relation. */
  incidents?: IncidentContext[];
  /** Why every answer is unknown when there is no merge (default: it is not in the trail). */
  unknownReason?: string;
}

export interface Postmortem {
  ref: string;
  merge: { repo: string; prNumber: number; title: string; mergeCommitSha: string | null; mergedAt: string; incomplete?: boolean } | null;
  incident: IncidentContext | null;
  incidents: IncidentContext[];
  findings: PostmortemFinding[];
}

/** A postmortem asked for by incident id: the incident, and a change review per merge that caused it. */
export interface IncidentPostmortem {
  ref: string;
  incident: Pick<IncidentFacts, "externalId" | "title" | "url" | "severity" | "category" | "startedAt">;
  /** Which links were followed: the merges that caused it, else the suspects; null when neither. */
  relation: "caused" | "suspect" | null;
  /** One review per merge followed; a single all-unknown review, with the reason, when none is linked. */
  changes: Postmortem[];
}

/** What the caller loaded for one merge an incident is linked to. */
export interface LinkedChange {
  merge: MergeRecord;
  nearby: MergeRecord[];
  /** incidentsForMerge: every incident linked to this merge, current relations. */
  incidents: MergeIncidentLink[];
}

export const NEARBY_HOURS = 72;

const QUESTIONS: Record<PostmortemFinding["id"], string> = {
  ai: "Was AI assistance significant?",
  understood: "Did a human understand the change before it shipped?",
  scope: "Was it within the approved workflow and scope?",
  review_bar: "Did it get the same review bar as any change?",
  owned: "Did anyone own it?",
  bypassed: "Was the gate bypassed?",
  nearby: `What else merged in the same paths in the ${NEARBY_HOURS} hours before?`,
};

export function composePostmortem(input: PostmortemInput): Postmortem {
  const m = input.merge;
  if (!m) {
    const why =
      input.unknownReason ??
      `no merge for ${input.ref} is in the audit trail: it may have merged before Countersign was installed and not been ` +
        `backfilled (\`countersign backfill --repo owner/name --since DATE\`)`;
    return {
      ref: input.ref,
      merge: null,
      incident: input.incident ?? null,
      incidents: input.incidents ?? [],
      findings: (Object.keys(QUESTIONS) as PostmortemFinding["id"][]).map((id) => ({
        id,
        question: QUESTIONS[id],
        answer: "unknown",
        details: [why],
      })),
    };
  }
  const findings: PostmortemFinding[] = m.incomplete
    ? incompleteFindings(m)
    : [
        aiFinding(m),
        understoodFinding(m),
        scopeFinding(m),
        reviewBarFinding(m),
        ownedFinding(m),
        bypassFinding(m),
        nearbyFinding(m, input.nearby),
      ];
  return {
    ref: input.ref,
    merge: {
      repo: m.repo,
      prNumber: m.prNumber,
      title: m.title,
      mergeCommitSha: m.mergeCommitSha,
      mergedAt: m.mergedAt,
      ...(m.incomplete ? { incomplete: true } : {}),
    },
    incident: input.incident ?? null,
    incidents: input.incidents ?? [],
    findings,
  };
}

/** An incident as one change's postmortem shows it: its facts, the change's relation, and the time between. */
export function incidentContext(
  incident: IncidentFacts,
  link: { relation: string; note: string | null } | null,
  mergedAt: string | null,
): IncidentContext {
  const hours = incident.startedAt && mergedAt ? (Date.parse(incident.startedAt) - Date.parse(mergedAt)) / 3_600_000 : null;
  return {
    id: incident.externalId,
    title: incident.title,
    url: incident.url,
    severity: incident.severity,
    category: incident.category,
    startedAt: incident.startedAt,
    relation: link?.relation ?? null,
    note: link?.note ?? null,
    mergeToStartHours: hours === null ? null : Math.round(hours * 100) / 100,
  };
}

/** The merges a postmortem follows: current `caused` links, else current `suspect` ones. */
export function culpritLinks<L extends { relation: IncidentRelation; current: boolean }>(
  links: readonly L[],
): { relation: "caused" | "suspect" | null; links: L[] } {
  for (const relation of ["caused", "suspect"] as const) {
    const found = links.filter((l) => l.current && l.relation === relation);
    if (found.length > 0) return { relation, links: found };
  }
  return { relation: null, links: [] };
}

const mergeKey = (m: { repo: string; prNumber: number }) => `${m.repo.toLowerCase()}#${m.prNumber}`;

/**
 * The postmortem for an incident: a change review of each merge linked as caused (else suspect),
 * each showing the incident and every other incident on that merge. With none linked, one review
 * whose every answer is unknown, saying which links exist and how to add the missing one.
 */
export function composeIncidentPostmortem(input: {
  ref: string;
  incident: IncidentRecord;
  changes: readonly LinkedChange[];
}): IncidentPostmortem {
  const { incident } = input;
  const facts = {
    externalId: incident.externalId,
    title: incident.title,
    url: incident.url,
    severity: incident.severity,
    category: incident.category,
    startedAt: incident.startedAt,
  };
  const chosen = culpritLinks(incident.links);
  const loaded = new Map(input.changes.map((c) => [mergeKey(c.merge), c]));
  const changes = chosen.links.map((link): Postmortem => {
    const change = loaded.get(mergeKey(link));
    if (!change) {
      return composePostmortem({
        ref: `${link.repo}#${link.prNumber}`,
        merge: null,
        nearby: [],
        incident: incidentContext(incident, link, link.mergedAt),
        unknownReason: `the merge ${link.repo}#${link.prNumber} linked to ${incident.externalId} could not be read from the audit trail`,
      });
    }
    return composePostmortem({
      ref: `${link.repo}#${link.prNumber}`,
      merge: change.merge,
      nearby: change.nearby,
      incident: incidentContext(incident, link, change.merge.mergedAt),
      incidents: change.incidents.map((l) => incidentContext(l.incident, l, change.merge.mergedAt)),
    });
  });
  if (changes.length === 0) {
    changes.push(
      composePostmortem({
        ref: input.ref,
        merge: null,
        nearby: [],
        incident: incidentContext(incident, null, null),
        unknownReason: noCulpritReason(incident.externalId, incident.links),
      }),
    );
  }
  return { ref: input.ref, incident: facts, relation: chosen.relation, changes };
}

function noCulpritReason(id: string, links: readonly IncidentLinkRecord[]): string {
  const current = links.filter((l) => l.current).map((l) => `${l.repo}#${l.prNumber} ${l.relation}`);
  return (
    `no merge is linked to incident ${id} as caused or suspect ` +
    `(${current.length ? `current links: ${current.join(", ")}` : "it has no links"}): ` +
    `link the change with \`countersign incident link ${id} --merge owner/repo#N --relation caused\``
  );
}

function finding(id: PostmortemFinding["id"], answer: Answer, details: string[]): PostmortemFinding {
  return { id, question: QUESTIONS[id], answer, details };
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "none");

function backfillNote(m: MergeRecord): string[] {
  return m.source === "backfill" ? ["Recorded by backfill after the merge, from GitHub's state at that time, not at merge time."] : [];
}

/**
 * An incomplete record (written while GitHub could not be read) knows the disclosure in the PR body
 * and little else: every question that needs reviews, files, owners or the verdict is unknown.
 */
function incompleteFindings(m: MergeRecord): PostmortemFinding[] {
  const lacks = (m.missing ?? []).join(", ") || "facts";
  const why =
    `The audit record is INCOMPLETE: it was written from the webhook alone while GitHub could not be read, and lacks ${lacks}. ` +
    "The recovery sweep completes it once GitHub answers; until then this cannot be answered.";
  const ai = aiFinding(m);
  const aiDetails = [...ai.details, "From the PR body only: commits were not read."];
  return [
    finding("ai", ai.answer === "no" ? "unknown" : ai.answer, aiDetails),
    ...(["understood", "scope", "review_bar", "owned", "bypassed", "nearby"] as const).map((id) => finding(id, "unknown", [why])),
  ];
}

function aiFinding(m: MergeRecord): PostmortemFinding {
  const where = m.disclosureSources.map((s) => `${s.tool ?? "level"} (${s.where}${s.sha ? ` ${short(s.sha)}` : ""})`);
  const details = [`Disclosure level: **${m.aiLevel}**${m.aiTools.length ? `; tools: ${m.aiTools.join(", ")}` : ""}.`];
  if (where.length) details.push(`Declared or detected in: ${[...new Set(where)].join(", ")}.`);
  if (m.agent) details.push(`Coding agent: @${m.agent}; sponsor: ${m.sponsor ? `@${m.sponsor}` : "none recorded"}.`);
  details.push(...backfillNote(m));
  if (m.aiLevel === "undisclosed")
    return finding("ai", "unknown", [...details, "The author never disclosed it, and the evidence was not conclusive."]);
  return finding("ai", m.aiLevel === "none" ? "no" : "yes", details);
}

function understoodFinding(m: MergeRecord): PostmortemFinding {
  if (m.reviewers.length === 0) {
    return finding("understood", m.aiLevel === "none" ? "unknown" : "no", ["No approving review was recorded.", ...backfillNote(m)]);
  }
  const details = m.reviewers.map((r) => {
    const when =
      r.reviewedSha === m.headSha
        ? `approved the merged head ${short(m.headSha)}`
        : `approved ${short(r.reviewedSha)}, not the merged head ${short(m.headSha)}`;
    const note = r.verified ? `Verified: "${r.verified}"` : "no Verified: statement";
    return `@${r.reviewer} ${r.counted ? "(counted)" : `(not counted: ${r.reason ?? "no reason recorded"})`}: ${when}; ${note}.`;
  });
  const counted = m.reviewers.filter((r) => r.counted);
  const answer: Answer = counted.length === 0 ? "no" : counted.every((r) => r.reviewedSha === m.headSha) ? "yes" : "partly";
  return finding("understood", answer, [...details, ...backfillNote(m)]);
}

function scopeFinding(m: MergeRecord): PostmortemFinding {
  const details: string[] = [];
  if (m.boundaries.length === 0) details.push("No boundary or agent scope was touched.");
  for (const b of m.boundaries) details.push(`Boundary **${b.name}** (${b.action}): ${b.outcome}.`);
  for (const e of m.exceptions)
    details.push(
      `Exception for **${e.boundary}** granted by @${e.grantedBy} on ${short(e.sha)} at ${e.grantedAt}: ` +
        `"${e.reason}"${e.sha === m.headSha ? "" : " (granted on an earlier head: it did not hold for the merged one)"}.`,
    );
  const incident = (m as { incident?: { scope: string[]; rollback: string | null } | null }).incident;
  if (incident)
    details.push(`Incident patch: scope ${incident.scope.join(", ") || "not declared"}; rollback: ${incident.rollback ?? "not declared"}.`);
  const unmet = m.boundaries.filter((b) => b.outcome === "unmet");
  const viaException = m.boundaries.filter((b) => b.outcome === "exception");
  const answer: Answer = unmet.length > 0 ? "no" : viaException.length > 0 ? "partly" : "yes";
  if (viaException.length > 0) details.push("Within scope only by exception: see who granted it and why.");
  return finding("scope", answer, details);
}

function reviewBarFinding(m: MergeRecord): PostmortemFinding {
  const gates = (m as { gates?: { id: string; status: string }[] }).gates;
  const details = [
    `The \`countersign\` check at merge time: **${m.checkConclusion ?? "absent"}**.`,
    m.configInvalid
      ? `Config in force: invalid (${m.configInvalid.source}); the gates were not evaluated at merge time.`
      : m.configHash
        ? `Config in force: sha256 ${m.configHash.slice(0, 16)}… (\`.github/countersign.yml\` as read at the base commit).`
        : "Config in force: the defaults (no .github/countersign.yml), or it could not be read.",
  ];
  if (gates?.length) details.push(`Gates: ${gates.map((g) => `${g.id} ${g.status}`).join(", ")}.`);
  if (m.checkConclusion === null)
    return finding("review_bar", "unknown", [...details, "No check result was recorded for the merged head."]);
  return finding("review_bar", m.checkConclusion === "success" ? "yes" : "no", details);
}

function ownedFinding(m: MergeRecord): PostmortemFinding {
  if (!m.owningTeam) return finding("owned", "no", ["No team owned the changed files in CODEOWNERS at the time."]);
  return finding("owned", "yes", [
    `Owning team: ${m.owningTeam}.`,
    `All owning teams: ${m.teams.map((t) => `${t.team} (${t.files} file${t.files === 1 ? "" : "s"})`).join(", ")}.`,
  ]);
}

function bypassFinding(m: MergeRecord): PostmortemFinding {
  return m.bypassed
    ? finding("bypassed", "yes", [`Merged by @${m.mergedBy ?? "unknown"} while \`countersign\` was ${m.checkConclusion ?? "absent"}.`])
    : finding("bypassed", "no", [`Merged by @${m.mergedBy ?? "unknown"} with \`countersign\` = success.`]);
}

function nearbyFinding(m: MergeRecord, nearby: MergeRecord[]): PostmortemFinding {
  const others = nearby.filter((n) => !(n.repo === m.repo && n.prNumber === m.prNumber));
  if (others.length === 0)
    return finding("nearby", "no", [`No other recorded merge touched these paths in the ${NEARBY_HOURS} hours before ${m.mergedAt}.`]);
  return finding(
    "nearby",
    "yes",
    others.map(
      (n) =>
        `${n.repo}#${n.prNumber} "${n.title}" merged ${n.mergedAt} by @${n.mergedBy ?? "unknown"}: AI ${n.aiLevel}, ` +
        `owner ${n.owningTeam ?? "none"}${n.bypassed ? ", bypassed" : ""}.`,
    ),
  );
}

const ANSWER_LABEL: Record<Answer, string> = { yes: "Yes", no: "No", partly: "Partly", unknown: "Unknown" };

const FOOTNOTE =
  '_Generated by Countersign from its audit trail. "Unknown" means the trail does not hold the fact, not that it did not happen._';

/** Markdown for a change's postmortem, or for an incident's (its facts, then a review per change). */
export function renderPostmortemMarkdown(p: Postmortem | IncidentPostmortem): string {
  const lines = "changes" in p ? incidentLines(p) : changeLines(p);
  lines.push(FOOTNOTE);
  return lines.join("\n");
}

function incidentLines(p: IncidentPostmortem): string[] {
  const i = p.incident;
  const lines = [`# Postmortem: ${i.externalId}${i.title ? ` — ${i.title}` : ""}`, ""];
  lines.push(`- Severity: ${i.severity ? `SEV${i.severity}` : "not recorded"}`);
  lines.push(`- Category: ${i.category ?? "not recorded"}`);
  lines.push(`- Started: ${i.startedAt ?? "not recorded"}`);
  if (i.url) lines.push(`- Tracked at: ${i.url}`);
  const followed = p.changes.filter((c) => c.merge).map((c) => `${c.merge!.repo}#${c.merge!.prNumber}`);
  lines.push(
    p.relation
      ? `- Changes linked as **${p.relation}**: ${followed.join(", ") || "none readable"}`
      : "- No change is linked as caused or suspect.",
    "",
  );
  for (const change of p.changes) lines.push(...changeLines(change));
  return lines;
}

function changeLines(p: Postmortem): string[] {
  const lines: string[] = [];
  const head = p.merge
    ? `${p.merge.repo}#${p.merge.prNumber} "${p.merge.title}" (${short(p.merge.mergeCommitSha)}, merged ${p.merge.mergedAt})`
    : p.ref;
  lines.push(`## Change review: ${head}`, "");
  if (p.merge?.incomplete) {
    lines.push("> **Incomplete record**: written while GitHub could not be read; most answers below stay unknown until it is completed.");
    lines.push("");
  }
  if (p.incident) {
    const i = p.incident;
    lines.push(
      `Incident **${i.id}**${i.title ? ` — ${i.title}` : ""}${i.severity ? `, SEV${i.severity}` : ""}` +
        `${i.category ? `, ${i.category}` : ""}${i.startedAt ? `, started ${i.startedAt}` : ""}${sinceMerge(i)}` +
        `${i.relation ? `; this change is linked as **${i.relation}**` : ""}${i.note ? ` (${i.note})` : ""}.${beforeMergeWarning(i)}`,
      "",
    );
  }
  const others = p.incidents.filter((i) => i.id !== p.incident?.id);
  if (others.length > 0) {
    lines.push(p.incident ? "### Other incidents linked to this change" : "### Incidents linked to this change");
    for (const i of others) {
      const facts = [
        i.severity ? `SEV${i.severity}` : null,
        i.category,
        i.startedAt ? `started ${i.startedAt}${sinceMerge(i)}` : "no start time",
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(
        `- **${i.id}**${i.title ? ` — ${i.title}` : ""} (${facts}): ` +
          `**${i.relation ?? "linked"}**${i.note ? ` — ${i.note}` : ""}${i.url ? ` (${i.url})` : ""}.${beforeMergeWarning(i)}`,
      );
    }
    lines.push("");
  }
  for (const f of p.findings) {
    lines.push(`### ${f.question} ${ANSWER_LABEL[f.answer]}`);
    for (const d of f.details) lines.push(`- ${d}`);
    lines.push("");
  }
  return lines;
}

function sinceMerge(i: IncidentContext): string {
  if (i.mergeToStartHours === null) return "";
  const h = Math.abs(i.mergeToStartHours);
  const amount = h >= 48 ? `${h.toFixed(1)} h (${(h / 24).toFixed(1)} days)` : `${h.toFixed(1)} h`;
  return ` (${amount} ${i.mergeToStartHours < 0 ? "before" : "after"} this change merged)`;
}

function beforeMergeWarning(i: IncidentContext): string {
  return i.mergeToStartHours !== null && i.mergeToStartHours < 0 && (i.relation === "caused" || i.relation === "suspect")
    ? " It started before this change merged, so this change alone cannot have caused it."
    : "";
}
