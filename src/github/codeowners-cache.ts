/**
 * CODEOWNERS parsed once per blob and reused across events (a 2,000-rule file parses in a few
 * milliseconds, but a burst of events should not repeat it). When our parser skips lines, GitHub's
 * own list of invalid lines is read once per base SHA so the check can show both views. Both live
 * in the caller's GitHubCaches.
 */
import type { Logger } from "probot";
import { parseCodeowners, type Codeowners } from "../policy/codeowners.js";
import type { CodeownersSource } from "../policy/snapshot.js";
import type { CodeownersErrorList, GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";

export function parsedCodeowners(caches: GitHubCaches, src: CodeownersSource): Codeowners | null {
  const parsed = caches.codeowners;
  if (src.path === null || src.text === null) return null;
  const key = src.oid ?? null;
  const hit = key ? parsed.get(key) : undefined;
  if (hit) return hit;
  const result = parseCodeowners(src.text);
  if (key) parsed.set(key, result);
  return result;
}

/** GitHub's view of invalid CODEOWNERS lines at `ref`; null when the API does not allow it. */
export async function githubCodeownersErrors(
  github: GitHub,
  caches: GitHubCaches,
  log: Logger,
  owner: string,
  repo: string,
  ref: string,
): Promise<CodeownersErrorList | null> {
  const key = `${owner}/${repo}@${ref}`.toLowerCase();
  const hit = caches.codeownersErrors.get(key);
  if (hit !== undefined) return hit.errors;
  let value: CodeownersErrorList | null = null;
  try {
    const { data } = await github.rest.repos.codeownersErrors({ owner, repo, ref });
    value = data.errors.map((e) => ({ line: e.line, message: `${e.kind}${e.suggestion ? ` (${e.suggestion})` : ""}` }));
  } catch (error) {
    // Not available on every plan or GHES version: our own parse still stands.
    log.debug({ err: error, repo: `${owner}/${repo}` }, "GitHub's CODEOWNERS errors are not available");
  }
  caches.codeownersErrors.set(key, { errors: value });
  return value;
}
