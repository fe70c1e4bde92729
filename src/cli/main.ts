/**
 * `countersign` command line. Exit codes: 0 ok, 1 the answer is "no" (verification failed,
 * invalid config, no such merge), 2 usage or runtime errors. User errors print one line, never a
 * stack trace. Each verb lives in its own module and registers itself here.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { AuditNotFoundError } from "../audit/audit-not-found-error.js";
import { registerAudit } from "./audit.js";
import { registerBackfill } from "./backfill.js";
import { registerPostmortem } from "./postmortem.js";
import { registerCheck } from "./check.js";
import { registerIncident } from "./incident.js";
import { registerInbox } from "./inbox.js";
import { withAuditStore, type CliContext, type Io } from "./cli-context.js";
import { registerInit } from "./init.js";
import { registerOwners, registerValidate } from "./lint.js";
import { registerDoctor } from "./doctor.js";
import { registerServe } from "./serve.js";
import { registerSetupProtection } from "./setup-protection.js";

const defaultIo: Io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("countersign")
    .description(
      "Merge-time governance for AI-assisted code: check a branch before pushing, set up a repository, lint config and " +
        "CODEOWNERS, query the audit trail.",
    )
    .version(readVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const ctx: CliContext = {
    io,
    fail: (code = 1) => {
      exitCode = code;
    },
    withStore: withAuditStore,
  };
  registerAudit(program, ctx);
  registerBackfill(program, ctx);
  registerIncident(program, ctx);
  registerInbox(program, ctx);
  registerPostmortem(program, ctx);
  registerValidate(program, ctx);
  registerInit(program, ctx);
  registerOwners(program, ctx);
  registerCheck(program, ctx);
  registerSetupProtection(program, ctx);
  registerServe(program, ctx);
  registerDoctor(program, ctx);
  program.addHelpText(
    "after",
    "\nExamples:\n  $ countersign init && countersign setup-protection --repo acme/pay --app-id 123456\n" +
      "  $ countersign check --base origin/main --body pr.md\n  $ countersign audit merges --bypassed\n" +
      "  $ countersign incident open --id INC-2041 --severity 1 && countersign postmortem INC-2041\n\n" +
      "Run `countersign help <command>` for a command's options and examples.",
  );

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // "No such incident or merge" is an answer, not a usage error.
    if (error instanceof AuditNotFoundError) {
      io.err(`countersign: ${error.message}`);
      return 1;
    }
    io.err(`countersign: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
