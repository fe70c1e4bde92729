/**
 * Every gate outcome end to end: signed webhooks from the GitHub simulator over real HTTP into
 * the app, the app reading and writing the simulator's API, the check run and audit trail it
 * leaves. Probot's retry is on (fast clock); throttling is off here (see faults.test.ts).
 */
import { disclosure, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";
import { OUT_OF_SCOPE_AGENT_PULL } from "./support/agent-pull.js";
import { UPLOAD_NOTE as NOTE, reviewedAuthPull } from "./support/auth-pull.js";
import { listMerges } from "../support/list-merges.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const unmetGates = (summary: string | null) => [...String(summary).matchAll(/^\| \d+\. ([^|]+) \| ❌ unmet/gm)].map((m) => m[1]!.trim());

test("undisclosed: failure naming the disclosure; the owning team is labelled and asked to review", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Retry uploads",
    body: "Adds backoff.",
    author: { login: "ana" },
    files: ["src/upload/retry.ts"],
  });
  expect(pr.delivery.status).toBe(202);
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check).toMatchObject({ status: "completed", conclusion: "failure", title: "Blocked: 2 of 5 gates unmet", appId: 31337 });
  expect(unmetGates(check.summary)).toEqual(["AI disclosure", "Understanding review"]);
  expect(check.text).toContain("## AI assistance disclosure");
  const pull = h.sim.pull(repo, pr.number);
  expect(pull.labels.map((l: { name: string }) => l.name)).toEqual(["owner:platform"]);
  expect(pull.requestedTeams.map((t: { slug: string }) => t.slug)).toEqual(["platform"]);
  expect(await h.store.verify()).toMatchObject({ ok: true, entries: 1 });
});

test("assisted, approved without a note: failure; a noted approval on the head turns it green", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Cache FX rates",
    body: disclosure("assisted", "GitHub Copilot"),
    author: { login: "ben" },
    files: ["src/fx/cache.ts"],
  });
  await h.sim.review(repo, pr.number, { user: "plat-dev", body: "LGTM" });
  const lgtm = h.sim.latestCheck(repo, pr.headSha)!;
  expect(lgtm.conclusion).toBe("failure");
  expect(unmetGates(lgtm.summary)).toEqual(["Understanding review"]);
  expect(lgtm.text).toContain("@plat-dev");

  await h.sim.review(repo, pr.number, { user: "plat-lead", body: NOTE });
  const noted = h.sim.latestCheck(repo, pr.headSha)!;
  expect(noted).toMatchObject({ conclusion: "success", title: "Passed: 3 of 5 gates met, 2 not applicable" });
  // One check run per head SHA, updated in place.
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })).toHaveLength(1);
});

test("ownership: a changed file nobody owns is unmet", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo, { codeowners: "/src/billing/ @acme/payments\n" });
  const pr = await h.sim.openPullRequest(repo, {
    title: "Tidy scripts",
    body: disclosure("none"),
    author: { login: "ana" },
    files: ["scripts/release.sh", "src/billing/tax.ts"],
  });
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(unmetGates(check.summary)).toEqual(["Ownership"]);
  expect(check.text).toContain("scripts/release.sh");
});

test("boundary: blocked; a non-approver's exception is refused; an approver's is recorded on the head SHA and turns it green", async () => {
  const { repo, pr } = await reviewedAuthPull(h);
  const blocked = h.sim.latestCheck(repo, pr.headSha)!;
  expect(blocked.conclusion).toBe("failure");
  expect(unmetGates(blocked.summary)).toEqual(["Boundaries"]);
  expect(blocked.annotations[0]).toMatchObject({ path: "src/auth/keys.ts", title: 'Boundary "auth"' });

  await h.sim.comment(repo, pr.number, { user: "mallory", body: "/countersign exception auth: trust me, this is perfectly fine" });
  expect(h.sim.comments(repo, pr.number).at(-1)!.body).toMatch(/@mallory is not an approver of `auth`/);
  expect(await h.store.listExceptions(repo, pr.number)).toEqual([]);

  const body = `/countersign exception auth@${pr.headSha}: reviewed with security in SEC-1234, algorithm unchanged`;
  const grant = await h.sim.comment(repo, pr.number, { user: "sec-lead", body });
  expect(grant.delivery.status).toBe(202);
  expect(await h.store.listExceptions(repo, pr.number)).toEqual([
    expect.objectContaining({ boundary: "auth", grantedBy: "sec-lead", sha: pr.headSha, action: "grant" }),
  ]);
  expect(
    h.sim
      .comments(repo, pr.number)
      .find((c) => c.id === grant.id)!
      .reactions.map((r) => r.content),
  ).toEqual(["+1"]);
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });

  // A new push voids the exception: it was bound to the old head.
  const pushed = await h.sim.push(repo, pr.number, { files: ["src/auth/keys.ts"] });
  expect(h.sim.latestCheck(repo, pushed.headSha)).toMatchObject({ conclusion: "failure" });
});

test("agent outside agents.scope: unmet, naming the file", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, { ...OUT_OF_SCOPE_AGENT_PULL });
  await h.sim.review(repo, pr.number, { user: "plat-dev", body: NOTE });
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(unmetGates(check.summary)).toEqual(["Boundaries"]);
  expect(check.text).toMatch(/\*\*agent-scope\*\* \(`src\/upload\/retry\.ts`\)/);
});

test("incident: no rollback plan is unmet; scope, rollback and another person's approval pass", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const bad = await h.sim.openPullRequest(repo, {
    title: "Hotfix",
    body: `${disclosure("none")}\nScope: src/billing/**\n`,
    author: { login: "eve" },
    labels: ["incident"],
    files: ["src/billing/refunds.ts"],
  });
  const check = h.sim.latestCheck(repo, bad.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(unmetGates(check.summary)).toEqual(["Incident patch"]);
  expect(check.text).toMatch(/Rollback:/);

  const good = await h.sim.openPullRequest(repo, {
    title: "Hotfix 2",
    body: `${disclosure("none")}\nScope: src/billing/**\nRollback: revert this PR and redeploy v2.3.1\n`,
    author: { login: "eve" },
    labels: ["incident"],
    files: ["src/billing/refunds.ts"],
  });
  expect(h.sim.latestCheck(repo, good.headSha)!.conclusion).toBe("failure"); // nobody else approved yet
  await h.sim.review(repo, good.number, { user: "pay-lead", body: "Approved for the incident." });
  expect(h.sim.latestCheck(repo, good.headSha)).toMatchObject({ conclusion: "success" });
});

test("merges: a green merge, a bypassed merge and a revert, as the audit trail records them", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const green = await h.sim.openPullRequest(repo, {
    title: "Paginate export",
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
  });
  await h.sim.review(repo, green.number, { user: "pay-lead", body: NOTE });
  const red = await h.sim.openPullRequest(repo, {
    title: "Retry uploads",
    body: "no disclosure",
    author: { login: "ana" },
    files: ["src/upload/retry.ts"],
  });
  const m1 = await h.sim.merge(repo, green.number, { by: "pay-lead" });
  await h.sim.merge(repo, red.number, { by: "admin-al" });
  const revert = await h.sim.openPullRequest(repo, {
    title: 'Revert "Retry uploads"',
    body: `Reverts ${repo}#${red.number}\n\nAI-Assisted: none`,
    author: { login: "plat-lead" },
    head: `revert-${red.number}-retry-uploads`,
    files: ["src/upload/retry.ts"],
  });
  expect(h.sim.latestCheck(repo, revert.headSha)!.conclusion).toBe("success");
  await h.sim.merge(repo, revert.number, { by: "plat-lead" });

  const merges = await listMerges(h.store, { repo });
  expect(merges.map((m) => [m.prNumber, m.bypassed, m.checkConclusion])).toEqual([
    [revert.number, false, "success"],
    [red.number, true, "failure"],
    [green.number, false, "success"],
  ]);
  expect(merges.find((m) => m.prNumber === green.number)).toMatchObject({
    aiLevel: "assisted",
    aiTools: ["claude"],
    mergedBy: "pay-lead",
    mergeCommitSha: m1.mergeCommitSha,
    owningTeam: "@acme/payments",
    reviewers: [expect.objectContaining({ reviewer: "pay-lead", counted: true })],
    // The GitHub host the merge happened on (here the simulator, a GitHub Enterprise Server layout).
    githubUrl: h.sim.url,
  });
  expect((await listMerges(h.store, { repo, reverted: true })).map((m) => m.prNumber)).toEqual([red.number]);
  // Merging writes no check run: the check on a merged head is what it was.
  expect(h.sim.checkRuns(repo).every((r) => r.history.length <= 2)).toBe(true);
  expect(await h.store.verify()).toMatchObject({ ok: true });
});

test("fail closed: an invalid config and a PR over GitHub's 3,000-file listing cap are failures, never success", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo, { config: "review:\n  required_approvals: [1\n" });
  const pr = await h.sim.openPullRequest(repo, { title: "x", body: disclosure("none"), author: { login: "ana" }, files: ["src/a.ts"] });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure", title: "countersign could not evaluate" });
  expect(h.sim.latestCheck(repo, pr.headSha)!.summary).toMatch(/Invalid configuration in .*countersign\.yml/);

  const big = uniqueRepo();
  seedAcme(h.sim, big, { codeowners: "* @acme/platform\n" });
  const files = Array.from({ length: 3001 }, (_, i) => `src/gen/file-${i}.ts`);
  const huge = await h.sim.openPullRequest(big, { title: "Generated client", body: disclosure("none"), author: { login: "ana" }, files });
  const check = h.sim.latestCheck(big, huge.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(check.text).toMatch(/at most 3,000 changed files/);
  // 30 pages of 100, then GitHub lists nothing more.
  expect(h.sim.callsSince(0).filter((c) => c === `GET /repos/${big}/pulls/${huge.number}/files`)).toHaveLength(30);
});
