/**
 * The Octokit class the app and CLI give Probot. Probot 14.3.2's env-based throttle options
 * install an `onSecondaryRateLimit` that only logs (and it overrides Probot's retrying default),
 * so a 403 secondary rate limit would never be retried after its `retry-after`. This restores it.
 */
import { ProbotOctokit } from "probot";

/** Retry a secondary rate limit after GitHub's `retry-after`, at most twice, never for more than a minute. */
export function onSecondaryRateLimit(retryAfter: number, options: { method?: string; url?: string }, octokit: { log: { warn: (msg: string) => void } }, retryCount: number): boolean {
  octokit.log.warn(`secondary rate limit on ${options.method} ${options.url}: retrying in ${retryAfter} s (attempt ${retryCount + 1})`);
  return retryCount < 2 && retryAfter <= 60;
}

export const CountersignOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  throttle: { ...(options.throttle ?? {}), onSecondaryRateLimit },
})) as typeof ProbotOctokit;
