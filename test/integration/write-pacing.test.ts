/**
 * Write pacing (src/github/write-pacing.ts) through the Octokit class the app runs with: GraphQL
 * reads do not wait in the one-per-second write queue, and a check-run write goes ahead of the
 * courtesy writes queued with it. Order of arrival is asserted, never durations.
 */
import nock from "nock";
import { CountersignOctokit } from "../../src/github/octokit.js";
import { writeKind } from "../../src/github/write-pacing.js";

describe("writeKind", () => {
  test.each([
    ["GET", "/repos/o/r/pulls/1/files", undefined, "read"],
    ["HEAD", "/repos/o/r", undefined, "read"],
    ["POST", "/graphql", { query: "query($o: String!) { repository(owner: $o) { id } }" }, "read"],
    ["POST", "/graphql", { query: "{ viewer { login } }" }, "read"],
    ["POST", "https://ghe.example/api/graphql", { query: "# a comment\n  query Q { viewer { login } }" }, "read"],
    ["POST", "/graphql", { query: "  mutation { addReaction(input: {}) { clientMutationId } }" }, "write"],
    ["POST", "/graphql", { query: "# mutation in a comment only\nquery { viewer { login } }" }, "read"],
    ["POST", "/graphql", undefined, "write"],
    ["POST", "/repos/o/r/check-runs", {}, "check-run"],
    ["PATCH", "/repos/o/r/check-runs/5", {}, "check-run"],
    ["POST", "/repos/o/r/issues/1/labels", {}, "write"],
    ["POST", "/repos/o/r/pulls/1/requested_reviewers", {}, "write"],
    ["DELETE", "/repos/o/r/issues/1/labels/x", {}, "write"],
    ["POST", "/app/installations/7/access_tokens", {}, "read"],
    ["POST", "/app/hook/deliveries/12345/attempts", {}, "redelivery"],
    ["POST", "https://ghe.example/api/v3/app/installations/7/access_tokens", {}, "read"],
  ])("%s %s %j is %s", (method, url, body, kind) => {
    expect(writeKind(method, url, body)).toBe(kind);
  });
});

describe("the app's Octokit paces writes, not GraphQL reads", () => {
  afterEach(() => nock.cleanAll());

  test("three GraphQL reads and a check run overtake queued label writes", async () => {
    const arrivals: string[] = [];
    const api = nock("https://api.github.com")
      .persist()
      .post(/\/repos\/o\/r\/issues\/\d+\/labels/)
      .reply((req: Request) => {
        arrivals.push(`label ${new URL(req.url).pathname.split("/")[5]}`);
        return [200, []];
      })
      .post("/repos/o/r/check-runs")
      .reply(() => {
        arrivals.push("check-run");
        return [201, { id: 1 }];
      })
      .post("/graphql")
      .reply(async (req: Request) => {
        arrivals.push(`graphql ${((await req.json()) as { variables: { n: number } }).variables.n}`);
        return [200, { data: { viewer: { login: "x" } } }];
      });
    const octokit = new CountersignOctokit({ auth: "test-token", retry: { enabled: false } });
    const label = (n: number) =>
      octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner: "o", repo: "r", issue_number: n, labels: ["t"] });
    const calls: Promise<unknown>[] = [1, 2, 3, 4].map(label);
    // Once the first label is written the second is already waiting out its second; 3 and 4 queue.
    while (!arrivals.includes("label 1")) await new Promise((resolve) => setTimeout(resolve, 5));
    calls.push(
      octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "countersign", head_sha: "a".repeat(40) }),
    );
    for (const n of [1, 2, 3]) calls.push(octokit.graphql("query($n: Int!) { viewer { login } }", { n }));
    await Promise.all(calls);
    api.persist(false);

    // The GraphQL reads do not wait a second each behind the queued writes; the check run is the
    // next write to go, ahead of labels 3 and 4 queued before it.
    expect(arrivals.slice(0, 4)).toEqual(["label 1", "graphql 1", "graphql 2", "graphql 3"]);
    expect(arrivals.slice(4)).toEqual(["label 2", "check-run", "label 3", "label 4"]);
  });
});

describe("one write queue per installation, whichever client writes", () => {
  afterEach(() => nock.cleanAll());

  test("a webhook handler's client and app.auth(id) share their installation's queue; another installation does not wait", async () => {
    const { Probot } = await import("probot");
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const arrivals: { what: string; at: number }[] = [];
    const api = nock("https://api.github.com")
      .persist()
      .post(/\/app\/installations\/\d+\/access_tokens/)
      .reply(201, () => ({ token: "installation-token", expires_at: new Date(Date.now() + 3600_000).toISOString() }))
      .post(/\/repos\/[^/]+\/r\/check-runs/)
      .reply(async (req: Request) => {
        arrivals.push({
          what: `${new URL(req.url).pathname.split("/")[2]} ${((await req.json()) as { name: string }).name}`,
          at: Date.now(),
        });
        return [201, { id: 1 }];
      });
    const probot = new Probot({ appId: 1, privateKey, Octokit: CountersignOctokit });
    // What a webhook handler gets (Probot's transform asks for an "event-octokit"), and what the
    // recovery sweep gets (app.auth with the installation id).
    const appClient = (await probot.auth()) as unknown as { auth(options: object): Promise<unknown> };
    const eventClient = (await appClient.auth({
      type: "event-octokit",
      event: { id: "d-1", name: "pull_request", payload: { action: "opened", installation: { id: 42 } } },
    })) as Awaited<ReturnType<typeof probot.auth>>;
    const sweepClient = await probot.auth(42);
    const otherInstallation = await probot.auth(43);
    const check = (client: typeof sweepClient, owner: string, name: string) =>
      client.request("POST /repos/{owner}/{repo}/check-runs", { owner, repo: "r", name, head_sha: "a".repeat(40) });

    await Promise.all([
      check(eventClient, "acme", "event 1"),
      check(sweepClient, "acme", "sweep 1"),
      check(eventClient, "acme", "event 2"),
      check(otherInstallation, "other", "other 1"),
    ]);
    api.persist(false);

    const acme = arrivals.filter((a) => a.what.startsWith("acme"));
    expect(acme).toHaveLength(3);
    // One queue for installation 42: each write at least (almost) a second after the one before,
    // however slow the machine (a slow machine only spaces them further).
    for (let i = 1; i < acme.length; i++) expect(acme[i]!.at - acme[i - 1]!.at).toBeGreaterThanOrEqual(900);
    // Installation 43's write did not wait behind 42's two-second queue.
    expect(arrivals.findIndex((a) => a.what === "other other 1")).toBeLessThan(arrivals.indexOf(acme[2]!));
  });
});

describe("courtesy writes give way to the checks being evaluated", () => {
  afterEach(() => nock.cleanAll());

  test("a label waits while an evaluation has its check to write, then goes", async () => {
    const { checkPending } = await import("../../src/github/write-pacing.js");
    const arrivals: string[] = [];
    const api = nock("https://api.github.com")
      .persist()
      .post("/repos/o/r/issues/1/labels")
      .reply(() => {
        arrivals.push("label");
        return [200, []];
      })
      .post("/repos/o/r/check-runs")
      .reply(() => {
        arrivals.push("check-run");
        return [201, { id: 1 }];
      });
    const octokit = new CountersignOctokit({ auth: "test-token", retry: { enabled: false } });
    const evaluating = checkPending(); // an evaluation still reading GitHub
    const label = octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      owner: "o",
      repo: "r",
      issue_number: 1,
      labels: ["owner:payments"],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arrivals).toEqual([]); // the queue is free, but the label gives way
    const sha = "a".repeat(40);
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "countersign", head_sha: sha });
    evaluating(); // its check is written
    evaluating(); // a second release changes nothing
    await label;
    api.persist(false);
    expect(arrivals).toEqual(["check-run", "label"]);
  });
});
