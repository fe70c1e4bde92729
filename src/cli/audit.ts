/** `countersign audit …`: query and verify the audit trail. */
import { Command, Option } from "commander";
import type { MergeFilter } from "../audit/audit-store.js";
import { AI_LEVELS } from "../policy/snapshot.js";
import { UsageError, type CliContext } from "./cli-context.js";
import { formatMerges, MERGE_FORMATS, type MergeFormat } from "./format-merges.js";

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command("audit").description("Query and verify the audit trail (DATABASE_URL; default ./data/countersign.db).");

  audit
    .command("merges")
    .description("List recorded merges, newest first.")
    .option("--repo <owner/name>", "only this repository")
    .option("--path <glob>", "only merges that changed a path matching this glob, e.g. 'src/payments/**'")
    .option("--since <date>", "merged at or after (YYYY-MM-DD or ISO-8601)")
    .option("--until <date>", "merged on or before (a bare date includes that whole day, UTC)")
    .addOption(new Option("--ai <level>", "only this disclosure level").choices([...AI_LEVELS, "undisclosed"]))
    .option("--team <@org/team>", "only merges owned (in part) by this team")
    .option("--bypassed", "only merges made while countersign was not success")
    .option("--reverted", "only merges that were later reverted")
    .option("--sha <sha>", "the merge containing this commit (full SHA or at least 7 hex characters)")
    .option("--limit <n>", "at most this many (1-1000)", "100")
    .addOption(new Option("--format <format>", "output format").choices([...MERGE_FORMATS]).default("table"))
    .addHelpText("after", "\nExamples:\n  countersign audit merges --path 'src/payments/**' --ai generated --since 2026-01-01\n  countersign audit merges --bypassed --format csv > bypasses.csv\n  countersign audit merges --sha abc1234 --format json")
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const filter = mergeFilter(opts);
      const merges = await ctx.withStore((s) => s.listMerges(filter));
      ctx.io.out(formatMerges(merges, opts.format as MergeFormat));
    });

  audit
    .command("show <ref>")
    .description("One merge in full: owner/repo#N or a commit SHA.")
    .addOption(new Option("--format <format>", "output format").choices(["json", "table"]).default("json"))
    .action(async (ref: string, opts: { format: string }) => {
      const m = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(ref);
      if (!m && !/^[0-9a-f]{7,40}$/i.test(ref)) throw new UsageError(`"${ref}" is neither owner/repo#N nor a commit SHA (at least 7 hex characters)`);
      const merge = await ctx.withStore((s) => (m ? s.getMerge(m[1]!, Number(m[2])) : s.findMergeBySha(ref.toLowerCase())));
      if (!merge) {
        ctx.io.err(`No merge recorded for ${ref}.`);
        ctx.fail();
        return;
      }
      ctx.io.out(opts.format === "json" ? JSON.stringify(merge, null, 2) : formatMerges([merge], "table"));
    });

  audit
    .command("verify")
    .description("Walk the hash chain and report the first broken link (exit 1).")
    .option("--checkpoint <hash>", "a head hash printed earlier by `audit checkpoint`: also detects a truncated tail")
    .action(async (opts: { checkpoint?: string }) => {
      const result = await ctx.withStore((s) => s.verify({ checkpoint: opts.checkpoint }));
      if (result.ok) ctx.io.out(`ok: ${result.entries} entries, head ${result.headHash ?? "(empty)"}`);
      else {
        ctx.io.out(`BROKEN at seq ${result.brokenAt?.seq}: ${result.brokenAt?.reason}`);
        ctx.fail();
      }
    });

  audit
    .command("checkpoint")
    .description("Print the chain's head hash, to keep outside the database.")
    .action(async () => {
      const result = await ctx.withStore((s) => s.verify());
      ctx.io.out(result.headHash ?? "(empty)");
      if (!result.ok) ctx.fail();
    });

}

function mergeFilter(opts: Record<string, string | boolean | undefined>): MergeFilter {
  const filter: MergeFilter = {};
  if (typeof opts.repo === "string") {
    if (!/^[\w.-]+\/[\w.-]+$/.test(opts.repo)) throw new UsageError(`--repo must be owner/name, got "${opts.repo}"`);
    filter.repo = opts.repo;
  }
  if (typeof opts.path === "string") filter.path = opts.path;
  if (typeof opts.since === "string") filter.since = isoDate(opts.since, "--since");
  if (typeof opts.until === "string") filter.until = isoDate(opts.until, "--until");
  if (typeof opts.ai === "string") filter.ai = opts.ai as MergeFilter["ai"];
  if (typeof opts.team === "string") filter.team = opts.team.startsWith("@") ? opts.team : `@${opts.team}`;
  if (opts.bypassed === true) filter.bypassed = true;
  if (opts.reverted === true) filter.reverted = true;
  if (typeof opts.sha === "string") {
    if (!/^[0-9a-f]{7,40}$/i.test(opts.sha)) throw new UsageError(`--sha needs at least 7 hex characters, got "${opts.sha}"`);
    filter.sha = opts.sha.toLowerCase();
  }
  const limit = Number(opts.limit ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000`);
  filter.limit = limit;
  return filter;
}

function isoDate(value: string, flag: string): string {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) throw new UsageError(`${flag} must be a date (YYYY-MM-DD or ISO-8601), got "${value}"`);
  return new Date(t).toISOString();
}
