/**
 * Whether a failed GitHub read means "GitHub cannot be read right now" (a 5xx or a timeout or a
 * dropped connection, after Octokit's retries) rather than "this request is wrong" (4xx, a bug).
 * Only the first is worth recording what is known and trying again later.
 */
const NETWORK_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EPIPE|UND_ERR|socket hang up|fetch failed|timed? ?out|network/i;

export function isGitHubUnavailable(error: unknown): boolean {
  const e = (error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error) as {
    status?: unknown;
    message?: unknown;
    code?: unknown;
    cause?: { code?: unknown; message?: unknown } | null;
  } | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.status === "number") return e.status >= 500 || e.status === 0;
  const texts = [e.code, e.message, e.cause?.code, e.cause?.message].filter((t): t is string => typeof t === "string");
  return texts.some((t) => NETWORK_FAILURE.test(t));
}
