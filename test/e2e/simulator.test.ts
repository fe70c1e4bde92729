/**
 * The simulator's own contract, through Octokit as the app uses it: app JWT → installation token,
 * GitHub's pagination and caps, contents, the GraphQL subset, validation, faults and the log.
 */
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { MAX_PULL_FILES, startGitHubSimulator, type GitHubSimulator } from "../../tools/github-simulator/index.mjs";
import { e2eOctokit } from "./support/octokit.js";

nock.restore(); // real HTTP (see support/harness.ts)

const APP_ID = 777;
const key = () =>
  generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
const app = key();

let sim: GitHubSimulator;
beforeEach(async () => {
  sim = await startGitHubSimulator({ appId: APP_ID, publicKey: app.publicKey });
  sim.team("acme/platform", ["plat-lead"]);
  sim.repo("acme/api", {
    files: { ".github/CODEOWNERS": "* @acme/platform\n", "docs/a.md": "# A\n", "src/x.ts": "export const x = 1;\n" },
  });
});
afterEach(async () => {
  await sim.close();
});

const probot = (privateKey = app.privateKey, appId = APP_ID) =>
  new Probot({ appId, privateKey, baseUrl: sim.apiUrl, log: pino({ level: "silent" }), Octokit: e2eOctokit({ retry: false }) });
const installation = () => sim.org("acme").installationId;
const gh = () => probot().auth(installation());

test("the app's JWT is exchanged for an installation token; a JWT signed by another key or for another app is refused", async () => {
  const octokit = await gh();
  const { data } = await octokit.rest.pulls.list({ owner: "acme", repo: "api" });
  expect(data).toEqual([]);
  expect(sim.requests.map((r) => `${r.kind} ${r.method} ${r.path} ${r.status}`)).toEqual([
    `auth POST /app/installations/${installation()}/access_tokens 201`,
    "read GET /repos/acme/api/pulls 200",
  ]);
  const list = async (o: Awaited<ReturnType<typeof gh>>) => o.rest.pulls.list({ owner: "acme", repo: "api" });
  await expect(list(await probot(key().privateKey).auth(installation()))).rejects.toMatchObject({ status: 401 });
  await expect(list(await probot(app.privateKey, 778).auth(installation()))).rejects.toMatchObject({ status: 401 });
  await expect(
    fetch(`${sim.apiUrl}/repos/acme/api/pulls`, { headers: { authorization: "token nope" } }).then((r) => r.status),
  ).resolves.toBe(401);
});

test("pull request files paginate 100 a page with GitHub's Link header, and stop at 3,000", async () => {
  const files = Array.from({ length: 3050 }, (_, i) => `src/f${i}.ts`);
  const pr = await sim.openPullRequest("acme/api", { title: "big", files, deliver: false });
  const octokit = await gh();
  const first = await octokit.rest.pulls.listFiles({ owner: "acme", repo: "api", pull_number: pr.number, per_page: 100 });
  expect(first.headers.link).toBe(
    `<${sim.apiUrl}/repos/acme/api/pulls/1/files?per_page=100&page=2>; rel="next", ` +
      `<${sim.apiUrl}/repos/acme/api/pulls/1/files?per_page=100&page=30>; rel="last"`,
  );
  const all = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: "acme", repo: "api", pull_number: pr.number, per_page: 100 });
  expect(all).toHaveLength(MAX_PULL_FILES);
  expect(sim.pullJson("acme/api", pr.number).changed_files).toBe(3050);
});

test("contents: base64 JSON, raw, a directory listing, and 404 when absent", async () => {
  const octokit = await gh();
  const { data } = await octokit.rest.repos.getContent({ owner: "acme", repo: "api", path: "src/x.ts" });
  expect(data).toMatchObject({ type: "file", encoding: "base64", path: "src/x.ts" });
  expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("export const x = 1;\n");
  const raw = await octokit.rest.repos.getContent({ owner: "acme", repo: "api", path: "src/x.ts", mediaType: { format: "raw" } });
  expect(raw.data).toBe("export const x = 1;\n");
  const dir = await octokit.rest.repos.getContent({ owner: "acme", repo: "api", path: "docs" });
  expect((dir.data as { name: string }[]).map((e) => e.name)).toEqual(["a.md"]);
  await expect(octokit.rest.repos.getContent({ owner: "acme", repo: "api", path: "nope.md" })).rejects.toMatchObject({ status: 404 });
});

test("GraphQL: aliased blobs, a directory as an empty object, a missing repository as NOT_FOUND on its path only", async () => {
  const octokit = await gh();
  const sha = sim.branchSha("acme/api");
  const query =
    `query($o: String!, $r: String!, $a: String!, $b: String!, $c: String!) {
    repository(owner: $o, name: $r) { f0: object(expression: $a) { ...blob } f1: object(expression: $b) { ...blob } f2: ` +
    `object(expression: $c) { ...blob } }
    org: repository(owner: $o, name: ".github") { f0: object(expression: "HEAD:x") { ...blob } }
  }
  fragment blob on Blob { oid byteSize isTruncated text }`;
  const error = await octokit
    .graphql(query, { o: "acme", r: "api", a: `${sha}:.github/CODEOWNERS`, b: `${sha}:docs`, c: `${sha}:missing` })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({
    data: { repository: { f0: { byteSize: 17, isTruncated: false, text: "* @acme/platform\n" }, f1: {}, f2: null }, org: null },
    errors: [{ type: "NOT_FOUND", path: ["org"], message: "Could not resolve to a Repository with the name 'acme/.github'." }],
  });
  await expect(octokit.graphql(`{ repository(owner: "acme", name: "api") { nope } }`)).rejects.toMatchObject({
    errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "undefinedField" }) })],
  });
});

test("check runs: GitHub's validation, latest-per-name listing, and annotations that accumulate", async () => {
  const octokit = await gh();
  const sha = sim.branchSha("acme/api");
  await expect(
    octokit.rest.checks.create({ owner: "acme", repo: "api", name: "countersign", head_sha: sha, status: "completed" }),
  ).rejects.toMatchObject({ status: 422 });
  const annotation = { path: "src/x.ts", start_line: 1, end_line: 1, annotation_level: "failure" as const, message: "m" };
  const { data: run } = await octokit.rest.checks.create({
    owner: "acme",
    repo: "api",
    name: "countersign",
    head_sha: sha,
    status: "completed",
    conclusion: "failure",
    output: { title: "t", summary: "s", annotations: [annotation] },
  });
  await octokit.rest.checks.update({
    owner: "acme",
    repo: "api",
    check_run_id: run.id,
    conclusion: "success",
    output: { title: "t2", summary: "s2", annotations: [annotation] },
  });
  const { data } = await octokit.rest.checks.listForRef({
    owner: "acme",
    repo: "api",
    ref: sha,
    check_name: "countersign",
    filter: "latest",
  });
  expect(data.check_runs).toEqual([
    expect.objectContaining({
      id: run.id,
      conclusion: "success",
      app: expect.objectContaining({ id: APP_ID }),
      output: expect.objectContaining({ title: "t2", annotations_count: 2 }),
    }),
  ]);
});

test("faults: N times then normal, latency, and the log says which requests were faulted", async () => {
  const octokit = await gh();
  const fault = sim.fault({ path: "/pulls", status: 503, times: 1, delayMs: 50 });
  await expect(octokit.rest.pulls.list({ owner: "acme", repo: "api", request: { retries: 0 } })).rejects.toMatchObject({ status: 503 });
  await expect(octokit.rest.pulls.list({ owner: "acme", repo: "api" })).resolves.toMatchObject({ status: 200 });
  expect(fault.hits).toBe(1);
  const pulls = sim.requests.filter((r) => r.path.endsWith("/pulls"));
  expect(pulls.map((r) => [r.status, r.faulted])).toEqual([
    [503, true],
    [200, false],
  ]);
  expect(pulls[0]!.ms).toBeGreaterThanOrEqual(45);
});

test(
  "Sign in with GitHub: authorize acts as the signed-in user, codes work once, " + "the user's token lists only what they can read",
  async () => {
    sim.oauthApp({ clientId: "Iv1.sim", clientSecret: "sim-client-secret-0123" });
    sim.repo("acme/web");
    sim.repo("other/tool");
    sim.signInAs("ana", { repos: ["acme/api", "other/tool"] });
    const authorize = (clientId = "Iv1.sim") =>
      fetch(
        `${sim.url}/login/oauth/authorize?${new URLSearchParams({
          client_id: clientId,
          redirect_uri: "http://app.test/cb?x=1",
          state: "s1",
        })}`,
        { redirect: "manual" },
      );
    const approved = new URL((await authorize()).headers.get("location")!);
    expect(`${approved.origin}${approved.pathname}`).toBe("http://app.test/cb");
    expect(approved.searchParams.get("x")).toBe("1");
    expect(approved.searchParams.get("state")).toBe("s1");
    const code = approved.searchParams.get("code")!;
    expect((await authorize("Iv1.other")).status).toBe(404);

    const exchange = (c: string, secret = "sim-client-secret-0123") =>
      fetch(`${sim.url}/login/oauth/access_token`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: "Iv1.sim",
          client_secret: secret,
          code: c,
          redirect_uri: "http://app.test/cb?x=1",
        }).toString(),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    expect((await exchange(code, "wrong-secret-0000000000")).body.error).toBe("incorrect_client_credentials");
    const first = await exchange(code);
    expect(first).toMatchObject({ status: 200, body: { token_type: "bearer", access_token: expect.stringMatching(/^ghu_/) } });
    // One use only: GitHub's 200 with an error object.
    expect(await exchange(code)).toEqual({
      status: 200,
      body: expect.objectContaining({ error: "bad_verification_code", error_description: "The code passed is incorrect or expired." }),
    });

    const get = (path: string, token = first.body.access_token) =>
      fetch(`${sim.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await (await get("/user")).json()).toMatchObject({ login: "ana" });
    expect((await get("/user", "ghu_not-issued")).status).toBe(401);
    const page1 = await get("/user/installations?per_page=1");
    expect(page1.headers.get("link")).toContain('rel="next"');
    const { installations } = (await (await get("/user/installations?per_page=100")).json()) as {
      total_count: number;
      installations: { id: number }[];
    };
    expect(installations.map((i) => i.id).sort()).toEqual([sim.org("acme").installationId, sim.org("other").installationId].sort());
    const acme = (await (await get(`/user/installations/${sim.org("acme").installationId}/repositories`)).json()) as {
      total_count: number;
      repositories: { full_name: string }[];
    };
    expect(acme).toMatchObject({ total_count: 1, repositories: [{ full_name: "acme/api" }] });

    sim.signInAs("bob", { deny: true });
    const denied = new URL((await authorize()).headers.get("location")!);
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("s1");
    expect(denied.searchParams.has("code")).toBe(false);
    // A first sign-in: GitHub's "Authorize" page, whose button posts the same parameters.
    sim.signInAs("ana", { consent: true });
    const consent = await authorize();
    expect(consent.status).toBe(200);
    const form = await consent.text();
    expect(form).toContain('<form method="post" action="/login/oauth/authorize">');
    expect(form).toContain('<input type="hidden" name="state" value="s1">');
    const posted = await fetch(`${sim.url}/login/oauth/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: "Iv1.sim", redirect_uri: "http://app.test/cb", state: "s2" }).toString(),
    });
    expect(posted.status).toBe(302);
    expect(new URL(posted.headers.get("location")!).searchParams.get("state")).toBe("s2");
    expect(new URL(posted.headers.get("location")!).searchParams.get("code")).toMatch(/^[0-9a-f]{20}$/);
    expect(sim.requests.filter((r) => r.kind === "oauth").map((r) => `${r.method} ${r.path} ${r.status}`)).toContain(
      "POST /login/oauth/access_token 200",
    );
  },
);

test("conditional requests: a strong ETag on every GET, 304 with no body on a match (free), counted apart in the log", async () => {
  const pr = await sim.openPullRequest("acme/api", { title: "etag", files: ["src/a.ts"], deliver: false });
  await (await gh()).rest.pulls.get({ owner: "acme", repo: "api", pull_number: pr.number }); // an installation token
  const token = { token: [...(sim as unknown as { tokens: Map<string, unknown> }).tokens.keys()][0]! };
  const url = `${sim.apiUrl}/repos/acme/api/pulls/${pr.number}/files?per_page=100`;
  const get = (headers: Record<string, string> = {}) => fetch(url, { headers: { authorization: `token ${token.token}`, ...headers } });
  const mark = sim.mark();

  const first = await get();
  const etag = first.headers.get("etag")!;
  expect(etag).toMatch(/^"[0-9a-f]{64}"$/); // strong and quoted
  expect(first.headers.get("x-ratelimit-used")).toBe("2");
  expect(first.headers.get("x-ratelimit-remaining")).toBe("4998");
  await first.text();

  const again = await get({ "if-none-match": etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe("");
  expect(again.headers.get("etag")).toBe(etag);
  expect(again.headers.get("x-ratelimit-used")).toBe("2"); // a 304 costs nothing
  expect(again.headers.get("x-ratelimit-remaining")).toBe("4998");
  // If-None-Match compares weakly and takes a list.
  expect((await get({ "if-none-match": `"nope", W/${etag}` })).status).toBe(304);

  await sim.push("acme/api", pr.number, { files: ["src/b.ts"], deliver: false });
  const changed = await get({ "if-none-match": etag });
  expect(changed.status).toBe(200);
  expect(changed.headers.get("etag")).not.toBe(etag);
  expect(changed.headers.get("x-ratelimit-used")).toBe("3");
  await changed.text();

  expect(sim.notModifiedSince(mark)).toEqual([
    `GET /repos/acme/api/pulls/${pr.number}/files`,
    `GET /repos/acme/api/pulls/${pr.number}/files`,
  ]);
  expect(sim.usageSince(mark)).toEqual({ calls: 4, notModified: 2, points: 2 });
});
