/**
 * Everything the GitHub layer remembers between events, in one object that `createApp` (or a CLI
 * verb) creates and passes down: nothing is cached at module level, so a reader of `createApp`
 * sees all the state the app holds and each test starts from fresh caches. All are bounded LRUs
 * over data that is immutable (keyed by a commit or blob SHA) or short-lived (TTL checked on read).
 */
import { LRUCache } from "lru-cache";
import type { Codeowners } from "../policy/codeowners.js";
import type { BaseFiles, BlobText } from "./base-files.js";
import { ConditionalReads } from "./conditional-requests.js";

export type CodeownersErrorList = { line: number; message: string }[];

export interface GitHubCaches {
  /** Base-commit files (config + CODEOWNERS) by `owner/repo@sha`, and the reads in flight. */
  baseFiles: LRUCache<string, BaseFiles>;
  baseFilesInFlight: Map<string, Promise<BaseFiles>>;
  /** Config files at another repository's default branch (org `.github`, `_extends`), with read time. */
  remoteConfig: LRUCache<string, { value: BlobText | null; at: number }>;
  /** Parsed CODEOWNERS by blob SHA. */
  codeowners: LRUCache<string, Codeowners>;
  /** GitHub's own list of invalid CODEOWNERS lines by `owner/repo@sha` (null: not available). */
  codeownersErrors: LRUCache<string, { errors: CodeownersErrorList | null }>;
  /** Our check run per head SHA and the fingerprint of what it shows. */
  checkRuns: LRUCache<string, { id: number; fingerprint: string; couldNotEvaluate?: boolean }>;
  /** Owner-team review requests and owner labels this process already made. */
  reviewRequested: LRUCache<string, true>;
  labelled: LRUCache<string, true>;
  /**
   * ETags and bodies of repeated REST reads (answered 304 for free) and what each event's Octokit
   * spent; bounded in memory, shared through Redis when main is given REDIS_URL.
   */
  conditionalReads: ConditionalReads;
}

export function createGitHubCaches(options: { conditionalReads?: ConditionalReads } = {}): GitHubCaches {
  return {
    baseFiles: new LRUCache({ max: 2_000 }),
    baseFilesInFlight: new Map(),
    remoteConfig: new LRUCache({ max: 500 }),
    codeowners: new LRUCache({ max: 500 }),
    codeownersErrors: new LRUCache({ max: 2_000 }),
    checkRuns: new LRUCache({ max: 20_000 }),
    reviewRequested: new LRUCache({ max: 20_000 }),
    labelled: new LRUCache({ max: 20_000 }),
    conditionalReads: options.conditionalReads ?? new ConditionalReads(),
  };
}
