/**
 * The merges shared by the five-merge audit trails of the CLI and HTTP audit tests: #4 (acme/pay)
 * reverts #1, #5 (acme/web) is a generated change with no merge commit.
 */
import type { RevertRecordInput } from "../../src/audit/audit-store.js";
import { mergeInput } from "../contract/audit-harness.js";

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
