/**
 * `countersign incident open | link | show | list`: record incidents in the audit trail and link
 * them to the merges that caused (or fixed, or are suspected of) them, for `countersign postmortem
 * <EXT-ID>` and `audit report --incidents`. Every write is an entry in the hash chain.
 */
import { Option, type Command } from "commander";
import {
  INCIDENT_CATEGORIES,
  INCIDENT_RELATIONS,
  type IncidentCategory,
  type IncidentFilter,
  type IncidentRelation,
  type IncidentSeverity,
} from "../audit/audit-store.js";
import { linkIncidentByRef, MERGE_REF_FORMS, parseMergeRef } from "../audit/merge-ref.js";
import { repoOption, UsageError, type CliContext } from "./cli-context.js";
import { formatIncidentDetail, formatIncidents, INCIDENT_FORMATS, type IncidentFormat } from "./format-incidents.js";

interface OpenOptions {
  id: string;
  title?: string;
  url?: string;
  severity?: string;
  category?: IncidentCategory;
  startedAt?: string;
}

interface LinkOptions {
  merge: string;
  relation: IncidentRelation;
  note?: string;
  linkedBy?: string;
}

interface ListOptions {
  category?: IncidentCategory;
  severity?: string;
  since?: string;
  until?: string;
  repo?: string;
  limit: string;
  format: IncidentFormat;
}

const severityOption = (description: string) => new Option("--severity <1|2|3>", description).choices(["1", "2", "3"]);
const categoryOption = (description: string) => new Option("--category <category>", description).choices([...INCIDENT_CATEGORIES]);
const formatOption = () => new Option("--format <format>", "output format").choices([...INCIDENT_FORMATS]).default("table");

export function registerIncident(program: Command, ctx: CliContext): void {
  const incident = program
    .command("incident")
    .description("Record incidents and link them to merges (caused, fixed, suspect, dismissed), for postmortems and trends.");

  incident
    .command("open")
    .description(
      "Record an incident by its tracker id. Repeating it with the same fields is a no-op; different fields are refused (the " +
        "first record stands).",
    )
    .requiredOption("--id <EXT-ID>", "the incident tracker's id, e.g. INC-2041 (letters, digits, . _ : -)")
    .option("--title <text>", "a one-line summary")
    .option("--url <url>", "where the incident is tracked (http or https)")
    .addOption(severityOption("1 (most severe), 2 or 3"))
    .addOption(categoryOption("what kind of failure it was"))
    .option("--started-at <time>", "when impact began, ISO-8601 (no offset means UTC)")
    .addHelpText(
      "after",
      '\nExamples:\n  countersign incident open --id INC-2041 --title "Refunds paid twice" --severity 1 \\\n' +
        "    --category hallucination-in-production-code --started-at 2026-03-01T14:30:00Z --url " +
        "https://acme.pagerduty.com/incidents/Q1W2E3",
    )
    .action(async (opts: OpenOptions) => {
      const result = await ctx.withStore((s) =>
        s.recordIncident({
          externalId: opts.id,
          title: opts.title ?? null,
          url: opts.url ?? null,
          severity: opts.severity === undefined ? null : (Number(opts.severity) as IncidentSeverity),
          category: opts.category ?? null,
          startedAt: opts.startedAt ?? null,
          source: "cli",
        }),
      );
      ctx.io.out(
        result.inserted
          ? `Recorded incident ${opts.id} (audit seq ${result.seq}).`
          : `Incident ${opts.id} is already recorded with these fields: nothing to do.`,
      );
    });

  incident
    .command("link <EXT-ID>")
    .description("Link an incident to a recorded merge. Links are never changed: the newest link for a merge is its current relation.")
    .requiredOption("--merge <ref>", `the merge: ${MERGE_REF_FORMS}`)
    .addOption(
      new Option("--relation <relation>", "how the merge relates to the incident").choices([...INCIDENT_RELATIONS]).makeOptionMandatory(),
    )
    .option("--note <text>", "the evidence, e.g. what a bisect showed")
    .option("--linked-by <name>", "who made the link")
    .addHelpText(
      "after",
      '\nExamples:\n  countersign incident link INC-2041 --merge acme/pay#42 --relation suspect --note "touched the refund ' +
        'retry"\n  countersign incident link INC-2041 --merge 3f9c2e1 --relation caused\n' +
        '  countersign incident link INC-2041 --merge acme/pay#42 --relation dismissed --note "ruled out by bisect"',
    )
    .action(async (externalId: string, opts: LinkOptions) => {
      const ref = parseMergeRef(opts.merge);
      if (!ref) throw new UsageError(`--merge "${opts.merge}" is neither ${MERGE_REF_FORMS}`);
      const outcome = await ctx.withStore((s) =>
        linkIncidentByRef(s, ref, {
          externalId,
          relation: opts.relation,
          note: opts.note ?? null,
          linkedBy: opts.linkedBy ?? null,
          source: "cli",
        }),
      );
      if ("missing" in outcome) {
        ctx.io.err(
          outcome.missing === "incident"
            ? `No incident ${externalId} is recorded: open it first with countersign incident open --id ${externalId}.`
            : `No merge recorded for ${opts.merge}: link a merged PR that Countersign recorded (countersign backfill records missed ones).`,
        );
        ctx.fail();
        return;
      }
      const merge = `${outcome.merge.repo}#${outcome.merge.prNumber}`;
      ctx.io.out(
        outcome.result.inserted
          ? `Linked ${merge} to ${externalId} as ${opts.relation} (audit seq ${outcome.result.seq}).`
          : `${merge} is already linked to ${externalId} as ${opts.relation} with this note: nothing to do.`,
      );
    });

  incident
    .command("show <EXT-ID>")
    .description("One incident with every link to a merge (history included; * marks the current relation).")
    .addOption(formatOption())
    .addHelpText("after", "\nExamples:\n  countersign incident show INC-2041\n  countersign incident show INC-2041 --format json")
    .action(async (externalId: string, opts: { format: IncidentFormat }) => {
      const record = await ctx.withStore((s) => s.getIncident(externalId));
      if (!record) {
        ctx.io.err(`No incident ${externalId} is recorded (countersign incident list shows those that are).`);
        ctx.fail();
        return;
      }
      ctx.io.out(formatIncidentDetail(record, opts.format));
    });

  incident
    .command("list")
    .description("Recorded incidents, newest first (by start time, else recording time).")
    .addOption(categoryOption("only this category"))
    .addOption(severityOption("only this severity"))
    .option("--since <date>", "started at or after (YYYY-MM-DD or ISO-8601, UTC)")
    .option("--until <date>", "started on or before (a bare date includes that whole day, UTC)")
    .option("--repo <owner/name>", "only incidents linked to a merge in this repository")
    .option("--limit <n>", "at most this many (1-1000)", "100")
    .addOption(formatOption())
    .addHelpText(
      "after",
      "\nExamples:\n  countersign incident list --since 2026-01-01 --category agent-overreach\n" +
        "  countersign incident list --repo acme/pay --format json",
    )
    .action(async (opts: ListOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be a whole number from 1 to 1000");
      if (opts.repo !== undefined) repoOption(opts.repo);
      const filter: IncidentFilter = { limit };
      if (opts.category) filter.category = opts.category;
      if (opts.severity) filter.severity = Number(opts.severity) as IncidentSeverity;
      if (opts.since) filter.since = opts.since;
      if (opts.until) filter.until = opts.until;
      if (opts.repo) filter.repo = opts.repo;
      ctx.io.out(formatIncidents(await ctx.withStore((s) => s.listIncidents(filter)), opts.format));
    });
}
