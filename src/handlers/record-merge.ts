/**
 * `pull_request.closed` with `merged: true`: the primary audit record. The PR is re-read from the
 * API (commits, reviews, our check run and CODEOWNERS at its base in one GraphQL query; its files)
 * rather than trusting earlier events, because deliveries can arrive out of order or not at all.
 * One record per repo + PR, whatever the delivery.
 * The PR is assessed exactly as the check run assesses it (assess-pull-request.ts); under an
 * invalid config the merge is recorded as such, with no gate evaluated, never under the defaults.
 */
import type { Logger } from "probot";
import { githubWebUrlOf } from "../github/load-snapshot.js";
import type { GitHub } from "../github/github.js";
import type { PullLike } from "../github/load-snapshot.js";
import { commentOnIssue, openIssue } from "../github/pulls.js";
import { isGitHubUnavailable } from "../github/unavailable.js";
import type { Config } from "../policy/config.js";
import { mergeRecordOf, type MergeRecordInput, type RecordSource } from "../policy/merge-record.js";
import { blockingPullsOf } from "../policy/render.js";
import { detectReverts } from "../policy/reverts.js";
import { buildChangeEvent, sendChangeEvent } from "../notify/change-events.js";
import { assessPullRequest } from "./assess-pull-request.js";
import { recordIncompleteMerge } from "./incomplete-merge.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export async function recordMerge(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  deliveryId: string | null,
  source: RecordSource = "webhook",
): Promise<{ inserted: boolean; record: MergeRecordInput }> {
  // GitHub failing even after Octokit's retries: record what the payload says, now.
  let assessed: AssessedMerge;
  try {
    assessed = await assessMerge(github, log, deps, pr, source);
  } catch (error) {
    if (!isGitHubUnavailable(error)) throw error;
    return recordIncompleteMerge(log, deps, pr, deliveryId, source, error);
  }
  const { record, config, commitMessages } = assessed;
  const result = await deps.store.recordMerge(record, deliveryId);
  const inserted = result.inserted;
  log.info(
    { delivery: deliveryId, repo: record.repo, pr: pr.number, bypassed: record.bypassed, configInvalid: config === null, inserted },
    "merge recorded",
  );
  await afterMergeRecorded(github, log, deps, { pr, record, config, commitMessages, inserted, deliveryId, source });
  return { inserted, record };
}

export interface AssessedMerge {
  record: MergeRecordInput;
  /** null: the config in force was invalid (no gate evaluated, no `audit.on_bypass` in force). */
  config: Config | null;
  commitMessages: string[];
}

/** Everything GitHub says about a merged PR, as its audit record (no writes). */
export async function assessMerge(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  source: RecordSource,
): Promise<AssessedMerge> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  // The same read gives our run on the head as GitHub shows it now; one still in progress is not a conclusion.
  const assessment = await assessPullRequest(github, log, deps, pr, { factsWhenInvalid: true });
  const completed = assessment.checkRun?.status === "completed" ? assessment.checkRun : null;
  const checkConclusion = completed?.conclusion ?? null;
  const snapshot = assessment.snapshot!; // factsWhenInvalid: always read
  const record = mergeRecordOf({
    repo: `${owner}/${repo}`,
    pull: {
      number: pr.number,
      title: pr.title,
      headSha: pr.head.sha,
      baseRef: pr.base.ref,
      baseSha: pr.base.sha,
      mergeCommitSha: pr.merge_commit_sha ?? null,
      mergedBy: pr.merged_by?.login ?? null,
      mergedAt: pr.merged_at ?? null,
      githubUrl: githubWebUrlOf(pr),
    },
    snapshot,
    verdict: assessment.kind === "verdict" ? assessment.verdict : null,
    config:
      assessment.kind === "verdict"
        ? { hash: assessment.configHash }
        : { invalid: { source: assessment.configSource, errors: assessment.errors } },
    exceptions: assessment.exceptions,
    checkConclusion,
    // A check shared with other open PRs on this head names the ones blocking it: failing only
    // because of them is no bypass when this PR's own verdict passed.
    checkBlockedBy: completed ? blockingPullsOf(completed.summary) : null,
    source,
    now: new Date(deps.now()).toISOString(),
  });
  const config = assessment.kind === "verdict" ? assessment.config : null;
  return { record, config, commitMessages: snapshot.commits.map((c) => c.message) };
}

export interface RecordedMerge {
  pr: Pick<PullLike, "number" | "title" | "body" | "head">;
  record: MergeRecordInput;
  /** null: the config was invalid or could not be read (an incomplete record): no bypass notice. */
  config: Config | null;
  commitMessages: string[];
  inserted: boolean;
  deliveryId: string | null;
  source: RecordSource;
}

/** Revert links, the change event and the bypass notice of a merge just recorded (or completed). */
export async function afterMergeRecorded(github: GitHub | null, log: Logger, deps: PipelineDeps, m: RecordedMerge): Promise<void> {
  const { pr, record, deliveryId, source } = m;
  const fullName = record.repo;
  // A revert links back to what it reverted; the earlier record itself is never modified.
  const found = { repo: fullName, title: pr.title, body: pr.body ?? null, headRef: pr.head.ref, commitMessages: m.commitMessages };
  for (const [i, r] of detectReverts(found).entries()) {
    if (r.revertedPrNumber === null && r.revertedSha === null) continue; // a "Revert …" title alone names nothing to link
    await deps.store.recordRevert({ repo: fullName, prNumber: pr.number, ...r, source }, deliveryId ? `${deliveryId}#revert-${i}` : null);
  }
  if (!m.inserted || record.incomplete === true) return; // an incomplete record notifies once completed

  if (deps.changeEvents) {
    // In the background: an incident tool being down must not hold up the webhook.
    const options = deps.changeEvents;
    void sendChangeEvent(buildChangeEvent(record, options), options, log, deps.changeEventStats);
  }
  // Under an invalid config no `audit.on_bypass` is in force: the default, no notice.
  if (github && record.bypassed && m.config && m.config.audit.on_bypass !== "none") {
    await noticeBypass(github, log, record, m.config.audit.on_bypass);
  }
}

async function noticeBypass(github: GitHub, log: Logger, m: MergeRecordInput, mode: "comment" | "issue"): Promise<void> {
  const [owner, repo] = m.repo.split("/") as [string, string];
  const text =
    `⚠️ **Countersign: merged without a passing \`countersign\` check** (conclusion at merge time: ` +
    `\`${m.checkConclusion ?? "none"}\`).\n\n` +
    `Merged by @${m.mergedBy ?? "unknown"} at ${m.mergedAt}; head ${m.headSha.slice(0, 7)}; AI disclosure: \`${m.aiLevel}\`. ` +
    `This merge is recorded as \`bypassed\` in the audit trail.`;
  try {
    if (mode === "comment") await commentOnIssue(github, owner, repo, m.prNumber, text);
    else
      await openIssue(
        github,
        owner,
        repo,
        `Countersign bypassed on #${m.prNumber}: ${m.title}`.slice(0, 250),
        `${text}\n\nPR: #${m.prNumber}`,
      );
  } catch (error) {
    log.warn({ err: error, pr: m.prNumber }, "could not post the bypass notice");
  }
}
