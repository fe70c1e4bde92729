/**
 * `countersign` command line: audit queries and local linting. Exit codes: 0 ok, 1 the answer is
 * "no" (verification failed, invalid config), 2 usage or runtime errors. User errors print one
 * line, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import type { AuditStore, MergeFilter } from "../audit/audit-store.js";
import { openAuditStore } from "../audit/open-audit-store.js";
import { AI_LEVELS } from "../policy/snapshot.js";
import { parseCodeowners } from "../policy/codeowners.js";
import { CONFIG_PATH, loadConfig } from "../policy/config.js";
import { formatMerges, MERGE_FORMATS, type MergeFormat } from "./format-merges.js";
import { NEXT_STEPS, runInit } from "./init.js";

class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("countersign")
    .description("Merge-time governance for AI-assisted code: query the audit trail, lint config and CODEOWNERS.")
    .version(readVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const withStore = async <T>(fn: (store: AuditStore) => Promise<T>): Promise<T> => {
    if (existsEnvFile()) process.loadEnvFile(".env");
    const store = await openAuditStore(process.env.DATABASE_URL);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };

  const audit = program.command("audit").description("Query and verify the audit trail (DATABASE_URL; default ./data/countersign.db).");

  audit
    .command("merges")
    .description("List recorded merges, newest first.")
    .option("--repo <owner/name>", "only this repository")
    .option("--path <glob>", "only merges that changed a path matching this glob, e.g. 'src/payments/**'")
    .option("--since <date>", "merged at or after (YYYY-MM-DD or ISO-8601)")
    .option("--until <date>", "merged before (YYYY-MM-DD or ISO-8601)")
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
      const merges = await withStore((s) => s.listMerges(filter));
      io.out(formatMerges(merges, opts.format as MergeFormat));
    });

  audit
    .command("show <ref>")
    .description("One merge in full: owner/repo#N or a commit SHA.")
    .addOption(new Option("--format <format>", "output format").choices(["json", "table"]).default("json"))
    .action(async (ref: string, opts: { format: string }) => {
      const m = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(ref);
      if (!m && !/^[0-9a-f]{7,40}$/i.test(ref)) throw new UsageError(`"${ref}" is neither owner/repo#N nor a commit SHA (at least 7 hex characters)`);
      const merge = await withStore((s) => (m ? s.getMerge(m[1]!, Number(m[2])) : s.findMergeBySha(ref.toLowerCase())));
      if (!merge) {
        io.err(`No merge recorded for ${ref}.`);
        exitCode = 1;
        return;
      }
      io.out(opts.format === "json" ? JSON.stringify(merge, null, 2) : formatMerges([merge], "table"));
    });

  audit
    .command("verify")
    .description("Walk the hash chain and report the first broken link (exit 1).")
    .option("--checkpoint <hash>", "a head hash printed earlier by `audit checkpoint`: also detects a truncated tail")
    .action(async (opts: { checkpoint?: string }) => {
      const result = await withStore((s) => s.verify({ checkpoint: opts.checkpoint }));
      if (result.ok) io.out(`ok: ${result.entries} entries, head ${result.headHash ?? "(empty)"}`);
      else {
        io.out(`BROKEN at seq ${result.brokenAt?.seq}: ${result.brokenAt?.reason}`);
        exitCode = 1;
      }
    });

  audit
    .command("checkpoint")
    .description("Print the chain's head hash, to keep outside the database.")
    .action(async () => {
      const result = await withStore((s) => s.verify());
      io.out(result.headHash ?? "(empty)");
      if (!result.ok) exitCode = 1;
    });

  program
    .command("validate")
    .description("Lint .github/countersign.yml and CODEOWNERS: every problem with file, line and key path.")
    .option("--config <file>", "config file", CONFIG_PATH)
    .option("--codeowners <file>", "CODEOWNERS file (default: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((opts: { config: string; codeowners?: string; format: string }) => {
      const problems: { file: string; line: number | null; path: string; message: string }[] = [];
      const configText = readOptional(opts.config);
      if (configText !== null) {
        const res = loadConfig(configText);
        if (!res.ok) for (const e of res.errors) problems.push({ file: opts.config, ...e });
      }
      const coPath = opts.codeowners ?? [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"].find((p) => readOptional(p) !== null);
      if (coPath) {
        const text = readOptional(coPath);
        if (text === null) throw new UsageError(`cannot read ${coPath}`);
        for (const e of parseCodeowners(text).errors) problems.push({ file: coPath, line: e.line, path: "", message: e.message });
      }
      if (opts.format === "json") io.out(JSON.stringify({ ok: problems.length === 0, problems }, null, 2));
      else if (problems.length === 0) io.out(`ok: ${configText === null ? `${opts.config} absent (defaults apply)` : opts.config}${coPath ? `, ${coPath}` : ""}`);
      else for (const p of problems) io.out(`${p.file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
      if (problems.length > 0) exitCode = 1;
    });

  program
    .command("init")
    .description("Write a commented .github/countersign.yml and add the disclosure section to the PR template.")
    .option("--dry-run", "print what would change, write nothing")
    .option("--force", "overwrite an existing .github/countersign.yml")
    .action((opts: { dryRun?: boolean; force?: boolean }) => {
      const { actions } = runInit(process.cwd(), { dryRun: opts.dryRun === true, force: opts.force === true });
      for (const a of actions) io.out(`${opts.dryRun ? "(dry run) " : ""}${a}`);
      io.out(`\n${NEXT_STEPS}`);
    });

  program
    .command("owners <paths...>")
    .description("Each path's CODEOWNERS owners and the deciding line.")
    .option("--codeowners <file>", "CODEOWNERS file (default: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((paths: string[], opts: { codeowners?: string; format: string }) => {
      const file = opts.codeowners ?? [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"].find((p) => readOptional(p) !== null);
      if (!file) throw new UsageError("no CODEOWNERS file found; pass --codeowners FILE");
      const text = readOptional(file);
      if (text === null) throw new UsageError(`cannot read ${file}`);
      const co = parseCodeowners(text);
      const rows = paths.map((p) => ({ path: p.replace(/^\.?\//, ""), ...co.ownersOf(p.replace(/^\.?\//, "")) }));
      if (opts.format === "json") io.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) io.out(`${r.path}\t${r.owners.length ? r.owners.join(" ") : "(no owner)"}\t${r.line ? `${file}:${r.line}` : "-"}`);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(`countersign: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
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

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function existsEnvFile(): boolean {
  return readOptional(".env") !== null;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
