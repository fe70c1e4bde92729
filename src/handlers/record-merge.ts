/**
 * `pull_request.closed` with `merged: true`: the primary audit record. The PR is re-read from the
 * API (reviews, commits, CODEOWNERS at its base) rather than trusting earlier events, because
 * deliveries can arrive out of order or not at all. One record per repo + PR, whatever the delivery.
 * The PR is assessed exactly as the check run assesses it (assess-pull-request.ts); under an
 * invalid config the merge is recorded as such, with no gate evaluated, never under the defaults.
 */
import type { Logger } from "probot";
import { readCheckConclusion } from "../github/check-run.js";
import type { GitHub } from "../github/github.js";
import type { PullLike } from "../github/load-snapshot.js";
import { commentOnIssue, openIssue } from "../github/pulls.js";
import { mergeRecordOf, type MergeRecordInput, type RecordSource } from "../policy/merge-record.js";
import { detectReverts } from "../policy/reverts.js";
import { buildChangeEvent, sendChangeEvent } from "../notify/change-events.js";
import { assessPullRequest } from "./assess-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export async function recordMerge(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  deliveryId: string | null,
  source: RecordSource = "webhook",
): Promise<{ inserted: boolean; record: MergeRecordInput }> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const fullName = `${owner}/${repo}`;

  const [assessment, checkConclusion] = await Promise.all([
    assessPullRequest(github, log, deps, pr, { factsWhenInvalid: true }),
    readCheckConclusion(github, { owner, repo, headSha: pr.head.sha, appId: deps.appId }),
  ]);
  const snapshot = assessment.snapshot!; // factsWhenInvalid: always read
  const record = mergeRecordOf({
    repo: fullName,
    pull: {
      number: pr.number,
      title: pr.title,
      headSha: pr.head.sha,
      baseRef: pr.base.ref,
      baseSha: pr.base.sha,
      mergeCommitSha: pr.merge_commit_sha ?? null,
      mergedBy: pr.merged_by?.login ?? null,
      mergedAt: pr.merged_at ?? null,
    },
    snapshot,
    verdict: assessment.kind === "verdict" ? assessment.verdict : null,
    config: assessment.kind === "verdict" ? { hash: assessment.configHash } : { invalid: { source: assessment.configSource, errors: assessment.errors } },
    exceptions: assessment.exceptions,
    checkConclusion,
    source,
    now: new Date(deps.now()).toISOString(),
  });
  const result = await deps.store.recordMerge(record, deliveryId);
  log.info(
    { delivery: deliveryId, repo: fullName, pr: pr.number, bypassed: record.bypassed, configInvalid: assessment.kind === "config-invalid", inserted: result.inserted },
    "merge recorded",
  );

  // A revert links back to what it reverted; the earlier record itself is never modified.
  const reverts = detectReverts({ repo: fullName, title: pr.title, body: pr.body ?? null, headRef: pr.head.ref, commitMessages: snapshot.commits.map((c) => c.message) });
  for (const [i, r] of reverts.entries()) {
    if (r.revertedPrNumber === null && r.revertedSha === null) continue; // a "Revert …" title alone names nothing to link
    await deps.store.recordRevert({ repo: fullName, prNumber: pr.number, ...r, source }, deliveryId ? `${deliveryId}#revert-${i}` : null);
  }

  if (result.inserted && deps.changeEvents) {
    // In the background: an incident tool being down must not hold up the webhook.
    const options = deps.changeEvents;
    void sendChangeEvent(buildChangeEvent(record, options), options, log, deps.changeEventStats);
  }

  // Under an invalid config no `audit.on_bypass` is in force: the default, no notice.
  const onBypass = assessment.kind === "verdict" ? assessment.config.audit.on_bypass : "none";
  if (result.inserted && record.bypassed && onBypass !== "none") {
    await noticeBypass(github, log, record, onBypass);
  }
  return { inserted: result.inserted, record };
}

async function noticeBypass(github: GitHub, log: Logger, m: MergeRecordInput, mode: "comment" | "issue"): Promise<void> {
  const [owner, repo] = m.repo.split("/") as [string, string];
  const text =
    `⚠️ **Countersign: merged without a passing \`countersign\` check** (conclusion at merge time: \`${m.checkConclusion ?? "none"}\`).\n\n` +
    `Merged by @${m.mergedBy ?? "unknown"} at ${m.mergedAt}; head ${m.headSha.slice(0, 7)}; AI disclosure: \`${m.aiLevel}\`. ` +
    `This merge is recorded as \`bypassed\` in the audit trail.`;
  try {
    if (mode === "comment") await commentOnIssue(github, owner, repo, m.prNumber, text);
    else await openIssue(github, owner, repo, `Countersign bypassed on #${m.prNumber}: ${m.title}`.slice(0, 250), `${text}\n\nPR: #${m.prNumber}`);
  } catch (error) {
    log.warn({ err: error, pr: m.prNumber }, "could not post the bypass notice");
  }
}
