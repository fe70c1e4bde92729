/**
 * The dashboard's HTTP plumbing: its cookies, the security headers every page carries, HTML and
 * redirect responses, the bounded form reader and path decoding. dashboard-handler.ts routes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { readRequestBody, TOO_LARGE_HEADERS, tooLargeMessage } from "../http/request-body.js";
import { GITHUB_START_PATH } from "./github-sign-in.js";
import type { SafeHtml } from "./html.js";
import { CONTENT_SECURITY_POLICY, DASHBOARD_PREFIX } from "./layout.js";

export const SESSION_COOKIE = "countersign_session";
export const LOGIN_COOKIE = "countersign_login";
export const OAUTH_STATE_COOKIE = "countersign_oauth";
export const API_PREFIX = `${DASHBOARD_PREFIX}/api`;
export const MAX_FORM_BYTES = 8 * 1024;

export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

export function sendHtml(res: ServerResponse, status: number, body: SafeHtml, headers: Record<string, string | string[]> = {}): true {
  const text = body.value;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
  return true;
}

/** 303 See Other: after a POST the browser follows with a GET. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): true {
  res.writeHead(303, { ...SECURITY_HEADERS, location, "content-length": "0", ...headers });
  res.end();
  return true;
}

export function methodNotAllowed(res: ServerResponse, allow: string): true {
  res.writeHead(405, { ...SECURITY_HEADERS, allow, "content-type": "text/plain; charset=utf-8" });
  res.end(`Method not allowed: use ${allow}.`);
  return true;
}

/** A dashboard path to return to after sign-in; anything else (another site, the API) → the overview. */
export function safeNext(next: string | null | undefined): string {
  const fallback = `${DASHBOARD_PREFIX}/`;
  if (!next || next.length > 2000) return fallback;
  if (!next.startsWith(`${DASHBOARD_PREFIX}/`) && next !== DASHBOARD_PREFIX) return fallback;
  // Backslashes and control characters: some browsers normalise them into another origin.
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  const path = new URL(next, "http://localhost").pathname;
  if (
    path.startsWith(API_PREFIX) ||
    path.startsWith(`${DASHBOARD_PREFIX}/auth/`) ||
    path === `${DASHBOARD_PREFIX}/login` ||
    path === `${DASHBOARD_PREFIX}/logout`
  )
    return fallback;
  return next;
}

export function isHttps(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim().toLowerCase();
  return first === "https";
}

/** Cookie name → every value sent under it (a path-scoped duplicate must not hide the real one). */
export function cookies(req: IncomingMessage): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

export function cookie(name: string, value: string, maxAgeMs: number, secure: boolean): string {
  return (
    `${name}=${value}; Path=${DASHBOARD_PREFIX}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; ` +
    `SameSite=Strict${secure ? "; Secure" : ""}`
  );
}

/** The OAuth state: Lax (see startGitHubSignIn), and only ever sent to the sign-in paths. */
export function stateCookie(value: string, maxAgeMs: number, secure: boolean): string {
  return (
    `${OAUTH_STATE_COOKIE}=${value}; Path=${GITHUB_START_PATH}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; ` +
    `SameSite=Lax${secure ? "; Secure" : ""}`
  );
}

export function clearCookie(name: string, secure: boolean): string {
  return `${name}=; Path=${DASHBOARD_PREFIX}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/**
 * The urlencoded body of a dashboard form (at most MAX_FORM_BYTES), or null after answering
 * 413/415 (or when the client went away).
 */
export async function readForm(req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | null> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    res.writeHead(415, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
    res.end("Send the form as application/x-www-form-urlencoded.");
    return null;
  }
  const read = await readRequestBody(req, MAX_FORM_BYTES);
  if (read.ok) return new URLSearchParams(read.body.toString("utf8"));
  if (read.reason === "too-large") {
    res.writeHead(413, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", ...TOO_LARGE_HEADERS });
    res.end(`Form too large: ${tooLargeMessage(MAX_FORM_BYTES)}.`);
  }
  return null;
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
