/**
 * `countersign doctor --repo owner/name | --org owner`: what stops Countersign from working on a
 * repository or an organisation, each problem with its fix. Exit 0 nothing wrong (warnings
 * allowed), 1 problems found, 2 could not check (credentials, access, network).
 */
import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { DoctorCannotCheck, doctorDeliveries, doctorRepo, type Finding } from "../github/doctor.js";
import { doctorClients, type DoctorCredentials } from "../github/doctor-clients.js";
import { configuredGithubUrls, readOptional, UsageError, type CliContext } from "./cli-context.js";

const MARK: Record<Finding["status"], string> = { ok: "ok     ", problem: "PROBLEM", warning: "warning", skipped: "skipped" };

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command("doctor")
    .description(
      "Check a repository or an organisation: app installed, config valid, CODEOWNERS errors, countersign required, failed " +
        "deliveries.",
    )
    .option("--repo <owner/name>", "the repository to check")
    .option("--org <owner>", "every repository the app's installation (or the token) covers in this organisation")
    .option("--limit <n>", "with --org: check at most this many repositories", "100")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `
Examples:
  $ APP_ID=123456 PRIVATE_KEY_PATH=app.pem countersign doctor --repo acme/pay
  $ GITHUB_TOKEN=… countersign doctor --org acme --format json

Credentials: APP_ID with PRIVATE_KEY or PRIVATE_KEY_PATH (all checks), or GITHUB_TOKEN (no installation
or delivery checks). GHE_HOST/GHE_PROTOCOL select GitHub Enterprise Server. Reads .env too.
Exit status: 0 nothing wrong (warnings allowed), 1 problems found, 2 could not check.
JSON: { "ok", "target", "auth", "findings": [{ "check", "repo", "status", "message", "fix" }] }.`,
    )
    .action(async (opts: { repo?: string; org?: string; limit: string; format: string }) => {
      if ((opts.repo === undefined) === (opts.org === undefined))
        throw new UsageError("give exactly one of --repo owner/name or --org " + "owner");
      if (opts.repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(opts.repo))
        throw new UsageError(`--repo must be owner/name, got "${opts.repo}"`);
      if (opts.org !== undefined && !/^[\w.-]+$/.test(opts.org))
        throw new UsageError(`--org must be an organisation login, got "${opts.org}"`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive number, got "${opts.limit}"`);
      if (readOptional(".env") !== null) process.loadEnvFile(".env");
      const credentials = credentialsFromEnv(process.env);
      const target = opts.repo ?? `${opts.org} (organisation)`;
      const findings: Finding[] = [];
      let cannot: string | null = null;
      try {
        const clients = await doctorClients(credentials, configuredGithubUrls());
        let repos: string[];
        if (opts.repo !== undefined) repos = [opts.repo];
        else {
          const listed = await clients.orgRepos(opts.org!);
          if (listed === null) {
            findings.push({
              check: "installation",
              repo: null,
              status: "problem",
              message:
                credentials.kind === "app"
                  ? `the app is not installed on the organisation ${opts.org}`
                  : `${opts.org}: no such ` + `organisation, or the token cannot see it`,
              fix:
                credentials.kind === "app" && clients.appSlug
                  ? `install it: ` + `${clients.webUrl}/apps/${clients.appSlug}/installations/new`
                  : "check the name and the token's access",
            });
            repos = [];
          } else repos = listed.slice(0, limit);
        }
        for (const full of repos) {
          const [owner, name] = full.split("/") as [string, string];
          findings.push(...(await doctorRepo(clients, owner, name, Date.now())));
        }
        findings.push(await doctorDeliveries(clients));
      } catch (error) {
        cannot =
          error instanceof DoctorCannotCheck
            ? error.message
            : `could not ask GitHub: ${error instanceof Error ? error.message : String(error)}`;
      }
      const problems = findings.filter((f) => f.status === "problem").length;
      if (opts.format === "json") {
        ctx.io.out(
          JSON.stringify(
            { ok: cannot === null && problems === 0, target, auth: credentials.kind, ...(cannot ? { error: cannot } : {}), findings },
            null,
            2,
          ),
        );
      } else {
        ctx.io.out(`countersign doctor: ${target} (as ${credentials.kind === "app" ? `the App ${credentials.appId}` : "a user token"})`);
        for (const f of findings) {
          ctx.io.out(`  ${MARK[f.status]}  ${f.repo ? `${f.repo}: ` : ""}${f.message}`);
          if (f.fix && f.status !== "ok") ctx.io.out(`           fix: ${f.fix}`);
        }
        if (cannot) ctx.io.err(`countersign doctor: could not check: ${cannot}`);
        else ctx.io.out(problems === 0 ? "no problems found" : `${problems} problem${problems === 1 ? "" : "s"} found`);
      }
      if (cannot) ctx.fail(2);
      else if (problems > 0) ctx.fail(1);
    });
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): DoctorCredentials {
  if (env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    if (!/^\d+$/.test(env.APP_ID)) throw new UsageError("APP_ID must be the numeric GitHub App id");
    let privateKey: string;
    try {
      privateKey = env.PRIVATE_KEY ? env.PRIVATE_KEY.replace(/\\n/g, "\n") : readFileSync(env.PRIVATE_KEY_PATH!, "utf8");
    } catch {
      throw new UsageError(`PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH}`);
    }
    return { kind: "app", appId: Number(env.APP_ID), privateKey };
  }
  if (env.GITHUB_TOKEN) return { kind: "token", token: env.GITHUB_TOKEN };
  throw new UsageError("no credentials: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), or GITHUB_TOKEN");
}
