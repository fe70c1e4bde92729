/**
 * `countersign postmortem <SHA | owner/repo#N | EXT-ID>`: the change-review section of a blameless
 * postmortem, from the audit trail alone. By incident id: a review of each merge linked to it as
 * caused (else suspect), with the incident shown; by merge: that merge, with its incident links.
 */
import { Option, type Command } from "commander";
import type { AuditStore, IncidentRecord, MergeRecord } from "../audit/audit-store.js";
import { INCIDENT_ID_PATTERN } from "../audit/incident-input.js";
import { findMergeByRef, MERGE_REF_FORMS, parseMergeRef, type MergeRef } from "../audit/merge-ref.js";
import {
  composeIncidentPostmortem,
  composePostmortem,
  culpritLinks,
  incidentContext,
  NEARBY_HOURS,
  renderPostmortemMarkdown,
  type IncidentPostmortem,
  type LinkedChange,
  type Postmortem,
} from "../reports/postmortem.js";
import { UsageError, type CliContext } from "./cli-context.js";

export function registerPostmortem(program: Command, ctx: CliContext): void {
  program
    .command("postmortem <ref>")
    .description(
      "Answer a postmortem's change-review questions from the audit trail: a commit SHA, owner/repo#N, or an incident id (the " +
        "merges linked to it as caused, else suspect).",
    )
    .addOption(new Option("--format <format>", "output format").choices(["markdown", "json"]).default("markdown"))
    .addHelpText(
      "after",
      "\nAn incident id is looked up first, so an id that looks like a SHA still finds its incident.\n\nExamples:\n" +
        "  countersign postmortem 3f9c2e1\n  countersign postmortem acme/pay#42 --format json\n  countersign postmortem INC-2041 > " +
        "postmortem-review.md",
    )
    .action(async (ref: string, opts: { format: string }) => {
      const pm = await ctx.withStore((store) => postmortemFor(store, ref));
      ctx.io.out(opts.format === "json" ? JSON.stringify(pm, null, 2) : renderPostmortemMarkdown(pm));
      const found = "changes" in pm ? pm.changes.some((c) => c.merge) : pm.merge !== null;
      if (!found) ctx.fail();
    });
}

export async function postmortemFor(store: AuditStore, ref: string): Promise<Postmortem | IncidentPostmortem> {
  const mergeRef = parseMergeRef(ref);
  if (mergeRef?.kind === "pr") return mergePostmortem(store, ref, mergeRef);
  const maybeIncident = INCIDENT_ID_PATTERN.test(ref);
  if (maybeIncident) {
    const incident = await store.getIncident(ref);
    if (incident) return incidentPostmortem(store, ref, incident);
  }
  if (mergeRef) return mergePostmortem(store, ref, mergeRef);
  if (!maybeIncident)
    throw new UsageError(`"${ref}" is neither ${MERGE_REF_FORMS} nor an incident id (letters, digits, ".", "_", ":" or "-")`);
  return composePostmortem({
    ref,
    merge: null,
    nearby: [],
    unknownReason: `no incident ${ref} is recorded (\`countersign incident list\` shows those that are), and it is not ${MERGE_REF_FORMS}`,
  });
}

async function mergePostmortem(store: AuditStore, ref: string, mergeRef: MergeRef): Promise<Postmortem> {
  const merge = await findMergeByRef(store, mergeRef);
  if (!merge) return composePostmortem({ ref, merge, nearby: [] });
  const links = await store.incidentsForMerge(merge.repo, merge.prNumber);
  return composePostmortem({
    ref,
    merge,
    nearby: await nearbyMerges(store, merge),
    incidents: links.map((l) => incidentContext(l.incident, l, merge.mergedAt)),
  });
}

async function incidentPostmortem(store: AuditStore, ref: string, incident: IncidentRecord): Promise<IncidentPostmortem> {
  const changes: LinkedChange[] = [];
  for (const link of culpritLinks(incident.links).links) {
    const merge = await store.getMerge(link.repo, link.prNumber);
    if (!merge) continue; // links are only made to recorded merges; the composer says so if one is missing
    changes.push({ merge, nearby: await nearbyMerges(store, merge), incidents: await store.incidentsForMerge(merge.repo, merge.prNumber) });
  }
  return composeIncidentPostmortem({ ref, incident, changes });
}

/** Merges in the same repository that touched any of this merge's paths in the 72 hours before it. */
export async function nearbyMerges(store: AuditStore, merge: MergeRecord): Promise<MergeRecord[]> {
  const until = new Date(Date.parse(merge.mergedAt) - 1).toISOString();
  const since = new Date(Date.parse(merge.mergedAt) - NEARBY_HOURS * 3600_000).toISOString();
  const found = new Map<string, MergeRecord>();
  // One query per changed path (capped): each is an index range scan on the path.
  for (const p of merge.paths.slice(0, 50)) {
    for (const m of (await store.listMergesPage({ repo: merge.repo, path: escapeGlob(p.path), since, until, limit: 50 })).merges) {
      found.set(`${m.repo}#${m.prNumber}`, m);
    }
  }
  return [...found.values()].sort((a, b) => b.mergedAt.localeCompare(a.mergedAt));
}

/** A literal path as a glob (brackets, stars and braces escaped). */
function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, "\\$&");
}
