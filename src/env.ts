/**
 * The process environment, validated at start-up so a misconfigured deployment fails loudly
 * instead of running with surprising defaults.
 */
import { z } from "zod";

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
    // Probot hands it to ioredis for cluster-wide rate-limit coordination; replicas also take their
    // per-head evaluation leases there. A typo must not silently fall back to per-process limits.
    REDIS_URL: z.url({ protocol: /^rediss?$/, message: "REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://redis:6379)" }).optional(),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  })
  .superRefine((env, ctx) => {
    // Probot silently falls back to the secret "development" when WEBHOOK_SECRET is unset.
    if (env.NODE_ENV === "production" && !env.WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "required when NODE_ENV=production (Probot would otherwise accept webhooks signed with \"development\")" });
    }
  });

export type Env = z.output<typeof envSchema>;

export function parseEnv(env: NodeJS.ProcessEnv): { ok: true; env: Env } | { ok: false; errors: string[] } {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (parsed.success) return { ok: true, env: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
}
