/**
 * `countersign backfill --repo owner/name [--since DATE]`: records merges the app missed. Uses the
 * app's credentials (APP_ID + PRIVATE_KEY/PRIVATE_KEY_PATH: the repository's installation) or a
 * GITHUB_TOKEN, and the same DATABASE_URL as the app.
 */
import type { Command } from "commander";
import { pino } from "pino";
import { backfillRepository, type BackfillProgress } from "../handlers/backfill.js";
import { createPipelineDeps } from "../handlers/pipeline-deps.js";
import { CredentialsError, installationClient } from "../github/installation-client.js";
import { repoOption, UsageError, type CliContext } from "./cli-context.js";

export function registerBackfill(program: Command, ctx: CliContext): void {
  program
    .command("backfill")
    .description("Record merges the app missed (app down, webhooks lost, installed later), marked source: backfill.")
    .requiredOption("--repo <owner/name>", "the repository")
    .option("--since <date>", "only PRs merged on or after this date (YYYY-MM-DD or ISO-8601)")
    .addHelpText(
      "after",
      "\nCredentials: APP_ID with PRIVATE_KEY or PRIVATE_KEY_PATH (the app's installation on the repository), or GITHUB_TOKEN.\n" +
        "GHE_HOST/GHE_PROTOCOL select GitHub Enterprise Server. Safe to re-run: recorded merges are skipped.\n\nExample:\n" +
        "  DATABASE_URL=postgres://… countersign backfill --repo acme/pay --since 2026-01-01",
    )
    .action(async (opts: { repo: string; since?: string }) => {
      const { owner, repo } = repoOption(opts.repo);
      let since: string | null = null;
      if (opts.since) {
        const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(opts.since) ? `${opts.since}T00:00:00Z` : opts.since);
        if (Number.isNaN(t)) throw new UsageError(`--since must be a date (YYYY-MM-DD or ISO-8601), got "${opts.since}"`);
        since = new Date(t).toISOString();
      }
      const log = pino({ level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
      const github = await installationClient(owner, repo, process.env).catch((error: unknown) => {
        throw error instanceof CredentialsError ? new UsageError(error.message) : error;
      });
      const tty = process.stderr.isTTY === true;
      const result = await ctx.withStore((store) =>
        backfillRepository(github, log, createPipelineDeps({ store, appId: appIdOf(process.env), now: Date.now }), {
          owner,
          repo,
          since,
          onProgress: tty ? (p, current) => process.stderr.write(`\r${progressLine(p)} ${current}   `) : undefined,
        }),
      );
      if (tty) process.stderr.write("\n");
      ctx.io.out(`${owner}/${repo}: ${progressLine(result)}`);
      for (const e of result.errors) ctx.io.err(`  failed ${e}`);
      if (result.failed > 0) ctx.fail();
    });
}

function progressLine(p: BackfillProgress): string {
  return (
    `scanned ${p.scanned} closed PRs, ${p.merged} merged: ${p.recorded} recorded, ${p.alreadyRecorded} already in the ` +
    `trail, ${p.failed} failed`
  );
}

function appIdOf(env: NodeJS.ProcessEnv): number | null {
  return env.APP_ID ? Number(env.APP_ID) : null;
}
