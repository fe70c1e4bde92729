/**
 * GitHub for the dashboard's "Sign in with GitHub": the local simulator with the app's OAuth
 * credentials, the seeded trail's three repositories installed, and user "ana" who can read
 * acme/web only. Plus the browser's steps over plain HTTP.
 */
import type { GitHubOAuthConfig } from "../../../src/github/user-sign-in.js";
import { startGitHubSimulator, type GitHubSimulator } from "../../../tools/github-simulator/index.mjs";
import { cookieValue, request, type Reply } from "./http.js";

export const CLIENT_ID = "Iv1.countersign-test";
export const CLIENT_SECRET = "countersign-test-client-secret-0123456789";
export const READER = { login: "ana", repos: ["acme/web"] };

export async function startGitHub(): Promise<{ sim: GitHubSimulator; config: GitHubOAuthConfig }> {
  const sim = await startGitHubSimulator({ oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
  for (const repo of ["acme/payments-api", "acme/web", "acme/infra"]) sim.repo(repo);
  sim.signInAs(READER.login, { repos: READER.repos });
  return { sim, config: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, webUrl: sim.url, apiUrl: sim.apiUrl } };
}

export interface GitHubSignIn {
  /** The dashboard's 302 to GitHub. */
  start: Reply;
  /** GitHub's 302 back (to the callback). */
  back: URL;
  /** The callback's answer. */
  callback: Reply;
  /** `countersign_session=…`, or "" when no session was set. */
  cookie: string;
}

/**
 * The browser's steps: the dashboard sends it to GitHub (with a state cookie), GitHub sends it
 * back, the callback answers. `tamper` changes the way back (state, code) before it is followed.
 */
export async function signInWithGitHub(
  server: { baseUrl: string },
  options: { next?: string; tamper?: (back: URL) => void; stateCookie?: (value: string | undefined) => string } = {},
): Promise<GitHubSignIn> {
  const start = await request(server, `/countersign/auth/github${options.next ? `?next=${encodeURIComponent(options.next)}` : ""}`);
  const state = cookieValue(start.cookies, "countersign_oauth");
  const atGitHub = await fetch(start.location!, { redirect: "manual" });
  const back = new URL(atGitHub.headers.get("location")!);
  options.tamper?.(back);
  const stateCookie = options.stateCookie ? options.stateCookie(state) : `countersign_oauth=${state}`;
  const callback = await request(server, back.pathname + back.search, stateCookie ? { cookie: stateCookie } : {});
  const session = cookieValue(callback.cookies, "countersign_session");
  return { start, back, callback, cookie: session ? `countersign_session=${session}` : "" };
}
