/** `countersign validate` and `countersign owners`: lint config and CODEOWNERS, resolve owners. */
import { Command, Option } from "commander";
import { parseCodeowners } from "../policy/codeowners.js";
import { CONFIG_PATH, loadConfig } from "../policy/config.js";
import { findCodeowners, readOptional, UsageError, type CliContext } from "./cli-context.js";

export function registerValidate(program: Command, ctx: CliContext): void {
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
      const coPath = opts.codeowners ?? findCodeowners();
      if (coPath) {
        const text = readOptional(coPath);
        if (text === null) throw new UsageError(`cannot read ${coPath}`);
        for (const e of parseCodeowners(text).errors) problems.push({ file: coPath, line: e.line, path: "", message: e.message });
      }
      if (opts.format === "json") ctx.io.out(JSON.stringify({ ok: problems.length === 0, problems }, null, 2));
      else if (problems.length === 0) ctx.io.out(`ok: ${configText === null ? `${opts.config} absent (defaults apply)` : opts.config}${coPath ? `, ${coPath}` : ""}`);
      else for (const p of problems) ctx.io.out(`${p.file}${p.line ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
      if (problems.length > 0) ctx.fail();
    });

}

export function registerOwners(program: Command, ctx: CliContext): void {
  program
    .command("owners <paths...>")
    .description("Each path's CODEOWNERS owners and the deciding line.")
    .option("--codeowners <file>", "CODEOWNERS file (default: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((paths: string[], opts: { codeowners?: string; format: string }) => {
      const file = opts.codeowners ?? findCodeowners();
      if (!file) throw new UsageError("no CODEOWNERS file found; pass --codeowners FILE");
      const text = readOptional(file);
      if (text === null) throw new UsageError(`cannot read ${file}`);
      const co = parseCodeowners(text);
      const rows = paths.map((p) => ({ path: p.replace(/^\.?\//, ""), ...co.ownersOf(p.replace(/^\.?\//, "")) }));
      if (opts.format === "json") ctx.io.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) ctx.io.out(`${r.path}\t${r.owners.length ? r.owners.join(" ") : "(no owner)"}\t${r.line ? `${file}:${r.line}` : "-"}`);
    });

}
