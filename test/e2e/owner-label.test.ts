/**
 * The owner label is written once per PR even while its write waits in the write queue (check runs
 * go first, so under load a label can wait minutes): the evaluation of the PR's next head meanwhile
 * must not queue it again.
 */
import { disclosure, seedAcme } from "../../tools/demo/acme.mjs";
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

test("a push while the owner label is still being written: the new head's evaluation does not write it again", async () => {
  h = await startHarness({ settle: false });
  const repo = uniqueRepo("label");
  seedAcme(h.sim, repo);
  const labelWrites = () => h!.sim.requests.filter((r) => r.method === "POST" && /\/issues\/\d+\/labels$/.test(r.path));
  h.sim.fault({ method: "POST", path: /\/issues\/\d+\/labels$/, delayMs: 2000, times: 1 });

  const opened = await h.sim.openPullRequest(repo, {
    title: "Refund ledger",
    body: disclosure("none"),
    author: { login: "cleo" },
    files: ["src/billing/ledger.ts"],
  });
  expect(opened.delivery.status).toBe(202);
  await waitFor(() => h!.sim.latestCheck(repo, opened.headSha) !== null); // its label write is now under way
  const pushed = await h.sim.push(repo, opened.number, { files: ["src/billing/ledger.ts", "src/billing/refunds.ts"] });
  await waitFor(() => h!.sim.latestCheck(repo, pushed.headSha) !== null);
  await waitFor(() => labelWrites().length > 0, 10_000);
  await h.inbox.whenIdle();
  await new Promise((r) => setTimeout(r, 500)); // a second label write, if any, would be sent by now

  expect(labelWrites()).toHaveLength(1);
});

test("an owner label still being written does not hold up the next evaluation of the same head", async () => {
  h = await startHarness({ settle: false });
  const repo = uniqueRepo("label");
  seedAcme(h.sim, repo);
  const labelWrites = () => h!.sim.requests.filter((r) => r.method === "POST" && /\/issues\/\d+\/labels$/.test(r.path));
  h.sim.fault({ method: "POST", path: /\/issues\/\d+\/labels$/, delayMs: 4000, times: 1 });

  const opened = await h.sim.openPullRequest(repo, {
    title: "Refund ledger",
    body: disclosure("none"),
    author: { login: "cleo" },
    files: ["src/billing/ledger.ts"],
  });
  await waitFor(() => labelWrites().length === 1); // the first evaluation's label: GitHub answers in 4 s
  const edited = await h.sim.deliver("pull_request", { ...opened.delivery.payload, action: "edited", changes: { body: { from: "" } } });
  // The edit's evaluation of the same head reads GitHub while that label is still being written
  // (its turn on the head came once the check was written, not once the label was).
  await waitFor(() => h!.sim.requests.some((r) => r.deliveryId === edited.id && r.path === "/graphql"), 3000);
  expect(labelWrites()[0]!.status).toBe(0); // still under way
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
