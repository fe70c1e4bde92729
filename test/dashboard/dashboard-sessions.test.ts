/** Signed session cookies and CSRF tokens, without HTTP. */
import { DashboardSessions, SESSION_TTL_MS } from "../../src/dashboard/dashboard-sessions.js";
import { parseFilter } from "../../src/dashboard/dashboard-filter.js";
import { safeNext } from "../../src/dashboard/dashboard-handler.js";

const TOKEN = "a-long-enough-audit-token-for-tests";
const T0 = Date.parse("2026-11-20T15:00:00Z");

describe("session cookies", () => {
  const sessions = new DashboardSessions(TOKEN);

  test("a cookie it issued verifies until it expires (8 hours)", () => {
    const { session, cookieValue } = sessions.issue(T0);
    expect(session.expiresAt - T0).toBe(SESSION_TTL_MS);
    expect(cookieValue).toMatch(/^v1\.[A-Za-z0-9_-]{24}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(sessions.verify(cookieValue, T0 + 1)).toEqual(session);
    expect(sessions.verify(cookieValue, T0 + SESSION_TTL_MS - 1)).toEqual(session);
    expect(sessions.verify(cookieValue, T0 + SESSION_TTL_MS)).toBeNull();
  });

  test("a changed id, expiry or MAC, or another token's key, is refused", () => {
    const { cookieValue } = sessions.issue(T0);
    const [v, id, exp, mac] = cookieValue.split(".") as [string, string, string, string];
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    expect(sessions.verify([v, flip(id), exp, mac].join("."), T0)).toBeNull();
    expect(sessions.verify([v, id, String(Number(exp) + 3_600_000), mac].join("."), T0)).toBeNull();
    expect(sessions.verify([v, id, exp, flip(mac)].join("."), T0)).toBeNull();
    expect(sessions.verify(cookieValue + "x", T0)).toBeNull();
    expect(new DashboardSessions(`${TOKEN}-rotated`).verify(cookieValue, T0)).toBeNull();
    for (const junk of ["", "v1", "v1...", "v2.a.b.c", "x".repeat(5000)]) expect(sessions.verify(junk, T0)).toBeNull();
  });

  test("a signed-out session stays refused; others are unaffected", () => {
    const a = sessions.issue(T0);
    const b = sessions.issue(T0);
    sessions.revoke(a.session, T0);
    expect(sessions.verify(a.cookieValue, T0)).toBeNull();
    expect(sessions.verify(b.cookieValue, T0)).toEqual(b.session);
  });

  test("CSRF tokens are bound to the session, and sign-in tokens to their nonce", () => {
    const a = sessions.issue(T0).session;
    const b = sessions.issue(T0).session;
    expect(sessions.csrfMatches(a, sessions.csrfToken(a))).toBe(true);
    expect(sessions.csrfMatches(a, sessions.csrfToken(b))).toBe(false);
    expect(sessions.csrfMatches(a, undefined)).toBe(false);
    expect(sessions.csrfMatches(a, "")).toBe(false);
    const nonce = sessions.newLoginNonce();
    expect(sessions.loginCsrfMatches(nonce, sessions.loginCsrfToken(nonce))).toBe(true);
    expect(sessions.loginCsrfMatches(sessions.newLoginNonce(), sessions.loginCsrfToken(nonce))).toBe(false);
    expect(sessions.loginCsrfMatches(undefined, sessions.loginCsrfToken(nonce))).toBe(false);
    // A session CSRF token is not a sign-in token for a nonce equal to the session id.
    expect(sessions.loginCsrfMatches(a.id, sessions.csrfToken(a))).toBe(false);
  });

  test("a GitHub session carries its login and repositories under the MAC; the keys change with the client secret", () => {
    const withGitHub = new DashboardSessions(TOKEN, "a-github-client-secret-0123");
    const access = { kind: "github" as const, login: "ana", repos: ["acme/web", "acme/ui"] };
    const { session, cookieValue } = withGitHub.issue(T0, access);
    expect(cookieValue).toMatch(/^g1\.[A-Za-z0-9_-]{24}\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(withGitHub.verify(cookieValue, T0 + 1)).toEqual({ ...session, access });
    expect(withGitHub.verify(withGitHub.issue(T0).cookieValue, T0)?.access).toEqual({ kind: "token" });
    // Another client secret (rotated) or the token alone: not this server's cookie.
    expect(new DashboardSessions(TOKEN, "another-client-secret-0123").verify(cookieValue, T0)).toBeNull();
    expect(sessions.verify(cookieValue, T0)).toBeNull();
    // GitHub sign-in alone: no token matches.
    const githubOnly = new DashboardSessions(undefined, "a-github-client-secret-0123");
    expect(githubOnly.tokenMatches("")).toBe(false);
    expect(githubOnly.verify(githubOnly.issue(T0, access).cookieValue, T0)?.access).toEqual(access);
    expect(() => new DashboardSessions(undefined, undefined)).toThrow(/neither/);
  });

  test("the sign-in token comparison takes any input without throwing", () => {
    expect(sessions.tokenMatches(TOKEN)).toBe(true);
    for (const wrong of ["", TOKEN.slice(0, -1), `${TOKEN} `, TOKEN.toUpperCase(), "é".repeat(100)])
      expect(sessions.tokenMatches(wrong)).toBe(false);
  });
});

describe("where sign-in returns to", () => {
  test.each([
    ["/countersign/merges?path=src%2F**", "/countersign/merges?path=src%2F**"],
    ["/countersign", "/countersign"],
    ["https://evil.example/countersign/", "/countersign/"],
    ["//evil.example/countersign/", "/countersign/"],
    ["/countersign/\\evil.example", "/countersign/"],
    ["/countersign/api/merges", "/countersign/"],
    ["/countersign/logout", "/countersign/"],
    ["/countersignx", "/countersign/"],
    ["/healthz", "/countersign/"],
    [null, "/countersign/"],
  ])("%j → %j", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe("the filter form", () => {
  const parse = (q: string) => parseFilter(new URLSearchParams(q));

  test("empty fields mean any; set fields become the store filter", () => {
    expect(parse("repo=&path=&ai=&bypassed=").filter).toEqual({});
    expect(
      parse("repo=acme/web&path=src/ui/**&team=@acme/web&ai=ai&bypassed=true&reverted=false&since=2026-06-01&until=2026-06-30&sha=ABCDEF1")
        .filter,
    ).toEqual({
      repo: "acme/web",
      path: "src/ui/**",
      team: "@acme/web",
      ai: ["assisted", "generated", "agent"],
      bypassed: true,
      reverted: false,
      since: "2026-06-01",
      until: "2026-06-30",
      sha: "abcdef1",
    });
  });

  test("each bad field is named with what to type instead", () => {
    const { problems } = parse("repo=acme&team=payments&ai=robot&bypassed=maybe&since=last+week&sha=xyz&cursor=%3Cscript%3E");
    expect(problems.map((p) => p.field).sort()).toEqual(["ai", "bypassed", "cursor", "repo", "sha", "since", "team"]);
    expect(parse("since=2026-07-01&until=2026-06-01").problems).toEqual([
      { field: "until", message: "expected an end at or after the start (since)" },
    ]);
  });
});
