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
 *   GET  /countersign/login, POST …/login    sign in with AUDIT_API_TOKEN (when set)
 *   GET  /countersign/auth/github[/callback] sign in with GitHub (GITHUB_CLIENT_ID/SECRET set)
 *   POST /countersign/logout
 *
 * Request handling, in order: 1. path outside the dashboard → false (next handler); 2. sign-in
 * and sign-out; 3. only GET/HEAD from here on; 4. no valid session → redirect to sign-in;
 * 5. the page, scoped to what the session may see: a GitHub session only its repositories
 * (another repository's merge is "not recorded", exactly like a missing one) and no audit chain.
 * Every response carries a CSP that allows the one stylesheet and no script.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuditInputError } from "../audit/audit-input-error.js";
import type { MergeFilter } from "../audit/audit-store.js";
import { normalizeRepo } from "../audit/merge-query.js";
import { clientAddress } from "../http/client-address.js";
import { authorizeUrl, GitHubSignInError, signInWithCode, type GitHubOAuthConfig } from "../github/user-sign-in.js";
import { chainPage } from "./chain-page.js";
import { loadFigures } from "./dashboard-figures.js";
import { parseFilter, problemOf, type FilterProblem } from "./dashboard-filter.js";
import {
  DashboardSessions,
  LOGIN_NONCE_TTL_MS,
  MAX_SESSION_COOKIE_VALUE,
  SESSION_TTL_MS,
  type DashboardSession,
} from "./dashboard-sessions.js";
import {
  callbackUrl,
  GITHUB_CALLBACK_PATH,
  GITHUB_START_PATH,
  matchOAuthState,
  newOAuthState,
  OAUTH_STATE_TTL_MS,
  signInRefusal,
} from "./github-sign-in.js";
import { DASHBOARD_PREFIX, mergeHref } from "./layout.js";
import { loginPage, messagePage, signedInPage } from "./login-page.js";
import { mergePage } from "./merge-page.js";
import { incidentsPage } from "./incidents-page.js";
import { sendMergesCsv } from "./merges-csv.js";
import { mergesPage, PAGE_SIZE } from "./merges-page.js";
import { parkedDeliveries } from "./inbox-section.js";
import { overviewPage } from "./overview-page.js";
import {
  API_PREFIX,
  LOGIN_COOKIE,
  OAUTH_STATE_COOKIE,
  SECURITY_HEADERS,
  SESSION_COOKIE,
  clearCookie,
  cookies,
  cookie,
  decodeSegment,
  isHttps,
  methodNotAllowed,
  readForm,
  redirect,
  safeNext,
  sendHtml,
  stateCookie,
} from "./responses.js";

export { cookies, LOGIN_COOKIE, OAUTH_STATE_COOKIE, SESSION_COOKIE, safeNext } from "./responses.js";
export type { DashboardLog, DashboardOptions } from "./dashboard-options.js";
import { type DashboardOptions, FAILED_LOGIN_WINDOW_MS, MAX_FAILED_LOGINS, type Viewer } from "./dashboard-options.js";

export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createDashboardHandler(options: DashboardOptions): DashboardHandler {
  const github = options.github ?? null;
  if (!options.token && !github) return async () => false;
  const sessions = new DashboardSessions(options.token, github?.clientSecret);
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
      if (path === GITHUB_START_PATH || path === GITHUB_CALLBACK_PATH) {
        if (!github)
          return sendHtml(
            res,
            404,
            messagePage({
              title: "Not found",
              message: "GitHub sign-in is not configured on this server.",
              link: { href: `${DASHBOARD_PREFIX}/login`, label: "Sign in" },
            }),
          );
        if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res, "GET, HEAD");
        if (path === GITHUB_START_PATH) return startGitHubSignIn(req, res, github, secure, safeNext(url.searchParams.get("next")));
        return await finishGitHubSignIn(req, res, github, secure, url, clock);
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
        return redirect(
          res,
          `${DASHBOARD_PREFIX}/login?${query.toString()}`,
          hadCookie ? { "set-cookie": clearCookie(SESSION_COOKIE, secure) } : {},
        );
      }
      const viewer = viewerOf(session);

      // 5. The pages.
      if (path === DASHBOARD_PREFIX) return redirect(res, `${DASHBOARD_PREFIX}/${url.search}`);
      if (path === `${DASHBOARD_PREFIX}/`) return await overview(res, url, viewer);
      if (path === `${DASHBOARD_PREFIX}/merges`) return await merges(res, url, viewer);
      if (path === `${DASHBOARD_PREFIX}/merges.csv`) return await csv(res, url, viewer);
      if (path.startsWith(`${DASHBOARD_PREFIX}/merges/`)) return await merge(res, path, viewer);
      if (path === `${DASHBOARD_PREFIX}/incidents`) return await incidents(res, viewer);
      if (path === `${DASHBOARD_PREFIX}/commit`) return await commit(res, url, viewer);
      if (path === `${DASHBOARD_PREFIX}/chain`) return await chain(res, url, viewer);
      return sendHtml(
        res,
        404,
        messagePage({
          title: "Not found",
          message: "There is no dashboard page here.",
          signedIn: viewer.signedIn,
          link: { href: `${DASHBOARD_PREFIX}/`, label: "Go to the overview" },
        }),
      );
    } catch (error) {
      log.error({ err: error, path }, "audit dashboard request failed");
      if (!res.headersSent)
        sendHtml(
          res,
          500,
          messagePage({
            title: "Something went wrong",
            message: "The dashboard could not answer this request. The error is in the server log.",
          }),
        );
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

  function viewerOf(session: DashboardSession): Viewer {
    const { access } = session;
    return {
      signedIn: {
        csrfToken: sessions.csrfToken(session),
        login: access.kind === "github" ? access.login : null,
        admin: access.kind === "token",
      },
      repos: access.kind === "github" ? access.repos : null,
    };
  }

  function showLogin(
    req: IncomingMessage,
    res: ServerResponse,
    secure: boolean,
    next: string,
    status: number,
    message: { error?: string; notice?: string },
  ): true {
    if (!options.token) return sendHtml(res, status, loginPage({ csrfToken: null, github: true, next, ...message }));
    const existing = (cookies(req).get(LOGIN_COOKIE) ?? []).find((v) => sessions.isLoginNonce(v));
    const nonce = existing ?? sessions.newLoginNonce();
    const headers: Record<string, string | string[]> = existing
      ? {}
      : { "set-cookie": cookie(LOGIN_COOKIE, nonce, LOGIN_NONCE_TTL_MS, secure) };
    return sendHtml(
      res,
      status,
      loginPage({ csrfToken: sessions.loginCsrfToken(nonce), github: github !== null, next, ...message }),
      headers,
    );
  }

  /** 302 to GitHub's authorize page, with a fresh state remembered in a short-lived cookie. */
  function startGitHubSignIn(req: IncomingMessage, res: ServerResponse, config: GitHubOAuthConfig, secure: boolean, next: string): true {
    const { state, cookieValue } = newOAuthState(next);
    const location = authorizeUrl(config, { redirectUri: callbackUrl(req, secure), state });
    // SameSite=Lax: GitHub's redirect back is a cross-site top-level GET, which Strict would strip.
    res.writeHead(302, {
      ...SECURITY_HEADERS,
      location,
      "content-length": "0",
      "set-cookie": stateCookie(cookieValue, OAUTH_STATE_TTL_MS, secure),
    });
    res.end();
    return true;
  }

  /**
   * GitHub's redirect back: 1. the state must be the one this browser was given (login CSRF);
   * 2. GitHub's own refusals (the user clicked Cancel); 3. the code → who the user is and which
   * repositories they can read (the token is dropped after these reads); 4. the session cookie,
   * on a page that moves on by itself: Chromium does not send a SameSite=Strict cookie set in
   * answer to a cross-site navigation on an immediate redirect, but does on the next navigation
   * this same-origin page starts.
   */
  async function finishGitHubSignIn(
    req: IncomingMessage,
    res: ServerResponse,
    config: GitHubOAuthConfig,
    secure: boolean,
    url: URL,
    clock: number,
  ): Promise<true> {
    const clearState = stateCookie("", 0, secure);
    const again = { href: `${DASHBOARD_PREFIX}/login`, label: "Sign in again" };
    const refuse = (status: number, title: string, message: string, outcome: string, details: Record<string, unknown> = {}) => {
      const line = { event: "dashboard.login", method: "github", outcome, ...details };
      // GitHub failing is the operator's problem; a refused or abandoned sign-in is the user's.
      if (outcome === "unavailable") log.error(line, "dashboard GitHub sign-in failed: GitHub did not answer");
      else options.log?.warn?.(line, `dashboard GitHub sign-in refused: ${outcome}`);
      return sendHtml(res, status, messagePage({ title, message, link: again }), { "set-cookie": clearState });
    };
    const matched = matchOAuthState(cookies(req).get(OAUTH_STATE_COOKIE) ?? [], url.searchParams.get("state"));
    if (!matched) {
      return refuse(
        400,
        "Sign-in could not be checked",
        "This sign-in did not start in this browser, or it took longer than 10 minutes. Nothing was signed in; start again from " +
          "the sign-in page.",
        "state",
      );
    }
    const error = url.searchParams.get("error");
    if (error === "access_denied")
      return refuse(403, "Sign-in cancelled", "You did not authorize Countersign on GitHub, so you are not signed in.", "access_denied");
    if (error)
      return refuse(
        400,
        "GitHub refused the sign-in",
        `GitHub answered: ${(url.searchParams.get("error_description") ?? error).slice(0, 300)}`,
        "github_error",
      );
    const code = url.searchParams.get("code");
    if (!code || code.length > 512)
      return refuse(
        400,
        "Sign-in could not be checked",
        "GitHub's answer had no sign-in code. Nothing was signed in; start again.",
        "no_code",
      );

    let access: Awaited<ReturnType<typeof signInWithCode>>;
    try {
      access = await signInWithCode(config, { code, redirectUri: callbackUrl(req, secure) }, options.fetch ?? fetch);
    } catch (err) {
      if (!(err instanceof GitHubSignInError)) throw err;
      const page = signInRefusal(err);
      return refuse(page.status, page.title, page.message, err.reason, { ...err.details, reason: err.message });
    }
    const next = safeNext(matched.next);
    const { cookieValue } = sessions.issue(clock, { kind: "github", login: access.login, repos: access.repos });
    if (cookieValue.length > MAX_SESSION_COOKIE_VALUE) {
      return refuse(
        403,
        "Too many repositories for a session",
        `You can read ${access.repos.length} repositories through Countersign, more than a dashboard session can hold. Ask an ` +
          `administrator for the audit token.`,
        "too_many_repos",
      );
    }
    options.log?.info?.(
      { event: "dashboard.login", method: "github", outcome: "ok", login: access.login, repos: access.repos.length },
      "dashboard sign-in with GitHub",
    );
    return sendHtml(res, 200, signedInPage({ login: access.login, next }), {
      "set-cookie": [cookie(SESSION_COOKIE, cookieValue, SESSION_TTL_MS, secure), clearState, clearCookie(LOGIN_COOKIE, secure)],
    });
  }

  async function login(req: IncomingMessage, res: ServerResponse, secure: boolean, clock: number): Promise<true> {
    if (!options.token)
      return sendHtml(
        res,
        404,
        messagePage({
          title: "Not found",
          message: "Token sign-in is not configured on this server: sign in with GitHub.",
          link: { href: `${DASHBOARD_PREFIX}/login`, label: "Sign in" },
        }),
      );
    const form = await readForm(req, res);
    if (!form) return true;
    const next = safeNext(form.get("next"));
    const nonces = cookies(req).get(LOGIN_COOKIE) ?? [];
    if (!nonces.some((nonce) => sessions.loginCsrfMatches(nonce, form.get("csrf") ?? undefined))) {
      options.log?.warn?.({ event: "dashboard.login", outcome: "csrf" }, "dashboard sign-in refused: missing or wrong CSRF token");
      return sendHtml(
        res,
        403,
        messagePage({
          title: "Sign-in form expired",
          message: "The form was missing its security token, or it came from another page. Cookies must be enabled for this site.",
          link: { href: `${DASHBOARD_PREFIX}/login?${new URLSearchParams({ next }).toString()}`, label: "Open a fresh sign-in form" },
        }),
      );
    }
    const client = clientAddress(req, options.trustedProxies);
    const record = failures.get(client);
    if (record && record.resetAt > clock && record.count >= MAX_FAILED_LOGINS) {
      const retry = Math.ceil((record.resetAt - clock) / 1000);
      options.log?.warn?.({ event: "dashboard.login", outcome: "throttled", client }, "dashboard sign-in throttled");
      return sendHtml(
        res,
        429,
        messagePage({
          title: "Too many attempts",
          message: `Too many wrong tokens from this address. Try again in ${Math.ceil(retry / 60)} minutes.`,
        }),
        { "retry-after": String(retry) },
      );
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
    return redirect(res, next, {
      "set-cookie": [cookie(SESSION_COOKIE, cookieValue, SESSION_TTL_MS, secure), clearCookie(LOGIN_COOKIE, secure)],
    });
  }

  // ---- pages -----------------------------------------------------------------------------------

  /** The session's repositories as a store filter: a GitHub session never sees beyond them. */
  function scoped<F extends MergeFilter>(filter: F, viewer: Viewer): F {
    return viewer.repos === null ? filter : { ...filter, repos: viewer.repos };
  }

  async function overview(res: ServerResponse, url: URL, viewer: Viewer): Promise<true> {
    const parsed = parseFilter(new URLSearchParams({ repo: url.searchParams.get("repo") ?? "", team: url.searchParams.get("team") ?? "" }));
    const scopeProblems = parsed.problems.filter(
      (p): p is FilterProblem & { field: "repo" | "team" } => p.field === "repo" || p.field === "team",
    );
    const scope = scoped(
      { ...(parsed.filter.repo ? { repo: parsed.filter.repo } : {}), ...(parsed.filter.team ? { team: parsed.filter.team } : {}) },
      viewer,
    );
    const figures = await loadFigures(store, { now: now(), filter: scope });
    const recentBypasses = (await store.listMergesPage({ ...scope, bypassed: true, limit: 5 })).merges;
    // The chain head is the whole trail's: admin (token) sessions only.
    const chainHead = viewer.signedIn.admin ? ((await store.head()) ?? "empty") : null;
    const parked = viewer.signedIn.admin ? await parkedDeliveries(store) : null;
    const typed = { repo: parsed.values.repo, team: parsed.values.team };
    const body = overviewPage({
      signedIn: viewer.signedIn,
      figures,
      scope: typed,
      scopeProblems,
      recentBypasses,
      chainHead,
      readable: viewer.repos,
      parked,
    });
    return sendHtml(res, scopeProblems.length ? 400 : 200, body);
  }

  async function merges(res: ServerResponse, url: URL, viewer: Viewer): Promise<true> {
    const parsed = parseFilter(url.searchParams);
    const pageNumber =
      /^[1-9]\d{0,5}$/.test(url.searchParams.get("page") ?? "") && parsed.cursor ? Number(url.searchParams.get("page")) : 1;
    const base = { signedIn: viewer.signedIn, values: parsed.values, pageNumber };
    if (parsed.problems.length > 0)
      return sendHtml(res, 400, mergesPage({ ...base, problems: parsed.problems, merges: null, nextCursor: null }));
    try {
      const found = await store.listMergesPage(
        scoped({ ...parsed.filter, limit: PAGE_SIZE, ...(parsed.cursor ? { cursor: parsed.cursor } : {}) }, viewer),
      );
      return sendHtml(res, 200, mergesPage({ ...base, problems: [], merges: found.merges, nextCursor: found.nextCursor }));
    } catch (error) {
      if (!(error instanceof AuditInputError)) throw error;
      return sendHtml(res, 400, mergesPage({ ...base, problems: [problemOf(error)], merges: null, nextCursor: null }));
    }
  }

  async function csv(res: ServerResponse, url: URL, viewer: Viewer): Promise<true> {
    const parsed = parseFilter(url.searchParams);
    const refuse = (problems: FilterProblem[]) =>
      sendHtml(
        res,
        400,
        mergesPage({ signedIn: viewer.signedIn, values: parsed.values, pageNumber: 1, problems, merges: null, nextCursor: null }),
      );
    if (parsed.problems.length > 0) return refuse(parsed.problems);
    const filename = `countersign-merges-${now().toISOString().slice(0, 10)}.csv`;
    try {
      const rows = await sendMergesCsv(res, store, scoped(parsed.filter, viewer), filename, SECURITY_HEADERS);
      options.log?.info?.({ event: "dashboard.csv", rows, filter: parsed.filter }, "dashboard CSV download");
      return true;
    } catch (error) {
      if (error instanceof AuditInputError && !res.headersSent) return refuse([problemOf(error)]);
      throw error;
    }
  }

  async function merge(res: ServerResponse, path: string, viewer: Viewer): Promise<true> {
    const { signedIn } = viewer;
    const parts = path.slice(`${DASHBOARD_PREFIX}/merges/`.length).split("/").map(decodeSegment);
    const [owner, name, number] = parts;
    if (
      parts.length !== 3 ||
      !owner ||
      !name ||
      !number ||
      !/^[\w.-]+$/.test(owner) ||
      !/^[\w.-]+$/.test(name) ||
      !/^[1-9]\d{0,9}$/.test(number)
    ) {
      return sendHtml(
        res,
        404,
        messagePage({
          title: "Not found",
          message: "A merge page is /countersign/merges/owner/repo/number.",
          signedIn,
          link: { href: `${DASHBOARD_PREFIX}/merges`, label: "All merges" },
        }),
      );
    }
    // Outside the session's repositories is answered exactly like a merge that does not exist.
    const visible = viewer.repos === null || viewer.repos.includes(normalizeRepo(`${owner}/${name}`));
    const record = visible ? await store.getMerge(`${owner}/${name}`, Number(number)) : null;
    if (!record) {
      return sendHtml(
        res,
        404,
        messagePage({
          title: "No merge recorded",
          message: `No merge is recorded for ${owner}/${name}#${number}.`,
          signedIn,
          link: { href: `${DASHBOARD_PREFIX}/merges`, label: "All merges" },
        }),
      );
    }
    const incidents = await store.incidentsForMerge(record.repo, record.prNumber);
    return sendHtml(res, 200, mergePage({ signedIn, merge: record, incidents, githubUrl }));
  }

  async function incidents(res: ServerResponse, viewer: Viewer): Promise<true> {
    const limit = 200;
    // A GitHub session sees an incident only through a merge it can see (the store filters), and only those links.
    const found = await store.listIncidents({ limit: limit + 1, ...(viewer.repos === null ? {} : { repos: viewer.repos }) });
    const repos = viewer.repos;
    const visible =
      repos === null ? found : found.map((i) => ({ ...i, links: i.links.filter((l) => repos.includes(normalizeRepo(l.repo))) }));
    return sendHtml(res, 200, incidentsPage({ signedIn: viewer.signedIn, incidents: visible.slice(0, limit), more: found.length > limit }));
  }

  async function commit(res: ServerResponse, url: URL, viewer: Viewer): Promise<true> {
    const { signedIn } = viewer;
    const sha = (url.searchParams.get("sha") ?? "").trim();
    if (!/^[0-9a-fA-F]{7,64}$/.test(sha)) {
      return sendHtml(
        res,
        400,
        messagePage({
          title: "Not a commit SHA",
          message: "Give at least 7 hexadecimal characters of a commit SHA.",
          signedIn,
          link: { href: `${DASHBOARD_PREFIX}/`, label: "Back to the overview" },
        }),
      );
    }
    const found = await store.findMergeBySha(sha.toLowerCase(), viewer.repos === null ? {} : { repos: viewer.repos });
    if (!found) {
      return sendHtml(
        res,
        404,
        messagePage({
          title: "No merge contains this commit",
          message:
            `No recorded merge contains commit ${sha}: it was not merged through a pull request Countersign saw (try countersign ` +
            `backfill).`,
          signedIn,
          link: { href: `${DASHBOARD_PREFIX}/`, label: "Back to the overview" },
        }),
      );
    }
    return redirect(res, mergeHref(found.repo, found.prNumber));
  }

  async function chain(res: ServerResponse, url: URL, viewer: Viewer): Promise<true> {
    if (!viewer.signedIn.admin) {
      return sendHtml(
        res,
        403,
        messagePage({
          title: "Audit chain: administrators only",
          message:
            "The audit chain links every repository's records, so its head and its verification are shown only to sessions signed " +
            "in with the audit token. You signed in with GitHub and see the merges of your repositories.",
          signedIn: viewer.signedIn,
          link: { href: `${DASHBOARD_PREFIX}/merges`, label: "Your merges" },
        }),
      );
    }
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
    return sendHtml(
      res,
      checkpointProblem ? 400 : 200,
      chainPage({ signedIn: viewer.signedIn, head, verified, checkpoint, checkpointProblem }),
    );
  }

  // ---- responses -------------------------------------------------------------------------------

  function forbidden(res: ServerResponse, session: DashboardSession): true {
    options.log?.warn?.({ event: "dashboard.csrf" }, "dashboard POST refused: missing or wrong CSRF token");
    return sendHtml(
      res,
      403,
      messagePage({
        title: "Request refused",
        message: "The form was missing its security token, or it came from another page. Nothing was changed.",
        signedIn: viewerOf(session).signedIn,
        link: { href: `${DASHBOARD_PREFIX}/`, label: "Back to the overview" },
      }),
    );
  }
}
