/**
 * The API budget, measured from the simulator's request log (real HTTP, the real app). An
 * evaluation of a PR with at most 100 files costs at most 6 GitHub calls cold and at most 4 warm,
 * and at most 1 write. The exact calls are pinned so any regression (an extra read, a write that
 * changes nothing) fails here. The installation-token exchange (once per installation per hour)
 * is not an API call against the budget and is excluded.
 */
import { disclosure, note, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, tally, uniqueRepo, type Harness } from "./support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const NOTE = note("exported 12k invoices from the staging snapshot and diffed the CSV byte for byte");
const files = (n: number, dir = "src/billing") => Array.from({ length: n }, (_, i) => `${dir}/f${String(i).padStart(3, "0")}.ts`);

/** Delivers `delivery` and returns the calls it cost. */
async function cost(delivery: { event: string; payload: unknown }) {
  const mark = h.sim.mark();
  const res = await h.sim.deliver(delivery.event, delivery.payload);
  expect(res.status).toBe(202);
  return tally(h.sim.callsSince(mark));
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

test("cold: 100 files, 5 reads + 1 write (the check run, created completed)", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  h.coldCaches();
  const { reads, writes } = await cost(pr.delivery);
  const r = `/repos/${repo}`;
  expect(reads).toEqual([
    `GET ${r}/commits/${pr.headSha}/check-runs`, // is there already a run to update? (cold only)
    `GET ${r}/pulls/${pr.number}/commits`,
    `GET ${r}/pulls/${pr.number}/files`,
    `GET ${r}/pulls/${pr.number}/reviews`,
    "POST /graphql", // config + 3 CODEOWNERS candidates + the org's .github config, one query
  ]);
  expect(writes).toEqual([`POST ${r}/check-runs`]);
  expect(reads.length + writes.length).toBeLessThanOrEqual(6);
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })[0]!.history.map((x) => x.status)).toEqual(["completed"]); // no in_progress first
});

test("warm, same outcome: 3 reads, no write; warm, new outcome: 3 reads + 1 update", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  await cost(pr.delivery);

  const edited = await h.sim.editPullRequest(repo, pr.number, { title: "Invoice export (streaming)", deliver: false });
  const same = await cost(edited.delivery);
  expect(same.reads).toEqual([`GET /repos/${repo}/pulls/${pr.number}/commits`, `GET /repos/${repo}/pulls/${pr.number}/files`, `GET /repos/${repo}/pulls/${pr.number}/reviews`]);
  expect(same.writes).toEqual([]);

  const review = await h.sim.review(repo, pr.number, { user: "pay-lead", body: NOTE, deliver: false });
  const changed = await cost(review.delivery);
  expect(changed.reads).toEqual(same.reads);
  expect(changed.writes).toEqual([`PATCH /repos/${repo}/check-runs/${h.sim.latestCheck(repo, pr.headSha)!.id}`]);
  expect(changed.reads.length + changed.writes.length).toBeLessThanOrEqual(4);
  expect(h.sim.latestCheck(repo, pr.headSha)!.conclusion).toBe("success");
});

test("a new head on a warm base: the base files stay cached, the check lookup is skipped only for known SHAs", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo);
  await cost(pr.delivery);
  const push = await h.sim.push(repo, pr.number, { files: ["src/billing/f000.ts"], deliver: false });
  const { reads, writes } = await cost(push.delivery);
  expect(reads).toEqual([
    `GET /repos/${repo}/commits/${push.headSha}/check-runs`,
    `GET /repos/${repo}/pulls/${pr.number}/commits`,
    `GET /repos/${repo}/pulls/${pr.number}/files`,
    `GET /repos/${repo}/pulls/${pr.number}/reviews`,
  ]);
  expect(writes).toEqual([`POST /repos/${repo}/check-runs`]);
});

test("101 files: one more page of files (per_page=100, Link header followed)", async () => {
  const repo = uniqueRepo("budget");
  const pr = await settledPullRequest(repo, 101);
  h.coldCaches();
  const { reads, writes } = await cost(pr.delivery);
  expect(reads.filter((c) => c.endsWith("/files"))).toHaveLength(2);
  expect(reads).toHaveLength(6);
  expect(writes).toHaveLength(1);
  expect(h.sim.requests.filter((r) => r.path.endsWith("/files")).map((r) => r.query)).toEqual(["per_page=100", "per_page=100&page=2"]);
});

test("first sight of a PR nobody from the owning team was asked to review: + label + review request", async () => {
  const repo = uniqueRepo("budget");
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, { title: "x", body: disclosure("assisted", "Copilot"), author: { login: "cleo" }, files: files(3), deliver: false });
  const { reads, writes } = await cost(pr.delivery);
  expect(reads).toHaveLength(5);
  expect(writes).toEqual([`POST /repos/${repo}/check-runs`, `POST /repos/${repo}/issues/${pr.number}/labels`, `POST /repos/${repo}/pulls/${pr.number}/requested_reviewers`]);
  // The next event sees them in its payload and writes neither again.
  const edited = await h.sim.editPullRequest(repo, pr.number, { title: "y", deliver: false });
  expect((await cost(edited.delivery)).writes).toEqual([]);
});

test("a boundary with team approvers and no approval or exception yet reads no membership (5 reads + 1 write cold, 3 reads warm)", async () => {
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
  expect(cold.reads).toEqual([
    `GET /repos/${repo}/commits/${pr.headSha}/check-runs`,
    `GET /repos/${repo}/pulls/${pr.number}/commits`,
    `GET /repos/${repo}/pulls/${pr.number}/files`,
    `GET /repos/${repo}/pulls/${pr.number}/reviews`,
    "POST /graphql",
  ]);
  expect(cold.writes).toEqual([`POST /repos/${repo}/check-runs`]);
  const edited = await h.sim.editPullRequest(repo, pr.number, { title: "Keys 2", deliver: false });
  const warm = await cost(edited.delivery);
  expect(warm.reads).toHaveLength(3);
  expect(warm.writes).toEqual([]);
});

// Regressions once found by the load bench: shared base-file reads and no duplicate label writes.

test("a burst of PRs on one base commit reads the base files once (the in-flight GraphQL read is shared)", async () => {
  const repo = uniqueRepo("budget");
  seedAcme(h.sim, repo);
  const prs = [];
  for (let i = 0; i < 5; i++) {
    prs.push(await h.sim.openPullRequest(repo, { title: `t${i}`, body: disclosure("none"), author: { login: "ana" }, files: [`src/api/m${i}.ts`], labels: ["owner:platform"], requestedTeams: ["platform"], deliver: false }));
  }
  h.coldCaches();
  const mark = h.sim.mark();
  await Promise.all(prs.map((p) => h.sim.deliver(p.delivery.event, p.delivery.payload)));
  // Without sharing the in-flight read this was 5: each evaluation missed the cache before the first answer filled it.
  expect(h.sim.callsSince(mark).filter((c) => c === "POST /graphql")).toHaveLength(1);
});

test("a stale payload (a redelivery, or an event queued before the label landed) does not add the owner label again", async () => {
  const repo = uniqueRepo("budget");
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, { title: "x", body: disclosure("none"), author: { login: "ana" }, files: ["src/api/a.ts"], requestedTeams: ["platform"] });
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
    `GET /repos/${repo}/pulls`, // closed, updated since: merges missing from the trail (none)
    `GET /repos/${repo}/pulls`, // open, updated since
    `GET /repos/${repo}/commits/${pr.headSha}/check-runs`, // has its check: nothing to do
  ]);
});
