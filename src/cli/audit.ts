/** `countersign audit …`: query, report, export and verify the audit trail. */
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { type Command, Option } from "commander";
import { REPORT_DIMENSIONS, type AuditStore, type MergeFilter, type MergeRecord, type ReportDimension } from "../audit/audit-store.js";
import { mergeReviewStatement } from "../audit/in-toto-statement.js";
import { MERGE_FILTER_FIELDS, parseMergeFilterInput, type MergeFilterInput } from "../audit/merge-filter-input.js";
import { AI_LEVELS } from "../policy/snapshot.js";
import { configuredGithubUrls, UsageError, type CliContext } from "./cli-context.js";
import { formatIncidentTrends } from "./format-incidents.js";
import {
  formatMergeDetail,
  formatMergeLine,
  formatMerges,
  formatReport,
  MERGE_CSV_HEADER,
  MERGE_FORMATS,
  REPORT_FORMATS,
  type MergeFormat,
  type ReportFormat,
} from "./format-merges.js";

const LEVELS: readonly string[] = [...AI_LEVELS, "undisclosed"];
const EXPORT_FORMATS = ["in-toto", "ndjson", "csv"] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];
/**
 * Bytes buffered before an `io.out` call while streaming: a few lines per write, and small
 * enough that buffered lines die young (a large buffer is promoted and grows the old heap).
 */
const EXPORT_CHUNK_BYTES = 64 * 1024;

type Opts = Record<string, string | boolean | undefined>;

/** The filters every query verb shares (docs/audit-trail.md, "Reading the trail"). */
function filterOptions(cmd: Command, which: { path?: boolean; sha?: boolean } = { path: true, sha: true }): Command {
  cmd
    .option("--repo <owner/name>", "only this repository")
    .option("--since <date>", "merged at or after (YYYY-MM-DD or ISO-8601, UTC)")
    .option("--until <date>", "merged on or before (a bare date includes that whole day, UTC)")
    .option(
      "--ai <levels>",
      `only these disclosure levels, comma-separated (${LEVELS.join(", ")}); "assisted,generated,agent" is AI-assisted`,
    )
    .option("--team <@org/team>", "only merges owned (in part) by this team")
    .option("--bypassed [true|false]", "only merges made while countersign was not success (false: only the others)")
    .option(
      "--incomplete [true|false]",
      "only merges recorded while GitHub could not be read and not completed yet (false: only complete ones)",
    )
    .option("--reverted [true|false]", "only merges that were later reverted (false: only the others)")
    .option("--exceptions [true|false]", "only merges that carried a boundary exception (false: only the others)");
  if (which.path) cmd.option("--path <glob>", "only merges that changed a path matching this glob, e.g. 'src/payments/**'");
  if (which.sha) cmd.option("--sha <sha>", "the merge containing this commit (full SHA or at least 7 hex characters)");
  return cmd;
}

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command("audit").description("Query and verify the audit trail (DATABASE_URL; default ./data/countersign.db).");

  filterOptions(audit.command("merges").description("List recorded merges, newest first, a page at a time."))
    .option("--limit <n>", "at most this many (1-1000)", "100")
    .option("--cursor <cursor>", "the page after the one that printed this cursor (on stderr)")
    .addOption(new Option("--format <format>", "output format").choices([...MERGE_FORMATS]).default("table"))
    .addHelpText(
      "after",
      "\nExamples:\n  countersign audit merges --path 'src/payments/**' --ai assisted,generated,agent --since 2026-01-01\n" +
        "  countersign audit merges --bypassed --format csv > bypasses.csv\n  countersign audit merges --sha abc1234 --format json",
    )
    .action(async (opts: Opts) => {
      const filter = mergeFilter(opts);
      const page = await ctx.withStore((s) => s.listMergesPage(filter));
      ctx.io.out(formatMerges(page.merges, opts.format as MergeFormat));
      // stderr, so that stdout stays one well-formed document in every format.
      if (page.nextCursor) ctx.io.err(`More merges match: add --cursor ${page.nextCursor} for the next page.`);
    });

  audit
    .command("show <ref>")
    .description("One merge in full: owner/repo#N or a commit SHA (the merge commit, the head or any commit of the PR).")
    .addOption(new Option("--format <format>", "output format").choices(["json", "text", "table"]).default("json"))
    .action(async (ref: string, opts: { format: string }) => {
      const m = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(ref);
      if (!m && !/^[0-9a-f]{7,64}$/i.test(ref))
        throw new UsageError(`"${ref}" is neither owner/repo#N nor a commit SHA (at least 7 hex characters)`);
      const merge = await ctx.withStore((s) => (m ? s.getMerge(m[1]!, Number(m[2])) : s.findMergeBySha(ref.toLowerCase())));
      if (!merge) {
        ctx.io.err(`No merge recorded for ${ref}.`);
        ctx.fail();
        return;
      }
      ctx.io.out(
        opts.format === "json"
          ? JSON.stringify(merge, null, 2)
          : opts.format === "text"
            ? formatMergeDetail(merge)
            : formatMerges([merge], "table"),
      );
    });

  filterOptions(
    audit
      .command("report")
      .description(
        "Per group: merges, AI-assisted share, undisclosed, bypasses, exceptions, and revert rates within 7 and 30 days " +
          "(change-failure proxies).",
      ),
    {},
  )
    .option("--group-by <dimensions>", `comma-separated: ${REPORT_DIMENSIONS.join(", ")}`, "ai")
    .option(
      "--incidents",
      "add incident trends: incidents by category and month, incident-linked merges by AI level and team, merge-to-incident hours",
    )
    .addOption(new Option("--format <format>", "output format").choices([...REPORT_FORMATS]).default("table"))
    .addHelpText(
      "after",
      "\nWith --incidents, --since/--until also bound the incidents' start times; JSON adds an `incidents` object.\n\nExamples:\n" +
        "  countersign audit report --since 2026-01-01 --group-by ai,team\n" +
        "  countersign audit report --group-by team,month --format csv > cfr-proxy.csv\n" +
        "  countersign audit report --incidents --since 2026-01-01 --format json",
    )
    .action(async (opts: Opts) => {
      const groupBy = groupByOf(String(opts.groupBy));
      const format = opts.format as ReportFormat;
      if (opts.incidents === true && format === "csv") throw new UsageError("--incidents adds several tables: use --format table or json");
      const filter = mergeFilter(opts);
      const [report, incidents] = await ctx.withStore((s) =>
        Promise.all([s.report(filter, groupBy), opts.incidents === true ? s.incidentTrends(filter) : null]),
      );
      if (incidents === null) ctx.io.out(formatReport(report, format));
      else if (format === "json") ctx.io.out(JSON.stringify({ ...report, incidents }, null, 2));
      else ctx.io.out(`${formatReport(report, format)}\n\n${formatIncidentTrends(incidents)}`);
    });

  filterOptions(
    audit
      .command("export")
      .description("Stream every matching merge, newest first: in-toto Statements, NDJSON or CSV (no limit, flat memory)."),
  )
    .addOption(new Option("--format <format>", "output format").choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .addHelpText(
      "after",
      "\nin-toto: one Statement v1 per line (predicateType https://countersign.dev/merge-review/v1) whose subject is the\n" +
        "merge commit; merges without a merge commit SHA are skipped and counted on stderr.\n\nExamples:\n" +
        "  countersign audit export --format in-toto --since 2026-01-01 > merges.intoto.jsonl\n" +
        "  countersign audit export --format ndjson --repo acme/pay | gzip > pay.ndjson.gz",
    )
    .action(async (opts: Opts) => {
      const filter = mergeFilter(opts);
      const format = opts.format as ExportFormat;
      const { exported, skipped } = await ctx.withStore((s) => exportMerges(s, filter, format, ctx));
      if (skipped > 0) ctx.io.err(`Skipped ${skipped} merge${skipped === 1 ? "" : "s"} without a merge commit SHA (exported ${exported}).`);
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

/** Streams in chunks; waits for stdout to drain so a slow reader does not grow the heap. */
async function exportMerges(
  store: AuditStore,
  filter: MergeFilter,
  format: ExportFormat,
  ctx: CliContext,
): Promise<{ exported: number; skipped: number }> {
  const recorder = { id: "https://countersign.dev/recorder", version: packageVersion() };
  // Records made before the host was kept with each merge fall back to the configured host.
  const githubUrl = configuredGithubUrls().web;
  const toLine = (m: MergeRecord): string | null => {
    if (format !== "in-toto") return formatMergeLine(m, format);
    const statement = mergeReviewStatement(m, recorder, githubUrl);
    return statement && JSON.stringify(statement);
  };
  let exported = 0;
  let skipped = 0;
  let chunk = format === "csv" ? MERGE_CSV_HEADER : "";
  const flush = async () => {
    if (chunk === "") return;
    ctx.io.out(chunk);
    chunk = "";
    if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
  };
  const add = async (line: string) => {
    chunk = chunk === "" ? line : `${chunk}\n${line}`;
    exported += 1;
    if (chunk.length >= EXPORT_CHUNK_BYTES) await flush();
  };
  if (format === "ndjson") {
    // The stored JSON, spliced rather than parsed and re-serialised: the same lines, far less garbage.
    for await (const line of store.iterateMerges(filter, { as: "json" })) await add(line);
  } else {
    for await (const m of store.iterateMerges(filter)) {
      const line = toLine(m);
      if (line === null) skipped += 1;
      else await add(line);
    }
  }
  await flush();
  return { exported, skipped };
}

/**
 * The flags → the store's filter, through the schema the API and the dashboard use (the same
 * messages); a flag given without a value (`--bypassed`) means true.
 */
function mergeFilter(opts: Opts): MergeFilter {
  const input: MergeFilterInput = {};
  for (const field of MERGE_FILTER_FIELDS) {
    const value = opts[field];
    if (typeof value === "string") input[field] = value;
    else if (value === true) input[field] = "true";
  }
  const { filter, problems } = parseMergeFilterInput(input);
  if (problems.length > 0) throw new UsageError(problems.map((p) => `--${p.field} "${input[p.field]}": ${p.message}`).join("; "));
  return filter;
}

function groupByOf(value: string): ReportDimension[] {
  const dims = value
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  const unknown = dims.filter((d) => !(REPORT_DIMENSIONS as readonly string[]).includes(d));
  if (unknown.length > 0 || new Set(dims).size !== dims.length) {
    throw new UsageError(`--group-by takes distinct dimensions from ${REPORT_DIMENSIONS.join(", ")} (comma-separated), got "${value}"`);
  }
  return dims as ReportDimension[];
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
