/**
 * Re-reads that cost nothing. GitHub answers a conditional GET (`If-None-Match` with the ETag of an
 * earlier answer) with `304 Not Modified` when nothing changed, and a 304 does not count against
 * the installation's rate limit. The REST reads that repeat across the events of one PR (its pages
 * of changed files, the PR itself, check runs, team members) are kept with their ETags — bounded in
 * memory, and in Redis when replicas share one — and a 304 is answered from the kept body, so the
 * caller sees the same 200 it would have got.
 *
 * The same hook counts what each Octokit (one per webhook event) spent: calls, 304s among them,
 * and the rate-limit points GitHub charged (every answer but a 304 that carries `x-ratelimit-used`).
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { GitHub } from "./github.js";

/** The reads worth keeping: they repeat across the events of one pull request. */
const CACHEABLE = [
  /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+(\/files|\/requested_reviewers)?$/,
  /^\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/check-runs$/,
  /^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/labels$/,
  /^\/orgs\/[^/]+\/teams\/[^/]+\/members$/,
];

/** The installation-token exchange is authentication, not an API call against the budget. */
const TOKEN_EXCHANGE = /\/app\/installations\/\d+\/access_tokens$/;

interface Kept {
  etag: string;
  /** The JSON body, as sent and as stored in Redis. */
  json: string;
  /** The Link header: pagination needs it on a 304 too. */
  link: string | null;
}

/** Where replicas share kept reads (Redis): string values with a time to live. */
export interface SharedReadStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

/** What the requests of one Octokit cost so far. */
export interface ApiUsage {
  calls: number;
  notModified: number;
  /** Primary rate-limit points charged (304s are free). */
  points: number;
  /** The installation's `x-ratelimit-used` / `-remaining` after the latest answer. */
  rateLimitUsed: number | null;
  rateLimitRemaining: number | null;
}

export interface ConditionalReadsOptions {
  /** Memory bound for kept bodies (default 64 MiB). */
  maxBytes?: number;
  /** Shared across replicas (REDIS_URL); null: this process only. */
  shared?: SharedReadStore | null;
  /** How long a shared entry lives (default 6 hours: a PR's busy stretch). */
  sharedTtlMs?: number;
}

type RequestOptions = {
  method: string;
  url: string;
  headers?: Record<string, string | number | undefined>;
  baseUrl?: string;
} & Record<string, unknown>;
type Respond = (options: RequestOptions) => Promise<{ status: number; url: string; headers: Record<string, unknown>; data: unknown }>;
type Hookable = { hook: { wrap: (name: "request", fn: (request: Respond, options: RequestOptions) => Promise<unknown>) => void } };
type Parse = { endpoint: { parse: (o: RequestOptions) => { method: string; url: string; headers: Record<string, string> } } };

export class ConditionalReads {
  readonly #memory: LRUCache<string, Kept>;
  readonly #shared: SharedReadStore | null;
  readonly #ttlMs: number;
  readonly #usage = new WeakMap<object, ApiUsage>();

  constructor(options: ConditionalReadsOptions = {}) {
    const maxSize = options.maxBytes ?? 64 * 1024 * 1024;
    this.#memory = new LRUCache<string, Kept>({ maxSize, sizeCalculation: (k) => k.json.length + 200 });
    this.#shared = options.shared ?? null;
    this.#ttlMs = options.sharedTtlMs ?? 6 * 3600_000;
  }

  /** Installs the hook on an Octokit (once; later calls do nothing). */
  attach(octokit: GitHub): void {
    if (this.#usage.has(octokit)) return;
    const usage: ApiUsage = { calls: 0, notModified: 0, points: 0, rateLimitUsed: null, rateLimitRemaining: null };
    this.#usage.set(octokit, usage);
    const parse = (octokit.request as unknown as Parse).endpoint.parse;
    (octokit as unknown as Hookable).hook.wrap("request", async (request, options) => {
      const parsed = parse(options);
      const key = parsed.method === "GET" && cacheable(parsed.url, options.baseUrl) ? keyOf(parsed) : null;
      const kept = key ? await this.#lookup(key) : null;
      // before-after-hook binds `options` to the inner request: set the header on that object.
      if (kept) options.headers = { ...options.headers, "if-none-match": kept.etag };
      const metered = !TOKEN_EXCHANGE.test(parsed.url);
      try {
        const response = await request(options);
        if (metered) count(usage, response.status, response.headers);
        const etag = response.headers.etag;
        if (key && response.status === 200 && typeof etag === "string") void this.#keep(key, etag, response.data, response.headers.link);
        return response;
      } catch (error) {
        const answer = (error as { status?: number; response?: { url: string; headers: Record<string, unknown> } }) ?? {};
        if (metered) count(usage, answer.status ?? 0, answer.response?.headers ?? {});
        if (answer.status !== 304 || !kept) throw error;
        usage.notModified++;
        const headers = { ...answer.response?.headers, etag: kept.etag, ...(kept.link ? { link: kept.link } : {}) };
        return { status: 200, url: answer.response?.url ?? parsed.url, headers, data: JSON.parse(kept.json) as unknown };
      }
    });
  }

  /** What an attached Octokit's requests cost so far (null when not attached). */
  usage(octokit: GitHub): ApiUsage | null {
    const u = this.#usage.get(octokit);
    return u ? { ...u } : null;
  }

  /** Forgets every kept read in this process (tests: a cold start). */
  clear(): void {
    this.#memory.clear();
  }

  async #lookup(key: string): Promise<Kept | null> {
    const hit = this.#memory.get(key);
    if (hit || !this.#shared) return hit ?? null;
    try {
      const text = await this.#shared.get(key);
      if (!text) return null;
      const kept = JSON.parse(text) as Kept;
      this.#memory.set(key, kept);
      return kept;
    } catch {
      return null; // Redis down or a bad entry: read without a condition, never fail the read.
    }
  }

  async #keep(key: string, etag: string, data: unknown, link: unknown): Promise<void> {
    const kept: Kept = { etag, json: JSON.stringify(data), link: typeof link === "string" ? link : null };
    this.#memory.set(key, kept);
    await this.#shared?.set(key, JSON.stringify(kept), this.#ttlMs).catch(() => {});
  }
}

function cacheable(url: string, baseUrl: string | undefined): boolean {
  const path = new URL(url, "http://x").pathname;
  const base = baseUrl ? new URL(baseUrl, "http://x").pathname.replace(/\/+$/, "") : "";
  const route = base && path.startsWith(base) ? path.slice(base.length) : path;
  return CACHEABLE.some((re) => re.test(route));
}

/** One entry per URL (query included) and representation (Accept). */
function keyOf(parsed: { url: string; headers: Record<string, string> }): string {
  return `countersign:etag:${createHash("sha256")
    .update(`${parsed.url}\n${parsed.headers.accept ?? ""}`)
    .digest("hex")}`;
}

function count(usage: ApiUsage, status: number, headers: Record<string, unknown>): void {
  usage.calls++;
  const used = Number(headers["x-ratelimit-used"]);
  const remaining = Number(headers["x-ratelimit-remaining"]);
  if (Number.isFinite(used) && headers["x-ratelimit-used"] !== undefined) {
    usage.rateLimitUsed = used;
    if (status !== 304) usage.points++;
  }
  if (Number.isFinite(remaining) && headers["x-ratelimit-remaining"] !== undefined) usage.rateLimitRemaining = remaining;
}

/** Kept reads in Redis (ioredis), with a time to live. */
export function redisReadStore(redis: {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: "PX", ttl: number): Promise<unknown>;
}): SharedReadStore {
  return {
    get: (key) => redis.get(key),
    set: async (key, value, ttlMs) => {
      await redis.set(key, value, "PX", ttlMs);
    },
  };
}
