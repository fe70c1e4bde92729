/**
 * The Octokit the end-to-end tests give Probot. Retry and throttling stay ON (Probot's own
 * plugins); only their clocks are scaled so a suite of fault tests finishes in seconds.
 *
 * `honourSecondaryRateLimits` uses the same handler as src/main.ts (src/github/octokit.ts): Probot 14.3.2's
 * `getOctokitThrottleOptions` installs an `onSecondaryRateLimit` that only logs, and it overrides
 * ProbotOctokit's retrying default, so a 403 secondary rate limit is never retried after its
 * `retry-after`. Passing this handler through `run(app, { Octokit })` restores the retry.
 */
import { ProbotOctokit } from "probot";
import { onSecondaryRateLimit } from "../../../src/github/octokit.js";

export interface E2eOctokitOptions {
  retry?: boolean;
  /** ms per unit of plugin-retry's backoff ((n+1)² units): 1000 in production. */
  retryAfterBaseValue?: number;
  throttle?: boolean;
  /** ms per second of `retry-after`: 1000 in production. */
  throttleRetryAfterBaseValue?: number;
  honourSecondaryRateLimits?: boolean;
}

export function e2eOctokit(opts: E2eOctokitOptions = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((instanceOptions: Record<string, any>) => ({
    ...instanceOptions,
    retry: { enabled: opts.retry ?? true, retryAfterBaseValue: opts.retryAfterBaseValue ?? 50 },
    throttle: {
      ...(instanceOptions.throttle ?? {}),
      enabled: opts.throttle ?? false,
      ...(opts.throttleRetryAfterBaseValue !== undefined ? { retryAfterBaseValue: opts.throttleRetryAfterBaseValue } : {}),
      ...(opts.honourSecondaryRateLimits ? { onSecondaryRateLimit } : {}),
    },
  })) as typeof ProbotOctokit;
}
