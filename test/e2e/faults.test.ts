/**
 * GitHub failing, end to end, with Probot's own retry and throttling plugins in the loop (their
 * clocks scaled down, except where `retry-after` itself is under test): transient 5xx are retried
 * into the right verdict; persistent ones end in a failing check, never success; a secondary
 * rate limit is waited out for its `retry-after`.
 */
import { startHarness, uniqueRepo, type Harness } from "./support/harness.js";
import { approvedExportPull } from "./support/export-pull.js";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const statuses = (harness: Harness, pathEnd: string) => harness.sim.requests.filter((r) => r.path.endsWith(pathEnd)).map((r) => r.status);

test("500 twice, then an answer: Probot's retry gets the right verdict", async () => {
  h = await startHarness({ retry: true });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  h.sim.fault({ method: "GET", path: `/pulls/${pr.number}/files`, status: 500, times: 2 });
  h.sim.fault({ method: "POST", path: "/graphql", status: 502, times: 2 });

  const res = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(res.status).toBe(202);
  expect(statuses(h, `/pulls/${pr.number}/files`)).toEqual([500, 500, 200]);
  expect(statuses(h, "/graphql")).toEqual([502, 502, 200]);
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })[0]!.history).toHaveLength(1);
});

test("500 forever: a failing check saying GitHub is failing, never success", async () => {
  // Two inbox attempts per delivery are enough to show it (each tries the evaluation twice: GitHub
  // answers the check-run listing in between).
  h = await startHarness({ retry: true, inbox: { maxAttempts: 2 } });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  h.sim.fault({ method: "GET", path: `/pulls/${pr.number}/files`, status: 500 });

  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  // A review event for the same PR while GitHub is still down.
  await h.sim.deliver("pull_request", { ...pr.delivery.payload, action: "edited", changes: { body: { from: "" } } });

  expect(statuses(h, `/pulls/${pr.number}/files`).every((s) => s === 500)).toBe(true);
  expect(statuses(h, `/pulls/${pr.number}/files`).length).toBeGreaterThanOrEqual(4); // 1 + Probot's 3 retries, per event
  const runs = h.sim.checkRuns(repo, { sha: pr.headSha });
  expect(runs.flatMap((r) => r.history.map((x) => x.conclusion))).not.toContain("success");
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure", title: "countersign could not evaluate" });
  expect(h.sim.latestCheck(repo, pr.headSha)!.summary).toMatch(/GitHub is failing \(HTTP 500 to GET .*\/files\) even after retries/);

  // GitHub recovers; the next event evaluates for real.
  h.sim.clearFaults();
  await h.sim.deliver("pull_request", { ...pr.delivery.payload, action: "edited", changes: { title: { from: "x" } } });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
});

test('GitHub back by the time the failure would be written: evaluated once more, no stale "could not evaluate"', async () => {
  h = await startHarness({ retry: true });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  // Every try of the evaluation's GraphQL read fails (the first and Probot's 3 retries); then GitHub is back.
  h.sim.fault({ method: "POST", path: "/graphql", status: 502, times: 4 });

  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(statuses(h, "/graphql")).toEqual([502, 502, 502, 502, 200]);
  const runs = h.sim.checkRuns(repo, { sha: pr.headSha });
  expect(runs).toHaveLength(1);
  expect(runs[0]!.history.map((x) => x.title)).not.toContain("countersign could not evaluate");
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
});

test("GitHub cannot even list the check run: nothing is written, and the retry writes the verdict", async () => {
  h = await startHarness({ retry: true });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  // The evaluation's read fails, then so does the listing of its check run (the first try and
  // Probot's 3 retries each); by the time a write could go, GitHub is back.
  h.sim.fault({ method: "POST", path: "/graphql", status: 502, times: 4 });
  h.sim.fault({ method: "GET", path: "/check-runs", status: 502, times: 4 });

  const res = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  for (let i = 0; i < 200 && (await h.store.inbox().get(res.id))?.state !== "done"; i++) await new Promise((r) => setTimeout(r, 50));
  expect(await h.store.inbox().get(res.id)).toMatchObject({ state: "done", attempts: 2 });
  const runs = h.sim.checkRuns(repo, { sha: pr.headSha });
  expect(runs).toHaveLength(1);
  expect(runs[0]!.history.map((x) => x.title)).not.toContain("countersign could not evaluate"); // one write: the verdict
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
});

test('GitHub failing every read over a head this process judged: the verdict is replaced by "could not evaluate" at once', async () => {
  h = await startHarness({ retry: true });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });

  // Every read fails, the check-run listing included: the process still knows the run it wrote,
  // so a failing re-evaluation must not leave "success" standing until its retry.
  h.sim.fault({ method: "GET", status: 502 });
  h.sim.fault({ method: "POST", path: "/graphql", status: 502 });
  await h.sim.deliver("pull_request", { ...pr.delivery.payload, action: "edited", changes: { body: { from: "" } } });
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure", title: "countersign could not evaluate" });
  expect(h.sim.checkRuns(repo, { sha: pr.headSha })).toHaveLength(1); // updated in place
});

test("secondary rate limit: the read and the check-run write are retried after retry-after", async () => {
  // Throttling ON at production speed: writes spaced 1 s apart, retry-after honoured in seconds.
  h = await startHarness({ retry: true, throttle: true, honourSecondaryRateLimits: true });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  h.sim.secondaryRateLimit({ method: "GET", path: `/pulls/${pr.number}/files`, retryAfter: 1 });
  h.sim.secondaryRateLimit({ method: "POST", path: "/check-runs", retryAfter: 1 });

  const res = await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(res.status).toBe(202);
  for (const [method, pathEnd] of [
    ["GET", `/pulls/${pr.number}/files`],
    ["POST", "/check-runs"],
  ] as const) {
    const tries = h.sim.requests.filter((r) => r.method === method && r.path.endsWith(pathEnd));
    expect(tries.map((r) => r.status)).toEqual([403, method === "GET" ? 200 : 201]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950); // waited retry-after: 1
  }
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "success" });
});

test("a secondary rate limit that does not lift: failure naming the rate limit, never success", async () => {
  h = await startHarness({ retry: true, throttle: true, honourSecondaryRateLimits: true, throttleRetryAfterBaseValue: 50 });
  const repo = uniqueRepo();
  const pr = await approvedExportPull(h, repo);
  h.sim.secondaryRateLimit({ method: "GET", path: `/pulls/${pr.number}/files`, retryAfter: 5, times: Infinity });

  await h.sim.deliver(pr.delivery.event, pr.delivery.payload);
  expect(statuses(h, `/pulls/${pr.number}/files`)).toEqual([403, 403, 403]); // the first try and two retries
  expect(h.sim.latestCheck(repo, pr.headSha)).toMatchObject({ conclusion: "failure", title: "countersign could not evaluate" });
  expect(h.sim.latestCheck(repo, pr.headSha)!.summary).toMatch(/rate limit/);
});
