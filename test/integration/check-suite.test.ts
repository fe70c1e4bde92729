/**
 * "Re-run all checks" (`check_suite.rerequested`, GitHub's example payload) through probot.receive
 * with GitHub mocked by nock: the suite's open PRs are evaluated again; a suite without listed PRs
 * (a fork's) finds them by commit; another app's suite is left alone.
 */
import nock from "nock";
import { HEAD_SHA, mockGitHub } from "../support/github-mock.js";
import { useTempStore } from "../support/temp-store.js";
import { APP_ID, createTestProbot } from "../support/test-probot.js";
import { asEvent, example, pullRequestEvent } from "../support/webhook-examples.js";

const CODEOWNERS = { path: ".github/CODEOWNERS", text: "* @Codertocat/core\n" };
const API = "https://api.github.com";

const db = useTempStore();

function suiteEvent(pullRequests: number[] | null, appId = APP_ID) {
  const payload = example("check_suite", "rerequested");
  payload.repository = pullRequestEvent("opened").repository;
  payload.check_suite.app.id = appId;
  payload.check_suite.head_sha = HEAD_SHA;
  payload.check_suite.pull_requests = (pullRequests ?? []).map((number) => ({
    ...payload.check_suite.pull_requests[0],
    number,
    head: { ...payload.check_suite.pull_requests[0].head, sha: HEAD_SHA },
  }));
  return payload;
}

test("our suite's PRs are evaluated again: one fresh check on the head", async () => {
  const gh = mockGitHub({ codeowners: CODEOWNERS });
  nock(API)
    .get("/repos/Codertocat/Hello-World/pulls/2")
    .reply(200, pullRequestEvent("opened", { body: "Quick fix" }).pull_request);
  await createTestProbot(db.store).receive(asEvent("check_suite", suiteEvent([2])));
  expect(gh.checkRuns).toHaveLength(1);
  expect(gh.lastCheck()).toMatchObject({ name: "countersign", head_sha: HEAD_SHA, conclusion: "failure" });
});

test("a suite without listed PRs (a fork's) finds the open PRs whose head is the commit", async () => {
  const gh = mockGitHub({ codeowners: CODEOWNERS });
  const open = pullRequestEvent("opened", { body: "Quick fix" }).pull_request;
  nock(API)
    .get(`/repos/Codertocat/Hello-World/commits/${HEAD_SHA}/pulls`)
    .reply(200, [open, { ...open, number: 9, state: "closed" }, { ...open, number: 10, head: { ...open.head, sha: "e".repeat(40) } }]);
  nock(API).get("/repos/Codertocat/Hello-World/pulls/2").reply(200, open);
  await createTestProbot(db.store).receive(asEvent("check_suite", suiteEvent(null)));
  expect(gh.checkRuns).toHaveLength(1);
  expect(gh.lastCheck()).toMatchObject({ head_sha: HEAD_SHA });
});

test("another app's suite: no API call", async () => {
  const gh = mockGitHub({ codeowners: CODEOWNERS });
  await createTestProbot(db.store).receive(asEvent("check_suite", suiteEvent([2], 999)));
  expect(gh.calls).toEqual([]);
});
