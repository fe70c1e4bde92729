/**
 * Two open pull requests on one head commit share its `countersign` check run. The verdict on that
 * commit must hold for both: each PR is assessed against its own base, the check concludes with
 * the strictest, and the summary has a section per PR. A merge is recorded with the merged PR's
 * own verdict, and is a bypass only when its own gates did not pass.
 */
import { startHarness, tally, uniqueRepo, type Harness } from "./support/harness.js";
import { twoPullsOneHead } from "./support/two-pulls.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const sectionsOf = (summary: string | null) => [...String(summary).matchAll(/^## (.+)$/gm)].map((m) => m[1]!);

test("a second PR on the same head into a branch with a weaker config does not turn the shared check green", async () => {
  const repo = uniqueRepo("twin");
  const { a, b, head } = await twoPullsOneHead(h, repo);
  // Before: B's evaluation wrote B's own verdict (no boundaries on release/1.x): success.
  const check = h.sim.latestCheck(repo, head)!;
  expect(check).toMatchObject({ conclusion: "failure", title: `Blocked in #${a.number} (into main): 1 of 5 gates unmet` });
  expect(sectionsOf(check.summary)).toEqual([
    `❌ #${a.number} into \`main\`: Blocked: 1 of 5 gates unmet`,
    `✅ #${b.number} into \`release/1.x\`: Passed: 3 of 5 gates met, 2 not applicable`,
  ]);
  expect(String(check.text).startsWith(`## #${a.number} into \`main\`\n\n### ❌ Boundaries\n- **auth** (\`src/auth/keys.ts\`)`)).toBe(true);
  expect(check.text).toContain(`## #${b.number} into \`release/1.x\``);
  // (GitHub appends the annotations of every update; the distinct ones are A's boundary.)
  const distinct = [...new Set(check.annotations.map((x: unknown) => JSON.stringify(x)))].map((x) => JSON.parse(x));
  expect(distinct).toEqual([expect.objectContaining({ path: "src/auth/keys.ts", title: 'Boundary "auth"' })]);
  // One check run on the head, whichever PR's event wrote it.
  expect(h.sim.checkRuns(repo, { sha: head })).toHaveLength(1);
});

test("an event on either PR re-evaluates both: an undelivered change on A shows after an event on B", async () => {
  const repo = uniqueRepo("twin");
  const { a, b, head } = await twoPullsOneHead(h, repo);
  // The security lead grants A its exception: both pass.
  const grant = `/countersign exception auth@${head}: reviewed with security in SEC-77, key length unchanged`;
  await h.sim.comment(repo, a.number, { user: "sec-lead", body: grant });
  expect(h.sim.latestCheck(repo, head)).toMatchObject({ conclusion: "success" });

  // A's review is dismissed without its event reaching the app; an edit of B follows.
  const reviewId = h.sim.pull(repo, a.number).reviews[0].id as number;
  await h.sim.dismissReview(repo, a.number, reviewId, { deliver: false });
  const mark = h.sim.mark();
  await h.sim.editPullRequest(repo, b.number, { title: "Rotate keys (1.x backport)" });
  // Before: only B was read, and the check kept saying success.
  const reads = tally(h.sim.callsSince(mark)).reads;
  expect(reads).toEqual(
    expect.arrayContaining([`GET /repos/${repo}/pulls/${a.number}/files`, `GET /repos/${repo}/pulls/${b.number}/files`]),
  );
  const check = h.sim.latestCheck(repo, head)!;
  expect(check).toMatchObject({ conclusion: "failure", title: `Blocked in #${a.number} (into main): 1 of 5 gates unmet` });
  expect(sectionsOf(check.summary)[0]).toMatch(new RegExp(`^❌ #${a.number} into`));
});

test("merging B while A blocks the shared check: recorded with B's own verdict, not a bypass; merging A then is one", async () => {
  const repo = uniqueRepo("twin");
  const { a, b, head } = await twoPullsOneHead(h, repo);
  expect(h.sim.latestCheck(repo, head)).toMatchObject({ conclusion: "failure" });
  await h.sim.merge(repo, b.number, { by: "release-manager" });
  const merged = await h.store.getMerge(repo, b.number);
  // Before: bypassed true (the shared check was failure because of A's boundary).
  expect(merged).toMatchObject({ checkConclusion: "failure", bypassed: false, baseRef: "release/1.x" });
  expect(merged!.boundaries).toEqual([]); // B's own config: no boundaries
  expect(h.sim.comments(repo, b.number).filter((c) => /merged without a passing/.test(c.body))).toEqual([]);

  // B is merged: A alone decides the check now, and merging A while it blocks is a bypass.
  await h.sim.merge(repo, a.number, { by: "maintainer" });
  expect(await h.store.getMerge(repo, a.number)).toMatchObject({ checkConclusion: "failure", bypassed: true, baseRef: "main" });
});

test("merging B when B's own gates fail is a bypass even though A shares the head", async () => {
  const repo = uniqueRepo("twin");
  const { b, head } = await twoPullsOneHead(h, repo, { reviewB: false });
  expect(sectionsOf(h.sim.latestCheck(repo, head)!.summary).every((s) => s.startsWith("❌"))).toBe(true);
  await h.sim.merge(repo, b.number, { by: "release-manager" });
  expect(await h.store.getMerge(repo, b.number)).toMatchObject({ checkConclusion: "failure", bypassed: true });
});

test("a PR on the same head that cannot be evaluated fails the shared check, naming it", async () => {
  const repo = uniqueRepo("twin");
  const { a, b, head } = await twoPullsOneHead(h, repo);
  h.sim.fault({ method: "GET", path: `/repos/${repo}/pulls/${a.number}/files`, status: 404 });
  await h.sim.editPullRequest(repo, b.number, { title: "Rotate keys (1.x, edited)" });
  const check = h.sim.latestCheck(repo, head)!;
  expect(check).toMatchObject({ conclusion: "failure", title: `Blocked in #${a.number} (into main): countersign could not evaluate` });
  expect(sectionsOf(check.summary)).toEqual([
    `❌ #${a.number} into \`main\`: countersign could not evaluate`,
    `✅ #${b.number} into \`release/1.x\`: Passed: 3 of 5 gates met, 2 not applicable`,
  ]);
});

test("a head already on the default branch (GitHub then associates no open PR with it): the open PRs are listed instead", async () => {
  const repo = uniqueRepo("twin");
  const { a, b, head } = await twoPullsOneHead(h, repo, { baseA: "release/2.x" });
  h.sim.world.findRepo(repo).branches.set("main", head); // someone pushed the commit to main
  const mark = h.sim.mark();
  await h.sim.editPullRequest(repo, b.number, { title: "Rotate keys (1.x, edited)" });
  expect(tally(h.sim.callsSince(mark)).reads).toContain(`GET /repos/${repo}/pulls`);
  const title = `Blocked in #${a.number} (into release/2.x): 1 of 5 gates unmet`;
  expect(h.sim.latestCheck(repo, head)).toMatchObject({ conclusion: "failure", title });
});
