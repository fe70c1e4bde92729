/**
 * "Sign in with GitHub" for the dashboard, through the GitHub App's own OAuth credentials:
 * 1. the authorize URL the browser is sent to; 2. the code exchanged for a user-to-server token;
 * 3. who the user is (`GET /user`); 4. the repositories they can read through the app's
 * installations (`GET /user/installations`, then `GET /user/installations/{id}/repositories`,
 * every page); 5. the token revoked. It is used for these reads only and never stored or logged.
 */

export interface GitHubOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** https://github.com, or the GitHub Enterprise Server's web URL. */
  webUrl: string;
  /** https://api.github.com, or `${webUrl}/api/v3`. */
  apiUrl: string;
}

/** Who signed in and what they can read: lower-cased `owner/name`, sorted. */
export interface GitHubUserAccess {
  login: string;
  repos: string[];
}

/**
 * Why a sign-in failed. `bad_code`: GitHub refused the code (expired, used, or for another app):
 * starting again fixes it. `github_error`: another OAuth error answer (its description kept).
 * `unavailable`: GitHub did not answer usefully (5xx, network, unexpected shape).
 */
export class GitHubSignInError extends Error {
  constructor(
    message: string,
    readonly reason: "bad_code" | "github_error" | "unavailable",
    readonly details: { step: string; status?: number; error?: string } = { step: "exchange" },
  ) {
    super(message);
    this.name = "GitHubSignInError";
  }
}

const TIMEOUT_MS = 10_000;
/** 100 pages of 100: a user who can read more installations or repositories than this is refused. */
const MAX_PAGES = 100;

export function authorizeUrl(config: GitHubOAuthConfig, input: { redirectUri: string; state: string }): string {
  const params = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: input.redirectUri,
    state: input.state,
    allow_signup: "false",
  });
  return `${config.webUrl}/login/oauth/authorize?${params.toString()}`;
}

export async function signInWithCode(
  config: GitHubOAuthConfig,
  input: { code: string; redirectUri: string },
  fetchImpl: typeof fetch = fetch,
): Promise<GitHubUserAccess> {
  const token = await exchangeCode(config, input, fetchImpl);
  try {
    return await readAccess(config, token, fetchImpl);
  } finally {
    // The reads are all the token was for: revoke it at GitHub (8 h of life otherwise). Best effort:
    // a failed revocation must not fail a sign-in whose reads succeeded.
    await revokeToken(config, token, fetchImpl).catch(() => {});
  }
}

/**
 * `DELETE /applications/{client_id}/token` with the client id and secret (Basic auth): the token
 * stops working at once. Resolves true when GitHub answered 204.
 */
export async function revokeToken(config: GitHubOAuthConfig, token: string, fetchImpl: typeof fetch = fetch): Promise<boolean> {
  const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`, "utf8").toString("base64");
  const response = await fetchImpl(`${config.apiUrl}/applications/${encodeURIComponent(config.clientId)}/token`, {
    method: "DELETE",
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Basic ${basic}`,
      "content-type": "application/json",
      "x-github-api-version": "2022-11-28",
    },
    body: JSON.stringify({ access_token: token }),
    redirect: "error",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await response.body?.cancel();
  return response.status === 204;
}

async function readAccess(config: GitHubOAuthConfig, token: string, fetchImpl: typeof fetch): Promise<GitHubUserAccess> {
  const user = await getJson<{ login?: unknown }>(fetchImpl, `${config.apiUrl}/user`, token, "user");
  if (typeof user.body.login !== "string" || user.body.login === "") throw unexpected("user", "no login in GET /user");
  const repos = new Set<string>();
  for await (const installation of pages<{ id?: unknown }>(
    config,
    fetchImpl,
    `${config.apiUrl}/user/installations?per_page=100`,
    token,
    "installations",
    "installations",
  )) {
    if (typeof installation.id !== "number") throw unexpected("installations", "an installation without an id");
    const url = `${config.apiUrl}/user/installations/${installation.id}/repositories?per_page=100`;
    for await (const repo of pages<{ full_name?: unknown; permissions?: { pull?: unknown } }>(
      config,
      fetchImpl,
      url,
      token,
      "repositories",
      "repositories",
    )) {
      if (typeof repo.full_name !== "string") throw unexpected("repositories", "a repository without full_name");
      // Listed through the installation but without read access (GitHub sends permissions per user).
      if (repo.permissions && repo.permissions.pull === false) continue;
      repos.add(repo.full_name.toLowerCase());
    }
  }
  return { login: user.body.login, repos: [...repos].sort() };
}

async function exchangeCode(
  config: GitHubOAuthConfig,
  input: { code: string; redirectUri: string },
  fetchImpl: typeof fetch,
): Promise<string> {
  const response = await send(
    fetchImpl,
    `${config.webUrl}/login/oauth/access_token`,
    {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: config.clientId,
        client_secret: config.clientSecret,
        code: input.code,
        redirect_uri: input.redirectUri,
      }).toString(),
    },
    "exchange",
  );
  const body = await readJson(response, "exchange");
  // GitHub answers a refused code with 200 and an error object.
  if (typeof body.error === "string") {
    const description = typeof body.error_description === "string" ? body.error_description : body.error;
    if (body.error === "bad_verification_code")
      throw new GitHubSignInError(`GitHub refused the sign-in code: ${description}`, "bad_code", {
        step: "exchange",
        status: response.status,
        error: body.error,
      });
    throw new GitHubSignInError(`GitHub refused the sign-in: ${description}`, "github_error", {
      step: "exchange",
      status: response.status,
      error: body.error,
    });
  }
  if (!response.ok)
    throw new GitHubSignInError(`GitHub answered ${response.status} to the code exchange`, "unavailable", {
      step: "exchange",
      status: response.status,
    });
  if (typeof body.access_token !== "string" || body.access_token === "") throw unexpected("exchange", "no access_token in the answer");
  return body.access_token;
}

async function* pages<T>(
  config: GitHubOAuthConfig,
  fetchImpl: typeof fetch,
  first: string,
  token: string,
  key: string,
  step: string,
): AsyncGenerator<T> {
  let url: string | null = first;
  for (let page = 0; url; page++) {
    if (page === MAX_PAGES) throw new GitHubSignInError(`more than ${MAX_PAGES} pages of ${key}`, "unavailable", { step });
    const { body, link } = await getJson<Record<string, unknown>>(fetchImpl, url, token, step);
    const items = body[key];
    if (!Array.isArray(items)) throw unexpected(step, `no ${key} list`);
    yield* items as T[];
    url = nextLink(link);
    // The token goes only to the API it was issued for, whatever a Link header says.
    if (url && new URL(url).origin !== new URL(config.apiUrl).origin) throw unexpected(step, "a next page on another host");
  }
}

async function getJson<T>(fetchImpl: typeof fetch, url: string, token: string, step: string): Promise<{ body: T; link: string | null }> {
  const response = await send(
    fetchImpl,
    url,
    { headers: { accept: "application/vnd.github+json", authorization: `Bearer ${token}`, "x-github-api-version": "2022-11-28" } },
    step,
  );
  if (!response.ok)
    throw new GitHubSignInError(`GitHub answered ${response.status} to ${step}`, "unavailable", { step, status: response.status });
  return { body: (await readJson(response, step)) as T, link: response.headers.get("link") };
}

async function send(fetchImpl: typeof fetch, url: string, init: RequestInit, step: string): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new GitHubSignInError(
      `GitHub could not be reached (${step}): ${error instanceof Error ? error.message : String(error)}`,
      "unavailable",
      { step },
    );
  }
}

async function readJson(response: Response, step: string): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new GitHubSignInError(`GitHub answered ${response.status} with something other than JSON (${step})`, "unavailable", {
      step,
      status: response.status,
    });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw unexpected(step, "not a JSON object");
  return body as Record<string, unknown>;
}

/** The `rel="next"` URL of a Link header, or null. */
export function nextLink(link: string | null): string | null {
  for (const part of (link ?? "").split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

function unexpected(step: string, what: string): GitHubSignInError {
  return new GitHubSignInError(`GitHub's answer was not what Countersign expects (${step}: ${what})`, "unavailable", { step });
}
