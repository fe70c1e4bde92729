/**
 * The merges of the five-merge audit trails of the CLI and HTTP audit tests (and the store's
 * contract queries): #1 assisted, #2 bypassed the gate, #3 an agent PR, #4 (acme/pay) reverts #1,
 * #5 (acme/web) is a generated change with no merge commit. #1 to #3 are given as fields, each
 * test adding its own teams, paths and exceptions.
 */
import type { MergeRecordInput, RevertRecordInput } from "../../src/audit/audit-store.js";
import { mergeInput } from "../contract/audit-harness.js";

/** acme/pay#1, assisted, owned by @acme/payments. */
export const ASSISTED_FIELDS = {
  repo: "acme/pay",
  prNumber: 1,
  mergedAt: "2026-01-10T10:00:00Z",
  aiLevel: "assisted",
  owningTeam: "@acme/payments",
} satisfies Partial<MergeRecordInput>;

/** acme/pay#2, no AI, merged past a failing check (bypassed), owned by @acme/legacy. */
export const BYPASSED_FIELDS = {
  repo: "acme/pay",
  prNumber: 2,
  mergedAt: "2026-02-10T10:00:00Z",
  aiLevel: "none",
  bypassed: true,
  checkConclusion: "failure",
  owningTeam: "@acme/legacy",
} satisfies Partial<MergeRecordInput>;

/** acme/web#3, claude[bot]'s agent PR sponsored by dev-alice, owned by @acme/web. */
export const AGENT_FIELDS = {
  repo: "acme/web",
  prNumber: 3,
  mergedAt: "2026-03-10T10:00:00Z",
  aiLevel: "agent",
  agent: "claude[bot]",
  sponsor: "dev-alice",
  owningTeam: "@acme/web",
} satisfies Partial<MergeRecordInput>;

/** acme/pay#4: `Revert "refunds"`, touching README.md only. */
export const REVERT_MERGE = mergeInput({
  repo: "acme/pay",
  prNumber: 4,
  mergedAt: "2026-03-12T10:00:00Z",
  aiLevel: "none",
  title: 'Revert "refunds"',
  owningTeam: "@acme/payments",
  teams: [],
  exceptions: [],
  paths: [{ path: "README.md", previousPath: null, status: "modified" }],
});

/** acme/web#5: AI-generated, merged without a merge commit SHA. */
export const GENERATED_MERGE = mergeInput({
  repo: "acme/web",
  prNumber: 5,
  mergedAt: "2026-03-20T10:00:00Z",
  aiLevel: "generated",
  owningTeam: "@acme/web",
  teams: [],
  mergeCommitSha: null,
  exceptions: [],
  paths: [{ path: "web/app.ts", previousPath: null, status: "modified" }],
});

/** acme/pay#4 reverting acme/pay#1, found from the PR body. */
export const REVERT_OF_PR_1: RevertRecordInput = {
  repo: "acme/pay",
  prNumber: 4,
  revertedRepo: "acme/pay",
  revertedPrNumber: 1,
  revertedSha: null,
  method: "body",
};
