/**
 * "Sign in with GitHub" over real HTTP against the GitHub simulator: the redirect and its state
 * cookie, every refusal (state, Cancel, a bad code, GitHub down) without a session, and a GitHub
 * session that sees only the user's repositories everywhere, with no audit chain.
 */
import nock from "nock";
import type { GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { startDashboardServer, TEST_TOKEN, type DashboardServer } from "./support/dashboard-server.js";
import { CLIENT_ID, READER, signInWithGitHub, startGitHub } from "./support/github-sign-in.js";
import { cookieValue, hiddenField, request } from "./support/http.js";
import { CAPTURE_MERGE, HOSTILE } from "./support/seed-audit.js";
import { listMerges } from "../support/list-merges.js";

nock.restore(); // the dashboard calls the simulator over real HTTP

let sim: GitHubSimulator;
let server: DashboardServer;
beforeAll(async () => {
  const github = await startGitHub();
  sim = github.sim;
  server = await startDashboardServer({ handler: { github: github.config } });
});
afterAll(async () => {
  await server.close();
  await sim.close();
});
beforeEach(() => {
  sim.clearFaults();
  sim.signInAs(READER.login);
});

const exchanges = () => sim.requests.filter((r) => r.path === "/login/oauth/access_token").length;
const noSession = (cookies: string[]) => expect(cookieValue(cookies, "countersign_session")).toBeUndefined();

describe("the way to GitHub and back", () => {
  test(
    "the sign-in page offers both; " +
      "GET /countersign/auth/github → 302 to GitHub's authorize page with a state in a Lax, HttpOnly, 10-minute cookie",
    async () => {
      const login = await request(server, "/countersign/login?next=%2Fcountersign%2Fmerges");
      expect(login.text).toContain('<label for="token">');
      expect(login.text).toContain(
        '<a class="button github" href="/countersign/auth/github?next=%2Fcountersign%2Fmerges" id="github-sign-in">Sign in with GitHub</a>',
      );

      const res = await request(server, "/countersign/auth/github?next=%2Fcountersign%2Fmerges");
      expect(res.status).toBe(302);
      const to = new URL(res.location!);
      expect(`${to.origin}${to.pathname}`).toBe(`${sim.url}/login/oauth/authorize`);
      expect(to.searchParams.get("client_id")).toBe(CLIENT_ID);
      expect(to.searchParams.get("redirect_uri")).toBe(`${server.baseUrl}/countersign/auth/github/callback`);
      const state = to.searchParams.get("state")!;
      expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(res.cookies).toHaveLength(1);
      expect(res.cookies[0]).toMatch(
        new RegExp(`^countersign_oauth=${state}\\.[A-Za-z0-9_-]+; Path=/countersign/auth/github; Max-Age=600; HttpOnly; SameSite=Lax$`),
      );
      // A new state every time.
      expect(new URL((await request(server, "/countersign/auth/github")).location!).searchParams.get("state")).not.toBe(state);

      const https = await request(server, "/countersign/auth/github", { headers: { "x-forwarded-proto": "https" } });
      expect(https.cookies[0]).toMatch(/; SameSite=Lax; Secure$/);
      expect(new URL(https.location!).searchParams.get("redirect_uri")).toBe(
        `https://${new URL(server.baseUrl).host}/countersign/auth/github/callback`,
      );
    },
  );

  test(
    "success: a same-origin page sets an 8-hour HttpOnly, " + "SameSite=Strict session and moves on to where the user was going",
    async () => {
      const { callback, cookie } = await signInWithGitHub(server, { next: "/countersign/merges?ai=ai" });
      expect(callback.status).toBe(200);
      expect(callback.text).toContain('<meta http-equiv="refresh" content="0;url=/countersign/merges?ai=ai">');
      expect(callback.text).toContain('<a href="/countersign/merges?ai=ai" id="continue">');
      expect(callback.text).toContain("Signed in as ana");
      const session = callback.cookies.find((c) => c.startsWith("countersign_session="))!;
      expect(session).toMatch(/^countersign_session=g1\.[^;]+; Path=\/countersign; Max-Age=28800; HttpOnly; SameSite=Strict$/);
      expect(callback.cookies).toContainEqual(expect.stringMatching(/^countersign_oauth=; Path=\/countersign\/auth\/github; Max-Age=0/));
      expect(cookie).not.toBe("");
      // The user's token is neither kept in the cookie nor logged.
      // …and revoked at GitHub once the reads are done: it no longer opens anything.
      const token = (sim.world.oauth.revoked as string[]).at(-1)!;
      expect((sim.world.oauth.tokens as Map<string, unknown>).has(token)).toBe(false);
      expect(token).toMatch(/^ghu_/);
      expect(session).not.toContain(token);
      expect(JSON.stringify(server.logs)).not.toContain(token);
      expect(server.logs).toContainEqual(
        expect.objectContaining({
          level: "info",
          details: expect.objectContaining({ event: "dashboard.login", method: "github", login: "ana", repos: 1 }),
        }),
      );
      // The calls GitHub saw: the code once, then who and what, as a GitHub App's user token reads them.
      expect(sim.requests.slice(-5).map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ""}`)).toEqual([
        "POST /login/oauth/access_token",
        "GET /user",
        "GET /user/installations?per_page=100",
        `GET /user/installations/${sim.org("acme").installationId}/repositories?per_page=100`,
        `DELETE /applications/${CLIENT_ID}/token`,
      ]);
    },
  );

  test("the token is revoked even when a read fails, and a failed revocation does not fail the sign-in", async () => {
    const revokedBefore = (sim.world.oauth.revoked as string[]).length;
    sim.fault({ path: "/user/installations", status: 503 });
    const failed = await signInWithGitHub(server);
    expect(failed.callback.status).toBe(502);
    expect((sim.world.oauth.revoked as string[]).length).toBe(revokedBefore + 1);
    sim.clearFaults();
    sim.fault({ path: `/applications/${CLIENT_ID}/token`, status: 500 });
    const { callback, cookie } = await signInWithGitHub(server);
    expect(callback.status).toBe(200);
    expect(cookie).not.toBe("");
    expect((sim.world.oauth.revoked as string[]).length).toBe(revokedBefore + 1);
  });

  test("repositories are read from every page of GitHub's Link-paginated lists", async () => {
    const many = Array.from({ length: 130 }, (_, i) => `acme/svc-${String(i).padStart(3, "0")}`);
    for (const repo of many) sim.repo(repo);
    sim.signInAs("many-repos", { repos: many });
    const { callback, cookie } = await signInWithGitHub(server);
    expect(callback.status).toBe(200);
    const overview = await request(server, "/countersign/", { cookie });
    expect(overview.text).toContain("You see the 130 repositories you could read on GitHub when you signed in: acme/svc-000, acme/svc-001");
    expect(
      sim.requests
        .filter((r) => r.path.endsWith("/repositories"))
        .slice(-2)
        .map((r) => r.query),
    ).toEqual(["per_page=100", "per_page=100&page=2"]);
  });
});

describe("refusals: a clear page and no session", () => {
  test.each([
    ["no state cookie", { stateCookie: () => "" }],
    ["another sign-in's state cookie", { stateCookie: () => `countersign_oauth=${"A".repeat(32)}.Lw` }],
    ["a state that is not the cookie's", { tamper: (back: URL) => back.searchParams.set("state", "B".repeat(32)) }],
    ["no state", { tamper: (back: URL) => back.searchParams.delete("state") }],
  ])("%s → 400, the code is never exchanged", async (_name, options) => {
    const before = exchanges();
    const { callback } = await signInWithGitHub(server, options);
    expect(callback.status).toBe(400);
    expect(callback.text).toContain("Sign-in could not be checked");
    noSession(callback.cookies);
    expect(exchanges()).toBe(before);
  });

  test("Cancel on GitHub (error=access_denied) → 403, signed out", async () => {
    sim.signInAs("bob", { deny: true });
    const { back, callback } = await signInWithGitHub(server);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(callback.status).toBe(403);
    expect(callback.text).toContain("You did not authorize Countersign on GitHub, so you are not signed in.");
    noSession(callback.cookies);
  });

  test('a code GitHub refuses (HTTP 200 with bad_verification_code) → 400 "sign in again"', async () => {
    const { callback } = await signInWithGitHub(server, { tamper: (back) => back.searchParams.set("code", "0123456789abcdef0123") });
    expect(callback.status).toBe(400);
    expect(callback.text).toContain("GitHub did not accept the sign-in code: it expired or was already used. Sign in again.");
    noSession(callback.cookies);
    expect(server.logs).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ outcome: "bad_code", error: "bad_verification_code" }) }),
    );
  });

  test("a code used twice works once", async () => {
    const first = await signInWithGitHub(server);
    expect(first.callback.status).toBe(200);
    const replay = await request(server, first.back.pathname + first.back.search, {
      cookie: `countersign_oauth=${cookieValue(first.start.cookies, "countersign_oauth")}`,
    });
    expect(replay.status).toBe(400);
    noSession(replay.cookies);
  });

  test.each([
    ["the code exchange", "/login/oauth/access_token"],
    ["the repositories", "/user/installations"],
  ])("GitHub answers 5xx to %s → 502, signed out", async (_name, path) => {
    sim.fault({ path, status: 503 });
    const { callback } = await signInWithGitHub(server);
    expect(callback.status).toBe(502);
    expect(callback.text).toContain("GitHub did not answer");
    noSession(callback.cookies);
  });

  test(
    "the server's client secret does not match the App's (GitHub's 200 + incorrect_client_credentials) " + "→ 502 naming the settings",
    async () => {
      const misconfigured = await startDashboardServer({
        seed: false,
        handler: { github: { clientId: CLIENT_ID, clientSecret: "x".repeat(20), webUrl: sim.url, apiUrl: sim.apiUrl } },
      });
      try {
        const { callback } = await signInWithGitHub(misconfigured);
        expect(callback.status).toBe(502);
        expect(callback.text).toContain("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET may not match");
        noSession(callback.cookies);
      } finally {
        await misconfigured.close();
      }
    },
  );

  test("GitHub unreachable → 502, signed out", async () => {
    const down = await startDashboardServer({
      seed: false,
      handler: {
        github: { clientId: CLIENT_ID, clientSecret: "x".repeat(20), webUrl: "http://127.0.0.1:9", apiUrl: "http://127.0.0.1:9/api/v3" },
      },
    });
    try {
      const start = await request(down, "/countersign/auth/github");
      const state = new URL(start.location!).searchParams.get("state")!;
      const callback = await request(down, `/countersign/auth/github/callback?code=abc&state=${state}`, {
        cookie: `countersign_oauth=${cookieValue(start.cookies, "countersign_oauth")}`,
      });
      expect(callback.status).toBe(502);
      expect(callback.text).toContain("GitHub did not answer");
      noSession(callback.cookies);
    } finally {
      await down.close();
    }
  });
});

describe("a GitHub session sees only its repositories", () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = (await signInWithGitHub(server)).cookie;
  });

  test("incidents: only those linked to a merge in acme/web, with only those links; unlinked ones are the token's", async () => {
    await server.store.recordIncident({
      externalId: "INC-GH-1",
      title: "Checkout and web both down",
      severity: 1,
      category: "agent-overreach",
      startedAt: "2026-11-18T10:00:00Z",
      source: "cli",
    });
    await server.store.linkIncident({
      externalId: "INC-GH-1",
      repo: HOSTILE.repo,
      prNumber: HOSTILE.prNumber,
      relation: "suspect",
      source: "cli",
    });
    await server.store.linkIncident({
      externalId: "INC-GH-1",
      repo: CAPTURE_MERGE.repo,
      prNumber: CAPTURE_MERGE.prNumber,
      relation: "caused",
      source: "cli",
    });
    await server.store.recordIncident({ externalId: "INC-GH-2", title: "Payments only", source: "cli" });
    await server.store.linkIncident({
      externalId: "INC-GH-2",
      repo: CAPTURE_MERGE.repo,
      prNumber: CAPTURE_MERGE.prNumber,
      relation: "caused",
      source: "cli",
    });
    await server.store.recordIncident({ externalId: "INC-GH-3", title: "Not linked yet", source: "cli" });
    const res = await request(server, "/countersign/incidents", { cookie });
    expect(res.status).toBe(200);
    expect(res.text).toContain("INC-GH-1");
    expect(res.text).toContain(`href="/countersign/merges/${HOSTILE.repo}/${HOSTILE.prNumber}#incidents"`);
    expect(res.text).not.toContain(CAPTURE_MERGE.repo);
    expect(res.text).not.toContain("INC-GH-2");
    expect(res.text).not.toContain("INC-GH-3");
  });

  test("the merges list, its filters and the CSV hold acme/web only", async () => {
    const list = await request(server, "/countersign/merges", { cookie });
    expect(list.status).toBe(200);
    expect(list.text).toContain('href="/countersign/merges/acme/web/');
    expect(list.text).not.toMatch(/href="\/countersign\/merges\/acme\/(payments-api|infra)\//);
    const filtered = await request(server, "/countersign/merges?repo=acme/payments-api", { cookie });
    expect(filtered.text).not.toContain('href="/countersign/merges/acme/payments-api/');
    const csv = await request(server, "/countersign/merges.csv", { cookie });
    const rows = csv.text.trim().split("\r\n").slice(1);
    expect(rows.length).toBe((await listMerges(server.store, { repo: "acme/web", limit: 1000 })).length);
    expect(rows.every((r) => r.split(",")[1] === "acme/web")).toBe(true);
  });

  test("another repository's merge and commit are 404, exactly like ones that do not exist", async () => {
    const other = await request(server, `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`, { cookie });
    const missing = await request(server, `/countersign/merges/${CAPTURE_MERGE.repo}/999999`, { cookie });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.text.replace(String(CAPTURE_MERGE.prNumber), "N")).toBe(missing.text.replace("999999", "N"));
    expect((await request(server, `/countersign/merges/${HOSTILE.repo}/${HOSTILE.prNumber}`, { cookie })).status).toBe(200);

    const [payments] = await listMerges(server.store, { repo: CAPTURE_MERGE.repo, limit: 1 });
    const lookup = await request(server, `/countersign/commit?sha=${payments!.mergeCommitSha!.slice(0, 12)}`, { cookie });
    expect(lookup.status).toBe(404);
    expect(lookup.text).toContain("No merge contains this commit");
    const [web] = await listMerges(server.store, { repo: "acme/web", limit: 1 });
    const found = await request(server, `/countersign/commit?sha=${web!.mergeCommitSha!.slice(0, 12)}`, { cookie });
    expect(found.status).toBe(303);
    expect(found.location).toBe(`/countersign/merges/acme/web/${web!.prNumber}`);
  });

  test("the overview: figures and latest bypasses of acme/web, who is signed in, no chain", async () => {
    const res = await request(server, "/countersign/", { cookie });
    expect(res.status).toBe(200);
    const webMerges = (await server.store.report({ repo: "acme/web", since: "2026-05-25" }, [])).total.merges;
    const allMerges = (await server.store.report({ since: "2026-05-25" }, [])).total.merges;
    expect(webMerges).toBeLessThan(allMerges);
    expect(res.text).toContain(
      `<li><span class="value">${webMerges}</span><span class="what"><a href="/countersign/merges?since=2026-05-25">merges</a>`,
    );
    expect(res.text).toContain("You see the repository you could read on GitHub when you signed in: acme/web.");
    expect(res.text).not.toMatch(/href="\/countersign\/merges\/acme\/(payments-api|infra)\//);
    expect(res.text).toContain("Signed in as <strong>ana</strong>");
    expect(res.text).not.toContain("audit chain head");
    expect(res.text).not.toContain('href="/countersign/chain"');
  });

  test("the audit chain is for the token's sessions: 403 with the reason", async () => {
    for (const path of ["/countersign/chain", "/countersign/chain?verify=1"]) {
      const res = await request(server, path, { cookie });
      expect(res.status).toBe(403);
      expect(res.text).toContain("shown only to sessions signed in with the audit token");
    }
  });

  test("a forged scope is no session: the repositories are under the cookie's MAC", async () => {
    const value = cookie.slice("countersign_session=".length);
    const parts = value.split(".");
    const widened = Buffer.from(JSON.stringify({ login: "ana", repos: ["acme/web", "acme/payments-api"] })).toString("base64url");
    const res = await request(server, "/countersign/merges", {
      cookie: `countersign_session=${[parts[0], parts[1], parts[2], widened, parts[4]].join(".")}`,
    });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/countersign\/login\?/);
  });

  test("sign-out works as for the token (CSRF token required)", async () => {
    const own = (await signInWithGitHub(server)).cookie;
    const page = await request(server, "/countersign/", { cookie: own });
    expect((await request(server, "/countersign/logout", { cookie: own, form: {} })).status).toBe(403);
    const out = await request(server, "/countersign/logout", { cookie: own, form: { csrf: hiddenField(page.text, "csrf")! } });
    expect(out.status).toBe(303);
    expect((await request(server, "/countersign/", { cookie: own })).status).toBe(303);
  });

  test("a token session still sees every repository and the chain", async () => {
    const form = await request(server, "/countersign/login");
    const posted = await request(server, "/countersign/login", {
      cookie: `countersign_login=${cookieValue(form.cookies, "countersign_login")}`,
      form: { csrf: hiddenField(form.text, "csrf")!, next: "/countersign/", token: TEST_TOKEN },
    });
    const admin = `countersign_session=${cookieValue(posted.cookies, "countersign_session")}`;
    expect((await request(server, `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`, { cookie: admin })).status).toBe(
      200,
    );
    expect((await request(server, "/countersign/chain", { cookie: admin })).status).toBe(200);
    expect((await request(server, "/countersign/", { cookie: admin })).text).toContain("Signed in with the audit token");
  });
});

describe("which sign-ins are on", () => {
  test("token only: /countersign/auth/github is 404 and the sign-in page has no GitHub link", async () => {
    const tokenOnly = await startDashboardServer({ seed: false });
    try {
      for (const path of ["/countersign/auth/github", "/countersign/auth/github/callback?code=x&state=y"]) {
        const res = await request(tokenOnly, path);
        expect(res.status).toBe(404);
        noSession(res.cookies);
      }
      expect((await request(tokenOnly, "/countersign/login")).text).not.toContain("Sign in with GitHub");
    } finally {
      await tokenOnly.close();
    }
  });

  test("GitHub only: the dashboard is on, the page has no token form, and a posted token is refused", async () => {
    const githubOnly = await startDashboardServer({
      seed: false,
      token: undefined,
      handler: { github: { clientId: CLIENT_ID, clientSecret: "y".repeat(20), webUrl: sim.url, apiUrl: sim.apiUrl } },
    });
    try {
      const login = await request(githubOnly, "/countersign/login");
      expect(login.status).toBe(200);
      expect(login.text).toContain("Sign in with GitHub");
      expect(login.text).not.toContain('name="token"');
      expect(login.cookies).toEqual([]);
      expect((await request(githubOnly, "/countersign/merges")).status).toBe(303);
      const posted = await request(githubOnly, "/countersign/login", { form: { token: TEST_TOKEN } });
      expect(posted.status).toBe(404);
      noSession(posted.cookies);
    } finally {
      await githubOnly.close();
    }
  });
});
