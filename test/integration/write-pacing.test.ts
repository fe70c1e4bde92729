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
