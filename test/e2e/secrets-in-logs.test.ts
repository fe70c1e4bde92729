/**
 * The production process (src/main.ts, transpiled) at LOG_LEVEL=trace against the GitHub
 * simulator: a webhook (installation token), a token sign-in, a GitHub sign-in (OAuth code and
 * state), dashboard pages with both sessions and the JSON API with the bearer token. Not one
 * secret may reach the log: tokens, cookie values, the OAuth code and state, the private key,
 * the installation and user tokens, the client and webhook secrets.
 */
import nock from "nock";
import { disclosure, seedAcme } from "../../tools/demo/acme.mjs";
import { stopChild, type AppProcess } from "../../tools/demo/app-process.mjs";
import type { GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { signInWithGitHub } from "../dashboard/support/github-sign-in.js";
import { cookieValue, hiddenField, request } from "../dashboard/support/http.js";
import { ChildApp } from "./support/child-app.js";

nock.restore(); // real HTTP between the app, the simulator and this test

const APP_ID = 5151;
const AUDIT_API_TOKEN = "audit-token-that-must-never-be-logged-0123456789";
const CLIENT_ID = "Iv1.secrets-in-logs";
const CLIENT_SECRET = "client-secret-that-must-never-be-logged-0123";

const running = new ChildApp();
const { creds } = running;
let sim: GitHubSimulator;
let app: AppProcess;

beforeAll(async () => {
  await running.start({
    appId: APP_ID,
    tmpPrefix: "countersign-secrets-in-logs-",
    simulator: { oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } },
    prepare: (s) => {
      seedAcme(s, "acme/payments-api");
      s.signInAs("ana", { repos: ["acme/payments-api"] });
    },
    logLevel: "trace",
    env: { AUDIT_API_TOKEN, GITHUB_CLIENT_ID: CLIENT_ID, GITHUB_CLIENT_SECRET: CLIENT_SECRET },
    webhook: true,
  });
  ({ sim, app } = running);
}, 60_000);

afterAll(() => running.stop());

test("at LOG_LEVEL=trace, no token, cookie value, OAuth code or state, private key, installation token or secret is logged", async () => {
  const server = { baseUrl: `http://127.0.0.1:${app.port}` };
  const secrets: Record<string, string> = { AUDIT_API_TOKEN, CLIENT_SECRET, WEBHOOK_SECRET: creds.webhookSecret };
  // The private key's body lines (the PEM is logged, if at all, with its newlines escaped).
  creds.privateKey
    .split("\n")
    .filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l))
    .slice(0, 3)
    .forEach((l, i) => (secrets[`PRIVATE_KEY line ${i}`] = l));

  // 1. A webhook: the app takes an installation token and evaluates the PR.
  const pr = await sim.openPullRequest("acme/payments-api", {
    title: "Docs",
    body: disclosure("none"),
    author: { login: "dev" },
    files: ["docs/a.md"],
  });
  expect(pr.delivery.status).toBe(202);
  await until(() => sim.latestCheck("acme/payments-api", pr.headSha)?.status === "completed");

  // 2. Token sign-in: the login nonce cookie, the token in the form, the session cookie.
  const form = await request(server, "/countersign/login");
  const nonce = cookieValue(form.cookies, "countersign_login")!;
  const posted = await request(server, "/countersign/login", {
    cookie: `countersign_login=${nonce}`,
    form: { csrf: hiddenField(form.text, "csrf")!, next: "/countersign/merges", token: AUDIT_API_TOKEN },
  });
  expect(posted.status).toBe(303);
  const tokenSession = cookieValue(posted.cookies, "countersign_session")!;
  Object.assign(secrets, { "login nonce": nonce, "token session": tokenSession });
  expect((await request(server, "/countersign/merges", { cookie: `countersign_session=${tokenSession}` })).status).toBe(200);

  // 3. GitHub sign-in: the state (URL and cookie), the one-time code, the user's token, the session.
  const github = await signInWithGitHub(server);
  expect(github.callback.status).toBe(200);
  Object.assign(secrets, {
    "OAuth state": github.back.searchParams.get("state")!,
    "OAuth state cookie": cookieValue(github.start.cookies, "countersign_oauth")!,
    "OAuth code": github.back.searchParams.get("code")!,
    "GitHub session": github.cookie.slice("countersign_session=".length),
    "user token": (sim.world.oauth.revoked as string[]).at(-1)!,
  });
  expect((await request(server, "/countersign/merges", { cookie: github.cookie })).status).toBe(200);

  // 4. The JSON API with the bearer token, once right and once wrong.
  expect((await request(server, "/countersign/api/merges", { headers: { authorization: `Bearer ${AUDIT_API_TOKEN}` } })).status).toBe(200);
  expect(
    (await request(server, "/countersign/api/merges", { headers: { authorization: "Bearer wrong-token-also-a-secret-0123" } })).status,
  ).toBe(401);
  secrets["wrong bearer"] = "wrong-token-also-a-secret-0123";

  for (const [i, token] of [...sim.tokens.keys()].entries()) secrets[`installation token ${i}`] = token;
  expect(Object.keys(secrets).filter((k) => k.startsWith("installation token"))).not.toEqual([]);
  await stopChild(app.child, "SIGTERM", 3000); // flush the log

  const log = app.log.join("\n");
  // The log is the trace-level one: requests with their headers, and the sign-ins themselves.
  expect(log).toContain('"level":20'); // debug lines (GitHub requests, deliveries) are on
  expect(log).toContain("/countersign/api/merges");
  expect(log).toContain("/countersign/auth/github/callback");
  expect(log).toContain('"authorization":"[redacted]"');
  expect(log).toContain('"cookie":"[redacted]"');
  expect(log).toContain("/countersign/auth/github/callback?code=[redacted]&state=[redacted]");
  const leaked = Object.entries(secrets)
    .filter(([, value]) => log.includes(value))
    .map(([name]) => name);
  expect(leaked).toEqual([]);
}, 60_000);

async function until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}
