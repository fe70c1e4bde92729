/**
 * The API budget, measured from the simulator's request log (real HTTP, the real app). A
 * re-evaluation (a review on a known PR) costs at most 3 calls: one GraphQL query (commits,
 * reviews, our check run), the changed files (REST: GraphQL has no previous path for renames) and
 * one write. The first sight of a PR costs at most 6, the owner label and the team review request
 * included; the base commit's config and CODEOWNERS ride in the same GraphQL query when not cached.
 * The exact calls are pinned so any regression (an extra read, a write that
 * changes nothing) fails here. The installation-token exchange (once per installation per hour)
 * is not an API call against the budget and is excluded.
 */
import { disclosure, note, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, tally, uniqueRepo, type Harness } from "./support/harness.js";
import { TWIN_NOTE, twoPullsOneHead } from "./support/two-pulls.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const NOTE = note("exported 12k invoices from the staging snapshot and diffed the CSV byte for byte");
const files = (n: number, dir = "src/billing") => Array.from({ length: n }, (_, i) => `${dir}/f${String(i).padStart(3, "0")}.ts`);

/** Delivers `delivery` and returns the calls it cost, the 304s among them and the rate-limit points charged. */
async function cost(delivery: { event: string; payload: unknown }) {
  const mark = h.sim.mark();
  const res = await h.sim.deliver(delivery.event, delivery.payload);
  expect(res.status).toBe(202);
  return { ...tally(h.sim.callsSince(mark)), notModified: h.sim.notModifiedSince(mark), usage: h.sim.usageSince(mark) };
}

/** A 100-file PR whose owner label and team review request are already in place (GitHub requests code owners itself). */
async function settledPullRequest(repo: string, n = 100) {
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Invoice export",
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: files(n),
    labels: ["owner:payments"],
    requestedTeams: ["payments"],
    deliver: false,
  });
  return pr;
}

const GRAPHQL = "POST /graphql"; // commits, reviews, our check run on the head (+ the base files when not cached)
const filesOf = (repo: string, n: number) => `GET /repos/${repo}/pulls/${n}/files`;

/** Cleo's 3-file PR on a fresh repo with cold caches, its webhook not yet delivered (`cost` delivers it). */
async function coldPullRequest(extra: { labels?: string[]; requestedReviewers?: string[] } = {}) {
  const repo = uniqueRepo("budget");
  seedAcme(h.sim, repo);
  h.coldCaches();
  const pr = await h.sim.openPullRequest(repo, {
    title: "x",
    body: disclosure("assisted", "Copilot"),
    author: { login: "cleo" },
    files: files(3),
    ...extra,
    deliver: false,
  });
  return { repo, pr };
}

test("cold: 100 files, 2 reads (GraphQL, files) + 1 write (the check run, created completed)", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  h.coldCaches();
  const { reads, writes } = await cost(pr.delivery);
  expect(reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
  expect(writes).toEqual([`POST /repos/${repo}/check-runs`]);
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })[0]!.history.map((x) => x.status)).toEqual(["completed"]); // no in_progress first
});

test("re-evaluation: same outcome 2 reads, no write; a review that changes it 2 reads + 1 update (≤ 3 calls)", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  await cost(pr.delivery);

  const edited = await h.sim.editPullRequest(repo, pr.number, { title: "Invoice export (streaming)", deliver: false });
  const same = await cost(edited.delivery);
  expect(same.reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
  expect(same.writes).toEqual([]);
  // The files did not change: GitHub answers the conditional read 304, which costs no rate limit.
  expect(same.notModified).toEqual([filesOf(repo, pr.number)]);
  expect(same.usage).toEqual({ calls: 2, notModified: 1, points: 1 });

  const review = await h.sim.review(repo, pr.number, { user: "pay-lead", body: NOTE, deliver: false });
  const changed = await cost(review.delivery);
  expect(changed.reads).toEqual(same.reads);
  expect(changed.writes).toEqual([`PATCH /repos/${repo}/check-runs/${h.sim.latestCheck(repo, pr.headSha)!.id}`]);
  expect(changed.reads.length + changed.writes.length).toBeLessThanOrEqual(3);
  expect(changed.usage).toEqual({ calls: 3, notModified: 1, points: 2 }); // GraphQL + the update; the files are a free 304
  expect(h.sim.latestCheck(repo, pr.headSha)!.conclusion).toBe("success");
});

test("synchronize: a new head on a warm base is 2 reads + 1 create (GraphQL already says there is no run on it)", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  await cost(pr.delivery);
  const push = await h.sim.push(repo, pr.number, { files: ["src/billing/f000.ts"], deliver: false });
  const { reads, writes, notModified } = await cost(push.delivery);
  expect(reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
  expect(writes).toEqual([`POST /repos/${repo}/check-runs`]);
  expect(notModified).toEqual([]); // the push changed the files: a full answer
});

test("merge: the record costs 2 reads (GraphQL with the check's conclusion, files) and no write", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  await cost(pr.delivery);
  const merge = await h.sim.merge(repo, pr.number, { by: "maintainer", deliver: false });
  const { reads, writes, usage } = await cost(merge.delivery);
  expect(reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
  expect(writes).toEqual([]);
  expect(usage).toEqual({ calls: 2, notModified: 1, points: 1 }); // the files, read at the last evaluation, are a 304
  expect(await h.store.getMerge(repo, pr.number)).toMatchObject({ checkConclusion: "failure", bypassed: true });
});

test("101 files: one more page of files (per_page=100, Link header followed)", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo, 101);
  h.coldCaches();
  const { reads, writes } = await cost(pr.delivery);
  expect(reads).toEqual([filesOf(repo, pr.number), filesOf(repo, pr.number), GRAPHQL]);
  expect(writes).toHaveLength(1);
  expect(h.sim.requests.filter((r) => r.path.endsWith("/files")).map((r) => r.query)).toEqual(["per_page=100", "per_page=100&page=2"]);
  // Again: both pages are 304s, the second still found through the kept Link header.
  const before = h.sim.latestCheck(repo, pr.headSha)!;
  const edited = await h.sim.editPullRequest(repo, pr.number, { title: "again", deliver: false });
  const again = await cost(edited.delivery);
  expect(again.notModified).toEqual([filesOf(repo, pr.number), filesOf(repo, pr.number)]);
  expect(again.usage).toEqual({ calls: 3, notModified: 2, points: 1 });
  // Both kept pages were used: a missing one would be a truncated list, and the check would change.
  expect(again.writes).toEqual([]);
  expect(h.sim.latestCheck(repo, pr.headSha)!.text).toBe(before.text);
});

test(
  "first sight of a PR nobody from the owning team was asked to review: " + "2 reads + check run + label + review request (≤ 6)",
  async () => {
    const { repo, pr } = await coldPullRequest();
    const { reads, writes } = await cost(pr.delivery);
    expect(reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
    expect(writes).toEqual([
      `POST /repos/${repo}/check-runs`,
      `POST /repos/${repo}/issues/${pr.number}/labels`,
      `POST /repos/${repo}/pulls/${pr.number}/requested_reviewers`,
    ]);
    expect(reads.length + writes.length).toBeLessThanOrEqual(6);
    // The next event sees them in its payload and writes neither again.
    const edited = await h.sim.editPullRequest(repo, pr.number, { title: "y", deliver: false });
    expect((await cost(edited.delivery)).writes).toEqual([]);
  },
);

test(
  "no redundant writes: the owner label in another case and a team member already requested cost no label or " + "review-request write",
  async () => {
    const { repo, pr } = await coldPullRequest({ labels: ["Owner:Payments"], requestedReviewers: ["pay-lead"] });
    const { reads, writes } = await cost(pr.delivery);
    // Before: the label GitHub already shows was added again (a write that changes nothing).
    expect(writes).toEqual([`POST /repos/${repo}/check-runs`]);
    expect(reads).toEqual(["GET /orgs/acme/teams/payments/members", filesOf(repo, pr.number), GRAPHQL]);
    expect(h.sim.pull(repo, pr.number).requestedTeams).toEqual([]);
  },
);

test(
  "a boundary with team approvers and no approval or exception yet reads no membership (2 reads + 1 write cold, " + "2 reads warm)",
  async () => {
    const repo = uniqueRepo("budget");
    seedAcme(h.sim, repo);
    const pr = await h.sim.openPullRequest(repo, {
      title: "Keys",
      body: disclosure("assisted", "Copilot"),
      author: { login: "cleo" },
      files: ["src/auth/keys.ts"],
      labels: ["owner:security"],
      requestedTeams: ["security"],
      deliver: false,
    });
    h.coldCaches();
    const cold = await cost(pr.delivery);
    expect(cold.reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
    expect(cold.writes).toEqual([`POST /repos/${repo}/check-runs`]);
    const edited = await h.sim.editPullRequest(repo, pr.number, { title: "Keys 2", deliver: false });
    const warm = await cost(edited.delivery);
    expect(warm.reads).toEqual([filesOf(repo, pr.number), GRAPHQL]);
    expect(warm.writes).toEqual([]);
  },
);

test(
  "more than 100 commits or reviews: follow-up GraphQL pages for just those lists; " + "beyond GitHub's 250 commits fails closed",
  async () => {
    const repo = uniqueRepo("budget");
    seedAcme(h.sim, repo);
    const commits = Array.from({ length: 240 }, (_, i) => ({
      message: i === 230 ? "Tune\n\nCo-authored-by: Claude <noreply@anthropic.com>" : `step ${i}`,
    }));
    const pr = await h.sim.openPullRequest(repo, {
      title: "Long",
      body: disclosure("none"),
      author: { login: "cleo" },
      files: files(1),
      commits,
      labels: ["owner:payments"],
      requestedTeams: ["payments"],
      deliver: false,
    });
    for (let i = 0; i < 110; i++)
      await h.sim.review(repo, pr.number, { user: `bystander${i}`, state: "COMMENTED", body: "hm", deliver: false });
    const mark = h.sim.mark();
    await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
    // The first query, then commits 101–200 with reviews 101–111, then commits 201–240.
    expect(
      h.sim.requests
        .slice(mark)
        .filter((r) => r.kind === "graphql")
        .map((r) => r.graphql!.operation),
    ).toEqual(["countersignPullRequest", "countersignPullRequestPage", "countersignPullRequestPage"]);
    // Commit 231's co-author is seen: "none" contradicts it.
    expect(h.sim.latestCheck(repo, pr.headSha)!.text).toMatch(/AI tools seen: .*[Cc]laude/);

    const long = await h.sim.openPullRequest(repo, {
      title: "Longer",
      body: disclosure("none"),
      author: { login: "cleo" },
      files: files(1),
      commits: Array.from({ length: 260 }, (_, i) => ({ message: `step ${i}` })),
      labels: ["owner:payments"],
      requestedTeams: ["payments"],
    });
    expect(h.sim.latestCheck(repo, long.headSha)).toMatchObject({ conclusion: "failure" });
    expect(h.sim.latestCheck(repo, long.headSha)!.text).toMatch(/at most 250 commits/);
  },
);

test("two open PRs on one head: the other PR's read, GraphQL and files on top (5 reads), a write only when the check changes", async () => {
  const repo = uniqueRepo("budget");
  const { a, b, head } = await twoPullsOneHead(h, repo, { reviewB: false });
  const sibling = [`GET /repos/${repo}/pulls/${a.number}`, filesOf(repo, a.number), filesOf(repo, b.number), GRAPHQL, GRAPHQL];
  const edited = await h.sim.editPullRequest(repo, b.number, { title: "Rotate keys (1.x, again)", deliver: false });
  const same = await cost(edited.delivery);
  expect(same.reads).toEqual(sibling);
  expect(same.writes).toEqual([]);

  const review = await h.sim.review(repo, b.number, { user: "plat-lead", body: TWIN_NOTE, deliver: false });
  const changed = await cost(review.delivery);
  expect(changed.reads).toEqual(sibling);
  expect(changed.writes).toEqual([`PATCH /repos/${repo}/check-runs/${h.sim.latestCheck(repo, head)!.id}`]);
  const title = `Blocked in #${a.number} (into main): 1 of 5 gates unmet`;
  expect(h.sim.latestCheck(repo, head)).toMatchObject({ conclusion: "failure", title });
});

// Regressions once found by the load bench: shared base-file reads and no duplicate label writes.

test("a burst of PRs on one base commit reads the base files once (the in-flight read is shared)", async () => {
  const repo = uniqueRepo("budget");
  seedAcme(h.sim, repo);
  const prs = [];
  for (let i = 0; i < 5; i++) {
    prs.push(
      await h.sim.openPullRequest(repo, {
        title: `t${i}`,
        body: disclosure("none"),
        author: { login: "ana" },
        files: [`src/api/m${i}.ts`],
        labels: ["owner:platform"],
        requestedTeams: ["platform"],
        deliver: false,
      }),
    );
  }
  h.coldCaches();
  const mark = h.sim.mark();
  await Promise.all(prs.map((p) => h.sim.deliver(p.delivery.event, p.delivery.payload)));
  // One GraphQL query per PR; only the first carries the base files (f0…f3), the others wait for it.
  const queries = h.sim.requests.slice(mark).filter((r) => r.kind === "graphql");
  expect(queries).toHaveLength(5);
  expect(queries.filter((r) => r.graphql!.variables.includes("f0"))).toHaveLength(1);
});

test("a stale payload (a redelivery, or an event queued before the label landed) does not add the owner label again", async () => {
  const repo = uniqueRepo("budget");
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "x",
    body: disclosure("none"),
    author: { login: "ana" },
    files: ["src/api/a.ts"],
    requestedTeams: ["platform"],
  });
  expect(h.sim.pull(repo, pr.number).labels.map((l: { name: string }) => l.name)).toEqual(["owner:platform"]);
  const mark = h.sim.mark();
  await h.sim.redeliver(pr.delivery.id);
  // Today: POST /issues/N/labels again (a no-op on GitHub, but a second of write spacing).
  expect(h.sim.callsSince(mark, { kinds: ["write"] })).toEqual([]);
});

// ---- the recovery sweep ------------------------------------------------------------------------
// Every call counts here, the App's own (JWT) included; the installation-token exchange does not.

/** Runs a sweep and returns the calls it cost, in order. */
async function sweepCost() {
  const mark = h.sim.mark();
  const result = await h.reconciler.runSweep();
  expect(result).toMatchObject({ outcome: "ok", redeliveries: 0 });
  return h.sim.callsSince(mark, { kinds: ["read", "graphql", "write", "auth"] }).filter((c) => !c.endsWith("/access_tokens"));
}

test("sweep when nothing happened since the last one: 1 call per sweep, 0 per installation", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  await h.reconciler.runSweep(); // the first sweep reads the recent past
  expect(await sweepCost()).toEqual(["GET /app/hook/deliveries"]);
  expect(await sweepCost()).toEqual(["GET /app/hook/deliveries"]);
});

test("sweep after activity in one repository, nothing missed: 4 calls for it plus 1 per open PR updated since", async () => {
  const repo = uniqueRepo("budget");
  await h.reconciler.runSweep();
  const pr = await settledPullRequest(repo);
  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  const id = h.sim.world.findRepo(repo).id;
  expect(await sweepCost()).toEqual([
    "GET /app/hook/deliveries",
    `GET /repositories/${id}`, // the delivery log names repositories by id
    `GET /repos/${repo}/pulls`, // open, updated since
    `GET /repos/${repo}/commits/${pr.headSha}/check-runs`, // has its check: nothing to do
    `GET /repos/${repo}/pulls`, // closed, updated since: merges missing from the trail (none)
  ]);
});

/** The sweep's own calls since `mark` (not those of a redelivery it asked for), in order. */
const sweepCalls = (mark: number) =>
  h.sim.requests
    .slice(mark)
    .filter((r) => r.deliveryId === null && ["read", "graphql", "write", "auth"].includes(r.kind) && !r.path.endsWith("/access_tokens"))
    .map((r) => `${r.method} ${r.path}`);

test("sweep finding an open PR without our check: it evaluates it as a webhook would, 2 reads (GraphQL, files) + 1 write", async () => {
  const repo = uniqueRepo("budget");
  await h.reconciler.runSweep();
  h.appDown(true);
  const pr = await settledPullRequest(repo);
  expect((await h.sim.deliver(pr.delivery.event, pr.delivery.payload)).status).toBe(0); // GitHub cannot reach the app
  h.appDown(false);
  const id = h.sim.world.findRepo(repo).id;
  const mark = h.sim.mark();
  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", checksEvaluated: 1, redeliveries: 1 });
  const calls = sweepCalls(mark);
  expect(calls.slice(0, 4)).toEqual([
    "GET /app/hook/deliveries",
    `GET /repositories/${id}`,
    `GET /repos/${repo}/pulls`, // open, updated since
    `GET /repos/${repo}/commits/${pr.headSha}/check-runs`, // no run of ours on the head: its evaluation starts
  ]);
  // The evaluation (the full PR, as the list omits some of its fields; 2 reads; its check run), the
  // closed PRs updated since (merges missing from the trail: none), and the redelivery request, in
  // whichever order they go.
  const redelivery = calls.find((c) => /^POST \/app\/hook\/deliveries\/\d+\/attempts$/.test(c))!;
  expect(tally(calls.slice(4))).toEqual({
    reads: [`GET /repos/${repo}/pulls`, `GET /repos/${repo}/pulls/${pr.number}`, filesOf(repo, pr.number), GRAPHQL].sort(),
    writes: [redelivery, `POST /repos/${repo}/check-runs`].sort(),
  });
  await h.sim.idle(); // the redelivery finds the check in place: no second run
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })).toHaveLength(1);
});

test(
  "merge while GitHub cannot be read: recorded incomplete at once; completing it costs the PR read, " + "GraphQL and the files, no write",
  async () => {
    const repo = uniqueRepo("budget");
    const pr = await settledPullRequest(repo);
    await cost(pr.delivery);
    await h.reconciler.runSweep();
    h.sim.fault({ method: "GET", path: /^\/repos\//, status: 502 });
    h.sim.fault({ method: "POST", path: "/graphql", status: 502 });
    const merge = await h.sim.merge(repo, pr.number, { by: "maintainer", deliver: false });
    const during = await cost(merge.delivery);
    // The one read that fails first is enough: nothing is written to GitHub.
    expect(during.writes).toEqual([]);
    expect(await h.store.getMerge(repo, pr.number)).toMatchObject({ incomplete: true });

    h.sim.clearFaults();
    const id = h.sim.world.findRepo(repo).id;
    const mark = h.sim.mark();
    expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", mergesCompleted: 1, incompleteLeft: 0, redeliveries: 0 });
    const calls = sweepCalls(mark);
    expect(calls.slice(0, 4)).toEqual([
      "GET /app/hook/deliveries",
      `GET /repositories/${id}`,
      `GET /repos/${repo}/pulls`, // closed, updated since: the merge is in the trail (incomplete), nothing to record
      `GET /repos/${repo}/pulls`, // open, updated since: none
    ]);
    expect(calls.slice(4, 6)).toEqual([`GET /repos/${repo}/installation`, `GET /repos/${repo}/pulls/${pr.number}`]);
    expect(tally(calls.slice(6))).toEqual({ reads: [filesOf(repo, pr.number), GRAPHQL], writes: [] });
    // The files, read at the last evaluation, are a free 304 for the sweep too.
    expect(h.sim.notModifiedSince(mark)).toEqual([filesOf(repo, pr.number)]);
    expect(await h.store.getMerge(repo, pr.number)).toMatchObject({ checkConclusion: "failure", bypassed: true });
  },
);
