import { activeRepositories, chooseRedeliveries, type HookDelivery } from "../../src/github/hook-deliveries.js";
import { formatMergeDetail, formatMerges } from "../../src/cli/format-merges.js";
import type { MergeRecord } from "../../src/audit/audit-store.js";

let nextId = 0;
const attempt = (guid: string, statusCode: number, patch: Partial<HookDelivery> = {}): HookDelivery => ({
  id: ++nextId,
  guid,
  delivered_at: new Date(Date.UTC(2026, 3, 1, 12, 0, nextId)).toISOString(),
  redelivery: false,
  status:
    statusCode >= 200 && statusCode < 300 ? "OK" : statusCode === 0 ? "failed to connect to host" : `Invalid HTTP Response: ${statusCode}`,
  status_code: statusCode,
  event: "pull_request",
  action: "opened",
  installation_id: 1,
  repository_id: 10,
  ...patch,
});

test("redelivers each GUID whose attempts all failed, its newest attempt, once", () => {
  const a1 = attempt("a", 0);
  const a2 = attempt("a", 503);
  const b1 = attempt("b", 0);
  const b2 = attempt("b", 200); // succeeded later: nothing to do
  const c1 = attempt("c", 500);
  const c2 = attempt("c", 0, { redelivery: true }); // already redelivered once (and failed): not again
  const d1 = attempt("d", 502); // asked for by an earlier sweep
  const e1 = attempt("e", 202);
  const chosen = chooseRedeliveries([e1, d1, c2, c1, b2, b1, a2, a1], new Set(["d"]));
  expect(chosen.map((d) => [d.guid, d.id])).toEqual([["a", a2.id]]);
});

test("active repositories per installation, from the deliveries that name one", () => {
  const list = [
    attempt("x", 200),
    attempt("y", 0, { repository_id: 11 }),
    attempt("z", 200, { installation_id: 2 }),
    attempt("w", 200, { repository_id: null }),
  ];
  expect([...activeRepositories(list)].map(([i, repos]) => [i, [...repos]])).toEqual([
    [1, [10, 11]],
    [2, [10]],
  ]);
});

test("the CLI never shows an incomplete record as complete", () => {
  const m = {
    repo: "acme/pay",
    prNumber: 3,
    title: "T",
    author: "a",
    headSha: "a".repeat(40),
    baseRef: "main",
    baseSha: null,
    mergeCommitSha: null,
    mergedBy: "b",
    mergedAt: "2026-04-01T00:00:00.000Z",
    aiLevel: "assisted",
    aiTools: [],
    disclosureSources: [],
    agent: null,
    sponsor: null,
    reviewers: [],
    owningTeam: null,
    teams: [],
    paths: [],
    boundaries: [],
    exceptions: [],
    checkConclusion: null,
    bypassed: false,
    commitShas: [],
    configHash: null,
    source: "webhook",
    incomplete: true,
    missing: ["reviews", "verdict"],
    seq: 1,
    entryHash: "e".repeat(64),
    recordedAt: "2026-04-01T00:00:01.000Z",
  } satisfies MergeRecord;
  expect(formatMerges([m], "csv").split("\n")[1]).toContain(",incomplete,unknown,");
  expect(formatMergeDetail(m)).toMatch(/INCOMPLETE +recorded while GitHub could not be read; missing reviews, verdict/);
});
