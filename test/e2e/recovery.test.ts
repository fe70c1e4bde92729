/**
 * Automatic recovery, end to end (signed webhooks from the simulator, the real app, real HTTP):
 * what GitHub failed to deliver while the app was down, and merges that arrived while GitHub
 * could not be read, come back through the recovery sweep alone, with no `countersign backfill`.
 */
import { disclosure, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";
import { listMerges } from "../support/list-merges.js";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const openPr = (harness: Harness, repo: string, title: string, opts: { deliver?: boolean } = {}) =>
  harness.sim.openPullRequest(repo, {
    title,
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: [`src/billing/${title.toLowerCase().replace(/\W+/g, "-")}.ts`],
    ...opts,
  });

const redeliveryRequests = (harness: Harness) =>
  harness.sim.requests.filter((r) => r.method === "POST" && /^\/app\/hook\/deliveries\/\d+\/attempts$/.test(r.path));

test("down while a PR is opened and another merged: the sweep records the merge, checks the PR and redelivers both, once", async () => {
  h = await startHarness();
  const repo = uniqueRepo("down");
  seedAcme(h.sim, repo);
  const merged = await openPr(h, repo, "Refund export");
  expect(merged.delivery.status).toBe(202);

  h.appDown(true);
  const opened = await openPr(h, repo, "Invoice paging");
  const merge = await h.sim.merge(repo, merged.number);
  expect([opened.delivery.status, merge.delivery.status]).toEqual([0, 0]); // connection refused: GitHub logs both as failed
  expect(await h.store.getMerge(repo, merged.number)).toBeNull();
  expect(h.sim.latestCheck(repo, opened.headSha)).toBeNull();

  h.appDown(false);
  const sweep = await h.reconciler.runSweep();
  expect(sweep).toMatchObject({ outcome: "ok", mergesRecorded: 1, checksEvaluated: 1, redeliveries: 2, errors: [] });
  // Recorded and checked by the sweep itself, before any redelivery arrived.
  expect(await h.store.getMerge(repo, merged.number)).toMatchObject({ source: "backfill", mergeCommitSha: merge.mergeCommitSha });
  expect(h.sim.latestCheck(repo, opened.headSha)).toMatchObject({ status: "completed" });

  await h.sim.idle();
  const redelivered = h.sim.deliveries.filter((d) => d.redelivery);
  expect(redelivered.map((d) => [d.id, d.status]).sort()).toEqual(
    [
      [merge.delivery.id, 202],
      [opened.delivery.id, 202],
    ].sort(),
  );
  // The redeliveries found the sweep's work: still one merge record and one check run.
  expect(h.sim.checkRuns(repo, { sha: opened.headSha })).toHaveLength(1);
  expect((await listMerges(h.store, { repo })).map((m) => m.prNumber)).toEqual([merged.number]);
  expect(await h.store.verify()).toMatchObject({ ok: true });

  const again = await h.reconciler.runSweep();
  expect(again).toMatchObject({ outcome: "ok", redeliveries: 0, mergesRecorded: 0, checksEvaluated: 0 });
  expect(redeliveryRequests(h)).toHaveLength(2);
});

test("a failed delivery is redelivered once only, even when the redelivery fails too", async () => {
  h = await startHarness();
  const repo = uniqueRepo("once");
  seedAcme(h.sim, repo);
  h.appDown(true);
  const opened = await openPr(h, repo, "Ledger sync");
  expect(opened.delivery.status).toBe(0);

  // The sweep runs (on another replica, say) while the webhook endpoint is still unreachable.
  const first = await h.reconciler.runSweep();
  expect(first).toMatchObject({ redeliveries: 1, checksEvaluated: 1 });
  await h.sim.idle();
  const attempts = h.sim.deliveries.filter((d) => d.id === opened.delivery.id);
  expect(attempts.map((d) => [d.redelivery, d.status])).toEqual([
    [false, 0],
    [true, 0],
  ]);

  for (let i = 0; i < 2; i++) expect(await h.reconciler.runSweep()).toMatchObject({ redeliveries: 0 });
  h.appDown(false);
  expect(await h.reconciler.runSweep()).toMatchObject({ redeliveries: 0 });
  await h.sim.idle();
  expect(redeliveryRequests(h)).toHaveLength(1);
  expect(h.sim.checkRuns(repo, { sha: opened.headSha })).toHaveLength(1);
});

test("GitHub answers 502 to every read while a PR merges: recorded incomplete at once, completed by the sweep, chain intact", async () => {
  h = await startHarness({ retry: true });
  const repo = uniqueRepo("outage");
  seedAcme(h.sim, repo);
  const pr = await openPr(h, repo, "Tax rounding");
  h.sim.fault({ method: "GET", path: /^\/repos\//, status: 502 });
  h.sim.fault({ method: "POST", path: "/graphql", status: 502 });

  const merge = await h.sim.merge(repo, pr.number, { by: "pay-lead" });
  expect(merge.delivery.status).toBe(202);
  const incomplete = (await h.store.getMerge(repo, pr.number))!;
  expect(incomplete).toMatchObject({
    incomplete: true,
    missing: ["reviews", "notes", "files", "owners", "verdict"],
    mergeCommitSha: merge.mergeCommitSha,
    mergedBy: "pay-lead",
    aiLevel: "assisted",
    aiTools: ["claude"],
    reviewers: [],
    paths: [],
    checkConclusion: null,
  });
  // While GitHub still fails, the sweep leaves it incomplete and says so.
  const during = await h.reconciler.runSweep();
  expect(during).toMatchObject({ outcome: "partial", mergesCompleted: 0, incompleteLeft: 1 });

  h.sim.clearFaults();
  const after = await h.reconciler.runSweep();
  expect(after).toMatchObject({ outcome: "ok", mergesCompleted: 1, incompleteLeft: 0, redeliveries: 0 });
  const complete = (await h.store.getMerge(repo, pr.number))!;
  expect(complete.incomplete).toBeUndefined();
  expect(complete).toMatchObject({
    completes: incomplete.seq,
    mergeCommitSha: merge.mergeCommitSha,
    owningTeam: "@acme/payments",
    checkConclusion: "failure",
  });
  expect(complete.paths.map((p) => p.path)).toEqual(["src/billing/tax-rounding.ts"]);
  expect(await h.store.verify()).toMatchObject({ ok: true, entries: complete.seq });
});

test("GitHub failing past a sweep: the first sweep that finishes again makes the inbox's waiting retries due now", async () => {
  // Production-like backoff: the next retry would be ten minutes away.
  h = await startHarness({ retry: true, settle: false, inbox: { retryBaseMs: 600_000, retryMaxMs: 600_000 } });
  const repo = uniqueRepo("back");
  seedAcme(h.sim, repo);
  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", retriesExpedited: 0 }); // the app has been running
  h.sim.fault({ method: "GET", status: 502 });
  h.sim.fault({ method: "POST", path: "/graphql", status: 502 });
  const opened = await openPr(h, repo, "Dunning letters");
  expect(opened.delivery.status).toBe(202);
  await waitFor(async () => Boolean((await h!.store.inbox().get(opened.delivery.id))?.lastError));
  expect(await h.store.inbox().get(opened.delivery.id)).toMatchObject({ state: "pending", attempts: 1 });
  expect(h.sim.latestCheck(repo, opened.headSha)?.conclusion ?? null).not.toBe("success");

  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "failed", retriesExpedited: 0 });
  h.sim.clearFaults();
  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", retriesExpedited: 1 });
  await waitFor(async () => (await h!.store.inbox().get(opened.delivery.id))?.state === "done");
  // Evaluated (assisted, no understanding review yet: failing on that gate), not "could not evaluate".
  const check = h.sim.latestCheck(repo, opened.headSha)!;
  expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(check.title).not.toMatch(/could not evaluate/i);
  // Nothing waits any more: a further sweep has nothing to expedite.
  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", retriesExpedited: 0 });
});

test("GitHub answering again starts recovery: the waiting retry runs, a sweep checks what was missed (no timer, no webhook)", async () => {
  // Production-like waits: the next retry ten minutes away, the timed sweep an hour away.
  h = await startHarness({ retry: true, settle: false, outageWatch: true, inbox: { retryBaseMs: 600_000, retryMaxMs: 600_000 } });
  const repo = uniqueRepo("watch");
  seedAcme(h.sim, repo);
  h.sim.fault({ method: "GET", status: 502 });
  h.sim.fault({ method: "POST", path: "/graphql", status: 502 });
  const waiting = await openPr(h, repo, "Dunning letters");
  expect(waiting.delivery.status).toBe(202);
  await waitFor(async () => Boolean((await h!.store.inbox().get(waiting.delivery.id))?.lastError));
  expect(await h.store.inbox().get(waiting.delivery.id)).toMatchObject({ state: "pending", attempts: 1 });
  expect(h.outages!.down().map((d) => d.dependency)).toContain("GitHub reads");
  // And one the app never received (down meanwhile): only a sweep finds it.
  h.appDown(true);
  const missed = await openPr(h, repo, "Invoice paging");
  expect(missed.delivery.status).toBe(0);
  h.appDown(false);
  expect(h.reconciler.last).toBeNull();

  h.sim.clearFaults(); // nothing else happens: no webhook, no runSweep()
  await waitFor(async () => (await h!.store.inbox().get(waiting.delivery.id))?.state === "done");
  await waitFor(async () => h!.reconciler.last?.outcome === "ok");
  expect(h.outages!.down()).toEqual([]);
  expect(h.reconciler.last).toMatchObject({ checksEvaluated: 1, redeliveries: 1, errors: [] });
  for (const pr of [waiting, missed]) {
    // Evaluated (assisted, no understanding review yet: failing on that gate), not "could not evaluate".
    const check = h.sim.latestCheck(repo, pr.headSha)!;
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(check.title).not.toMatch(/could not evaluate/i);
  }
  await h.sim.idle();
  expect(h.sim.checkRuns(repo, { sha: missed.headSha })).toHaveLength(1); // the redelivery found the sweep's check
});

test('a failure the inbox retries writes "could not evaluate" at once, over a verdict too, but not again on every retry', async () => {
  h = await startHarness({ retry: true, settle: false, inbox: { maxAttempts: 3, retryBaseMs: 300, retryMaxMs: 300 } });
  const repo = uniqueRepo("retried");
  seedAcme(h.sim, repo);
  const judged = await openPr(h, repo, "Tax table");
  await waitFor(async () => (await h!.store.inbox().get(judged.delivery.id))?.state === "done");
  expect(h.sim.latestCheck(repo, judged.headSha)).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(h.sim.latestCheck(repo, judged.headSha)!.title).not.toMatch(/could not evaluate/i);

  h.sim.fault({ method: "POST", path: "/graphql", status: 502 });
  // A new head: fail closed at once, saying why.
  const fresh = await openPr(h, repo, "Ledger close");
  await waitFor(async () => /could not evaluate/i.test(h!.sim.latestCheck(repo, fresh.headSha)?.title ?? ""));
  // A head with a verdict: the failing re-evaluation does not leave the verdict standing.
  const review = await h.sim.review(repo, judged.number, { user: "pay-lead", body: "LGTM", deliver: false });
  await h.sim.deliver(review.delivery.event, review.delivery.payload, { id: review.delivery.id });
  await waitFor(async () => /could not evaluate/i.test(h!.sim.latestCheck(repo, judged.headSha)?.title ?? ""));
  // Another delivery for the new head fails too: it does not rewrite the message with its own
  // delivery id while it will be retried (one write a second is precious in an outage)…
  const edited = await h.sim.deliver("pull_request", { ...fresh.delivery.payload, action: "edited", changes: { body: { from: "" } } });
  expect(edited.status).toBe(202);
  await waitFor(async () => Boolean((await h!.store.inbox().get(edited.id))?.lastError));
  expect(h.sim.checkRuns(repo, { sha: fresh.headSha })[0]!.history).toHaveLength(1);
  // …and its last attempt does, fail closed with its own failure.
  await waitFor(async () => (await h!.store.inbox().get(edited.id))?.state === "parked");
  expect(h.sim.checkRuns(repo, { sha: fresh.headSha })[0]!.history).toHaveLength(2);
  expect(h.sim.latestCheck(repo, fresh.headSha)).toMatchObject({ status: "completed", conclusion: "failure" });
});

test('a check left at "could not evaluate" after its retries ran out: the sweep evaluates the PR again', async () => {
  // One attempt, then parked: nothing but the sweep will look at this PR again.
  h = await startHarness({ retry: true, inbox: { maxAttempts: 1 } });
  const repo = uniqueRepo("stuck");
  seedAcme(h.sim, repo);
  // GraphQL down, REST up: the evaluation fails, the failing check is still written (fail closed).
  h.sim.fault({ method: "POST", path: "/graphql", status: 502 });
  const opened = await openPr(h, repo, "Ledger export");
  await waitFor(async () => (await h!.store.inbox().get(opened.delivery.id))?.state === "parked");
  expect(h.sim.latestCheck(repo, opened.headSha)).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(h.sim.latestCheck(repo, opened.headSha)!.title).toMatch(/could not evaluate/i);

  h.sim.clearFaults();
  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", checksEvaluated: 1, errors: [] });
  const check = h.sim.latestCheck(repo, opened.headSha)!;
  expect(check.title).not.toMatch(/could not evaluate/i);
  expect(check).toMatchObject({ status: "completed", conclusion: "failure" }); // assisted, no understanding review yet
  expect(h.sim.checkRuns(repo, { sha: opened.headSha })).toHaveLength(1); // updated in place
  // A right check is left alone by the next sweep.
  expect(await h.reconciler.runSweep()).toMatchObject({ outcome: "ok", checksEvaluated: 0 });
});

test("a scan does not wait for the checks it starts: a sweep begun meanwhile does not evaluate the PR again", async () => {
  h = await startHarness();
  const repo = uniqueRepo("slow");
  seedAcme(h.sim, repo);
  const before = await h.reconciler.runSweep(); // the app has been running: a window to move on from
  h.appDown(true);
  const opened = await openPr(h, repo, "Slow ledger");
  h.appDown(false);
  // GitHub takes 3 s to write the check run (a long write queue would do the same).
  h.sim.fault({ method: "POST", path: /\/check-runs$/, delayMs: 3000, times: 1 });
  const first = h.reconciler.runSweep();
  await waitFor(async () => !h!.reconciler.running); // the scan is over…
  expect(h.sim.latestCheck(repo, opened.headSha)).toBeNull(); // …while its check is still being written
  // Nothing lost if the app died now: the stored window has not moved past the missing check.
  expect(await h.store.readReconcileState()).toMatchObject({ lastSweepStartedAt: before.startedAt });
  // The next scan finds the PR still without a check, and leaves it to the sweep already on it
  // (waiting for it, so its own window moves on only once that check is written).
  const second = await h.reconciler.runSweep();
  expect(second).toMatchObject({ outcome: "ok", checksEvaluated: 0 });
  expect(h.sim.latestCheck(repo, opened.headSha)).toMatchObject({ status: "completed" });
  expect(await first).toMatchObject({ outcome: "ok", checksEvaluated: 1, redeliveries: 1 });
  expect(await h.store.readReconcileState()).toMatchObject({ lastSweepStartedAt: second.startedAt });
  await h.sim.idle();
  expect(h.sim.checkRuns(repo, { sha: opened.headSha })).toHaveLength(1);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
