/**
 * What every `countersign` verb gets: output streams, an exit-code setter and the audit store.
 * Verbs throw UsageError for bad input (exit 2, one line, no stack trace).
 */
import { readFileSync } from "node:fs";
import type { AuditStore } from "../audit/audit-store.js";
import { isRepoName } from "../audit/merge-query.js";
import { openAuditStore } from "../audit/open-audit-store.js";
import { githubUrls } from "../env.js";

export class UsageError extends Error {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CliContext {
  io: Io;
  /** Sets the process exit code (1: the answer is "no"). */
  fail: (code?: number) => void;
  /** Opens the audit store from DATABASE_URL (and .env), runs `fn`, closes it. */
  withStore: <T>(fn: (store: AuditStore) => Promise<T>) => Promise<T>;
}

/** A `--repo` value: owner/name by the audit store's one check (audit/merge-query.ts isRepoName). */
export function repoOption(value: string): { owner: string; repo: string; fullName: string } {
  if (!isRepoName(value)) throw new UsageError(`--repo must be owner/name, got "${value}"`);
  const [owner, repo] = value.trim().split("/") as [string, string];
  return { owner, repo, fullName: `${owner}/${repo}` };
}

export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export async function withAuditStore<T>(fn: (store: AuditStore) => Promise<T>): Promise<T> {
  if (readOptional(".env") !== null) process.loadEnvFile(".env");
  const store = await openAuditStore(process.env.DATABASE_URL);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** GitHub's web and API URLs as configured here (GHE_HOST, GHE_PROTOCOL), else github.com's. */
export function configuredGithubUrls(): { web: string; api: string } {
  return githubUrls({
    GHE_HOST: process.env.GHE_HOST || undefined,
    GHE_PROTOCOL: process.env.GHE_PROTOCOL === "http" ? "http" : undefined,
  });
}

/** The first CODEOWNERS GitHub would use, in the current directory. */
export function findCodeowners(): string | undefined {
  return [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"].find((p) => readOptional(p) !== null);
}
