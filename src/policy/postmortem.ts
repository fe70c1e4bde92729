/**
 * The review section a blameless postmortem needs, composed from the audit trail alone. Every
 * question is answered from recorded facts, or "unknown" with the reason the trail lacks them —
 * never a guess. Pure: the caller loads the merge, its incident links and the merges nearby.
 */
import type { MergeRecord } from "../audit/audit-store.js";

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
  relation: string | null;
  note: string | null;
}

export interface PostmortemInput {
  /** What was asked for: a SHA, owner/repo#N or an incident id. */
  ref: string;
  merge: MergeRecord | null;
  /** Merges that touched the same paths in the 72 hours before this one. */
  nearby: MergeRecord[];
  incident?: IncidentContext | null;
}

export interface Postmortem {
  ref: string;
  merge: { repo: string; prNumber: number; title: string; mergeCommitSha: string | null; mergedAt: string } | null;
  incident: IncidentContext | null;
  findings: PostmortemFinding[];
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
    const why = `no merge for ${input.ref} is in the audit trail: it may have merged before Countersign was installed and not been backfilled (\`countersign backfill --repo owner/name --since DATE\`)`;
    return {
      ref: input.ref,
      merge: null,
      incident: input.incident ?? null,
      findings: (Object.keys(QUESTIONS) as PostmortemFinding["id"][]).map((id) => ({ id, question: QUESTIONS[id], answer: "unknown", details: [why] })),
    };
  }
  const findings: PostmortemFinding[] = [aiFinding(m), understoodFinding(m), scopeFinding(m), reviewBarFinding(m), ownedFinding(m), bypassFinding(m), nearbyFinding(m, input.nearby)];
  return {
    ref: input.ref,
    merge: { repo: m.repo, prNumber: m.prNumber, title: m.title, mergeCommitSha: m.mergeCommitSha, mergedAt: m.mergedAt },
    incident: input.incident ?? null,
    findings,
  };
}

function finding(id: PostmortemFinding["id"], answer: Answer, details: string[]): PostmortemFinding {
  return { id, question: QUESTIONS[id], answer, details };
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "none");

function backfillNote(m: MergeRecord): string[] {
  return m.source === "backfill" ? ["Recorded by backfill after the merge, from GitHub's state at that time, not at merge time."] : [];
}

function aiFinding(m: MergeRecord): PostmortemFinding {
  const where = m.disclosureSources.map((s) => `${s.tool ?? "level"} (${s.where}${s.sha ? ` ${short(s.sha)}` : ""})`);
  const details = [`Disclosure level: **${m.aiLevel}**${m.aiTools.length ? `; tools: ${m.aiTools.join(", ")}` : ""}.`];
  if (where.length) details.push(`Declared or detected in: ${[...new Set(where)].join(", ")}.`);
  if (m.agent) details.push(`Coding agent: @${m.agent}; sponsor: ${m.sponsor ? `@${m.sponsor}` : "none recorded"}.`);
  details.push(...backfillNote(m));
  if (m.aiLevel === "undisclosed") return finding("ai", "unknown", [...details, "The author never disclosed it, and the evidence was not conclusive."]);
  return finding("ai", m.aiLevel === "none" ? "no" : "yes", details);
}

function understoodFinding(m: MergeRecord): PostmortemFinding {
  if (m.reviewers.length === 0) {
    return finding("understood", m.aiLevel === "none" ? "unknown" : "no", ["No approving review was recorded.", ...backfillNote(m)]);
  }
  const details = m.reviewers.map((r) => {
    const when = r.reviewedSha === m.headSha ? `approved the merged head ${short(m.headSha)}` : `approved ${short(r.reviewedSha)}, not the merged head ${short(m.headSha)}`;
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
  for (const e of m.exceptions) details.push(`Exception for **${e.boundary}** granted by @${e.grantedBy} on ${short(e.sha)} at ${e.grantedAt}: "${e.reason}"${e.sha === m.headSha ? "" : " (granted on an earlier head: it did not hold for the merged one)"}.`);
  const incident = (m as { incident?: { scope: string[]; rollback: string | null } | null }).incident;
  if (incident) details.push(`Incident patch: scope ${incident.scope.join(", ") || "not declared"}; rollback: ${incident.rollback ?? "not declared"}.`);
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
    m.configHash ? `Config in force: sha256 ${m.configHash.slice(0, 16)}… (\`.github/countersign.yml\` as read at the base commit).` : "Config in force: the defaults (no .github/countersign.yml), or it could not be read.",
  ];
  if (gates?.length) details.push(`Gates: ${gates.map((g) => `${g.id} ${g.status}`).join(", ")}.`);
  if (m.checkConclusion === null) return finding("review_bar", "unknown", [...details, "No check result was recorded for the merged head."]);
  return finding("review_bar", m.checkConclusion === "success" ? "yes" : "no", details);
}

function ownedFinding(m: MergeRecord): PostmortemFinding {
  if (!m.owningTeam) return finding("owned", "no", ["No team owned the changed files in CODEOWNERS at the time."]);
  return finding("owned", "yes", [`Owning team: ${m.owningTeam}.`, `All owning teams: ${m.teams.map((t) => `${t.team} (${t.files} file${t.files === 1 ? "" : "s"})`).join(", ")}.`]);
}

function bypassFinding(m: MergeRecord): PostmortemFinding {
  return m.bypassed
    ? finding("bypassed", "yes", [`Merged by @${m.mergedBy ?? "unknown"} while \`countersign\` was ${m.checkConclusion ?? "absent"}.`])
    : finding("bypassed", "no", [`Merged by @${m.mergedBy ?? "unknown"} with \`countersign\` = success.`]);
}

function nearbyFinding(m: MergeRecord, nearby: MergeRecord[]): PostmortemFinding {
  const others = nearby.filter((n) => !(n.repo === m.repo && n.prNumber === m.prNumber));
  if (others.length === 0) return finding("nearby", "no", [`No other recorded merge touched these paths in the ${NEARBY_HOURS} hours before ${m.mergedAt}.`]);
  return finding(
    "nearby",
    "yes",
    others.map((n) => `${n.repo}#${n.prNumber} "${n.title}" merged ${n.mergedAt} by @${n.mergedBy ?? "unknown"}: AI ${n.aiLevel}, owner ${n.owningTeam ?? "none"}${n.bypassed ? ", bypassed" : ""}.`),
  );
}

const ANSWER_LABEL: Record<Answer, string> = { yes: "Yes", no: "No", partly: "Partly", unknown: "Unknown" };

export function renderPostmortemMarkdown(p: Postmortem): string {
  const lines: string[] = [];
  const head = p.merge ? `${p.merge.repo}#${p.merge.prNumber} "${p.merge.title}" (${short(p.merge.mergeCommitSha)}, merged ${p.merge.mergedAt})` : p.ref;
  lines.push(`## Change review: ${head}`, "");
  if (p.incident) {
    const i = p.incident;
    lines.push(`Incident **${i.id}**${i.title ? ` — ${i.title}` : ""}${i.severity ? `, SEV${i.severity}` : ""}${i.category ? `, ${i.category}` : ""}${i.startedAt ? `, started ${i.startedAt}` : ""}${i.relation ? `; this change is linked as **${i.relation}**` : ""}${i.note ? ` (${i.note})` : ""}.`, "");
  }
  for (const f of p.findings) {
    lines.push(`### ${f.question} ${ANSWER_LABEL[f.answer]}`);
    for (const d of f.details) lines.push(`- ${d}`);
    lines.push("");
  }
  lines.push("_Generated by Countersign from its audit trail. \"Unknown\" means the trail does not hold the fact, not that it did not happen._");
  return lines.join("\n");
}
