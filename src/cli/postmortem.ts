/**
 * `countersign postmortem <SHA | owner/repo#N>`: the change-review section of a blameless
 * postmortem, from the audit trail alone.
 */
import { Option, type Command } from "commander";
import type { AuditStore, MergeRecord } from "../audit/audit-store.js";
import { composePostmortem, NEARBY_HOURS, renderPostmortemMarkdown, type Postmortem } from "../policy/postmortem.js";
import { UsageError, type CliContext } from "./cli-context.js";

export function registerPostmortem(program: Command, ctx: CliContext): void {
  program
    .command("postmortem <ref>")
    .description("Answer a postmortem's change-review questions from the audit trail: a commit SHA or owner/repo#N.")
    .addOption(new Option("--format <format>", "output format").choices(["markdown", "json"]).default("markdown"))
    .addHelpText("after", "\nExamples:\n  countersign postmortem 3f9c2e1\n  countersign postmortem acme/pay#42 --format json")
    .action(async (ref: string, opts: { format: string }) => {
      const pm = await ctx.withStore((store) => postmortemFor(store, ref));
      ctx.io.out(opts.format === "json" ? JSON.stringify(pm, null, 2) : renderPostmortemMarkdown(pm));
      if (!pm.merge) ctx.fail();
    });
}

export async function postmortemFor(store: AuditStore, ref: string): Promise<Postmortem> {
  const pr = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(ref);
  if (!pr && !/^[0-9a-f]{7,40}$/i.test(ref)) throw new UsageError(`"${ref}" is neither owner/repo#N nor a commit SHA (at least 7 hex characters)`);
  const merge = pr ? await store.getMerge(pr[1]!, Number(pr[2])) : await store.findMergeBySha(ref.toLowerCase());
  return composePostmortem({ ref, merge, nearby: merge ? await nearbyMerges(store, merge) : [] });
}

/** Merges in the same repository that touched any of this merge's paths in the 72 hours before it. */
export async function nearbyMerges(store: AuditStore, merge: MergeRecord): Promise<MergeRecord[]> {
  const until = new Date(Date.parse(merge.mergedAt) - 1).toISOString();
  const since = new Date(Date.parse(merge.mergedAt) - NEARBY_HOURS * 3600_000).toISOString();
  const found = new Map<string, MergeRecord>();
  // One query per changed path (capped): each is an index range scan on the path.
  for (const p of merge.paths.slice(0, 50)) {
    for (const m of await store.listMerges({ repo: merge.repo, path: escapeGlob(p.path), since, until, limit: 50 })) {
      found.set(`${m.repo}#${m.prNumber}`, m);
    }
  }
  return [...found.values()].sort((a, b) => b.mergedAt.localeCompare(a.mergedAt));
}

/** A literal path as a glob (brackets, stars and braces escaped). */
function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, "\\$&");
}
