/**
 * The check of a head commit several open PRs share (renderSharedHead), the blocking PRs it
 * names (blockingPullsOf), and when a merge under such a check is a bypass (mergeRecordOf).
 */
import { DEFAULT_CONFIG } from "../../src/policy/config.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { mergeRecordOf, type MergeFacts } from "../../src/policy/merge-record.js";
import { blockingPullsOf, render, renderError, renderSharedHead, type CheckOutput } from "../../src/policy/render.js";
import { approval, DISCLOSURE, snapshot } from "../support/snapshot.js";

const passing = render(evaluate(snapshot({ reviews: [approval("lead")] }), DEFAULT_CONFIG));
const failing = render(evaluate(snapshot({ body: "no disclosure" }), DEFAULT_CONFIG));
const annotation = { path: "src/a.ts", start_line: 1, end_line: 1, annotation_level: "failure" as const, title: "t", message: "m" };
const withAnnotation = (o: CheckOutput): CheckOutput => ({ ...o, annotations: [annotation] });

test("fixtures: one PR passes and one is blocked on its own", () => {
  expect(passing.conclusion).toBe("success");
  expect(failing.title).toMatch(/^Blocked: \d of 5 gates unmet$/);
});

test("the strictest verdict wins; the title names each blocking PR with its base; sections in PR order", () => {
  const out = renderSharedHead([
    { number: 14, baseRef: "release/1.x", output: passing },
    { number: 12, baseRef: "main", output: failing },
  ]);
  expect(out.conclusion).toBe("failure");
  expect(out.title).toBe(`Blocked in #12 (into main): ${failing.title.replace("Blocked: ", "")}`);
  expect([...out.summary.matchAll(/^## (.)\S* #(\d+) into `([^`]+)`/gmu)].map((m) => [m[1], m[2], m[3]])).toEqual([
    ["❌", "12", "main"],
    ["✅", "14", "release/1.x"],
  ]);
  expect(blockingPullsOf(out.summary)).toEqual([12]);
  // The same sections in any order render the same check (no rewrite when another PR's event evaluates it).
  const reordered = [
    { number: 12, baseRef: "main", output: failing },
    { number: 14, baseRef: "release/1.x", output: passing },
  ];
  expect(renderSharedHead(reordered)).toEqual(out);
});

test("a PR that could not be evaluated blocks the check; several blockers are all named", () => {
  const error = renderError("GitHub answered 502", "Try again.");
  const out = renderSharedHead([
    { number: 3, baseRef: "main", output: failing },
    { number: 4, baseRef: "release/2.x", output: error },
    { number: 5, baseRef: "release/1.x", output: passing },
  ]);
  expect(out.conclusion).toBe("failure");
  const unmet = failing.title.replace("Blocked: ", "");
  expect(out.title).toBe(`Blocked in #3 (into main): ${unmet}; #4 (into release/2.x): countersign could not evaluate`);
  expect(blockingPullsOf(out.summary)).toEqual([3, 4]);
});

test("all passing: success, naming every PR; annotations merged without duplicates", () => {
  const out = renderSharedHead([
    { number: 1, baseRef: "main", output: withAnnotation(passing) },
    { number: 2, baseRef: "release/1.x", output: withAnnotation(passing) },
  ]);
  expect(out).toMatchObject({ conclusion: "success", title: "Passed in #1 (into main), #2 (into release/1.x)", annotations: [annotation] });
  expect(blockingPullsOf(out.summary)).toEqual([]);
});

test("a check that was not shared names no blocking PRs", () => {
  expect(blockingPullsOf(passing.summary)).toBeNull();
  expect(blockingPullsOf(failing.summary)).toBeNull();
});

describe("bypassed, from the merged PR's own verdict", () => {
  const facts = (patch: Partial<MergeFacts>, own = snapshot({ reviews: [approval("lead")] })): MergeFacts => ({
    repo: "acme/pay",
    pull: {
      number: 7,
      title: "t",
      headSha: own.headSha,
      baseRef: "release/1.x",
      baseSha: own.baseSha,
      mergeCommitSha: null,
      mergedBy: "m",
      mergedAt: null,
    },
    snapshot: own,
    verdict: evaluate(own, DEFAULT_CONFIG),
    config: { hash: null },
    exceptions: [],
    checkConclusion: "failure",
    source: "webhook",
    now: "2026-11-22T10:00:00Z",
    ...patch,
  });
  const failingOwn = snapshot({ body: DISCLOSURE("Generated", "Cursor") }); // no review note

  test.each([
    ["check success", { checkConclusion: "success" }, undefined, false],
    ["check failure, not shared", {}, undefined, true],
    ["check missing", { checkConclusion: null }, undefined, true],
    ["shared, failing only because of #12, own verdict passed", { checkBlockedBy: [12] }, undefined, false],
    ["shared, this PR among the blockers", { checkBlockedBy: [7, 12] }, undefined, true],
    ["shared, failing only because of #12, but the own verdict now fails", { checkBlockedBy: [12] }, failingOwn, true],
    ["shared check still in progress", { checkConclusion: null, checkBlockedBy: [12] }, undefined, true],
  ] as const)("%s", (_name, patch, own, bypassed) => {
    const f = own ? facts({ ...patch, verdict: evaluate(own, DEFAULT_CONFIG) }, own) : facts(patch);
    expect(mergeRecordOf(f).bypassed).toBe(bypassed);
  });

  test("an invalid config (no verdict) under a shared failing check is a bypass", () => {
    const invalid = facts({ verdict: null, checkBlockedBy: [12], config: { invalid: { source: "x", errors: [] } } });
    expect(mergeRecordOf(invalid).bypassed).toBe(true);
  });
});
