/**
 * Order of side effects: what is recorded and the check come first; courtesy writes (the 👍 on an
 * exception comment, replies) come last and never undo or block them.
 */
import { startHarness, type Harness } from "./support/harness.js";
import { reviewedAuthPull } from "./support/auth-pull.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ retry: true });
});
afterEach(async () => {
  await h.close();
});

test("the reaction endpoint answering 500: the exception is recorded and the check turns green anyway", async () => {
  const { repo, pr } = await reviewedAuthPull(h);
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure" });
  const reactions = h.sim.fault({ method: "POST", path: /\/reactions$/, status: 500 });

  const body = `/countersign exception auth@${pr.headSha}: reviewed with security in SEC-1234, algorithm unchanged`;
  const grant = await h.sim.comment(repo, pr.number, { user: "sec-lead", body });
  expect(grant.delivery.status).toBe(202);
  expect(reactions.hits).toBeGreaterThan(0);
  expect(await h.store.listExceptions(repo, pr.number)).toEqual([
    expect.objectContaining({ boundary: "auth", grantedBy: "sec-lead", sha: pr.headSha, action: "grant" }),
  ]);
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  // The confirmation reply is a courtesy write too: posted after the check, and only once.
  expect(h.sim.comments(repo, pr.number).filter((c) => /granted by @sec-lead/.test(c.body))).toHaveLength(1);
  expect(await h.store.inbox().get(grant.delivery.id)).toMatchObject({ state: "done", attempts: 1 });
});
