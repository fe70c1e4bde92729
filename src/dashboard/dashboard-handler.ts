/**
 * The audit dashboard: read-only HTML pages over the audit store at /countersign/ (everything
 * except /countersign/api/, which is the JSON API's). A Probot `addHandler` handler.
 *
 *   GET  /countersign/                       overview: headline numbers, charts, latest bypasses
 *   GET  /countersign/merges                 the merges table (the `audit merges` filters), cursor paging
 *   GET  /countersign/merges.csv             every merge matching the same filters, as CSV
 *   GET  /countersign/merges/:owner/:repo/:n one merge in full
 *   GET  /countersign/commit?sha=…           the merge containing a commit → its page
 *   GET  /countersign/chain                  chain head; ?verify=1 walks the chain
 *   GET  /countersign/login, POST …/login    sign in with AUDIT_API_TOKEN
 *   POST /countersign/logout
 *
 * Request handling, in order: 1. path outside the dashboard → false (next handler); 2. sign-in
 * and sign-out; 3. only GET/HEAD from here on; 4. no valid session → redirect to sign-in;
 * 5. the page. Every response carries a CSP that allows the one stylesheet and no script.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { AuditInputError } from "../audit/audit-input-error.js";
import type { AuditStore } from "../audit/audit-store.js";
import { chainPage } from "./chain-page.js";
import { loadFigures } from "./dashboard-figures.js";
import { parseFilter, problemOf, type FilterProblem } from "./dashboard-filter.js";
import { DashboardSessions, LOGIN_NONCE_TTL_MS, SESSION_TTL_MS, type DashboardSession } from "./dashboard-sessions.js";
import type { SafeHtml } from "./html.js";
import { CONTENT_SECURITY_POLICY, DASHBOARD_PREFIX, mergeHref } from "./layout.js";
import { loginPage, messagePage } from "./login-page.js";
import { mergePage } from "./merge-page.js";
import { sendMergesCsv } from "./merges-csv.js";
import { mergesPage, PAGE_SIZE } from "./merges-page.js";
import { overviewPage } from "./overview-page.js";

export const SESSION_COOKIE = "countersign_session";
export const LOGIN_COOKIE = "countersign_login";
const API_PREFIX = `${DASHBOARD_PREFIX}/api`;
const MAX_FORM_BYTES = 8 * 1024;
/** Failed sign-ins allowed per client address per window (the token itself is ≥ 16 characters). */
const MAX_FAILED_LOGINS = 10;
const FAILED_LOGIN_WINDOW_MS = 15 * 60 * 1000;

export interface DashboardLog {
  info?: (details: Record<string, unknown>, message: string) => void;
  warn?: (details: Record<string, unknown>, message: string) => void;
  error: (details: Record<string, unknown>, message: string) => void;
}

export interface DashboardOptions {
  store: AuditStore;
  /** AUDIT_API_TOKEN. Empty or undefined: the dashboard is off (the handler always returns false). */
  token: string | undefined;
  log?: DashboardLog;
  /**
   * Mark cookies Secure. Default: when the request came over TLS or a proxy says so
   * (`X-Forwarded-Proto: https`). Set true behind a TLS proxy that does not send the header.
   */
  secureCookies?: boolean;
  /** Links to pull requests and commits (GHE: https://github.example.com). */
  githubUrl?: string;
  /** The clock (tests pin it). */
  now?: () => Date;
}

export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

export function createDashboardHandler(options: DashboardOptions): DashboardHandler {
  if (!options.token) return async () => false;
  const sessions = new DashboardSessions(options.token);
  const now = options.now ?? (() => new Date());
  const log = options.log ?? { error: (details, message) => console.error(message, details) };
  const githubUrl = options.githubUrl ?? "https://github.com";
  const failures = new Map<string, { count: number; resetAt: number }>();
  const { store } = options;

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path !== DASHBOARD_PREFIX && !path.startsWith(`${DASHBOARD_PREFIX}/`)) return false;
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return false;

    const secure = options.secureCookies ?? isHttps(req);
    const clock = now().getTime();
    try {
      // 2. Sign-in and sign-out.
      if (path === `${DASHBOARD_PREFIX}/login`) {
        if (req.method === "POST") return await login(req, res, secure, clock);
        if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res, "GET, HEAD, POST");
        const signedIn = sessionOf(req, clock);
        if (signedIn) return redirect(res, safeNext(url.searchParams.get("next")));
        return showLogin(req, res, secure, safeNext(url.searchParams.get("next")), 200, {
          ...(url.searchParams.has("signed_out") ? { notice: "You are signed out." } : {}),
          ...(url.searchParams.has("expired") ? { notice: "Your session expired; sign in again." } : {}),
        });
      }
      if (path === `${DASHBOARD_PREFIX}/logout`) {
        if (req.method !== "POST") return methodNotAllowed(res, "POST");
        const session = sessionOf(req, clock);
        if (!session) return redirect(res, `${DASHBOARD_PREFIX}/login`);
        const form = await readForm(req, res);
        if (!form) return true;
        if (!sessions.csrfMatches(session, form.get("csrf") ?? undefined)) return forbidden(res, session);
        sessions.revoke(session, clock);
        options.log?.info?.({ event: "dashboard.logout" }, "dashboard sign-out");
        return redirect(res, `${DASHBOARD_PREFIX}/login?signed_out=1`, { "set-cookie": clearCookie(SESSION_COOKIE, secure) });
      }

      // 3. Everything else is read-only.
      if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res, "GET, HEAD");

      // 4. No data without a session.
      const session = sessionOf(req, clock);
      if (!session) {
        const hadCookie = cookies(req).has(SESSION_COOKIE);
        const next = path + url.search;
        const query = new URLSearchParams({ next: safeNext(next) });
        if (hadCookie) query.set("expired", "1");
        return redirect(res, `${DASHBOARD_PREFIX}/login?${query.toString()}`, hadCookie ? { "set-cookie": clearCookie(SESSION_COOKIE, secure) } : {});
      }
      const csrfToken = sessions.csrfToken(session);

      // 5. The pages.
      if (path === DASHBOARD_PREFIX) return redirect(res, `${DASHBOARD_PREFIX}/${url.search}`);
      if (path === `${DASHBOARD_PREFIX}/`) return await overview(res, url, csrfToken);
      if (path === `${DASHBOARD_PREFIX}/merges`) return await merges(res, url, csrfToken);
      if (path === `${DASHBOARD_PREFIX}/merges.csv`) return await csv(res, url, csrfToken);
      if (path.startsWith(`${DASHBOARD_PREFIX}/merges/`)) return await merge(res, path, csrfToken);
      if (path === `${DASHBOARD_PREFIX}/commit`) return await commit(res, url, csrfToken);
      if (path === `${DASHBOARD_PREFIX}/chain`) return await chain(res, url, csrfToken);
      return sendHtml(res, 404, messagePage({ title: "Not found", message: "There is no dashboard page here.", csrfToken, link: { href: `${DASHBOARD_PREFIX}/`, label: "Go to the overview" } }));
    } catch (error) {
      log.error({ err: error, path }, "audit dashboard request failed");
      if (!res.headersSent) sendHtml(res, 500, messagePage({ title: "Something went wrong", message: "The dashboard could not answer this request. The error is in the server log." }));
      else res.destroy();
      return true;
    }
  };

  // ---- sign-in ---------------------------------------------------------------------------------

  function sessionOf(req: IncomingMessage, clock: number): DashboardSession | null {
    for (const value of cookies(req).get(SESSION_COOKIE) ?? []) {
      const session = sessions.verify(value, clock);
      if (session) return session;
    }
    return null;
  }

  function showLogin(req: IncomingMessage, res: ServerResponse, secure: boolean, next: string, status: number, message: { error?: string; notice?: string }): true {
    const existing = (cookies(req).get(LOGIN_COOKIE) ?? []).find((v) => sessions.isLoginNonce(v));
    const nonce = existing ?? sessions.newLoginNonce();
    const headers: Record<string, string | string[]> = existing ? {} : { "set-cookie": cookie(LOGIN_COOKIE, nonce, LOGIN_NONCE_TTL_MS, secure) };
    return sendHtml(res, status, loginPage({ csrfToken: sessions.loginCsrfToken(nonce), next, ...message }), headers);
  }

  async function login(req: IncomingMessage, res: ServerResponse, secure: boolean, clock: number): Promise<true> {
    const form = await readForm(req, res);
    if (!form) return true;
    const next = safeNext(form.get("next"));
    const nonces = cookies(req).get(LOGIN_COOKIE) ?? [];
    if (!nonces.some((nonce) => sessions.loginCsrfMatches(nonce, form.get("csrf") ?? undefined))) {
      options.log?.warn?.({ event: "dashboard.login", outcome: "csrf" }, "dashboard sign-in refused: missing or wrong CSRF token");
      return sendHtml(res, 403, messagePage({
        title: "Sign-in form expired",
        message: "The form was missing its security token, or it came from another page. Cookies must be enabled for this site.",
        link: { href: `${DASHBOARD_PREFIX}/login?${new URLSearchParams({ next }).toString()}`, label: "Open a fresh sign-in form" },
      }));
    }
    const client = req.socket.remoteAddress ?? "unknown";
    const record = failures.get(client);
    if (record && record.resetAt > clock && record.count >= MAX_FAILED_LOGINS) {
      const retry = Math.ceil((record.resetAt - clock) / 1000);
      options.log?.warn?.({ event: "dashboard.login", outcome: "throttled", client }, "dashboard sign-in throttled");
      return sendHtml(res, 429, messagePage({ title: "Too many attempts", message: `Too many wrong tokens from this address. Try again in ${Math.ceil(retry / 60)} minutes.` }), { "retry-after": String(retry) });
    }
    if (!sessions.tokenMatches(form.get("token") ?? "")) {
      const current = record && record.resetAt > clock ? record : { count: 0, resetAt: clock + FAILED_LOGIN_WINDOW_MS };
      current.count += 1;
      failures.set(client, current);
      if (failures.size > 10_000) for (const [k, v] of failures) if (v.resetAt <= clock) failures.delete(k);
      options.log?.warn?.({ event: "dashboard.login", outcome: "bad_token", client }, "dashboard sign-in refused: wrong token");
      return showLogin(req, res, secure, next, 401, { error: "That token is not the audit token. Check AUDIT_API_TOKEN and try again." });
    }
    failures.delete(client);
    const { cookieValue } = sessions.issue(clock);
    options.log?.info?.({ event: "dashboard.login", outcome: "ok", client }, "dashboard sign-in");
    return redirect(res, next, { "set-cookie": [cookie(SESSION_COOKIE, cookieValue, SESSION_TTL_MS, secure), clearCookie(LOGIN_COOKIE, secure)] });
  }

  // ---- pages -----------------------------------------------------------------------------------

  async function overview(res: ServerResponse, url: URL, csrfToken: string): Promise<true> {
    const parsed = parseFilter(new URLSearchParams({ repo: url.searchParams.get("repo") ?? "", team: url.searchParams.get("team") ?? "" }));
    const scopeProblems = parsed.problems.filter((p): p is FilterProblem & { field: "repo" | "team" } => p.field === "repo" || p.field === "team");
    const scope = { ...(parsed.filter.repo ? { repo: parsed.filter.repo } : {}), ...(parsed.filter.team ? { team: parsed.filter.team } : {}) };
    const figures = await loadFigures(store, { now: now(), filter: scope });
    const recentBypasses = await store.listMerges({ ...scope, bypassed: true, limit: 5 });
    const chainHead = await store.head();
    return sendHtml(res, scopeProblems.length ? 400 : 200, overviewPage({ csrfToken, figures, scope: { repo: parsed.values.repo, team: parsed.values.team }, scopeProblems, recentBypasses, chainHead }));
  }

  async function merges(res: ServerResponse, url: URL, csrfToken: string): Promise<true> {
    const parsed = parseFilter(url.searchParams);
    const pageNumber = /^[1-9]\d{0,5}$/.test(url.searchParams.get("page") ?? "") && parsed.cursor ? Number(url.searchParams.get("page")) : 1;
    const base = { csrfToken, values: parsed.values, pageNumber };
    if (parsed.problems.length > 0) return sendHtml(res, 400, mergesPage({ ...base, problems: parsed.problems, merges: null, nextCursor: null }));
    try {
      const found = await store.listMergesPage({ ...parsed.filter, limit: PAGE_SIZE, ...(parsed.cursor ? { cursor: parsed.cursor } : {}) });
      return sendHtml(res, 200, mergesPage({ ...base, problems: [], merges: found.merges, nextCursor: found.nextCursor }));
    } catch (error) {
      if (!(error instanceof AuditInputError)) throw error;
      return sendHtml(res, 400, mergesPage({ ...base, problems: [problemOf(error)], merges: null, nextCursor: null }));
    }
  }

  async function csv(res: ServerResponse, url: URL, csrfToken: string): Promise<true> {
    const parsed = parseFilter(url.searchParams);
    const refuse = (problems: FilterProblem[]) => sendHtml(res, 400, mergesPage({ csrfToken, values: parsed.values, pageNumber: 1, problems, merges: null, nextCursor: null }));
    if (parsed.problems.length > 0) return refuse(parsed.problems);
    const filename = `countersign-merges-${now().toISOString().slice(0, 10)}.csv`;
    try {
      const rows = await sendMergesCsv(res, store, parsed.filter, filename, SECURITY_HEADERS);
      options.log?.info?.({ event: "dashboard.csv", rows, filter: parsed.filter }, "dashboard CSV download");
      return true;
    } catch (error) {
      if (error instanceof AuditInputError && !res.headersSent) return refuse([problemOf(error)]);
      throw error;
    }
  }

  async function merge(res: ServerResponse, path: string, csrfToken: string): Promise<true> {
    const parts = path.slice(`${DASHBOARD_PREFIX}/merges/`.length).split("/").map(decodeSegment);
    const [owner, name, number] = parts;
    if (parts.length !== 3 || !owner || !name || !number || !/^[\w.-]+$/.test(owner) || !/^[\w.-]+$/.test(name) || !/^[1-9]\d{0,9}$/.test(number)) {
      return sendHtml(res, 404, messagePage({ title: "Not found", message: "A merge page is /countersign/merges/owner/repo/number.", csrfToken, link: { href: `${DASHBOARD_PREFIX}/merges`, label: "All merges" } }));
    }
    const record = await store.getMerge(`${owner}/${name}`, Number(number));
    if (!record) {
      return sendHtml(res, 404, messagePage({ title: "No merge recorded", message: `No merge is recorded for ${owner}/${name}#${number}.`, csrfToken, link: { href: `${DASHBOARD_PREFIX}/merges`, label: "All merges" } }));
    }
    return sendHtml(res, 200, mergePage({ csrfToken, merge: record, githubUrl }));
  }

  async function commit(res: ServerResponse, url: URL, csrfToken: string): Promise<true> {
    const sha = (url.searchParams.get("sha") ?? "").trim();
    if (!/^[0-9a-fA-F]{7,64}$/.test(sha)) {
      return sendHtml(res, 400, messagePage({ title: "Not a commit SHA", message: "Give at least 7 hexadecimal characters of a commit SHA.", csrfToken, link: { href: `${DASHBOARD_PREFIX}/`, label: "Back to the overview" } }));
    }
    const found = await store.findMergeBySha(sha.toLowerCase());
    if (!found) {
      return sendHtml(res, 404, messagePage({ title: "No merge contains this commit", message: `No recorded merge contains commit ${sha}: it was not merged through a pull request Countersign saw (try countersign backfill).`, csrfToken, link: { href: `${DASHBOARD_PREFIX}/`, label: "Back to the overview" } }));
    }
    return redirect(res, mergeHref(found.repo, found.prNumber));
  }

  async function chain(res: ServerResponse, url: URL, csrfToken: string): Promise<true> {
    const checkpoint = (url.searchParams.get("checkpoint") ?? "").trim().slice(0, 200);
    const head = await store.head();
    let verified = null;
    let checkpointProblem: string | null = null;
    if (url.searchParams.get("verify") === "1") {
      try {
        verified = await store.verify(checkpoint ? { checkpoint } : {});
      } catch (error) {
        if (!(error instanceof AuditInputError)) throw error;
        checkpointProblem = error.message;
      }
    }
    return sendHtml(res, checkpointProblem ? 400 : 200, chainPage({ csrfToken, head, verified, checkpoint, checkpointProblem }));
  }

  // ---- responses -------------------------------------------------------------------------------

  function forbidden(res: ServerResponse, session: DashboardSession): true {
    options.log?.warn?.({ event: "dashboard.csrf" }, "dashboard POST refused: missing or wrong CSRF token");
    return sendHtml(res, 403, messagePage({ title: "Request refused", message: "The form was missing its security token, or it came from another page. Nothing was changed.", csrfToken: sessions.csrfToken(session), link: { href: `${DASHBOARD_PREFIX}/`, label: "Back to the overview" } }));
  }
}

function sendHtml(res: ServerResponse, status: number, body: SafeHtml, headers: Record<string, string | string[]> = {}): true {
  const text = body.value;
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
  return true;
}

/** 303 See Other: after a POST the browser follows with a GET. */
function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): true {
  res.writeHead(303, { ...SECURITY_HEADERS, location, "content-length": "0", ...headers });
  res.end();
  return true;
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
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
  if (path.startsWith(API_PREFIX) || path === `${DASHBOARD_PREFIX}/login` || path === `${DASHBOARD_PREFIX}/logout`) return fallback;
  return next;
}

function isHttps(req: IncomingMessage): boolean {
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
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

function cookie(name: string, value: string, maxAgeMs: number, secure: boolean): string {
  return `${name}=${value}; Path=${DASHBOARD_PREFIX}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

function clearCookie(name: string, secure: boolean): string {
  return `${name}=; Path=${DASHBOARD_PREFIX}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The urlencoded body of a dashboard form (at most 8 KiB), or null after answering 413/415/400. */
async function readForm(req: IncomingMessage, res: ServerResponse): Promise<URLSearchParams | null> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    res.writeHead(415, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" });
    res.end("Send the form as application/x-www-form-urlencoded.");
    return null;
  }
  const tooLarge = () => {
    res.writeHead(413, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", connection: "close" });
    res.end("Form too large.");
    return null;
  };
  if (Number(req.headers["content-length"] ?? 0) > MAX_FORM_BYTES) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early (a chunked body past the limit) destroys the request stream.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return tooLarge();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
