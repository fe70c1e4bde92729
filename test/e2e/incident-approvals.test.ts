/**
 * Incident patches need an approval from someone other than the author: that reviewer's latest
 * decision is what counts, as for the other gates, so a later "changes requested" withdraws it.
 */
import { disclosure, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

test("a reviewer's later 'changes requested' supersedes their approval of an incident patch", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Hotfix refunds",
    body: `${disclosure("none")}\nScope: src/billing/**\nRollback: revert this PR and redeploy v2.3.1\n`,
    author: { login: "eve" },
    labels: ["incident"],
    files: ["src/billing/refunds.ts"],
  });
  await h.sim.review(repo, pr.number, { user: "pay-lead", body: "Approved for the incident." });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });

  await h.sim.review(repo, pr.number, { user: "pay-lead", state: "CHANGES_REQUESTED", body: "Wait: this refunds twice on retry." });
  const check = h.sim.latestCheck(repo, pr.headSha)!;
  expect(check.conclusion).toBe("failure");
  expect(check.text).toMatch(/Needs an approval on the head commit from someone other than the author/);
});
