/**
 * Reads the files the policy needs from the PR's BASE commit (never its head, so a PR cannot
 * loosen its own rules): `.github/countersign.yml` and the CODEOWNERS candidates, in ONE GraphQL
 * call (or inside the pull request's own query, pull-request-state.ts). Results are cached by
 * commit SHA (in the caller's GitHubCaches), which is immutable, so a burst of events for PRs on
 * the same base costs one read.
 */
import { CODEOWNERS_LOCATIONS, codeownersTooLarge } from "../policy/codeowners.js";
import { CONFIG_PATH } from "../policy/config.js";
import type { CodeownersSource } from "../policy/snapshot.js";
import type { GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";

export interface BlobText {
  path: string;
  text: string;
  sizeBytes: number;
  oid: string;
}

export interface BaseFiles {
  config: BlobText | null;
  codeowners: CodeownersSource;
}

interface GraphBlob {
  oid?: string;
  byteSize?: number;
  isTruncated?: boolean;
  text?: string | null;
}

// The organisation's `.github` config rides along in the same request: it is the fallback when
// the repository has none, and asking costs nothing extra. A missing `.github` repository
// answers NOT_FOUND on the `org` path only, with the rest of the data intact. These pieces are
// also spliced into the pull request's own query (pull-request-state.ts) when not cached.
export const BASE_FILE_VARIABLES = "$f0: String!, $f1: String!, $f2: String!, $f3: String!, $org: String!";
/** Inside `repository(owner: $owner, name: $repo) { … }`. */
export const BASE_FILE_FIELDS =
  "f0: object(expression: $f0) { ...blob } f1: object(expression: $f1) { ...blob } " +
  "f2: object(expression: $f2) { ...blob } f3: object(expression: $f3) { ...blob }";
/** A root field next to `repository`. */
export const ORG_CONFIG_FIELD = 'org: repository(owner: $owner, name: ".github") { f0: object(expression: $org) { ...blob } }';
export const BLOB_FRAGMENT = "fragment blob on Blob { oid byteSize isTruncated text }";

const QUERY = `query countersignBaseFiles($owner: String!, $repo: String!, ${BASE_FILE_VARIABLES}) {
  repository(owner: $owner, name: $repo) { ${BASE_FILE_FIELDS} }
  ${ORG_CONFIG_FIELD}
}
${BLOB_FRAGMENT}`;

export type BaseFilesData = { repository: Record<string, unknown> | null; org?: { f0: GraphBlob | null } | null };

function cacheKey(owner: string, repo: string, sha: string): string {
  return `${owner}/${repo}@${sha}`.toLowerCase();
}

/** The variables BASE_FILE_FIELDS and ORG_CONFIG_FIELD need for a base commit. */
export function baseFileVariables(sha: string): Record<string, string> {
  const paths = [CONFIG_PATH, ...CODEOWNERS_LOCATIONS];
  return { ...Object.fromEntries(paths.map((p, i) => [`f${i}`, `${sha}:${p}`])), org: `HEAD:${CONFIG_PATH}` };
}

/** The base files of a commit when already read, or being read by another evaluation; null when nobody has asked. */
export function knownBaseFiles(caches: GitHubCaches, owner: string, repo: string, sha: string): BaseFiles | Promise<BaseFiles> | null {
  const key = cacheKey(owner, repo, sha);
  return caches.baseFiles.get(key) ?? caches.baseFilesInFlight.get(key) ?? null;
}

export async function loadBaseFiles(
  github: GitHub,
  caches: GitHubCaches,
  owner: string,
  repo: string,
  sha: string,
  now: number,
): Promise<BaseFiles> {
  // Concurrent evaluations on one base commit share a single read.
  const target = { github, caches, owner, repo, sha, now };
  return knownBaseFiles(caches, owner, repo, sha) ?? shareBaseFilesRead(target, readOnItsOwn(github, owner, repo, sha));
}

/** Where base files are read from and kept. */
export interface BaseFilesTarget {
  github: GitHub;
  caches: GitHubCaches;
  owner: string;
  repo: string;
  sha: string;
  now: number;
}

/**
 * Registers `read` (a GraphQL answer carrying BASE_FILE_FIELDS and ORG_CONFIG_FIELD) as THE read of
 * this commit's base files: evaluations that ask meanwhile wait for it instead of reading again.
 */
export function shareBaseFilesRead(target: BaseFilesTarget, read: Promise<BaseFilesData>): Promise<BaseFiles> {
  const key = cacheKey(target.owner, target.repo, target.sha);
  const inFlight = target.caches.baseFilesInFlight;
  const pending = read.then((data) => toBaseFiles(target, key, data)).finally(() => inFlight.delete(key));
  inFlight.set(key, pending);
  return pending;
}

/** `github.graphql`, except that a missing organisation `.github` repository is `org: null`, not an error. */
export async function queryAllowingMissingOrg<T extends { org?: unknown }>(
  github: GitHub,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  try {
    return await github.graphql<T>(query, variables);
  } catch (error) {
    const partial = (error as { data?: T; errors?: { type?: string; path?: (string | number)[] }[] }) ?? {};
    const data = partial.data as (T & { repository?: unknown }) | undefined;
    const onlyOrgMissing =
      data?.repository && Array.isArray(partial.errors) && partial.errors.every((e) => e.type === "NOT_FOUND" && e.path?.[0] === "org");
    if (!onlyOrgMissing) throw error;
    return { ...data, org: null };
  }
}

function readOnItsOwn(github: GitHub, owner: string, repo: string, sha: string): Promise<BaseFilesData> {
  return queryAllowingMissingOrg<BaseFilesData>(github, QUERY, { owner, repo, ...baseFileVariables(sha) });
}

async function toBaseFiles(target: BaseFilesTarget, key: string, data: BaseFilesData): Promise<BaseFiles> {
  const { github, caches, owner, repo, sha, now } = target;
  const paths = [CONFIG_PATH, ...CODEOWNERS_LOCATIONS];
  if (!data.repository) throw new Error(`repository ${owner}/${repo} is not readable by the app`);
  if (repo.toLowerCase() !== ".github") {
    const orgBlob = data.org ? await toBlobText(github, owner, ".github", "HEAD", CONFIG_PATH, data.org.f0) : null;
    caches.remoteConfig.set(`${owner}/.github:${CONFIG_PATH}`.toLowerCase(), { value: orgBlob, at: now });
  }

  const blobs: (BlobText | null)[] = [];
  for (let i = 0; i < paths.length; i++) {
    blobs.push(await toBlobText(github, owner, repo, sha, paths[i]!, (data.repository[`f${i}`] as GraphBlob | null | undefined) ?? null));
  }
  // GitHub: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS that exists is used.
  const co = blobs.slice(1).find((b) => b !== null) ?? null;
  const result: BaseFiles = {
    config: blobs[0] ?? null,
    codeowners: co
      ? { path: co.path, text: codeownersTooLarge(co.sizeBytes) ? null : co.text, sizeBytes: co.sizeBytes, oid: co.oid }
      : { path: null, text: null, sizeBytes: 0 },
  };
  caches.baseFiles.set(key, result);
  return result;
}

async function toBlobText(
  github: GitHub,
  owner: string,
  repo: string,
  ref: string,
  path: string,
  blob: GraphBlob | null,
): Promise<BlobText | null> {
  // A missing path is null; a directory at that path comes back as an empty object.
  if (!blob || typeof blob.oid !== "string") return null;
  const sizeBytes = blob.byteSize ?? 0;
  if (path !== CONFIG_PATH && codeownersTooLarge(sizeBytes)) return { path, text: "", sizeBytes, oid: blob.oid };
  if (typeof blob.text === "string" && !blob.isTruncated) return { path, text: blob.text, sizeBytes, oid: blob.oid };
  // GraphQL truncates large blobs: read the raw file instead.
  const res = await github.rest.repos.getContent({ owner, repo, path, ref, mediaType: { format: "raw" } });
  return { path, text: typeof res.data === "string" ? res.data : String(res.data), sizeBytes, oid: blob.oid };
}

const ORG_CONFIG_TTL_MS = 5 * 60_000;

const REMOTE_QUERY = `query countersignRemoteConfig($owner: String!, $repo: String!, $expr: String!) {
  repository(owner: $owner, name: $repo) { f0: object(expression: $expr) { ...blob } }
}
fragment blob on Blob { oid byteSize isTruncated text }`;

/**
 * A config file in another repository at its default branch (the org's `.github` repository, or
 * an `_extends` target). Null when the repository or file does not exist. Cached for 5 minutes
 * because a default branch moves.
 */
export async function loadRemoteConfig(
  github: GitHub,
  caches: GitHubCaches,
  owner: string,
  repo: string,
  path: string,
  now: number,
): Promise<BlobText | null> {
  const key = `${owner}/${repo}:${path}`.toLowerCase();
  const hit = caches.remoteConfig.get(key);
  if (hit && now - hit.at < ORG_CONFIG_TTL_MS) return hit.value;
  let value: BlobText | null = null;
  try {
    const data = await github.graphql<{ repository: { f0: GraphBlob | null } | null }>(REMOTE_QUERY, { owner, repo, expr: `HEAD:${path}` });
    value = data.repository ? await toBlobText(github, owner, repo, "HEAD", path, data.repository.f0) : null;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  caches.remoteConfig.set(key, { value, at: now });
  return value;
}

/** GraphQL answers "Could not resolve to a Repository" with type NOT_FOUND. */
function isNotFound(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.type === "NOT_FOUND");
}
