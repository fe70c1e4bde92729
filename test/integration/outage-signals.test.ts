/**
 * The app's Octokit tells the outage watch when GitHub fails and when it answers
 * (withOutageSignals, src/github/octokit.ts): reads and writes apart, since GitHub's reads can fail
 * while its writes succeed; any answer below 500 (a 404, a 304) means GitHub is up.
 */
import nock from "nock";
import { CountersignOctokit, GITHUB_READS, GITHUB_WRITES, withOutageSignals } from "../../src/github/octokit.js";

afterEach(() => nock.cleanAll());

test("5xx and no answer are failures; any other answer is GitHub answering; reads and writes are told apart", async () => {
  const told: string[] = [];
  const signals = {
    failed: (d: string, what?: string) => told.push(`failed ${d}: ${what}`),
    succeeded: (d: string) => told.push(`answers ${d}`),
  };
  const Octokit = withOutageSignals(CountersignOctokit, signals);
  const octokit = new Octokit({ auth: "t", retry: { enabled: false }, throttle: { enabled: false } });
  nock("https://api.github.com")
    .get("/repos/o/r")
    .reply(502, { message: "Bad Gateway" })
    .post("/graphql")
    .reply(503, "")
    .post("/repos/o/r/check-runs")
    .reply(201, { id: 1 })
    .get("/repos/o/r/pulls/1")
    .reply(404, { message: "Not Found" })
    .post("/graphql")
    .reply(200, { data: { viewer: { login: "x" } } })
    .get("/repos/o/r/contents/x")
    .replyWithError({ code: "ECONNRESET", message: "socket hang up" });

  await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" })).rejects.toMatchObject({ status: 502 });
  await expect(octokit.graphql("query { viewer { login } }")).rejects.toBeTruthy();
  await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "countersign", head_sha: "a".repeat(40) });
  await expect(
    octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "o", repo: "r", pull_number: 1 }),
  ).rejects.toMatchObject({
    status: 404,
  });
  await octokit.graphql("query { viewer { login } }");
  await expect(octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "o", repo: "r", path: "x" })).rejects.toBeTruthy();

  expect(told).toEqual([
    `failed ${GITHUB_READS}: GET /repos/{owner}/{repo}`, // with the route
    `failed ${GITHUB_READS}: POST /graphql`, // a GraphQL query is a read
    `answers ${GITHUB_WRITES}`,
    `answers ${GITHUB_READS}`, // a 404 is an answer
    `answers ${GITHUB_READS}`,
    `failed ${GITHUB_READS}: GET /repos/{owner}/{repo}/contents/{id}`, // no answer at all
  ]);
});
