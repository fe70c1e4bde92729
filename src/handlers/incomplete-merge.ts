/**
 * A merge while GitHub cannot be read. The audit trail must not lose it, so it is recorded at once
 * from what the `pull_request.closed` payload says (merge SHA, merged by, base, head, title, body
 * and the disclosure written in it, time), marked incomplete with the facts it lacks named. The
 * recovery sweep completes it once GitHub answers again, as a new chained entry.
 */
import type { Logger } from "probot";
import { INCOMPLETE_MERGE_MISSING, type MergeRecord, type MergeRecordInput } from "../audit/audit-store.js";
import { explainError } from "../github/errors.js";
import type { GitHub } from "../github/github.js";
import { actorOf, type PullLike } from "../github/load-snapshot.js";
import { parseDisclosure } from "../policy/disclosure.js";
import { getPull } from "../github/pulls.js";
import { grantedExceptions } from "../policy/exceptions.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { afterMergeRecorded, assessMerge } from "./record-merge.js";

/** The record the payload alone supports: no reviews, files, owners or verdict (and it says so). */
export async function incompleteMergeRecord(
  deps: PipelineDeps,
  pr: PullLike,
  source: MergeRecordInput["source"],
): Promise<MergeRecordInput> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  // The body alone: commits, and the repository's own AI identities, need GitHub.
  const disclosure = parseDisclosure({ body: pr.body ?? null, commits: [], author: actorOf(pr.user) });
  const exceptions = grantedExceptions(await deps.store.listExceptions(`${owner}/${repo}`, pr.number));
  return {
    repo: `${owner}/${repo}`,
    prNumber: pr.number,
    title: pr.title,
    author: actorOf(pr.user).login,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    mergeCommitSha: pr.merge_commit_sha ?? null,
    mergedBy: pr.merged_by?.login ?? null,
    mergedAt: pr.merged_at ?? new Date(deps.now()).toISOString(),
    aiLevel: disclosure.level,
    aiTools: disclosure.tools,
    disclosureSources: disclosure.answers.map((a) => ({ tool: a.tools[0] ?? null, where: "body", sha: null, detail: a.text })),
    agent: disclosure.agent,
    sponsor: disclosure.sponsor,
    reviewers: [],
    owningTeam: null,
    teams: [],
    paths: [],
    boundaries: [],
    exceptions: exceptions
      .filter((e) => !e.revoked)
      .map(({ boundary, grantedBy, reason, sha, commentId, grantedAt }) => ({ boundary, grantedBy, reason, sha, commentId, grantedAt })),
    checkConclusion: null,
    bypassed: false,
    commitShas: [],
    configHash: null,
    source,
    incomplete: true,
    missing: [...INCOMPLETE_MERGE_MISSING],
  };
}

export async function recordIncompleteMerge(
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  deliveryId: string | null,
  source: MergeRecordInput["source"],
  cause: unknown,
): Promise<{ inserted: boolean; record: MergeRecordInput }> {
  const record = await incompleteMergeRecord(deps, pr, source);
  const result = await deps.store.recordMerge(record, deliveryId);
  log.warn(
    { delivery: deliveryId, repo: record.repo, pr: pr.number, inserted: result.inserted, reason: explainError(cause).reason },
    "GitHub cannot be read: merge recorded INCOMPLETE from the webhook payload; the recovery sweep completes it",
  );
  const recorded = { pr, record, config: null, commitMessages: [], inserted: result.inserted, deliveryId, source };
  await afterMergeRecorded(null, log, deps, recorded);
  return { inserted: result.inserted, record };
}

/** Reads the merged PR again and completes its incomplete record; false when it was already complete. */
export async function completeMerge(github: GitHub, log: Logger, deps: PipelineDeps, recorded: MergeRecord): Promise<boolean> {
  const [owner, repo] = recorded.repo.split("/") as [string, string];
  const pr = await getPull(github, owner, repo, recorded.prNumber);
  const assessed = await assessMerge(github, log, deps, pr, recorded.source);
  const result = await deps.store.completeMerge(assessed.record);
  const { record: completed, config, commitMessages } = assessed;
  const inserted = result.inserted;
  const facts = { repo: recorded.repo, pr: recorded.prNumber, completed: inserted, bypassed: completed.bypassed };
  log.info(facts, "incomplete merge record completed");
  const record = { ...completed, exceptions: recorded.exceptions };
  await afterMergeRecorded(github, log, deps, { pr, record, config, commitMessages, inserted, deliveryId: null, source: "backfill" });
  return result.inserted;
}
