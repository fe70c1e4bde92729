/**
 * `countersign validate` and `countersign owners`: lint config and CODEOWNERS, resolve owners.
 * Default files are looked up at the top level of the git repository containing the current
 * directory (else the directory itself), where GitHub and the app read them.
 */
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { CODEOWNERS_LOCATIONS, parseCodeowners } from "../policy/codeowners.js";
import { CONFIG_PATH, loadConfig } from "../policy/config.js";
import { readOptional, UsageError, type CliContext } from "./cli-context.js";
import { LocalRepository } from "./local-git.js";

/** One problem: the file, its 1-based line (null when it has none), the key path, what is wrong. */
export interface LintProblem {
  file: string;
  line: number | null;
  /** Config: dotted key path (`boundaries.0.action`; "" for the whole file). CODEOWNERS: the line's pattern. */
  path: string;
  message: string;
}

export interface LintResult {
  ok: boolean;
  config: { file: string; present: boolean };
  codeowners: string | null;
  problems: LintProblem[];
  /** Not errors (exit 0), but likely to block pull requests: e.g. no CODEOWNERS and no fallback team. */
  warnings: string[];
}

export function lintFiles(cwd: string, options: { config?: string; codeowners?: string }): LintResult {
  const root = repositoryRoot(cwd);
  const problems: LintProblem[] = [];

  const configFile = options.config ?? CONFIG_PATH;
  const configText = readOptional(options.config !== undefined ? resolve(cwd, options.config) : join(root, CONFIG_PATH));
  if (configText === null && options.config !== undefined) throw new UsageError(`--config: cannot read ${options.config}`);
  const config = loadConfig(configText);
  if (configText !== null && !config.ok)
    for (const e of config.errors) problems.push({ file: configFile, line: e.line, path: e.path, message: e.message });

  let codeownersFile: string | null = null;
  let codeownersText: string | null = null;
  if (options.codeowners !== undefined) {
    codeownersFile = options.codeowners;
    codeownersText = readOptional(resolve(cwd, options.codeowners));
    if (codeownersText === null) throw new UsageError(`--codeowners: cannot read ${options.codeowners}`);
  } else {
    for (const location of CODEOWNERS_LOCATIONS) {
      codeownersText = readOptional(join(root, location));
      if (codeownersText !== null) {
        codeownersFile = location;
        break;
      }
    }
  }
  if (codeownersFile !== null && codeownersText !== null) {
    const lines = codeownersText.split("\n");
    for (const e of parseCodeowners(codeownersText).errors) {
      // Line 0: the whole file is ignored (3 MB or more).
      const path = e.line ? patternOf(lines[e.line - 1] ?? "") : "";
      problems.push({ file: codeownersFile, line: e.line || null, path, message: e.message });
    }
  }
  const warnings: string[] = [];
  if (codeownersFile === null && config.ok && config.config.ownership.fallback_team === null) {
    warnings.push(
      "no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS) and no ownership.fallback_team: " +
        "every pull request would fail the ownership gate. Add .github/CODEOWNERS (e.g. `* @org/team`) or set ownership.fallback_team " +
        "(`countersign init` shows what CODEOWNERS leaves unowned).",
    );
  }
  return {
    ok: problems.length === 0,
    config: { file: configFile, present: configText !== null },
    codeowners: codeownersFile,
    problems,
    warnings,
  };
}

/** The pattern of a CODEOWNERS line: its first field (`\ ` escapes a space). */
function patternOf(line: string): string {
  return line.trim().split(/(?<!\\)\s+/)[0] ?? "";
}

export function formatProblem(p: LintProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description("Lint .github/countersign.yml and CODEOWNERS: every problem with file, line and key path.")
    .option("--config <file>", `config file (default: ${CONFIG_PATH} at the repository's top level)`)
    .option("--codeowners <file>", "CODEOWNERS file (default: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Examples:
  $ countersign validate
  $ countersign validate --config staging/countersign.yml --format json

Text lines read FILE:LINE: KEY.PATH: MESSAGE (for CODEOWNERS, the pattern instead of a key path).
JSON: { "ok", "config": { "file", "present" }, "codeowners", "problems": [{ "file", "line", "path", "message" }], "warnings" }.
Warnings (on stderr; they do not change the exit status): no CODEOWNERS while ownership has no fallback_team.
Exit status: 0 no problems (a missing config means the defaults, which are valid), 1 any problem,
2 usage errors (an explicitly named file cannot be read).`,
    )
    .action((opts: { config?: string; codeowners?: string; format: string }) => {
      const result = lintFiles(process.cwd(), opts);
      if (opts.format === "json") ctx.io.out(JSON.stringify(result, null, 2));
      else if (result.ok) {
        const config = result.config.present ? result.config.file : `${result.config.file} absent (defaults apply)`;
        ctx.io.out(`ok: ${config}${result.codeowners ? `, ${result.codeowners}` : ", no CODEOWNERS"}`);
      } else for (const p of result.problems) ctx.io.out(formatProblem(p));
      if (opts.format !== "json") for (const w of result.warnings) ctx.io.err(`warning: ${w}`);
      if (!result.ok) ctx.fail();
    });
}

export function registerOwners(program: Command, ctx: CliContext): void {
  program
    .command("owners <paths...>")
    .description("Each path's CODEOWNERS owners and the deciding line.")
    .option("--codeowners <file>", "CODEOWNERS file (default: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Examples:
  $ countersign owners src/payments/retry.ts docs/README.md
  $ countersign owners --format json src/auth/session.ts

Paths are relative to the repository's top level. Text: PATH<TAB>OWNERS<TAB>FILE:LINE ("(no owner)"
and "-" when no rule matches). JSON: [{ "path", "owners", "line" }].`,
    )
    .action((paths: string[], opts: { codeowners?: string; format: string }) => {
      const root = repositoryRoot(process.cwd());
      const file = opts.codeowners ?? CODEOWNERS_LOCATIONS.find((p) => readOptional(join(root, p)) !== null);
      if (!file) throw new UsageError("no CODEOWNERS file found (.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS); pass --codeowners FILE");
      const text = readOptional(opts.codeowners !== undefined ? resolve(process.cwd(), file) : join(root, file));
      if (text === null) throw new UsageError(`--codeowners: cannot read ${file}`);
      const co = parseCodeowners(text);
      const rows = paths.map((p) => {
        const path = p.replace(/^\.?\//, "");
        return { path, ...co.ownersOf(path) };
      });
      if (opts.format === "json") ctx.io.out(JSON.stringify(rows, null, 2));
      else
        for (const r of rows)
          ctx.io.out(`${r.path}\t${r.owners.length ? r.owners.join(" ") : "(no owner)"}\t${r.line ? `${file}:${r.line}` : "-"}`);
    });
}

function repositoryRoot(cwd: string): string {
  try {
    return LocalRepository.open(cwd).root;
  } catch {
    return cwd;
  }
}
