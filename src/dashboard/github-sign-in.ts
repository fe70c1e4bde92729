/**
 * The dashboard's side of "Sign in with GitHub": the OAuth state kept in a short-lived cookie
 * between the redirect to GitHub and its callback, the callback URL, and what a refused sign-in
 * tells the user. The calls to GitHub are in src/github/user-sign-in.ts.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { GitHubSignInError } from "../github/user-sign-in.js";
import { DASHBOARD_PREFIX } from "./layout.js";

export const GITHUB_START_PATH = `${DASHBOARD_PREFIX}/auth/github`;
export const GITHUB_CALLBACK_PATH = `${GITHUB_START_PATH}/callback`;
/** Long enough to approve the app on GitHub, short enough that a stale tab does not count. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

const STATE = /^[A-Za-z0-9_-]{32}$/;

/** A fresh state and the cookie value that remembers it with where to go afterwards. */
export function newOAuthState(next: string): { state: string; cookieValue: string } {
  const state = randomBytes(24).toString("base64url");
  return { state, cookieValue: `${state}.${Buffer.from(next, "utf8").toString("base64url")}` };
}

/**
 * The `next` of the state cookie whose state equals the callback's, compared in constant time;
 * null when there is no such cookie (missing, expired, another tab's, or forged).
 */
export function matchOAuthState(cookieValues: readonly string[], presented: string | null): { next: string } | null {
  if (!presented || !STATE.test(presented)) return null;
  for (const value of cookieValues) {
    const [state, next, ...rest] = value.split(".");
    if (rest.length > 0 || !state || !STATE.test(state) || next === undefined || !/^[A-Za-z0-9_-]*$/.test(next)) continue;
    if (timingSafeEqual(Buffer.from(state), Buffer.from(presented))) return { next: Buffer.from(next, "base64url").toString("utf8") };
  }
  return null;
}

/**
 * Where GitHub sends the browser back: this request's own origin. GitHub only redirects to a URL
 * under the App's registered Callback URL, so a forged Host header ends at GitHub's error page.
 */
export function callbackUrl(req: IncomingMessage, https: boolean): string {
  const host = (req.headers.host ?? "localhost").replace(/[^\w.:[\]-]/g, "");
  return `${https ? "https" : "http"}://${host}${GITHUB_CALLBACK_PATH}`;
}

/** The page for a refused sign-in: status, title and a sentence that says what to do. */
export function signInRefusal(error: GitHubSignInError): { status: number; title: string; message: string } {
  switch (error.reason) {
    case "bad_code":
      return {
        status: 400,
        title: "Sign-in link expired",
        message: "GitHub did not accept the sign-in code: it expired or was already used. Sign in again.",
      };
    case "github_error":
      return {
        status: 502,
        title: "GitHub refused the sign-in",
        message:
          `${error.message}. If this repeats, the server's GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET may not match the App's ` +
          `settings.`,
      };
    case "unavailable":
      return {
        status: 502,
        title: "GitHub did not answer",
        message: "GitHub could not be asked who you are or which repositories you can read. Nothing was signed in; try again in a minute.",
      };
  }
}
