/**
 * Turns a failure while reading GitHub into what the check run tells the reader: what failed and
 * the next step. The gate fails closed on every one of them.
 */
export interface Explained {
  reason: string;
  nextStep: string;
}

export function explainError(error: unknown): Explained {
  const e = (error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error) as {
    status?: number;
    message?: string;
    request?: { method?: string; url?: string };
    response?: { headers?: Record<string, string | undefined> };
    errors?: { message?: string; type?: string }[];
  };
  const status = typeof e?.status === "number" ? e.status : null;
  const where = e?.request?.method && e.request.url ? ` to ${e.request.method} ${stripQuery(e.request.url)}` : "";
  if (status === null) {
    if (Array.isArray(e?.errors)) {
      return {
        reason: `GitHub's GraphQL API answered with errors: ${e.errors.map((x) => x.message).join("; ")}`,
        nextStep: "Re-run the check. If it persists, check that the app can read repository contents.",
      };
    }
    return {
      reason: `Internal error: ${e?.message ?? String(error)}`,
      nextStep: "Re-run the check; if it fails again, report it with the delivery id from the app's logs.",
    };
  }
  const remaining = e.response?.headers?.["x-ratelimit-remaining"];
  if ((status === 403 || status === 429) && (remaining === "0" || /rate limit/i.test(e.message ?? ""))) {
    return {
      reason: `GitHub's rate limit was hit (HTTP ${status}${where}).`,
      nextStep:
        "Re-run the check after the limit resets (it usually takes a minute for secondary limits, up to an hour for the primary one).",
    };
  }
  if (status === 401 || status === 403) {
    return {
      reason: `GitHub refused access (HTTP ${status}${where}).`,
      nextStep:
        "Check that the app is installed on this repository with the permissions in app.yml (checks: write, contents: read, pull " +
        "requests: write, members: read).",
    };
  }
  if (status === 404) {
    return {
      reason: `GitHub answered 404 Not Found${where}.`,
      nextStep:
        "The pull request, branch or repository may have been deleted, or the app lacks access to it. Re-run the check once it exists.",
    };
  }
  if (status >= 500) {
    return {
      reason: `GitHub is failing (HTTP ${status}${where}) even after retries.`,
      nextStep: "Re-run the check when githubstatus.com is green.",
    };
  }
  return {
    reason: `GitHub answered HTTP ${status}${where}: ${e.message ?? ""}`.trim(),
    nextStep: "Re-run the check; if it fails again, report it.",
  };
}

function stripQuery(url: string): string {
  return url.replace(/\?.*$/, "").replace(/^https?:\/\/[^/]+/, "");
}

/**
 * Whether trying again later can succeed: GitHub failing (5xx), a rate limit, or no HTTP answer
 * at all (network). A 4xx other than a rate limit, or a GraphQL error in a 200, will not change.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isTransient);
  // Errors that say so themselves (e.g. an unreachable lease store, src/cluster/leases.ts).
  if ((error as { transient?: unknown } | null)?.transient === true) return true;
  const e = error as { status?: number; message?: string; errors?: unknown; response?: { headers?: Record<string, string | undefined> } };
  const status = typeof e?.status === "number" ? e.status : null;
  if (status === null) return !Array.isArray(e?.errors) && isNetworkError(error);
  if (status >= 500 || status === 429) return true;
  return status === 403 && (e.response?.headers?.["x-ratelimit-remaining"] === "0" || /rate limit/i.test(e.message ?? ""));
}

/** ioredis giving up on a command because Redis is down or restarting. */
export function isRedisOutage(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && REDIS_OUTAGE.test(message);
}
const REDIS_OUTAGE = /max retries per request|Connection is closed|Stream isn't writeable/i;

function isNetworkError(error: unknown): boolean {
  type Cause = { code?: string; message?: string; cause?: unknown } | undefined;
  for (let e = error as Cause, depth = 0; e && depth < 5; e = e.cause as Cause, depth++) {
    if (typeof e.code === "string" && /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR)/.test(e.code)) return true;
    if (/fetch failed|socket hang up|network/i.test(e.message ?? "")) return true;
    // Redis behind Probot's clustered throttle (ioredis) while it is down or restarting: the same
    // request succeeds once it is back, so the delivery is retried rather than left failing.
    if (REDIS_OUTAGE.test(e.message ?? "")) return true;
  }
  return false;
}
