/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): a security
 * reviewer signs in, filters merges by path, opens one, downloads the CSV; hostile PR data runs
 * no script; every page passes the accessibility checks and can be used from the keyboard; a
 * developer signs in with GitHub (the simulator, on another site) and sees only their repository.
 * Screenshots go to test-artifacts/ (gitignored); COUNTERSIGN_UPDATE_SCREENSHOT=1 also copies
 * the overview to docs/dashboard-desktop.png for the README.
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import nock from "nock";
import type { Page } from "playwright-core";
import type { GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { launchChromium, type Browser } from "./support/browser.js";
import { startDashboardServer, TEST_TOKEN, type DashboardServer } from "./support/dashboard-server.js";
import { READER, startGitHub } from "./support/github-sign-in.js";
import { auditPage, focusedElement } from "./support/page-audit.js";
import { BYPASS_MERGE, CAPTURE_MERGE, HOSTILE } from "./support/seed-audit.js";
import { listMerges } from "../support/list-merges.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = `${ROOT}test-artifacts`;

/** Per test and hook: a browser start and several page loads. */
const TIMEOUT = 60_000;

nock.restore(); // the dashboard calls the GitHub simulator over real HTTP

let server: DashboardServer;
let sim: GitHubSimulator;
let browser: Browser;
let page: Page;
/** Console errors, failed requests and CSP violations seen by the page: none are expected. */
const trouble: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const github = await startGitHub();
  sim = github.sim;
  // GitHub on another site than the dashboard (localhost vs 127.0.0.1), as in production: its
  // redirect back is a cross-site navigation, the case SameSite cookies treat differently.
  server = await startDashboardServer({ handler: { github: { ...github.config, webUrl: `http://localhost:${sim.port}` } } });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on("console", (m) => {
    // Intended 4xx pages (a wrong token, a bad filter) are logged as "Failed to load resource";
    // failing subresources are caught by the response listener below instead.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) trouble.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.request().resourceType() !== "document" && r.status() >= 400) trouble.push(`${r.status()} for ${r.url()}`);
  });
  page.on("pageerror", (e) => trouble.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    trouble.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on("requestfailed", (r) => trouble.push(`request failed: ${r.url()}`));
  // Not subject to the page's CSP (injected by the driver): records what the CSP blocked.
  await browser.context.addInitScript(
    `document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: ` +
      `" + e.violatedDirective + " " + e.blockedURI));`,
  );
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sim?.close();
}, TIMEOUT);

afterEach(() => {
  const seen = trouble.splice(0);
  expect(seen).toEqual([]);
}, TIMEOUT);

const url = (path: string) => server.baseUrl + path;
const visibleText = async (selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, " ");

test(
  "a reviewer signs in, filters by path, opens a merge and downloads the CSV",
  async () => {
    // No session: any page sends the browser to the sign-in form, which then returns to it.
    await page.goto(url("/countersign/merges"));
    expect(new URL(page.url()).pathname).toBe("/countersign/login");
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Sign in to the audit dashboard");
    await page.getByLabel("Audit access token").fill("not the token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").innerText()).resolves.toContain("That token is not the audit token");
    await page.getByLabel("Audit access token").fill(TEST_TOKEN);
    await page.getByLabel("Audit access token").press("Enter");
    await page.waitForURL(url("/countersign/merges"));
    const cookies = await browser.context.cookies(url("/countersign/"));
    expect(cookies.find((c) => c.name === "countersign_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
      path: "/countersign",
      secure: false,
    });
    // HttpOnly: page script cannot read it.
    expect(await page.evaluate("document.cookie")).toBe("");

    // Filter by path.
    await page.getByLabel("Changed path (glob)").fill("src/payments/capture/**");
    await page.getByLabel("AI disclosure").selectOption("ai");
    await page.getByRole("button", { name: "Apply filter" }).click();
    await page.waitForURL(/path=src%2Fpayments%2Fcapture%2F\*\*/);
    const expected = await listMerges(server.store, { path: "src/payments/capture/**", ai: ["assisted", "generated", "agent"], limit: 50 });
    expect(expected.length).toBeGreaterThan(3);
    const rows = page.locator("table.merges tbody tr");
    await expect(rows.count()).resolves.toBe(expected.length);
    const links = await page.locator("table.merges tbody th a").allInnerTexts();
    expect(links).toEqual(expected.map((m) => `${m.repo}#${m.prNumber}`));
    // The form keeps what was asked.
    await expect(page.getByLabel("Changed path (glob)").inputValue()).resolves.toBe("src/payments/capture/**");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-merges.png`, fullPage: true });

    // Download the CSV of this filter.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("countersign-merges-2026-11-20.csv");
    const csvPath = `${ARTIFACTS}/dashboard-merges.csv`;
    await download.saveAs(csvPath);
    const csv = readFileSync(csvPath, "utf8").split("\r\n").filter(Boolean);
    expect(csv[0]).toBe("merged_at,repo,pr,ai,tools,team,reviewers,check,bypassed,exceptions,reverted_by,merge_sha,title");
    expect(csv.slice(1).map((line) => line.split(",").slice(1, 3).join("#"))).toEqual(expected.map((m) => `${m.repo}#${m.prNumber}`));

    // Open a merge.
    await page.getByRole("link", { name: `${CAPTURE_MERGE.repo}#${CAPTURE_MERGE.prNumber}`, exact: true }).click();
    await page.waitForURL(url(`/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`));
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe(
      `${CAPTURE_MERGE.repo}#${CAPTURE_MERGE.prNumber}: ${CAPTURE_MERGE.title}`,
    );
    const reviews = await visibleText("table:has(caption:text('Approving reviews'))");
    expect(reviews).toContain("replayed 200 captured failures from the staging queue twice");
    expect(reviews).toContain("= merged head");
    expect(reviews).toContain("≠ merged head");
    const record = (await server.store.getMerge(CAPTURE_MERGE.repo, CAPTURE_MERGE.prNumber))!;
    await expect(visibleText("#audit + dl")).resolves.toContain(record.entryHash);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-merge.png`, fullPage: true });

    // The overview: the screenshot for the README.
    await page.getByRole("link", { name: "Overview" }).click();
    await page.waitForURL(url("/countersign/"));
    await expect(page.locator("figure.chart").count()).resolves.toBe(4);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    if (process.env.COUNTERSIGN_UPDATE_SCREENSHOT === "1") {
      mkdirSync(`${ROOT}docs`, { recursive: true });
      copyFileSync(`${ARTIFACTS}/dashboard.png`, `${ROOT}docs/dashboard-desktop.png`);
    }
  },
  TIMEOUT,
);

test(
  "hostile PR titles, notes, paths and tool names render as text and run no script",
  async () => {
    for (const path of [
      `/countersign/merges?repo=${HOSTILE.repo}`,
      `/countersign/merges/${HOSTILE.repo}/${HOSTILE.prNumber}`,
      `/countersign/merges?path=src%2Fui%2F**`,
    ]) {
      await page.goto(url(path));
      expect(await page.evaluate("window.__xss")).toBeUndefined();
      await expect(page.locator("script, iframe, img, [onerror], [onload], [onmouseover]").count()).resolves.toBe(0);
    }
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.not.toContain("window.__xss");
    await page.goto(url(`/countersign/merges/${HOSTILE.repo}/${HOSTILE.prNumber}`));
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe(
      `${HOSTILE.repo}#${HOSTILE.prNumber}: ${HOSTILE.title}`,
    );
    await expect(visibleText("#paths + table")).resolves.toContain(HOSTILE.path);
    await expect(visibleText("#reviews + table")).resolves.toContain(HOSTILE.note);
  },
  TIMEOUT,
);

test(
  "every page passes the accessibility checks (labels, captions, scoped headers, chart alternatives, AA contrast)",
  async () => {
    const pages = [
      "/countersign/",
      "/countersign/merges",
      "/countersign/merges?repo=nope&since=yesterday",
      `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`,
      `/countersign/merges/${BYPASS_MERGE.repo}/${BYPASS_MERGE.prNumber}`,
      "/countersign/chain?verify=1",
    ];
    for (const path of pages) {
      await page.goto(url(path));
      expect({ path, problems: await auditPage(page) }).toEqual({ path, problems: [] });
    }
    // The chart data tables, opened, pass too.
    await page.goto(url("/countersign/"));
    for (const summary of await page.locator("details.data summary").all()) await summary.click();
    expect(await auditPage(page)).toEqual([]);
    // (The sign-in page is checked signed out, at the end of the keyboard test.)
  },
  TIMEOUT,
);

test(
  "at a phone's width (390 px) no page scrolls sideways: wide tables scroll inside their box",
  async () => {
    const before = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of [
        "/countersign/",
        "/countersign/merges",
        `/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`,
        "/countersign/incidents",
        "/countersign/chain",
      ]) {
        await page.goto(url(path));
        if (new URL(page.url()).pathname === "/countersign/login") {
          await page.getByLabel("Audit access token").fill(TEST_TOKEN);
          await page.getByLabel("Audit access token").press("Enter");
          await page.waitForURL(url(path));
        }
        const width = await page.evaluate<number>("document.documentElement.scrollWidth");
        expect({ path, width }).toEqual({ path, width: 390 });
      }
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-390.png`, fullPage: true });
    } finally {
      if (before) await page.setViewportSize(before);
    }
  },
  TIMEOUT,
);

test(
  "keyboard only: skip link, visible focus on every stop, filter and open a merge without a mouse",
  async () => {
    await page.goto(url("/countersign/merges"));
    await page.keyboard.press("Tab");
    await expect(focusedElement(page)).resolves.toMatchObject({ tag: "a", text: "Skip to content", outline: true });
    await expect(
      page
        .locator("a.skip")
        .boundingBox()
        .then((b) => b !== null && b.x >= 0 && b.y >= 0),
    ).resolves.toBe(true);
    await page.keyboard.press("Enter");
    await expect(page.evaluate("document.activeElement.id")).resolves.toBe("main");

    // Every control of the filter form is reachable in order, each with a visible focus ring.
    // (A date field takes one Tab per part: month, day, year.)
    const stops: string[] = [];
    for (let i = 0; i < 30 && stops.at(-1) !== "Clear"; i++) {
      await page.keyboard.press("Tab");
      const focused = await focusedElement(page);
      expect({ stop: i, ...focused }).toEqual({ stop: i, ...focused, outline: true });
      const name = focused.name || focused.text;
      if (stops.at(-1) !== name) stops.push(name);
    }
    expect(stops).toEqual([
      ...["repo", "path", "team", "ai", "bypassed", "incomplete", "reverted", "exceptions", "since", "until", "sha"],
      ...["Apply filter", "Clear"],
    ]);

    // Type a filter and submit it with Enter, then open the first merge with Enter.
    await page.getByLabel("Repository").focus();
    await page.keyboard.type(BYPASS_MERGE.repo);
    await page.keyboard.press("Tab");
    await page.keyboard.type("src/auth/**");
    await page.keyboard.press("Enter");
    await page.waitForURL(/repo=acme%2Fpayments-api&path=src%2Fauth%2F\*\*/);
    await page.getByRole("link", { name: "Download CSV" }).focus();
    // From the CSV link, tab into the table to the first merge link.
    do await page.keyboard.press("Tab");
    while ((await focusedElement(page)).tag !== "a" || !(await focusedElement(page)).text.startsWith("acme/"));
    const first = await focusedElement(page);
    expect(first.outline).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(url(`/countersign/merges/acme/payments-api/${first.text.split("#")[1]}`));

    // Sign out is a keyboard-reachable button that posts with its CSRF token.
    await page.getByRole("button", { name: "Sign out" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(url("/countersign/login?signed_out=1"));
    await expect(page.getByRole("status").innerText()).resolves.toBe("You are signed out.");
    expect(await auditPage(page)).toEqual([]);
    await page.goto(url("/countersign/"));
    expect(new URL(page.url()).pathname).toBe("/countersign/login");
  },
  TIMEOUT,
);

test(
  "a developer signs in with GitHub and sees only the repository they can read",
  async () => {
    await browser.context.clearCookies();
    await page.goto(url("/countersign/merges?ai=ai"));
    expect(new URL(page.url()).pathname).toBe("/countersign/login");
    // A first sign-in: GitHub (the simulator, on another site) shows its "Authorize" page.
    sim.signInAs(READER.login, { consent: true });
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(/^http:\/\/localhost:\d+\/login\/oauth\/authorize\?/);
    // Approving there starts the way back on GitHub's site: the callback's answer sets a Strict
    // session cookie, which Chromium would not send on an immediate redirect; the callback's own
    // page moves on by itself, and lands signed in where the developer was going.
    await page.getByRole("button", { name: "Authorize countersign" }).click();
    await page.waitForURL(url("/countersign/merges?ai=ai"));
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toContain("GET /login/oauth/authorize");
    const session = (await browser.context.cookies(url("/countersign/"))).find((c) => c.name === "countersign_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/countersign" });
    expect((await browser.context.cookies(url("/countersign/auth/github"))).find((c) => c.name === "countersign_oauth")).toBeUndefined();
    await expect(visibleText("#signed-in-as")).resolves.toBe(`Signed in as ${READER.login}`);
    await expect(page.getByRole("link", { name: "Audit chain" }).count()).resolves.toBe(0);

    // Only acme/web's merges, and as many as the trail holds for it.
    const expected = await listMerges(server.store, { repo: "acme/web", ai: ["assisted", "generated", "agent"], limit: 50 });
    expect(expected.length).toBeGreaterThan(0);
    const links = await page.locator("table.merges tbody th a").allInnerTexts();
    expect(links).toEqual(expected.map((m) => `${m.repo}#${m.prNumber}`));
    expect(await auditPage(page)).toEqual([]);

    // Another repository's merge does not exist for this session; the audit chain is refused.
    const other = await page.goto(url(`/countersign/merges/${CAPTURE_MERGE.repo}/${CAPTURE_MERGE.prNumber}`));
    expect(other?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("No merge recorded");
    const chain = await page.goto(url("/countersign/chain"));
    expect(chain?.status()).toBe(403);
    await page.goto(url("/countersign/"));
    await expect(visibleText("#readable-repos")).resolves.toContain("acme/web");
    expect(await auditPage(page)).toEqual([]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(url("/countersign/login?signed_out=1"));
    expect(await auditPage(page)).toEqual([]);
  },
  TIMEOUT,
);
