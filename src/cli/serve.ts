/**
 * `countersign serve`: the read-only audit API and dashboard over an existing audit store, for
 * teams who only read the trail (e.g. against a read replica). No GitHub App credentials and no
 * webhooks: DATABASE_URL, and AUDIT_API_TOKEN and/or GITHUB_CLIENT_ID/SECRET for sign-in.
 */
import type { Command } from "commander";
import { githubOAuthOf, githubUrls, parseEnv } from "../env.js";
import { openAuditStore } from "../audit/open-audit-store.js";
import { startReadOnlyServer } from "../serve/read-only-server.js";
import { readOptional, UsageError, type CliContext } from "./cli-context.js";

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("Serve only the audit API and the dashboard over an existing store (no GitHub App credentials needed).")
    .option("--port <port>", "port to listen on (default: PORT, else 3000)")
    .option("--host <host>", "address to listen on (default: HOST, else localhost)")
    .addHelpText(
      "after",
      `
Examples:
  $ AUDIT_API_TOKEN=… DATABASE_URL=postgres://reader@replica/countersign countersign serve --port 8080
  $ GITHUB_CLIENT_ID=Iv1.… GITHUB_CLIENT_SECRET=… countersign serve --host 0.0.0.0

Reads .env in the current directory too. Needs AUDIT_API_TOKEN (the API and the dashboard's token
sign-in) or GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the dashboard's GitHub sign-in; GHE_HOST for
GitHub Enterprise Server). Serves /healthz, /countersign/api/… and /countersign/ until stopped.`,
    )
    .action(async (opts: { port?: string; host?: string }) => {
      if (readOptional(".env") !== null) process.loadEnvFile(".env");
      const parsed = parseEnv(process.env);
      if (!parsed.ok) throw new UsageError(`invalid environment: ${parsed.errors.join("; ")}`);
      const env = parsed.env;
      const githubOAuth = githubOAuthOf(env);
      if (!env.AUDIT_API_TOKEN && !githubOAuth) {
        throw new UsageError(
          "nothing to serve: set AUDIT_API_TOKEN (API and dashboard) or GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET " + "(dashboard sign-in)",
        );
      }
      const portText = opts.port ?? env.PORT ?? "3000";
      if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port: expected a port number, got "${portText}"`);
      const store = await openAuditStore(env.DATABASE_URL);
      const log = {
        error: (details: Record<string, unknown>, message: string) =>
          ctx.io.err(`countersign serve: ${message}${details.err ? `: ${String(details.err)}` : ""}`),
      };
      try {
        const server = await startReadOnlyServer({
          store,
          auditApiToken: env.AUDIT_API_TOKEN ?? null,
          githubOAuth,
          githubUrl: githubUrls(env).web,
          log,
          host: opts.host ?? env.HOST ?? "localhost",
          port: Number(portText),
        });
        const parts = [
          env.AUDIT_API_TOKEN ? `audit API at ${server.url}/countersign/api/` : null,
          `dashboard at ${server.url}/countersign/`,
        ];
        ctx.io.out(`countersign serve: ${parts.filter(Boolean).join(", ")} (read-only, ${store.engine} store); Ctrl-C stops`);
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await server.close();
      } finally {
        await store.close();
      }
    });
}
