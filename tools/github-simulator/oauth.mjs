/**
 * GitHub's web flow for a GitHub App's user-to-server tokens ("Sign in with GitHub"), outside
 * /api/v3 as on GitHub:
 *
 *   GET  /login/oauth/authorize     acts as an already-signed-in user (`world.oauth.user`) who
 *                                   approves: 302 to redirect_uri with a one-time code and the
 *                                   state; with `world.oauth.deny`, 302 with error=access_denied;
 *                                   with `world.oauth.consent`, GitHub's first-time "Authorize"
 *                                   page instead, whose button POSTs back here (so the way back
 *                                   to the app starts on GitHub's site, as it does for real)
 *   POST /login/oauth/access_token  code → token; GitHub's answers to a bad code or client
 *                                   credentials are HTTP 200 with an `error` object
 *
 * The user endpoints these tokens open (`/user`, `/user/installations`, …) and
 * `DELETE /applications/{client_id}/token` (revoking one) are in rest.mjs.
 */
import { randomBytes } from "node:crypto";

const CODE_TTL_MS = 10 * 60 * 1000;
const TOKEN_TTL_MS = 8 * 60 * 60 * 1000;
const TROUBLESHOOTING = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

export const OAUTH_PATHS = ["/login/oauth/authorize", "/login/oauth/access_token"];

/** `(method, path, url, raw body, headers) → { status, body, headers, raw }`, or null when not an OAuth path. */
export function createOAuthRoutes({ world, clock }) {
  const oauth = world.oauth;

  const authorize = (url, consented) => {
    const clientId = url.searchParams.get("client_id");
    const redirectUri = url.searchParams.get("redirect_uri");
    const state = url.searchParams.get("state");
    if (!oauth.clientId || clientId !== oauth.clientId)
      return page(404, "simulator: unknown client_id (set it with sim.oauthApp({ clientId, clientSecret }))");
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return page(400, "simulator: redirect_uri is missing or not an http(s) URL");
    if (!oauth.user) return page(400, "simulator: nobody is signed in to GitHub (sim.signInAs(login))");
    if (oauth.consent && !consented) return consentPage(url.searchParams, oauth.user, world.appSlug);
    const back = new URL(redirectUri);
    if (oauth.deny) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "The user has denied your application access.");
      back.searchParams.set("error_uri", `${TROUBLESHOOTING}/#access-denied`);
    } else {
      const code = randomBytes(10).toString("hex");
      oauth.codes.set(code, { login: oauth.user, clientId, redirectUri, expires: clock() + CODE_TTL_MS });
      back.searchParams.set("code", code);
    }
    if (state !== null) back.searchParams.set("state", state);
    return { status: 302, body: "", raw: true, headers: { location: back.toString(), "content-type": "text/html; charset=utf-8" } };
  };

  const accessToken = (url, raw, headers) => {
    const params = new URLSearchParams(url.search);
    const type = String(headers["content-type"] ?? "")
      .split(";")[0]
      .trim()
      .toLowerCase();
    if (type === "application/json" && raw) {
      for (const [k, v] of Object.entries(JSON.parse(raw))) params.set(k, String(v));
    } else if (raw) {
      for (const [k, v] of new URLSearchParams(raw)) params.set(k, v);
    }
    const json = String(headers.accept ?? "").includes("application/json");
    const answer = (body) =>
      json
        ? { status: 200, body, headers: {} }
        : {
            status: 200,
            body: new URLSearchParams(body).toString(),
            raw: true,
            headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
          };
    if (params.get("client_id") !== oauth.clientId || !oauth.clientSecret || params.get("client_secret") !== oauth.clientSecret) {
      return answer({
        error: "incorrect_client_credentials",
        error_description: "The client_id and/or client_secret passed are incorrect.",
        error_uri: `${TROUBLESHOOTING}/#incorrect-client-credentials`,
      });
    }
    const code = params.get("code") ?? "";
    const grant = oauth.codes.get(code);
    // One use only, whatever the outcome.
    oauth.codes.delete(code);
    if (!grant || grant.expires < clock() || grant.clientId !== params.get("client_id")) {
      return answer({
        error: "bad_verification_code",
        error_description: "The code passed is incorrect or expired.",
        error_uri: `${TROUBLESHOOTING}/#bad-verification-code`,
      });
    }
    if (params.has("redirect_uri") && params.get("redirect_uri") !== grant.redirectUri) {
      return answer({
        error: "redirect_uri_mismatch",
        error_description: "The redirect_uri MUST match the registered callback URL for this application.",
        error_uri: `${TROUBLESHOOTING}/#redirect-uri-mismatch`,
      });
    }
    const token = `ghu_sim${randomBytes(16).toString("hex")}`;
    oauth.tokens.set(token, { login: grant.login, expires: clock() + TOKEN_TTL_MS });
    return answer({
      access_token: token,
      expires_in: TOKEN_TTL_MS / 1000,
      refresh_token: `ghr_sim${randomBytes(16).toString("hex")}`,
      refresh_token_expires_in: 15_811_200,
      token_type: "bearer",
      scope: "",
    });
  };

  return {
    handle(method, path, url, raw, headers) {
      if (path === "/login/oauth/authorize") {
        if (method === "GET") return authorize(url, false);
        // The consent page's "Authorize" button: the same parameters, posted as a form.
        if (method === "POST") return authorize(new URL(`${url.pathname}?${raw}`, url), true);
        return page(404, "Not Found");
      }
      if (path === "/login/oauth/access_token") return method === "POST" ? accessToken(url, raw, headers) : page(404, "Not Found");
      return null;
    },
    /**
     * `DELETE /applications/{client_id}/token` (Basic auth with the client id and secret): the
     * status GitHub answers. 204 revoked; 404 for wrong client credentials or an unknown token.
     */
    revokeToken(clientId, authorization, token) {
      const basic = /^basic\s+(\S+)$/i.exec(String(authorization ?? ""));
      const [id, secret] = basic ? Buffer.from(basic[1], "base64").toString("utf8").split(":") : [];
      if (!oauth.clientId || clientId !== oauth.clientId || id !== oauth.clientId || secret !== oauth.clientSecret) return 404;
      if (typeof token !== "string" || !oauth.tokens.has(token)) return 404;
      oauth.tokens.delete(token);
      oauth.revoked.push(token);
      return 204;
    },
    /** The user a `ghu_` token was issued to, or null (unknown or expired). */
    userOfToken(token) {
      const t = oauth.tokens.get(token);
      return t && t.expires >= clock() ? world.user(t.login) : null;
    },
  };
}

function consentPage(params, login, appSlug) {
  const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("");
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize ${esc(appSlug)}</title></head>
<body><main><h1>Authorize ${esc(appSlug)}</h1><p>Signed in as ${esc(login)}.</p>
<form method="post" action="/login/oauth/authorize">${hidden}<button ` +
    `type="submit">Authorize ${esc(appSlug)}</button></form></main></body></html>`;
  return { status: 200, body, raw: true, headers: { "content-type": "text/html; charset=utf-8" } };
}

function page(status, text) {
  return { status, body: text, raw: true, headers: { "content-type": "text/plain; charset=utf-8" } };
}
