/**
 * Webhook delivery semantics end to end: GitHub redelivers (same X-GitHub-Delivery), sends events
 * out of order, and anyone can POST to the webhook URL. Real HTTP, signed by the simulator.
 */
import { postDelivery, signPayload } from "../../tools/github-simulator/index.mjs";
import { disclosure, note, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, WEBHOOK_SECRET, type Harness } from "./support/harness.js";
import { listMerges } from "../support/list-merges.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const NOTE = note("ran the exporter against the staging snapshot and diffed the CSV with the old one");

test("a redelivered evaluation (same X-GitHub-Delivery) adds no record and no check-run write", async () => {
  // Known: the redelivered payload predates the app's owner label, so the app adds it again
  // (GitHub treats that as a no-op; one write). See the note in tools/github-simulator/README.md.
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Export",
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
  });
  const entries = (await h.store.verify()).entries;
  const mark = h.sim.mark();
  const again = await h.sim.redeliver(pr.delivery.id);
  expect(again.status).toBe(202);
  expect(await h.store.verify()).toMatchObject({ ok: true, entries });
  expect(h.sim.callsSince(mark, { kinds: ["write"] }).filter((c) => c.includes("check-runs"))).toEqual([]);
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })).toHaveLength(1);
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })[0]!.history).toHaveLength(1);
});

test("a merge delivered twice with the same id, then again with a new id: one merge record", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Export",
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
  });
  await h.sim.review(repo, pr.number, { user: "pay-lead", body: NOTE });
  const merged = await h.sim.merge(repo, pr.number, { by: "pay-lead" });
  expect(merged.delivery.status).toBe(202);
  const entries = (await h.store.verify()).entries;

  expect((await h.sim.redeliver(merged.delivery.id)).status).toBe(202);
  expect((await h.sim.deliver("pull_request", merged.delivery.payload)).status).toBe(202); // a fresh GUID

  expect(await listMerges(h.store, { repo })).toHaveLength(1);
  expect(await h.store.verify()).toMatchObject({ ok: true, entries });
});

test("out of order: a review on the new head arrives before the synchronize that created it; the final check is right", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Export",
    body: disclosure("assisted", "Claude Code"),
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
  });
  expect(h.sim.latestCheck(repo, pr.headSha)!.conclusion).toBe("failure");

  // The push happens on GitHub, but its webhook is delayed…
  const push = await h.sim.push(repo, pr.number, { files: ["src/billing/export.ts", "src/billing/export.test.ts"], deliver: false });
  expect(push.delivery.status).toBeNull();
  // …and the approval of the new head is delivered first.
  const review = await h.sim.review(repo, pr.number, { user: "pay-lead", body: NOTE });
  expect(review.delivery.status).toBe(202);
  expect(h.sim.latestCheck(repo, push.headSha)).toMatchObject({ conclusion: "success" });

  // The late synchronize changes nothing: same verdict, no second write.
  const mark = h.sim.mark();
  const late = await h.sim.deliver(push.delivery.event, push.delivery.payload, { id: push.delivery.id });
  expect(late.status).toBe(202);
  expect(h.sim.latestCheck(repo, push.headSha)).toMatchObject({ conclusion: "success" });
  expect(h.sim.callsSince(mark, { kinds: ["write"] })).toEqual([]);
  // The old head keeps its own (failing) check.
  expect(h.sim.latestCheck(repo, pr.headSha)!.conclusion).toBe("failure");
});

test("out of order: a stale payload (the PR before its push) never overwrites the new head's check", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "Export",
    body: "undisclosed at first",
    author: { login: "cleo" },
    files: ["src/billing/export.ts"],
    deliver: false,
  });
  const edit = await h.sim.editPullRequest(repo, pr.number, { body: disclosure("assisted", "Claude Code"), deliver: false });
  const push = await h.sim.push(repo, pr.number, { files: ["src/billing/export.ts"] });
  await h.sim.review(repo, pr.number, { user: "pay-lead", body: NOTE });
  expect(h.sim.latestCheck(repo, push.headSha)).toMatchObject({ conclusion: "success" });

  // The opened and edited deliveries finally arrive, carrying the old head SHA.
  await h.sim.deliver(pr.delivery.event, pr.delivery.payload, { id: pr.delivery.id });
  await h.sim.deliver(edit.delivery.event, edit.delivery.payload, { id: edit.delivery.id });
  expect(h.sim.latestCheck(repo, push.headSha)).toMatchObject({ conclusion: "success" });
  expect(h.sim.checkRuns(repo, { sha: push.headSha })).toHaveLength(1);
});

test("an invalid, missing or stale signature is refused with 400: no GitHub call, nothing recorded", async () => {
  const repo = uniqueRepo();
  seedAcme(h.sim, repo);
  const pr = await h.sim.openPullRequest(repo, {
    title: "x",
    body: "no disclosure",
    author: { login: "ana" },
    files: ["src/a.ts"],
    deliver: false,
  });

  const wrongSecret = await h.sim.deliver("pull_request", pr.delivery.payload, { secret: "not-the-secret" });
  expect(wrongSecret.status).toBe(400);

  // A body altered after signing.
  const body = JSON.stringify(pr.delivery.payload);
  const forged = body.replace('"no disclosure"', '"AI-Assisted: none"');
  expect(forged).not.toBe(body);
  const tampered = await postDelivery(h.webhookUrl, {
    event: "pull_request",
    id: "tampered-1",
    body: forged,
    secret: WEBHOOK_SECRET,
    signature: signPayload(body, WEBHOOK_SECRET),
  });
  expect(tampered.status).toBe(400);

  // No signature header at all.
  const unsigned = await fetch(h.webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "unsigned-1" },
    body,
  });
  expect(unsigned.status).toBe(400);

  expect(h.sim.requests).toEqual([]);
  expect(await h.store.verify()).toMatchObject({ ok: true, entries: 0 });
  expect(h.sim.checkRuns(repo)).toEqual([]);
});
