/**
 * `pull_request.closed` with `merged: true`: the primary audit record. The PR is re-read from the
 * API (reviews, commits, CODEOWNERS at its base) rather than trusting earlier events, because
 * deliveries can arrive out of order or not at all. One record per repo + PR, whatever the delivery.
 */
import type { Logger } from "probot";
import type { MergeRecordInput } from "../audit/audit-store.js";
import { parsedCodeowners } from "../github/codeowners-cache.js";
import type { GitHub } from "../github/github.js";
import { loadRepoConfig } from "../github/load-config.js";
import { loadSnapshot, readPullRequest, type PullLike } from "../github/load-snapshot.js";
import { DEFAULT_CONFIG } from "../policy/config.js";
import { evaluate } from "../policy/evaluate.js";
import { detectReverts } from "../policy/reverts.js";
import { buildChangeEvent, sendChangeEvent } from "../notify/change-events.js";
import { grantedExceptions, type PipelineDeps } from "./evaluate-pull-request.js";

export async function recordMerge(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  pr: PullLike,
  deliveryId: string | null,
  source: MergeRecordInput["source"] = "webhook",
): Promise<{ inserted: boolean; record: MergeRecordInput }> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const fullName = `${owner}/${repo}`;

  const read = await readPullRequest(github, pr, { checkSha: pr.head.sha, appId: deps.appId, now: deps.now() });
  const base = read.base;
  const loaded = await loadRepoConfig(github, owner, repo, base.config, deps.now());
  // An invalid config cannot evaluate, but the merge still happened: record it under the defaults.
  const config = loaded.ok ? loaded.config : DEFAULT_CONFIG;
  const exceptions = await grantedExceptions(deps.store, fullName, pr.number);
  const snapshot = await loadSnapshot(github, pr, read, config, exceptions);
  // Our run on the head as GitHub shows it now; one still in progress is not a conclusion.
  const checkConclusion = read.checkRun?.status === "completed" ? read.checkRun.conclusion : null;
  const verdict = evaluate(snapshot, config, { codeowners: parsedCodeowners(base.codeowners) });
  const evidenceSources = verdict.disclosure.evidence.map((e) => ({ tool: e.tool, where: e.where === "commit" ? "commit" : e.kind, sha: e.sha ?? null, detail: e.detail }));
  const answerSources = verdict.disclosure.answers.map((a) => ({ tool: a.tools[0] ?? null, where: a.source === "trailer" ? "trailer" : "body", sha: a.sha ?? null, detail: a.text }));

  const record: MergeRecordInput = {
    repo: fullName,
    prNumber: pr.number,
    title: pr.title,
    author: snapshot.author.login,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    mergeCommitSha: pr.merge_commit_sha ?? null,
    mergedBy: pr.merged_by?.login ?? null,
    mergedAt: pr.merged_at ?? new Date(deps.now()).toISOString(),
    aiLevel: verdict.disclosure.level,
    aiTools: verdict.disclosure.tools,
    disclosureSources: [...answerSources, ...evidenceSources],
    agent: verdict.disclosure.agent,
    sponsor: verdict.sponsor,
    reviewers: verdict.reviews.map((r) => ({
      reviewer: r.reviewer,
      reviewId: r.reviewId,
      state: r.state,
      reviewedSha: r.reviewedSha,
      submittedAt: r.submittedAt,
      counted: r.counted,
      reason: r.reason,
      checklist: r.note.checked,
      verified: r.note.verified,
    })),
    owningTeam: verdict.ownership.owningTeam,
    teams: verdict.ownership.teams.map((t) => ({ team: t.team, files: t.files })),
    paths: snapshot.files.map((f) => ({ path: f.path, previousPath: f.previousPath ?? null, status: f.status })),
    boundaries: verdict.boundaries.map((b) => ({ name: b.name, action: b.action, outcome: b.status === "passed" ? (b.via ?? "passed") : "unmet" })),
    exceptions: exceptions
      .filter((e) => !e.revoked)
      .map((e) => ({ boundary: e.boundary, grantedBy: e.grantedBy, reason: e.reason, sha: e.sha, commentId: e.commentId, grantedAt: e.grantedAt })),
    checkConclusion,
    // Merged while the required check was not green (or never ran): the gate was bypassed.
    bypassed: checkConclusion !== "success",
    commitShas: snapshot.commits.flatMap((c) => (c.sha ? [c.sha] : [])),
    configHash: loaded.ok ? loaded.hash : null,
    source,
  };
  const result = await deps.store.recordMerge(record, deliveryId);
  log.info({ delivery: deliveryId, repo: fullName, pr: pr.number, bypassed: record.bypassed, inserted: result.inserted }, "merge recorded");

  // A revert links back to what it reverted; the earlier record itself is never modified.
  const reverts = detectReverts({ repo: fullName, title: pr.title, body: pr.body ?? null, headRef: pr.head.ref, commitMessages: snapshot.commits.map((c) => c.message) });
  for (const [i, r] of reverts.entries()) {
    if (r.revertedPrNumber === null && r.revertedSha === null) continue; // a "Revert …" title alone names nothing to link
    await deps.store.recordRevert({ repo: fullName, prNumber: pr.number, ...r, source }, deliveryId ? `${deliveryId}#revert-${i}` : null);
  }

  if (result.inserted && deps.changeEvents) {
    // In the background: an incident tool being down must not hold up the webhook.
    const options = deps.changeEvents;
    void sendChangeEvent(buildChangeEvent(record, options), options, log);
  }

  if (result.inserted && record.bypassed && config.audit.on_bypass !== "none") {
    await noticeBypass(github, log, record, config.audit.on_bypass);
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
    if (mode === "comment") await github.rest.issues.createComment({ owner, repo, issue_number: m.prNumber, body: text });
    else await github.rest.issues.create({ owner, repo, title: `Countersign bypassed on #${m.prNumber}: ${m.title}`.slice(0, 250), body: `${text}\n\nPR: #${m.prNumber}` });
  } catch (error) {
    log.warn({ err: error, pr: m.prNumber }, "could not post the bypass notice");
  }
}
