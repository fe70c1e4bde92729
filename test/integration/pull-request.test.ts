/**
 * The app end to end through probot.receive, with GitHub mocked by nock (no network).
 * Asserts what GitHub would show (check-run conclusion, title, summary), what the audit trail
 * holds, and how many API calls and writes each evaluation costs.
 */
import nock from "nock";
import { main as cli } from "../../src/cli/main.js";
import { mockGitHub, HEAD_SHA } from "../support/github-mock.js";
import { useTempStore } from "../support/temp-store.js";
import { createTestProbot } from "../support/test-probot.js";
import { asEvent, example, mergedEvent, pullRequestEvent, reviewEvent } from "../support/webhook-examples.js";
import { listMerges } from "../support/list-merges.js";

const DISCLOSED = `## Summary
Adds retry to the uploader.

## AI assistance disclosure
- [ ] **None**: no AI tools were used
- [x] **Assisted**: I wrote this; AI helped (suggestions, explanations, review, small snippets)
- [ ] **Generated**: most of the change came from an AI tool I prompted, then read and tested
- [ ] **Agent**: an autonomous coding agent produced this PR; I am the accountable human

AI-Tools: GitHub Copilot
`;

const NOTE = `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back
Verified: ran the uploader against a local S3 stub with injected 503s and read the retry loop line by line`;

const CODEOWNERS = { path: ".github/CODEOWNERS", text: "* @Codertocat/core\n/docs/ @Codertocat/docs\n" };

const db = useTempStore();

describe("pull_request.opened", () => {
  test("without a disclosure: failure naming the missing section, created completed in one write", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS });
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("pull_request", pullRequestEvent("opened", { body: "Fixes the uploader.", requested_reviewers: [] })));

    expect(gh.checkRuns).toHaveLength(1);
    const check = gh.lastCheck()!;
    expect(check).toMatchObject({ name: "countersign", status: "completed", conclusion: "failure", head_sha: HEAD_SHA });
    expect(check.output.title).toBe("Blocked: 2 of 5 gates unmet");
    expect(check.output.summary).toMatch(/AI disclosure \| ❌ unmet/);
    expect(check.output.text).toContain("## AI assistance disclosure");
    expect(check.output.text).toMatch(/no AI-assistance disclosure/i);
    // The API budget: 1 GraphQL (commits, reviews, our check run, config + CODEOWNERS) + files, then the writes.
    expect(gh.calls.filter((c) => c.startsWith("GET") || c.startsWith("POST /graphql")).sort()).toEqual([
      "GET /repos/Codertocat/Hello-World/pulls/2/files",
      "POST /graphql",
    ]);
    expect(gh.writes()).toEqual([
      "POST /repos/Codertocat/Hello-World/check-runs",
      "POST /repos/Codertocat/Hello-World/issues/2/labels",
      "POST /repos/Codertocat/Hello-World/pulls/2/requested_reviewers",
    ]);
    expect(gh.reviewRequests).toEqual([{ team_reviewers: ["core"] }]);
  });

  test("a filled disclosure and a noted approval on the head SHA: success", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS, reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }] });
    const probot = createTestProbot(db.store);
    await probot.receive(
      asEvent(
        "pull_request",
        pullRequestEvent("opened", { body: DISCLOSED, labels: [{ name: "owner:core" }], requested_teams: [{ slug: "core" }] }),
      ),
    );

    const check = gh.lastCheck()!;
    expect(check.conclusion).toBe("success");
    expect(check.output.title).toBe("Passed: 3 of 5 gates met, 2 not applicable");
    expect(check.output.summary).toMatch(/Understanding review \| ✅ passed/);
    expect(gh.labelsAdded).toEqual([]); // the owner label and the team request are already there: no write
    expect(gh.writes()).toEqual(["POST /repos/Codertocat/Hello-World/check-runs"]);
  });

  test("a second event with the same outcome reads twice (GraphQL, files) and writes nothing (warm caches)", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS, reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }] });
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED, labels: [{ name: "owner:core" }] })));
    const before = gh.calls.length;
    await probot.receive(asEvent("pull_request", pullRequestEvent("edited", { body: DISCLOSED, labels: [{ name: "owner:core" }] })));
    const second = gh.calls.slice(before);
    expect(second.sort()).toEqual(["GET /repos/Codertocat/Hello-World/pulls/2/files", "POST /graphql"]);
    expect(gh.checkRuns).toHaveLength(1);
  });

  test("an approval without a note does not count, and the summary shows the note to paste", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS, reviews: [{ login: "reviewer1", state: "APPROVED", body: "LGTM" }] });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    const check = gh.lastCheck()!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("Blocked: 1 of 5 gates unmet");
    expect(check.output.text).toContain("@reviewer1");
    expect(check.output.text).toContain("Verified: <what you ran, read or asked");
  });

  test("an approval of an older head SHA is stale", async () => {
    const gh = mockGitHub({
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE, commit_id: "a".repeat(40) }],
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("synchronize", { body: DISCLOSED })));
    expect(gh.lastCheck()!.conclusion).toBe("failure");
    expect(gh.lastCheck()!.output.text).toMatch(/approved an older commit \(aaaaaaa\)/);
  });

  test("an empty, null or 1 MB body is a failure naming the missing disclosure, never a crash", async () => {
    for (const body of ["", null, "x".repeat(1024 * 1024)]) {
      nock.cleanAll();
      const gh = mockGitHub({ codeowners: CODEOWNERS });
      await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body })));
      expect(gh.lastCheck()!.conclusion).toBe("failure");
      expect(gh.lastCheck()!.output.title).toBe("Blocked: 2 of 5 gates unmet");
    }
  });

  test("a review with a null body and a commit with a null author are handled", async () => {
    const gh = mockGitHub({
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: null }],
      commits: [{ message: "Fix", authorLogin: null, authorEmail: "someone@example.com" }],
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(gh.lastCheck()!.conclusion).toBe("failure");
    expect(gh.lastCheck()!.output.text).toMatch(/@reviewer1 .*no `Verified:` statement/);
  });

  test("an action the app does not handle makes no API call", async () => {
    const gh = mockGitHub();
    await createTestProbot(db.store).receive(asEvent("pull_request", example("pull_request", "assigned")));
    expect(gh.calls).toEqual([]);
  });

  test("an edit that changes neither body nor title is ignored", async () => {
    const gh = mockGitHub();
    const payload = pullRequestEvent("edited");
    payload.changes = { assignees: {} };
    await createTestProbot(db.store).receive(asEvent("pull_request", payload));
    expect(gh.calls).toEqual([]);
  });
});

describe("configuration", () => {
  test("malformed YAML fails closed with the line", async () => {
    const gh = mockGitHub({ config: "review:\n  required_approvals: [1\n", codeowners: CODEOWNERS });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    const check = gh.lastCheck()!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("countersign could not evaluate");
    expect(check.output.summary).toMatch(/Invalid configuration in Codertocat\/Hello-World:\.github\/countersign\.yml/);
    expect(check.output.summary).toMatch(/line \d+: invalid YAML/);
  });

  test("an unknown key and a wrong type are both reported with key path and line", async () => {
    const gh = mockGitHub({ config: "review:\n  required_aprovals: 2\n  require_fresh_review: maybe\n", codeowners: CODEOWNERS });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    const summary = gh.lastCheck()!.output.summary as string;
    expect(summary).toContain('line 2: `review.required_aprovals`: unknown key "required_aprovals" (did you mean "required_approvals"?)');
    expect(summary).toMatch(/line 3: `review\.require_fresh_review`: .*boolean/);
  });

  test("the organisation's .github repository is the fallback", async () => {
    const gh = mockGitHub({
      config: null,
      orgConfig: "review:\n  applies_to: [none, assisted, generated, agent]\n",
      codeowners: CODEOWNERS,
    });
    const body = DISCLOSED.replace("- [ ] **None**", "- [x] **None**").replace("- [x] **Assisted**", "- [ ] **Assisted**");
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body })));
    // `none` needs a note only because the org config says so.
    expect(gh.lastCheck()!.output.summary).toMatch(/Understanding review \| ❌ unmet/);
  });
});

describe("GitHub failures end in failure, never success", () => {
  test.each([
    ["500 on files", { match: "/pulls/2/files", status: 500 }, /GitHub is failing \(HTTP 500/],
    ["404 on files", { match: "/pulls/2/files", status: 404 }, /404 Not Found/],
    [
      "403 secondary rate limit",
      {
        match: "/pulls/2/files",
        status: 403,
        headers: { "retry-after": "60", "x-ratelimit-remaining": "4000" },
        body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
      },
      /rate limit/,
    ],
    ["502 on GraphQL", { match: "/graphql", status: 502 }, /HTTP 502/],
  ])("%s", async (_name, failure, reason) => {
    const gh = mockGitHub({
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }],
      failures: [failure],
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    const check = gh.lastCheck()!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("countersign could not evaluate");
    expect(check.output.summary).toMatch(reason);
  });
});

describe("reviews", () => {
  test("pull_request_review.submitted with a noted approval turns the check green", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS, reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }] });
    const payload = reviewEvent({ body: NOTE, user: { login: "reviewer1", type: "User" } }, { body: DISCLOSED });
    await createTestProbot(db.store).receive(asEvent("pull_request_review", payload));
    expect(gh.lastCheck()!.conclusion).toBe("success");
  });

  test("the PR author approving their own PR does not count", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS, reviews: [{ login: "Codertocat", state: "APPROVED", body: NOTE }] });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(gh.lastCheck()!.output.text).toContain("@Codertocat is the PR author");
  });
});

describe("merges and the audit trail", () => {
  test("a merged PR writes one merge record with the notes, whatever the delivery", async () => {
    const gh = mockGitHub({
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }],
      checkConclusionAtMerge: "success",
    });
    const probot = createTestProbot(db.store);
    const event = mergedEvent({ body: DISCLOSED });
    await probot.receive(asEvent("pull_request", event, "delivery-1"));
    await probot.receive(asEvent("pull_request", event, "delivery-1")); // redelivery
    await probot.receive(asEvent("pull_request", event, "delivery-2")); // a second delivery of the same merge

    const merges = await listMerges(db.store, {});
    expect(merges).toHaveLength(1);
    const m = merges[0]!;
    expect(m).toMatchObject({
      repo: "Codertocat/Hello-World",
      prNumber: 2,
      aiLevel: "assisted",
      aiTools: ["copilot"],
      checkConclusion: "success",
      bypassed: false,
      mergedBy: "octo-maintainer",
      owningTeam: "@Codertocat/core",
      headSha: HEAD_SHA,
    });
    expect(m.reviewers).toEqual([
      expect.objectContaining({ reviewer: "reviewer1", counted: true, verified: expect.stringContaining("local S3 stub") }),
    ]);
    expect(gh.checkRuns).toHaveLength(0); // merging records; it does not rewrite the check

    const out: string[] = [];
    process.env.DATABASE_URL = db.url;
    const code = await cli(["node", "countersign", "audit", "merges", "--format", "json"], {
      out: (t) => out.push(t),
      err: (t) => out.push(t),
    });
    expect(code).toBe(0);
    expect(JSON.parse(out.join("\n"))).toEqual([expect.objectContaining({ prNumber: 2, aiLevel: "assisted" })]);
  });

  test("a merge while the check was failing or absent is bypassed, and on_bypass: comment posts a notice", async () => {
    const gh = mockGitHub({ config: "audit:\n  on_bypass: comment\n", codeowners: CODEOWNERS, checkConclusionAtMerge: null });
    await createTestProbot(db.store).receive(asEvent("pull_request", mergedEvent({ body: "no disclosure" })));
    const [m] = await listMerges(db.store, { bypassed: true });
    expect(m).toMatchObject({ bypassed: true, checkConclusion: null, aiLevel: "undisclosed" });
    expect(gh.comments[0]?.body).toMatch(/merged without a passing `countersign` check/);
  });
});

describe("merge queue and re-runs", () => {
  test("merge_group.checks_requested evaluates the PR in the group and reports on the group's head", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS });
    const payload = example("merge_group", "checks_requested");
    payload.merge_group.head_ref = "refs/heads/gh-readonly-queue/main/pr-2-929f8209d40f77f4abc622a499c93a83babdbe64";
    payload.repository = pullRequestEvent("opened").repository;
    const pr = pullRequestEvent("opened", { body: "undisclosed" }).pull_request;
    nock("https://api.github.com").get("/repos/Codertocat/Hello-World/pulls/2").reply(200, pr);
    await createTestProbot(db.store).receive(asEvent("merge_group", payload));
    const check = gh.lastCheck()!;
    expect(check.head_sha).toBe(payload.merge_group.head_sha);
    expect(check.conclusion).toBe("failure");
  });

  test("a merge group whose PR cannot be identified fails", async () => {
    const gh = mockGitHub();
    const payload = example("merge_group", "checks_requested");
    payload.merge_group.head_ref = "refs/heads/some-other-branch";
    payload.repository = pullRequestEvent("opened").repository;
    await createTestProbot(db.store).receive(asEvent("merge_group", payload));
    expect(gh.lastCheck()).toMatchObject({ conclusion: "failure", output: { title: "countersign could not evaluate" } });
  });

  test("check_run.rerequested for our check re-evaluates; another app's check is ignored", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS });
    const payload = example("check_run", "rerequested");
    payload.repository = pullRequestEvent("opened").repository;
    payload.check_run.name = "countersign";
    payload.check_run.app.id = 123;
    payload.check_run.head_sha = HEAD_SHA;
    payload.check_run.pull_requests = [
      { number: 2, id: 1, url: "", head: { ref: "x", sha: HEAD_SHA, repo: {} }, base: { ref: "main", sha: "f".repeat(40), repo: {} } },
    ];
    nock("https://api.github.com")
      .get("/repos/Codertocat/Hello-World/pulls/2")
      .reply(200, pullRequestEvent("opened", { body: DISCLOSED }).pull_request);
    await createTestProbot(db.store).receive(asEvent("check_run", payload));
    expect(gh.checkRuns).toHaveLength(1);

    const other = structuredClone(payload);
    other.check_run.app.id = 999;
    const before = gh.calls.length;
    await createTestProbot(db.store).receive(asEvent("check_run", other));
    expect(gh.calls.length).toBe(before);
  });
});

describe("reverts", () => {
  test("merging GitHub's Revert PR marks the original merge as reverted", async () => {
    mockGitHub({
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }],
      checkConclusionAtMerge: "success",
    });
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("pull_request", mergedEvent({ body: DISCLOSED }), "d-original"));
    nock.cleanAll();
    mockGitHub({ codeowners: CODEOWNERS, checkConclusionAtMerge: "success" });
    const revert = mergedEvent({
      number: 2,
      body: "Reverts Codertocat/Hello-World#2\n\nAI-Assisted: none",
      title: 'Revert "Update the README"',
    });
    revert.pull_request.head.ref = "revert-2-changes";
    revert.pull_request.number = 3;
    revert.number = 3;
    // PR #3's lists come from the same mocked endpoints as #2.
    nock("https://api.github.com")
      .get("/repos/Codertocat/Hello-World/pulls/3/files")
      .query(true)
      .reply(200, [{ filename: "README.md", status: "modified" }])
      .get("/repos/Codertocat/Hello-World/pulls/3/commits")
      .query(true)
      .reply(200, [])
      .get("/repos/Codertocat/Hello-World/pulls/3/reviews")
      .query(true)
      .reply(200, []);
    await probot.receive(asEvent("pull_request", revert, "d-revert"));
    const reverted = await listMerges(db.store, { reverted: true });
    expect(reverted.map((m) => m.prNumber)).toEqual([2]);
    expect(reverted[0]!.revertedBy).toEqual([expect.objectContaining({ prNumber: 3, method: "body" })]);
  });
});

describe("CODEOWNERS problems", () => {
  test("invalid lines are listed with GitHub's own view, and parsed once per blob across events", async () => {
    const codeowners = { path: ".github/CODEOWNERS", text: "* @Codertocat/core\n!/vendor/ @Codertocat/core\n*.[ch] @Codertocat/c\n" };
    const gh = mockGitHub({
      codeowners,
      githubCodeownersErrors: [
        { line: 2, kind: "Invalid pattern" },
        { line: 3, kind: "Invalid pattern" },
      ],
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }],
    });
    const probot = createTestProbot(db.store);
    await probot.receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED, labels: [{ name: "owner:core" }] })));
    const text = gh.lastCheck()!.output.text as string;
    expect(text).toMatch(/`\.github\/CODEOWNERS` line 2 skipped/);
    expect(text).toMatch(/`\.github\/CODEOWNERS` line 3 skipped/);
    expect(text).toContain("GitHub reports the same invalid lines (2, 3).");
    expect(gh.lastCheck()!.conclusion).toBe("success"); // the valid rule still owns everything
    await probot.receive(asEvent("pull_request", pullRequestEvent("synchronize", { body: DISCLOSED, labels: [{ name: "owner:core" }] })));
    expect(gh.calls.filter((c) => c.endsWith("/codeowners/errors"))).toHaveLength(1);
  });
});

describe("bursts", () => {
  test("five events for the same head at once cost two evaluations, and the check is written once", async () => {
    const gh = mockGitHub({ codeowners: CODEOWNERS, reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }] });
    const probot = createTestProbot(db.store);
    const events = ["opened", "edited", "labeled", "edited", "synchronize"] as const;
    await Promise.all(
      events.map((a, i) =>
        probot.receive(asEvent("pull_request", pullRequestEvent(a, { body: DISCLOSED, labels: [{ name: "owner:core" }] }), `burst-${i}`)),
      ),
    );
    expect(gh.calls.filter((c) => c.endsWith("/pulls/2/files"))).toHaveLength(2);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.lastCheck()!.conclusion).toBe("success");
  });
});

describe("postmortem", () => {
  test("from a commit SHA of the merged PR to the filled review section", async () => {
    mockGitHub({
      codeowners: CODEOWNERS,
      reviews: [{ login: "reviewer1", state: "APPROVED", body: NOTE }],
      checkConclusionAtMerge: "success",
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", mergedEvent({ body: DISCLOSED })));
    process.env.DATABASE_URL = db.url;
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    // A PR commit (not the merge commit) finds the merge.
    expect(await cli(["node", "countersign", "postmortem", "01abababab"], io)).toBe(0);
    const md = out.join("\n");
    expect(md).toContain("## Change review: Codertocat/Hello-World#2");
    expect(md).toContain("### Was AI assistance significant? Yes");
    expect(md).toContain("### Did a human understand the change before it shipped? Yes");
    expect(md).toMatch(/@reviewer1 \(counted\): approved the merged head ec26c3e; Verified: "ran the uploader/);
    expect(md).toContain("### Was the gate bypassed? No");

    out.length = 0;
    expect(await cli(["node", "countersign", "postmortem", "deadbeef"], io)).toBe(1);
    expect(out.join("\n")).toMatch(/Unknown[\s\S]*not been backfilled/);
  });
});

describe("_extends", () => {
  test("a repository extends a shared policy: keys merge, lists are replaced, the shared file's errors fail closed", async () => {
    const shared = 'review:\n  required_approvals: 2\n  checklist: ["I ran it"]\n  min_note_length: 10\n';
    const gh = mockGitHub({
      config: "_extends: policies:countersign/base.yml\nreview:\n  min_note_length: 20\n",
      remoteConfigs: { "Codertocat/policies:countersign/base.yml": shared },
      codeowners: CODEOWNERS,
      reviews: [{ login: "a", state: "APPROVED", body: "- [x] I ran it\nVerified: curl against staging, twice" }],
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    // Two approvals required by the shared file; the local min_note_length (20) applies.
    expect(gh.lastCheck()!.output.summary).toMatch(/Understanding review \| ❌ unmet \| 1 of 2 noted approvals/);

    nock.cleanAll();
    const bad = mockGitHub({
      config: "_extends: policies:countersign/base.yml\n",
      remoteConfigs: { "Codertocat/policies:countersign/base.yml": "review:\n  required_approvals: lots\n" },
      codeowners: CODEOWNERS,
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(bad.lastCheck()!.output.title).toBe("countersign could not evaluate");
    expect(bad.lastCheck()!.output.summary).toContain("Invalid configuration in Codertocat/policies:countersign/base.yml");
  });

  test("another organisation's repository only when extends_allowed_owners lists its owner; the refusal says how to allow it", async () => {
    const weak = "boundaries: []\nreview:\n  required_approvals: 1\n";
    const refused = mockGitHub({
      config: "_extends: stranger/policies\nreview:\n  required_approvals: 2\n",
      remoteConfigs: { "stranger/policies:.github/countersign.yml": weak },
      codeowners: CODEOWNERS,
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(refused.lastCheck()!.conclusion).toBe("failure");
    expect(refused.lastCheck()!.output.title).toBe("countersign could not evaluate");
    expect(refused.lastCheck()!.output.summary).toContain(
      '`_extends`: "stranger/policies" is another owner\'s repository (stranger): add "stranger" to extends_allowed_owners',
    );

    nock.cleanAll();
    const allowed = mockGitHub({
      config: "_extends: stranger/policies\nextends_allowed_owners: [stranger]\n",
      remoteConfigs: { "stranger/policies:.github/countersign.yml": "review:\n  required_approvals: 2\n" },
      codeowners: CODEOWNERS,
      reviews: [{ login: "a", state: "APPROVED", body: NOTE }],
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(allowed.lastCheck()!.output.summary).toMatch(/Understanding review \| ❌ unmet \| 1 of 2 noted approvals/);

    // An allowed owner cannot hand the policy on to a third one: only the repository's own config allows owners.
    nock.cleanAll();
    const relayed = mockGitHub({
      config: "_extends: stranger/policies\nextends_allowed_owners: [stranger]\n",
      remoteConfigs: {
        "stranger/policies:.github/countersign.yml": "_extends: third/policies\nextends_allowed_owners: [third]\n",
        "third/policies:.github/countersign.yml": weak,
      },
      codeowners: CODEOWNERS,
    });
    await createTestProbot(db.store).receive(asEvent("pull_request", pullRequestEvent("opened", { body: DISCLOSED })));
    expect(relayed.lastCheck()!.output.title).toBe("countersign could not evaluate");
    expect(relayed.lastCheck()!.output.summary).toContain('"third/policies" is another owner\'s repository (third)');
  });
});
