/**
 * Gates 4 and 5 through probot.receive and nock: exceptions granted, refused, voided by a push and
 * revoked; require_approval by team membership; agent scope; incident patches.
 */
import nock from "nock";
import { mockGitHub, HEAD_SHA } from "../support/github-mock.js";
import { useTempStore } from "../support/temp-store.js";
import { createTestProbot } from "../support/test-probot.js";
import { asEvent, prCommentEvent, pullRequestEvent } from "../support/webhook-examples.js";

const CONFIG = `
boundaries:
  - name: auth
    paths: ["src/auth/**"]
    approvers: ["@Codertocat/security"]
    message: Auth code is off-limits to AI-assisted changes.
  - name: payments
    paths: ["src/payments/**"]
    action: require_approval
    approvers: ["@Codertocat/payments"]
    min_approvals: 2
agents:
  scope: ["docs/**"]
ownership:
  fallback_team: "@Codertocat/core"
`;

const ASSISTED = "## AI assistance disclosure\n- [ ] None\n- [x] Assisted\n- [ ] Generated\n- [ ] Agent\n";
const NOTE = `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back
Verified: replayed the login flow against staging with expired and revoked tokens`;
const GRANT = `/countersign exception auth@${HEAD_SHA}: reviewed with security in SEC-1234, token handling unchanged`;
const TEAMS = { "@codertocat/security": ["sec-lead"], "@codertocat/payments": ["pay1", "pay2"] };

const db = useTempStore();

const pull = (patch: Record<string, unknown> = {}) =>
  pullRequestEvent("opened", { body: ASSISTED, requested_reviewers: [], ...patch }).pull_request;

/** GitHub with the PR on src/auth/login.ts (acme's `auth` boundary) approved by rev with a note. */
const approvedAuthPull = () =>
  mockGitHub({
    config: CONFIG,
    files: [{ filename: "src/auth/login.ts" }],
    reviews: [{ login: "rev", state: "APPROVED", body: NOTE }],
    teams: TEAMS,
    pull: pull(),
  });

describe("exceptions", () => {
  test("granted by an approver: recorded, acknowledged, and the check turns green on that head", async () => {
    const gh = approvedAuthPull();
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("pull_request", pullRequestEvent("opened", { body: ASSISTED, requested_reviewers: [] })));
    expect(gh.lastCheck()!.conclusion).toBe("failure");
    expect(gh.lastCheck()!.output.annotations[0]).toMatchObject({ path: "src/auth/login.ts", title: 'Boundary "auth"' });

    await probot.receive(asEvent("issue_comment", prCommentEvent(GRANT, "sec-lead"), "d-grant"));
    const rows = await db.store.listExceptions("Codertocat/Hello-World", 2);
    expect(rows).toEqual([
      expect.objectContaining({
        boundary: "auth",
        grantedBy: "sec-lead",
        sha: HEAD_SHA,
        commentId: 4242,
        action: "grant",
        reason: expect.stringContaining("SEC-1234"),
      }),
    ]);
    expect(gh.reactions).toEqual(["+1"]);
    expect(gh.comments.at(-1)!.body).toMatch(/granted by @sec-lead on ec26c3e/);
    expect(gh.lastCheck()!.conclusion).toBe("success");

    // A redelivery of the same comment grants nothing twice.
    await probot.receive(asEvent("issue_comment", prCommentEvent(GRANT, "sec-lead"), "d-grant"));
    expect(await db.store.listExceptions("Codertocat/Hello-World", 2)).toHaveLength(1);
  });

  test("refused from someone who is not an approver: a reply naming who may grant, nothing recorded", async () => {
    const gh = mockGitHub({ config: CONFIG, files: [{ filename: "src/auth/login.ts" }], teams: TEAMS, pull: pull() });
    await createTestProbot(db.store).receive(
      asEvent("issue_comment", prCommentEvent("/countersign exception auth: I promise this is fine, trust me", "mallory")),
    );
    expect(await db.store.listExceptions("Codertocat/Hello-World", 2)).toEqual([]);
    expect(gh.comments[0]!.body).toMatch(/@mallory is not an approver of `auth`.*@Codertocat\/security/);
    expect(gh.checkRuns).toHaveLength(0);
  });

  test("a short reason, an unknown boundary and an unknown command get help, not a grant", async () => {
    const gh = mockGitHub({ config: CONFIG, teams: TEAMS, pull: pull() });
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("issue_comment", prCommentEvent("/countersign exception auth: ok", "sec-lead")));
    await probot.receive(
      asEvent("issue_comment", prCommentEvent("/countersign exception billing: reviewed by the billing team in depth", "sec-lead")),
    );
    await probot.receive(asEvent("issue_comment", prCommentEvent("/countersign approve", "sec-lead")));
    expect(gh.comments.map((c) => c.body)).toEqual([
      expect.stringMatching(/at least 20 characters/),
      expect.stringMatching(/no boundary `billing`.*`auth`, `payments`, `agent-scope`/),
      expect.stringMatching(/unknown command[\s\S]*\/countersign exception <boundary>/),
    ]);
    expect(await db.store.listExceptions("Codertocat/Hello-World", 2)).toEqual([]);
  });

  test("a new push voids the exception, and the check says so", async () => {
    mockGitHub({
      config: CONFIG,
      files: [{ filename: "src/auth/login.ts" }],
      reviews: [{ login: "rev", state: "APPROVED", body: NOTE, commit_id: "d".repeat(40) }],
      teams: TEAMS,
      pull: pull(),
    });
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("issue_comment", prCommentEvent(GRANT, "sec-lead")));
    nock.cleanAll();
    const gh = mockGitHub({
      config: CONFIG,
      files: [{ filename: "src/auth/login.ts" }],
      reviews: [{ login: "rev", state: "APPROVED", body: NOTE, commit_id: "d".repeat(40) }],
      teams: TEAMS,
    });
    const pushed = pullRequestEvent("synchronize", { body: ASSISTED, requested_reviewers: [] });
    pushed.pull_request.head.sha = "d".repeat(40);
    await probot.receive(asEvent("pull_request", pushed));
    expect(gh.lastCheck()!.conclusion).toBe("failure");
    expect(gh.lastCheck()!.output.text).toMatch(/exception granted by @sec-lead on ec26c3e no longer holds: new commits were pushed/);
  });

  test("revoked by an approver: the check fails again; the comment's later edit changes nothing", async () => {
    const gh = approvedAuthPull();
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("issue_comment", prCommentEvent(GRANT, "sec-lead")));
    expect(gh.lastCheck()!.conclusion).toBe("success");
    await probot.receive(asEvent("issue_comment", prCommentEvent("/countersign revoke auth", "sec-lead")));
    expect(gh.lastCheck()!.conclusion).toBe("failure");
    expect((await db.store.listExceptions("Codertocat/Hello-World", 2)).map((e) => e.action)).toEqual(["grant", "revoke"]);
  });
});

describe("require_approval by team membership", () => {
  test("min_approvals: 2 from @Codertocat/payments: one is unmet, two is met", async () => {
    const one = mockGitHub({
      config: CONFIG,
      files: [{ filename: "src/payments/charge.ts" }],
      reviews: [{ login: "pay1", state: "APPROVED", body: NOTE }],
      teams: TEAMS,
    });
    await createTestProbot(db.store).receive(
      asEvent("pull_request", pullRequestEvent("opened", { body: ASSISTED, requested_reviewers: [] })),
    );
    expect(one.lastCheck()!.conclusion).toBe("failure");
    expect(one.lastCheck()!.output.text).toMatch(/needs 2 noted approvals on the head commit from @Codertocat\/payments; has 1/);
    expect(one.calls).toContain("GET /orgs/codertocat/teams/payments/members");

    nock.cleanAll();
    const two = mockGitHub({
      config: CONFIG,
      files: [{ filename: "src/payments/charge.ts" }],
      reviews: [
        { login: "pay1", state: "APPROVED", body: NOTE },
        { login: "pay2", state: "APPROVED", body: NOTE },
      ],
      teams: TEAMS,
    });
    await createTestProbot(db.store).receive(
      asEvent("pull_request", pullRequestEvent("opened", { body: ASSISTED, requested_reviewers: [] })),
    );
    expect(two.lastCheck()!.conclusion).toBe("success");
  });
});

describe("agents and incidents", () => {
  test("an agent PR outside agents.scope is unmet", async () => {
    const gh = mockGitHub({
      config: CONFIG,
      files: [{ filename: "docs/a.md" }, { filename: "src/app.ts" }],
      commits: [
        {
          message: "Initial plan",
          authorLogin: "copilot-swe-agent[bot]",
          authorEmail: "198982749+Copilot@users.noreply.github.com",
          authorName: "Copilot",
        },
      ],
      reviews: [{ login: "rev", state: "APPROVED", body: NOTE }],
    });
    const event = pullRequestEvent("opened", {
      body: "Sponsor: @lead\n",
      requested_reviewers: [],
      user: { login: "Copilot", id: 198982749, type: "Bot" },
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", event));
    expect(gh.lastCheck()!.conclusion).toBe("failure");
    expect(gh.lastCheck()!.output.text).toMatch(/\*\*agent-scope\*\* \(`src\/app\.ts`\)/);
  });

  test("an incident patch without scope or rollback, and one touching a lockfile", async () => {
    const body = "## AI assistance disclosure\n- [x] None\n- [ ] Assisted\n- [ ] Generated\n- [ ] Agent\n";
    const gh = mockGitHub({
      config: CONFIG,
      files: [{ filename: "src/api/handler.ts" }],
      reviews: [{ login: "rev", state: "APPROVED", body: NOTE }],
    });
    const probot = createTestProbot(db.store);
    await probot.receive(
      asEvent("pull_request", pullRequestEvent("opened", { body, labels: [{ name: "incident" }], requested_reviewers: [] })),
    );
    expect(gh.lastCheck()!.output.text).toMatch(/must declare `Scope:`.*and `Rollback:`/);

    nock.cleanAll();
    const gh2 = mockGitHub({
      config: CONFIG,
      files: [{ filename: "src/api/handler.ts" }, { filename: "package-lock.json" }],
      reviews: [{ login: "rev", state: "APPROVED", body: NOTE }],
    });
    await createTestProbot(db.store).receive(
      asEvent(
        "pull_request",
        pullRequestEvent("opened", {
          body: `${body}\nScope: src/api/**\nRollback: revert this PR and redeploy v2.3.1\n`,
          labels: [{ name: "incident" }],
          requested_reviewers: [],
        }),
      ),
    );
    expect(gh2.lastCheck()!.conclusion).toBe("failure");
    expect(gh2.lastCheck()!.output.text).toMatch(/Not allowed in an incident patch.*`package-lock\.json`/);
  });
});

test("editing or deleting an exception comment neither forges nor revokes anything", async () => {
  const gh = mockGitHub({ config: CONFIG, teams: TEAMS, pull: pull() });
  const probot = createTestProbot(db.store);
  for (const action of ["edited", "deleted"]) {
    const event = prCommentEvent("/countersign exception auth: reviewed with security in SEC-1234, token handling unchanged", "sec-lead");
    event.action = action;
    await probot.receive(asEvent("issue_comment", event));
  }
  expect(gh.calls).toEqual([]);
  expect(await db.store.listExceptions("Codertocat/Hello-World", 2)).toEqual([]);
});
