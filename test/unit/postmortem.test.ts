import type { MergeRecord } from "../../src/audit/audit-store.js";
import { composePostmortem, renderPostmortemMarkdown } from "../../src/policy/postmortem.js";

const HEAD = "a".repeat(40);
function merge(patch: Partial<MergeRecord> = {}): MergeRecord {
  return {
    repo: "acme/pay",
    prNumber: 42,
    title: "Retry charges",
    author: "dev",
    headSha: HEAD,
    baseRef: "main",
    baseSha: "b".repeat(40),
    mergeCommitSha: "c".repeat(40),
    mergedBy: "lead",
    mergedAt: "2026-11-20T10:00:00.000Z",
    aiLevel: "generated",
    aiTools: ["claude"],
    disclosureSources: [{ tool: "claude", where: "body", sha: null, detail: "Generated" }],
    agent: null,
    sponsor: null,
    reviewers: [{ reviewer: "rev", reviewId: 1, state: "APPROVED", reviewedSha: HEAD, submittedAt: "2026-11-20T09:00:00Z", counted: true, reason: null, checklist: ["a"], verified: "replayed the failed charges against staging" }],
    owningTeam: "@acme/payments",
    teams: [{ team: "@acme/payments", files: 3 }],
    paths: [{ path: "src/payments/charge.ts", previousPath: null, status: "modified" }],
    boundaries: [],
    exceptions: [],
    checkConclusion: "success",
    bypassed: false,
    commitShas: [HEAD],
    configHash: "f".repeat(64),
    source: "webhook",
    seq: 7,
    entryHash: "e".repeat(64),
    recordedAt: "2026-11-20T10:00:01.000Z",
    ...patch,
  };
}

const answers = (p: ReturnType<typeof composePostmortem>) => Object.fromEntries(p.findings.map((f) => [f.id, f.answer]));

test("a clean AI-generated merge: every question answered from the record", () => {
  const p = composePostmortem({ ref: "ccccccc", merge: merge(), nearby: [] });
  expect(answers(p)).toEqual({ ai: "yes", understood: "yes", scope: "yes", review_bar: "yes", owned: "yes", bypassed: "no", nearby: "no" });
  const md = renderPostmortemMarkdown(p);
  expect(md).toContain("### Was AI assistance significant? Yes");
  expect(md).toContain('Verified: "replayed the failed charges against staging"');
  expect(md).toContain("Owning team: @acme/payments.");
});

test("a bypassed merge with a stale approval, an exception and a neighbour", () => {
  const p = composePostmortem({
    ref: "acme/pay#42",
    merge: merge({
      bypassed: true,
      checkConclusion: "failure",
      reviewers: [{ reviewer: "rev", reviewId: 1, state: "APPROVED", reviewedSha: "d".repeat(40), submittedAt: null, counted: false, reason: "approved an older commit", checklist: [], verified: null }],
      boundaries: [{ name: "billing", action: "block", outcome: "exception" }],
      exceptions: [{ boundary: "billing", grantedBy: "sec", reason: "hotfix for INC-9, reviewed live", sha: HEAD, commentId: 5, grantedAt: "2026-11-20T09:30:00Z" }],
    }),
    nearby: [merge({ prNumber: 40, title: "Tune retry", mergedAt: "2026-11-19T12:00:00.000Z", aiLevel: "none" })],
  });
  expect(answers(p)).toMatchObject({ understood: "no", scope: "partly", review_bar: "no", bypassed: "yes", nearby: "yes" });
  const md = renderPostmortemMarkdown(p);
  expect(md).toMatch(/Exception for \*\*billing\*\* granted by @sec/);
  expect(md).toMatch(/acme\/pay#40 "Tune retry"/);
});

test("no record: every answer is unknown with the reason, never a guess", () => {
  const p = composePostmortem({ ref: "deadbee", merge: null, nearby: [] });
  expect(new Set(p.findings.map((f) => f.answer))).toEqual(new Set(["unknown"]));
  expect(p.findings[0]!.details[0]).toMatch(/before Countersign was installed and not been backfilled/);
});

test("undisclosed and backfilled merges say what the trail cannot know", () => {
  const p = composePostmortem({ ref: "x", merge: merge({ aiLevel: "undisclosed", aiTools: [], disclosureSources: [], source: "backfill", checkConclusion: null, bypassed: true }), nearby: [] });
  expect(answers(p)).toMatchObject({ ai: "unknown", review_bar: "unknown" });
  expect(p.findings[0]!.details.join(" ")).toMatch(/Recorded by backfill/);
});
