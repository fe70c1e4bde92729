/**
 * The one evaluation pipeline every handler funnels into:
 *   1–4. assess the PR (assess-pull-request.ts): one GraphQL read (commits, reviews, our check
 *        run, the PRs on the head commit, and the base commit's config and CODEOWNERS unless
 *        cached) with the changed files (REST); the config at the base (invalid → a failing check
 *        naming file, key path and line), snapshot, evaluate; then render. When other open PRs
 *        share the head commit (and so its check run), each is assessed too and the strictest
 *        verdict is the check's (shared-head.ts); a merge group's check is its own.
 *   5. write the `countersign` check run (skipped when its output would not change)
 *   6. ownership side effects (label, review request) when they differ
 *   7. append the evaluation to the audit trail (idempotent per delivery)
 * Any failure in 1–4 ends in a failing check titled "countersign could not evaluate": never success.
 */
import type { Logger } from "probot";
import { runExclusive } from "../cluster/leases.js";
import { findCheckRun, remembersCheckRun, upsertCheckRun, type UpsertResult } from "../github/check-run.js";
import { checkPending } from "../github/write-pacing.js";
import { explainError, isTransient } from "../github/errors.js";
import type { ApiUsage } from "../github/conditional-requests.js";
import type { GitHub } from "../github/github.js";
import type { PullLike, ReviewEdit } from "../github/load-snapshot.js";
import type { ExistingCheckRun } from "../github/pull-request-state.js";
import { applyOwnerActions } from "../github/owner-actions.js";
import type { Verdict } from "../policy/evaluate.js";
import type { CheckOutput } from "../policy/render.js";
import { assessPullRequest } from "./assess-pull-request.js";
import { assessmentOutput, failedOutput, sharedHeadOutput } from "./shared-head.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export type { PipelineDeps } from "./pipeline-deps.js";

export interface EvaluationRequest {
  pr: PullLike;
  /** Where the check run goes: the PR head, or a merge group's head SHA. */
  checkSha?: string;
  event: string;
  deliveryId: string | null;
  /**
   * Label and review-request side effects (off for merge groups). "background": started, not waited
   * for, so the caller (the recovery sweep) goes on once the check is written; they queue behind
   * every check run anyway, and a failure is logged.
   */
  sideEffects?: boolean | "background";
  /** A `pull_request_review.edited` event: who edited which review. */
  reviewEdit?: ReviewEdit | null;
}

export interface EvaluationOutcome {
  verdict: Verdict | null;
  output: CheckOutput;
  check: UpsertResult;
  /**
   * The owner label and review request, run by evaluatePullRequest after the evaluation has let go
   * of its head (the per-head lease, the coalescer's turn); once, however many callers share it.
   */
  courtesy: (() => Promise<void>) | null;
}

export interface EvaluationJob {
  github: GitHub;
  log: Logger;
  deps: PipelineDeps;
  req: EvaluationRequest;
}

// Events for the same PR head arrive in bursts (a push, its labels, a review): one evaluation in
// flight per head SHA, plus one trailing run with the newest payload (deps.evaluations, a
// Coalescer running this). Across replicas, the check run's head takes the lease, so the trailing
// run of another replica waits for this one.
export function runEvaluationJob(job: EvaluationJob): Promise<EvaluationOutcome> {
  const run = () => runPipeline(job.github, job.log, job.deps, job.req);
  const leases = job.deps.leases;
  if (!leases) return run();
  const repo = `${job.req.pr.base.repo.owner.login}/${job.req.pr.base.repo.name}`;
  return runExclusive(leases, `check:${repo}@${job.req.checkSha ?? job.req.pr.head.sha}`.toLowerCase(), run, { log: job.log });
}

export async function evaluatePullRequest(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  req: EvaluationRequest,
): Promise<EvaluationOutcome> {
  const key = `${req.pr.base.repo.owner.login}/${req.pr.base.repo.name}#${req.pr.number}@${req.checkSha ?? req.pr.head.sha}`.toLowerCase();
  const outcome = await deps.evaluations.submit(key, { github, log, deps, req });
  // 6. After the head is let go: a label waiting for its turn in the write queue (behind every
  // check being evaluated) must not hold up the next evaluation of the same head, on any replica.
  if (outcome.courtesy) await outcome.courtesy();
  return outcome;
}

interface AssessStep {
  verdict: Verdict | null;
  output: CheckOutput;
  sideEffects: (() => Promise<void>) | null;
  /** A transient failure the inbox retries (after the fail-closed check is written). */
  transient: unknown;
  /** Our check run as the evaluation's read saw it (null: none); undefined: the read did not get that far. */
  checkRun: ExistingCheckRun | null | undefined;
  /** The evaluation itself failed on GitHub failing (a 5xx or no answer; not a rate limit): its output says it could not evaluate. */
  failedOnGitHub: boolean;
}

/** GitHub failing (a 5xx after retries, or no answer at all), as opposed to refusing (4xx, rate limits). */
function isGitHubFailing(error: unknown): boolean {
  const errors = error instanceof AggregateError ? error.errors : [error];
  return errors.some((e) => {
    const status = (e as { status?: unknown } | null)?.status;
    return isTransient(e) && (status === undefined || (typeof status === "number" && status >= 500));
  });
}

/** Steps 1–4: read, judge, render (a failure becomes the fail-closed output). */
async function assessStep(
  github: GitHub,
  log: Logger,
  deps: PipelineDeps,
  req: EvaluationRequest,
  headSha: string,
  ctx: object,
): Promise<AssessStep> {
  let checkRun: ExistingCheckRun | null | undefined;
  try {
    const assessOptions = { checkSha: headSha, reviewEdit: req.reviewEdit ?? null };
    const assessment = await assessPullRequest(github, log, deps, req.pr, assessOptions); // 1–4
    checkRun = assessment.checkRun;
    let output = assessmentOutput(assessment, req.pr);
    let verdict: Verdict | null = null;
    let sideEffects: AssessStep["sideEffects"] = null;
    let transient: unknown = null;
    if (assessment.kind === "config-invalid") {
      log.warn({ ...ctx, errors: assessment.errors }, "invalid countersign config");
    } else {
      const { snapshot, config } = assessment;
      const judged = assessment.verdict;
      verdict = judged;
      if (req.sideEffects !== false) {
        sideEffects = () => applyOwnerActions(github, deps.caches, log, snapshot, judged, config, { shared: Boolean(deps.leases) });
      }
    }
    if (headSha === req.pr.head.sha) {
      const shared = await sharedHeadOutput(github, log, deps, req.pr, output, assessment.headPulls, req.deliveryId);
      if (shared) ({ output, transient } = shared);
    }
    return { verdict, output, sideEffects, transient, checkRun, failedOnGitHub: false };
  } catch (error) {
    log.error({ ...ctx, err: error }, `evaluation failed: ${explainError(error).reason}`);
    return {
      verdict: null,
      output: failedOutput(error, req.pr, headSha, req.deliveryId),
      sideEffects: null,
      transient: deps.retryTransient && isTransient(error) ? error : null,
      checkRun,
      failedOnGitHub: isGitHubFailing(error),
    };
  }
}

async function runPipeline(github: GitHub, log: Logger, deps: PipelineDeps, req: EvaluationRequest): Promise<EvaluationOutcome> {
  const owner = req.pr.base.repo.owner.login;
  const repo = req.pr.base.repo.name;
  const headSha = req.checkSha ?? req.pr.head.sha;
  const ctx = { delivery: req.deliveryId, repo: `${owner}/${repo}`, pr: req.pr.number, sha: headSha, event: req.event };

  const spentBefore = deps.caches.conditionalReads.usage(github);
  // Courtesy writes (labels, review requests) wait for this check (src/github/write-pacing.ts).
  const checkWritten = checkPending();
  const timer = deps.metrics?.evaluationSeconds.startTimer();
  const target = { owner, repo, headSha, appId: deps.appId };
  let step = await assessStep(github, log, deps, req, headSha, ctx);
  // It failed on GitHub before seeing our check run, which the write needs: list it. When GitHub
  // answers that, an outage may have ended while this evaluation was retrying its reads: evaluate
  // once more now rather than write a "could not evaluate" that is already stale (after an outage,
  // such writes queued a second apart and each needed one more to correct it).
  if (step.failedOnGitHub && step.checkRun === undefined) {
    let listed: ExistingCheckRun | null | undefined;
    try {
      listed = await findCheckRun(github, target);
    } catch {
      // GitHub cannot say whether our run exists. When this process wrote it (and no replica shares
      // it), the failure is written over it below: a verdict never stands on a head GitHub cannot
      // read now (fail closed). Otherwise nothing can be written (create or update?): with the inbox
      // the delivery is tried again (at once when GitHub answers again: see handlers/outage-watch.ts);
      // without it the write below lists once more, as it always did.
      if (step.transient !== null && !remembersCheckRun(deps.caches.checkRuns, target, !deps.leases)) {
        checkWritten();
        throw step.transient;
      }
      listed = undefined;
    }
    if (listed !== undefined) {
      log.info(ctx, "GitHub answers again: evaluating once more before writing a failure");
      step = await assessStep(github, log, deps, req, headSha, ctx);
      if (step.checkRun === undefined) step.checkRun = listed;
    }
  }
  const { verdict, sideEffects, transient, checkRun } = step;
  const output = step.output;

  let check: UpsertResult;
  try {
    check = await upsertCheckRun(github, target, output, {
      remembered: deps.caches.checkRuns,
      trustRemembered: !deps.leases,
      // What the evaluation's own read saw; when it failed before reading, the run is listed.
      ...(checkRun !== undefined ? { current: checkRun } : {}),
      // A failure the inbox retries does not rewrite its own message (only the delivery id would change).
      retried: transient !== null && verdict === null && req.deliveryId !== null && deps.willRetry?.(req.deliveryId) === true,
    }); // 5
  } finally {
    checkWritten();
  }
  const evaluated = () => {
    const spent = spentSince(deps, github, spentBefore);
    log.info({ ...ctx, conclusion: output.conclusion, title: output.title, check: check.action, ...spent }, "countersign evaluated");
  };
  // The check says "could not evaluate" meanwhile (fail closed); the retry replaces it, and its
  // evaluation is the one recorded for this delivery.
  if (transient) {
    evaluated();
    throw transient;
  }
  let courtesy: EvaluationOutcome["courtesy"] = null;
  if (sideEffects && req.sideEffects === "background") {
    void sideEffects().catch((error: unknown) => log.warn({ ...ctx, err: error }, "owner label or review request failed"));
  } else if (sideEffects) {
    let running: Promise<void> | null = null;
    courtesy = () => (running ??= sideEffects());
  }
  evaluated();

  await deps.store.recordEvaluation(
    {
      repo: ctx.repo,
      prNumber: req.pr.number,
      headSha,
      event: req.event,
      conclusion: output.conclusion,
      title: output.title,
      gates: verdict?.gates.map((g) => ({ id: g.id, status: g.status })) ?? [],
      aiLevel: verdict?.disclosure.level ?? null,
      aiTools: verdict?.disclosure.tools ?? [],
    },
    req.deliveryId,
  ); // 7
  timer?.({ conclusion: output.conclusion });
  return { verdict, output, check, courtesy };
}

/** Calls, 304s and rate-limit points this evaluation cost (GitHub's `x-ratelimit-used` counts all but 304s). */
function spentSince(deps: PipelineDeps, github: GitHub, before: ApiUsage | null): Record<string, number | null> {
  const now = deps.caches.conditionalReads.usage(github);
  if (!now || !before) return {};
  return {
    calls: now.calls - before.calls,
    notModified: now.notModified - before.notModified,
    rateLimitPoints: now.points - before.points,
    rateLimitRemaining: now.rateLimitRemaining,
  };
}
