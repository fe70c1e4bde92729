/**
 * The Octokit class the app and CLI give Probot. Probot 14.3.2's env-based throttle options
 * install an `onSecondaryRateLimit` that only logs (and it overrides Probot's retrying default),
 * so a 403 secondary rate limit would never be retried after its `retry-after`. This restores it,
 * and paces writes itself (./write-pacing.ts: GraphQL reads no longer wait in the write queue,
 * check-run writes go first).
 */
import { ProbotOctokit } from "probot";
import { requestWriteKind, withPacedWrites, writePacing } from "./write-pacing.js";

/** Retry a secondary rate limit after GitHub's `retry-after`, at most twice, never for more than a minute. */
export function onSecondaryRateLimit(
  retryAfter: number,
  options: { method?: string; url?: string },
  octokit: { log: { warn: (msg: string) => void } },
  retryCount: number,
): boolean {
  octokit.log.warn(`secondary rate limit on ${options.method} ${options.url}: retrying in ${retryAfter} s (attempt ${retryCount + 1})`);
  return retryCount < 2 && retryAfter <= 60;
}

// biome-ignore lint/suspicious/noExplicitAny: Probot passes Octokit options through untyped
export const CountersignOctokit = ProbotOctokit.defaults((options: Record<string, any>) => {
  healClusteredThrottle(options.throttle?.connection);
  return { ...options, throttle: { ...withPacedWrites(options.throttle), onSecondaryRateLimit } };
})
  // biome-ignore lint/suspicious/noExplicitAny: the plugin reads Octokit's untyped constructor options
  .plugin(writePacing as any) as typeof ProbotOctokit;

const healed = new WeakSet<object>();
const SELF_HEALING = /^ERR (SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)$/;

/**
 * With REDIS_URL, Probot's throttle is a Bottleneck cluster in Redis. When Redis restarts empty its
 * scripts answer SETTINGS_KEY_NOT_FOUND (or UNKNOWN_CLIENT), and Bottleneck re-creates its state on
 * exactly those messages; Redis 7 prefixes script errors with "ERR ", so Bottleneck 2.19.5 no longer
 * recognises them and every GitHub call fails until the process restarts. This strips the prefix
 * from those two answers on the connection Probot built (once per connection).
 */
export function healClusteredThrottle(connection: unknown): void {
  const c = connection as { __scriptFn__?: (name: string) => (...args: unknown[]) => unknown } | null | undefined;
  if (!c || typeof c.__scriptFn__ !== "function" || healed.has(c)) return;
  healed.add(c);
  const scriptFn = c.__scriptFn__.bind(c);
  c.__scriptFn__ = (name: string) => {
    const run = scriptFn(name);
    return (...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback !== "function") return run(...args);
      return run(...args.slice(0, -1), (error: Error | null, replies: unknown) => {
        if (error && SELF_HEALING.test(error.message)) error.message = error.message.slice("ERR ".length);
        callback(error, replies);
      });
    };
  };
}

/** What the GitHub-request metrics need (src/metrics/app-metrics.ts). */
export interface GitHubRequestMetrics {
  githubRequests: { inc(labels: { kind: string; status: string }): void };
  githubRateLimitRemaining: { set(labels: { resource: string }, value: number): void };
}

/**
 * `Octokit` counting every request (after Probot's retries, one count per try) by kind and
 * status class, and keeping the last rate-limit remaining per resource. Installation clients are
 * built from the app client's class, so they count too.
 */
export function withGitHubMetrics(Octokit: typeof ProbotOctokit, metrics: GitHubRequestMetrics): typeof ProbotOctokit {
  return Octokit.plugin((octokit) => {
    octokit.hook.wrap("request", async (request, options) => {
      const kind = requestKind(options.method, options.url);
      const observe = (status: number | null, headers: Record<string, unknown> | undefined) => {
        metrics.githubRequests.inc({ kind, status: status === null ? "error" : `${Math.floor(status / 100)}xx` });
        const remaining = Number(headers?.["x-ratelimit-remaining"]);
        const resource = headers?.["x-ratelimit-resource"];
        if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining)) {
          metrics.githubRateLimitRemaining.set({ resource: typeof resource === "string" ? resource : "core" }, remaining);
        }
      };
      try {
        const response = await request(options);
        observe(response.status, response.headers as Record<string, unknown>);
        return response;
      } catch (error) {
        const e = error as { status?: number; response?: { headers?: Record<string, unknown> } };
        observe(typeof e.status === "number" ? e.status : null, e.response?.headers);
        throw error;
      }
    });
  }) as typeof ProbotOctokit;
}

/** Where the app reports GitHub failing and answering (src/handlers/outage-watch.ts). */
export interface GitHubOutageSignals {
  /** `what`: the route that failed (requestKind), so one route failing for good is not an outage. */
  failed(dependency: string, what?: string): void;
  succeeded(dependency: string): void;
}

/** The two dependencies GitHub is to the outage watch: its reads can fail while its writes succeed. */
export const GITHUB_READS = "GitHub reads";
export const GITHUB_WRITES = "GitHub writes";

/**
 * `Octokit` telling `signals` when GitHub fails (a 5xx, or no answer at all; with the route) and
 * when it answers (any status below 500, a 304 or a 404 included: GitHub is up), for reads and
 * writes separately.
 * Each try counts (the retry plugin's included), so the end of an outage is seen at the first
 * request that gets through.
 */
export function withOutageSignals(Octokit: typeof ProbotOctokit, signals: GitHubOutageSignals): typeof ProbotOctokit {
  return Octokit.plugin((octokit) => {
    octokit.hook.wrap("request", async (request, options) => {
      const side = requestWriteKind(options) === "read" ? GITHUB_READS : GITHUB_WRITES;
      try {
        const response = await request(options);
        signals.succeeded(side);
        return response;
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        if (typeof status === "number" && status < 500) signals.succeeded(side);
        else signals.failed(side, requestKind(options.method, options.url));
        throw error;
      }
    });
  }) as typeof ProbotOctokit;
}

/**
 * A bounded label for a request, the same whether Octokit was called with a route template
 * (`/repos/{owner}/{repo}/pulls/{pull_number}/files`) or an expanded URL (pagination):
 * `GET /repos/{owner}/{repo}/pulls/{id}/files`. Parameters, numbers and SHAs become `{id}`.
 */
export function requestKind(method: string | undefined, url: string | undefined): string {
  let path = (url ?? "")
    .replace(/\?.*$/, "")
    .replace(/^https?:\/\/[^/]+/, "")
    .replace(/^\/api\/v3(?=\/)/, "");
  if (path === "/api/graphql") path = "/graphql";
  path = path
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{owner}/{repo}")
    .replace(/^\/repositories\/\d+/, "/repos/{owner}/{repo}")
    .replace(/\/(?:\{(?!owner\}|repo\})[^/}]+\}|\d+|[0-9a-f]{40})(?=\/|$)/gi, "/{id}");
  return `${(method ?? "GET").toUpperCase()} ${path}`;
}
