/** A Probot instance wired to the real app, with retries and throttling off so nock stays in control. */
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/app.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { clearBaseFilesCache } from "../../src/github/base-files.js";
import { clearCheckRunCache } from "../../src/github/check-run.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const APP_ID = 123;

export function createTestProbot(store: AuditStore, options: { retry?: boolean } = {}): Probot {
  clearBaseFilesCache();
  clearCheckRunCache();
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: "test-secret",
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    Octokit: ProbotOctokit.defaults({
      retry: { enabled: options.retry ?? false },
      throttle: { enabled: false },
    }),
  });
  probot.load(createApp({ store, appId: APP_ID, now: () => Date.parse("2026-11-23T12:00:00Z") }));
  return probot;
}
