/**
 * A URL without its password, for messages and logs (DATABASE_URL, REDIS_URL). Not the URL
 * parser: a password with an unencoded `/`, `?`, `#` or `@` makes it see another host (or no
 * password at all), and the secret would be printed. The credentials end at the last `@`; when
 * that over-reaches (an `@` in the query), more is hidden, never less.
 */
export function redactUrl(url: string): string {
  const parts = credentialsOf(url);
  return parts ? `${url.slice(0, parts.start)}${parts.user}:***${url.slice(parts.end)}` : url;
}

/** The password as written in the URL and, when percent-encoded, decoded (none: []). For the log redactor. */
export function urlPasswords(url: string | undefined): string[] {
  const parts = url ? credentialsOf(url) : null;
  if (!parts?.password) return [];
  try {
    return [...new Set([parts.password, decodeURIComponent(parts.password)])];
  } catch {
    return [parts.password];
  }
}

function credentialsOf(url: string): { start: number; end: number; user: string; password: string } | null {
  const scheme = url.indexOf("://");
  const start = scheme === -1 ? 0 : scheme + 3;
  const end = url.lastIndexOf("@");
  if (end < start) return null;
  const userinfo = url.slice(start, end);
  const colon = userinfo.indexOf(":");
  if (colon === -1) return null;
  return { start, end, user: userinfo.slice(0, colon), password: userinfo.slice(colon + 1) };
}
