/**
 * CODEOWNERS parsed once per blob and reused across events (a 2,000-rule file parses in a few
 * milliseconds, but a burst of events should not repeat it). When our parser skips lines, GitHub's
 * own list of invalid lines is read once per base SHA so the check can show both views.
 */
import type { Logger } from "probot";
import { codeownersTooLarge, parseCodeowners, type Codeowners } from "../policy/codeowners.js";
import type { CodeownersSource } from "../policy/snapshot.js";
import type { GitHub } from "./github.js";
import { LruCache } from "./lru-cache.js";

const parsed = new LruCache<string, Codeowners>(500);
const githubErrors = new LruCache<string, { line: number; message: string }[] | null>(2_000);

export function clearCodeownersCache(): void {
  parsed.clear();
  githubErrors.clear();
}

export function parsedCodeowners(src: CodeownersSource): Codeowners | null {
  if (src.path === null || src.text === null || codeownersTooLarge(src.sizeBytes)) return null;
  const key = src.oid ?? null;
  const hit = key ? parsed.get(key) : undefined;
  if (hit) return hit;
  const result = parseCodeowners(src.text);
  if (key) parsed.set(key, result);
  return result;
}

/** GitHub's view of invalid CODEOWNERS lines at `ref`; null when the API does not allow it. */
export async function githubCodeownersErrors(github: GitHub, log: Logger, owner: string, repo: string, ref: string): Promise<{ line: number; message: string }[] | null> {
  const key = `${owner}/${repo}@${ref}`.toLowerCase();
  const hit = githubErrors.get(key);
  if (hit !== undefined) return hit;
  let value: { line: number; message: string }[] | null = null;
  try {
    const { data } = await github.rest.repos.codeownersErrors({ owner, repo, ref });
    value = data.errors.map((e) => ({ line: e.line, message: `${e.kind}${e.suggestion ? ` (${e.suggestion})` : ""}` }));
  } catch (error) {
    // Not available on every plan or GHES version: our own parse still stands.
    log.debug({ err: error, repo: `${owner}/${repo}` }, "GitHub's CODEOWNERS errors are not available");
  }
  githubErrors.set(key, value);
  return value;
}
