/**
 * The process environment, validated at start-up so a misconfigured deployment fails loudly
 * instead of running with surprising defaults.
 */
import { z } from "zod";
import type { GitHubOAuthConfig } from "./github/user-sign-in.js";
import { parseTrustedProxies } from "./http/client-address.js";

const envSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    APP_ID: z.string().regex(/^\d+$/, { message: "APP_ID must be the numeric GitHub App id" }).optional(),
    PRIVATE_KEY: z.string().optional(),
    PRIVATE_KEY_PATH: z.string().optional(),
    WEBHOOK_SECRET: z.string().optional(),
    PORT: z.string().regex(/^\d+$/, { message: "PORT must be a number" }).optional(),
    HOST: z.string().optional(),
    DATABASE_URL: z.string().optional(),
    AUDIT_API_TOKEN: z.string().min(16, { message: "AUDIT_API_TOKEN must be at least 16 characters" }).optional(),
    INCIDENT_WEBHOOK_URL: z.url({ protocol: /^https?$/, message: "INCIDENT_WEBHOOK_URL must be an http(s) URL" }).optional(),
    INCIDENT_WEBHOOK_ROUTING_KEY: z.string().optional(),
    GHE_HOST: z.string().optional(),
    GHE_PROTOCOL: z.enum(["http", "https"], { message: "GHE_PROTOCOL must be http or https" }).optional(),
    /** The GitHub App's OAuth client id (App settings → General): turns on "Sign in with GitHub" for the dashboard. */
    GITHUB_CLIENT_ID: z
      .string()
      .regex(/^[\w.-]{1,100}$/, { message: "GITHUB_CLIENT_ID must be the App's client id (letters, digits, . _ -)" })
      .optional(),
    /** The App's client secret, generated next to the client id. */
    GITHUB_CLIENT_SECRET: z
      .string()
      .min(16, { message: "GITHUB_CLIENT_SECRET must be at least 16 characters (the App's generated client secret)" })
      .optional(),
    // Probot hands it to ioredis for cluster-wide rate-limit coordination; replicas also take their
    // per-head evaluation leases there. A typo must not silently fall back to per-process limits.
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, message: "REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://redis:6379)" })
      .optional(),
    /**
     * Seconds between recovery sweeps (also one on start): failed webhook deliveries redelivered,
     * missed merges recorded, open PRs without a check evaluated, incomplete merge records completed.
     * Default 300; 0 turns the sweep off.
     */
    RECONCILE_INTERVAL_SECONDS: z
      .string()
      .regex(/^\d+$/, { message: "RECONCILE_INTERVAL_SECONDS must be a whole number of seconds (0 turns the recovery sweep off)" })
      .optional(),
    /** Bearer token for GET /metrics (Prometheus); AUDIT_API_TOKEN is accepted when unset; with neither, /metrics is off. */
    METRICS_TOKEN: z.string().min(16, { message: "METRICS_TOKEN must be at least 16 characters" }).optional(),
    /** Attempts at a webhook delivery before it is parked (default 6: about half an hour of backoff). */
    INBOX_MAX_ATTEMPTS: z
      .string()
      .regex(/^[1-9]\d{0,2}$/, { message: "INBOX_MAX_ATTEMPTS must be a whole number from 1 to 999" })
      .optional(),
    /** Days a processed delivery is kept in the inbox, so a redelivery of it is recognised (default 7). */
    INBOX_RETENTION_DAYS: z
      .string()
      .regex(/^[1-9]\d{0,3}$/, { message: "INBOX_RETENTION_DAYS must be a whole number of days from 1 to 9999" })
      .optional(),
    /**
     * Reverse proxies in front of the app (comma-separated IPs and CIDR ranges): from these peers
     * X-Forwarded-For names the client, for the dashboard's sign-in throttle. Unset: the socket peer.
     */
    TRUSTED_PROXIES: z
      .string()
      .transform((text, ctx) => {
        const parsed = parseTrustedProxies(text);
        if (parsed.ok) return parsed.proxies;
        for (const problem of parsed.problems) ctx.addIssue({ code: "custom", message: problem });
        return z.NEVER;
      })
      .optional(),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  })
  .superRefine((env, ctx) => {
    // One without the other is a half-configured sign-in: refuse rather than silently turn it off.
    for (const [set, missing] of [
      ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
      ["GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_ID"],
    ] as const) {
      if (env[set] && !env[missing]) {
        ctx.addIssue({
          code: "custom",
          path: [missing],
          message:
            `required with ${set} (GitHub sign-in for the dashboard needs both, from the App's settings page); unset ${set} to turn ` +
            `it off`,
        });
      }
    }
    // Probot silently falls back to the public secret "development" when WEBHOOK_SECRET is unset:
    // anyone could then sign deliveries. Without APP_ID (setup mode, also in production) the app
    // handles no webhooks, so there is nothing to forge yet.
    if (env.APP_ID && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["WEBHOOK_SECRET"],
        message:
          `required when APP_ID is set (Probot would otherwise accept webhooks signed with its public default "development"). ` +
          "Set it to the webhook secret from the GitHub App settings (General → Webhook secret), in the environment or in .env",
      });
    }
  });

export type Env = z.output<typeof envSchema>;

export function parseEnv(env: NodeJS.ProcessEnv): { ok: true; env: Env } | { ok: false; errors: string[] } {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (parsed.success) return { ok: true, env: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
}

/** Where GitHub's web pages (OAuth) and REST API are, the way Probot reads GHE_HOST and GHE_PROTOCOL. */
export function githubUrls(env: Pick<Env, "GHE_HOST" | "GHE_PROTOCOL">): { web: string; api: string } {
  if (!env.GHE_HOST) return { web: "https://github.com", api: "https://api.github.com" };
  const web = `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}`;
  return { web, api: `${web}/api/v3` };
}

/** GitHub OAuth sign-in for the dashboard, when both client credentials are set. */
export function githubOAuthOf(env: Env): GitHubOAuthConfig | null {
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) return null;
  const urls = githubUrls(env);
  return { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET, webUrl: urls.web, apiUrl: urls.api };
}

/** Milliseconds between recovery sweeps (RECONCILE_INTERVAL_SECONDS, default 300 s); 0: off. */
export function reconcileIntervalMs(env: Pick<Env, "RECONCILE_INTERVAL_SECONDS">): number {
  return Number(env.RECONCILE_INTERVAL_SECONDS ?? 300) * 1000;
}
