/** Types for the GitHub simulator (index.mjs). Development only. */
import type { EventEmitter } from "node:events";
import type { KeyObject } from "node:crypto";

export interface SimulatorOptions {
  appId?: number;
  appSlug?: string;
  /** The app's public key (PEM), to verify its JWT signature; else derived from `privateKey`; else only claims are checked. */
  publicKey?: string | KeyObject | null;
  privateKey?: string | null;
  webhook?: { url: string; secret: string } | null;
  /** Added to every API request. */
  latencyMs?: number;
  /** GraphQL `Blob.text` is truncated above this many bytes (`isTruncated: true`). */
  blobTextLimit?: number;
  /** Primary rate limit per installation per hour (headers only). */
  rateLimit?: number;
  clock?: () => number;
  /** One line per request and delivery. */
  log?: ((line: string) => void) | null;
  port?: number;
  host?: string;
  /** The app's OAuth client credentials, for "Sign in with GitHub" (also `oauthApp`). */
  oauth?: { clientId: string; clientSecret: string } | null;
}

/** "oauth": the web flow's /login/oauth/authorize and /login/oauth/access_token. */
export type RequestKind = "read" | "graphql" | "write" | "auth" | "oauth" | "other";

export interface RequestLogEntry {
  seq: number;
  at: number;
  method: string;
  /** Without the /api/v3 prefix; "/graphql" for GraphQL. */
  path: string;
  query: string;
  status: number;
  ms: number;
  kind: RequestKind;
  installationId: number | null;
  /** The `x-github-delivery` header Probot puts on every request it makes for an event. */
  deliveryId: string | null;
  faulted: boolean;
  /** Answered `304 Not Modified` to a matching `If-None-Match` (free: no rate-limit point). */
  notModified: boolean;
  /** Charged a primary rate-limit point (every REST answer but a 304, every GraphQL query). */
  charged: boolean;
  /** GraphQL only: the operation name and the variable names sent. */
  graphql: { operation: string | null; variables: string[] } | null;
}

export interface DeliveryResult {
  id: string;
  event: string;
  payload: any;
  /** The app's HTTP status; null when not sent (`deliver: false`). */
  status: number | null;
  body?: string;
  ms?: number;
}

export interface DeliveryRecord {
  /** The GUID (`X-GitHub-Delivery`), kept on redelivery. */
  id: string;
  /** This attempt's numeric id, as GET /app/hook/deliveries lists it (`id` there; the GUID is `guid`). */
  hookDeliveryId: number;
  /** A repeat of an earlier GUID (the Redeliver button, `redeliver`, or POST …/attempts). */
  redelivery: boolean;
  installationId: number | null;
  repositoryId: number | null;
  /** The URL it was sent to when not the configured webhook's. */
  url: string | null;
  event: string;
  action: string | null;
  at: number;
  status: number | null;
  ms: number | null;
  body: string | null;
  payload: string;
}

export interface CheckRunView {
  id: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: Record<string, any>[];
  appId: number;
  history: { at: string; action: "created" | "updated"; status: string; conclusion: string | null; title: string | null }[];
}

export type FileSpec =
  | string
  | {
      filename: string;
      status?: "added" | "modified" | "removed" | "renamed";
      previous_filename?: string;
      content?: string;
      additions?: number;
      deletions?: number;
    };
export interface CommitSpec {
  message?: string;
  sha?: string;
  /** login null: a commit GitHub could not link to an account. */
  author?: { login?: string | null; email?: string; name?: string; type?: "User" | "Bot" };
}

export interface SendOptions {
  /** false: build the delivery but do not send it (send it later with `deliver`). */
  deliver?: boolean;
  deliveryId?: string;
  /** Sign with this secret instead of the configured one. */
  secret?: string;
}

export interface OpenPullRequestOptions extends SendOptions {
  title?: string;
  body?: string | null;
  author?: { login: string; type?: "User" | "Bot" };
  files?: FileSpec[];
  commits?: CommitSpec[];
  labels?: string[];
  assignees?: string[];
  requestedReviewers?: string[];
  /** Team slugs ("platform" or "@acme/platform"). */
  requestedTeams?: string[];
  draft?: boolean;
  base?: string;
  baseSha?: string;
  head?: string;
  /** Open it on another PR's head commit (same commits and files), e.g. the same branch into another base. */
  sameHeadAs?: number;
}

export interface FaultOptions {
  method?: string | null;
  path?: string | RegExp | null;
  status?: number | null;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  after?: number;
  delayMs?: number;
}

export interface FaultHandle {
  readonly hits: number;
  remove(): void;
}

export declare class GitHubSimulator {
  constructor(options?: SimulatorOptions);
  readonly world: any;
  readonly requests: RequestLogEntry[];
  /** Installation tokens issued to the app: token → installation and expiry. */
  readonly tokens: Map<string, { installationId: number; expires: number }>;
  readonly deliveries: DeliveryRecord[];
  readonly events: EventEmitter;
  /** "127.0.0.1:<port>" (GHE_HOST). */
  host: string;
  port: number;
  url: string;
  /** `${url}/api/v3`: Probot's baseUrl. */
  apiUrl: string;
  graphqlUrl: string;
  latencyMs: number;

  listen(port: number, host: string): Promise<this>;
  env(): { GHE_HOST: string; GHE_PROTOCOL: "http" };
  close(): Promise<void>;
  on(event: "check_run", fn: (e: { repo: any; run: any; action: "created" | "updated" }) => void): () => void;
  on(event: "request", fn: (e: RequestLogEntry) => void): () => void;
  on(event: "delivery", fn: (e: DeliveryRecord) => void): () => void;
  on(event: string, fn: (e: any) => void): () => void;
  setWebhook(webhook: { url: string; secret: string } | null): void;

  org(login: string): { login: string; id: number; installationId: number };
  team(fullSlug: string, members?: string[]): { org: string; slug: string; id: number; members: string[] };
  repo(
    fullName: string,
    opts?: { files?: Record<string, string>; defaultBranch?: string; private?: boolean },
  ): { fullName: string; installationId: number; defaultBranch: string; [k: string]: any };
  pushToBranch(fullName: string, branch: string, opts?: { files?: Record<string, string | null>; message?: string }): string;
  branchSha(fullName: string, branch?: string): string;
  /** The app's OAuth client credentials (GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET). */
  oauthApp(credentials: { clientId: string; clientSecret: string }): void;
  /**
   * The user GET /login/oauth/authorize acts as (already signed in to GitHub, approving the app;
   * `deny`: clicking Cancel, so the callback gets error=access_denied; `consent`: GitHub's
   * "Authorize" page first, whose button POSTs the approval). `repos` are added to what
   * they can read.
   */
  signInAs(login: string, opts?: { deny?: boolean; consent?: boolean; repos?: string[] }): void;
  /** Repositories `login` can read: what /user/installations and /user/installations/{id}/repositories list. */
  grantRead(login: string, fullNames: string[]): void;
  /** The active ruleset rules GitHub applies to `branch` (GET /repos/{o}/{r}/rules/branches/{branch}). */
  setBranchRules(fullName: string, branch: string, rules: { type: string; parameters?: Record<string, unknown> }[]): void;
  /** Takes a repository out of its organisation's installation (GET /repos/{o}/{r}/installation → 404). */
  removeFromInstallation(fullName: string): void;
  setCodeownersErrors(
    fullName: string,
    errors:
      | { line: number; column: number; kind: string; source?: string; suggestion?: string | null; message: string; path: string }[]
      | null,
  ): void;

  openPullRequest(
    fullName: string,
    opts?: OpenPullRequestOptions,
  ): Promise<{ number: number; headSha: string; baseSha: string; delivery: DeliveryResult }>;
  push(
    fullName: string,
    number: number,
    opts?: SendOptions & { commits?: CommitSpec[]; files?: FileSpec[] },
  ): Promise<{ headSha: string; before: string; delivery: DeliveryResult }>;
  editPullRequest(
    fullName: string,
    number: number,
    opts?: SendOptions & { title?: string; body?: string; draft?: boolean; by?: string },
  ): Promise<{ delivery: DeliveryResult }>;
  label(fullName: string, number: number, name: string, opts?: SendOptions & { by?: string }): Promise<{ delivery: DeliveryResult }>;
  assign(fullName: string, number: number, login: string, opts?: SendOptions): Promise<{ delivery: DeliveryResult }>;
  review(
    fullName: string,
    number: number,
    opts?: SendOptions & {
      user?: string | { login: string; type?: "User" | "Bot" };
      state?: "APPROVED" | "COMMENTED" | "CHANGES_REQUESTED";
      body?: string;
      commitId?: string;
    },
  ): Promise<{ id: number; delivery: DeliveryResult }>;
  /**
   * Edits a review's body as `by` (default: its author): `pull_request_review.edited` with that
   * sender. GraphQL's `editor` / `lastEditedAt` show the edit, as on GitHub.
   */
  editReview(
    fullName: string,
    number: number,
    reviewId: number,
    opts: SendOptions & { body: string; by?: string },
  ): Promise<{ delivery: DeliveryResult }>;
  dismissReview(
    fullName: string,
    number: number,
    reviewId: number,
    opts?: SendOptions & { by?: string },
  ): Promise<{ delivery: DeliveryResult }>;
  comment(
    fullName: string,
    number: number,
    opts?: SendOptions & { user?: string | { login: string; type?: "User" | "Bot" }; body?: string },
  ): Promise<{ id: number; delivery: DeliveryResult }>;
  merge(
    fullName: string,
    number: number,
    opts?: SendOptions & { by?: string; method?: "merge" | "squash" },
  ): Promise<{ mergeCommitSha: string; delivery: DeliveryResult }>;
  closePullRequest(fullName: string, number: number, opts?: SendOptions): Promise<{ delivery: DeliveryResult }>;
  rerequestCheck(fullName: string, runId: number, opts?: SendOptions & { by?: string }): Promise<{ delivery: DeliveryResult }>;
  enqueue(fullName: string, number: number, opts?: SendOptions & { by?: string }): Promise<{ headSha: string; delivery: DeliveryResult }>;
  deliver(
    event: string,
    payload: unknown,
    opts?: { id?: string; secret?: string; url?: string; redelivery?: boolean },
  ): Promise<DeliveryResult>;
  redeliver(id: string, opts?: { secret?: string; url?: string }): Promise<DeliveryResult>;
  /** Resolves once every redelivery requested through POST /app/hook/deliveries/{id}/attempts has been answered. */
  idle(): Promise<void>;

  pull(fullName: string, number: number): any;
  pullJson(fullName: string, number: number): Record<string, any>;
  checkRuns(fullName: string, filter?: { sha?: string; name?: string }): CheckRunView[];
  latestCheck(fullName: string, sha: string, name?: string): CheckRunView | null;
  comments(
    fullName: string,
    number?: number,
  ): { id: number; issueNumber: number; user: { login: string }; body: string; reactions: { content: string }[] }[];
  waitForCheck(
    fullName: string,
    sha: string,
    predicate?: (run: CheckRunView) => boolean,
    opts?: { timeoutMs?: number; name?: string },
  ): Promise<CheckRunView>;

  mark(): number;
  callsSince(mark?: number, opts?: { kinds?: RequestKind[]; withQuery?: boolean }): string[];
  /** Reads since `mark` answered `304 Not Modified`, as "GET /path". */
  notModifiedSince(mark?: number): string[];
  /** API calls since `mark` (304s included), how many were 304s, and the rate-limit points charged. */
  usageSince(mark?: number): { calls: number; notModified: number; points: number };
  resetLog(): void;
  fault(options: FaultOptions): FaultHandle;
  secondaryRateLimit(options?: {
    method?: string | null;
    path?: string | RegExp | null;
    times?: number;
    retryAfter?: number;
    after?: number;
  }): FaultHandle;
  clearFaults(): void;
  setLatency(ms: number): void;
}

export declare function startGitHubSimulator(options?: SimulatorOptions): Promise<GitHubSimulator>;
export declare function signPayload(body: string, secret: string): string;
export declare function postDelivery(
  url: string,
  opts: { event: string; id: string; body: string; secret: string; signature?: string; appId?: number; timeoutMs?: number },
): Promise<{ status: number; body: string; ms: number; error?: unknown }>;
export declare function verifyAppJwt(
  token: string,
  opts: { appId: number | string | null; publicKey?: string | KeyObject | null; now?: number },
): { ok: true; claims: Record<string, unknown> } | { ok: false; message: string };
export declare const MAX_PULL_FILES: number;
export declare const MAX_PULL_COMMITS: number;
