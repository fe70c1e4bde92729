/** A Probot instance wired to the real app, with retries and throttling off so nock stays in control. */
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/app.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import type { ChangeEventOptions, ChangeEventStats } from "../../src/notify/change-events.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const APP_ID = 123;

export const WEBHOOK_SECRET = "test-secret";

/** A Probot with the app loaded (its caches fresh: createApp makes them), for probot.receive. */
export function createTestProbot(
  store: AuditStore,
  options: { retry?: boolean; changeEvents?: ChangeEventOptions; changeEventStats?: ChangeEventStats } = {},
): Probot {
  const probot = bareTestProbot(options);
  probot.load(
    createApp({
      store,
      appId: APP_ID,
      now: () => Date.parse("2026-11-23T12:00:00Z"),
      serve: false,
      changeEvents: options.changeEvents ?? null,
      ...(options.changeEventStats ? { changeEventStats: options.changeEventStats } : {}),
    }),
  );
  return probot;
}

/** A Probot without the app (for createNodeMiddleware). */
export function bareTestProbot(options: { retry?: boolean } = {}): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey,
    secret: WEBHOOK_SECRET,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    // A function default runs after Probot's own options, so it can switch its write throttling
    // (1 s between writes) off; a plain object default would be overridden.
    Octokit: ProbotOctokit.defaults((instanceOptions: Record<string, unknown>) => ({
      ...instanceOptions,
      retry: { enabled: options.retry ?? false },
      throttle: { enabled: false },
    })),
  });
}
