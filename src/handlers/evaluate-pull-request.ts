/**
 * The one evaluation pipeline every handler funnels into:
 *   1. read the PR: one GraphQL query (commits, reviews, our check run, and the base commit's
 *      config and CODEOWNERS unless cached) and the changed files (REST), in parallel
 *   2. validate the config (invalid → a failing check naming file, key path and line)
 *   3. build the snapshot (exceptions from the audit store)
 *   4. evaluate and render
 *   5. write the `countersign` check run (skipped when its output would not change)
 *   6. ownership side effects (label, review request) when they differ
 *   7. append the evaluation to the audit trail (idempotent per delivery)
 * Any failure in 1–4 ends in a failing check titled "countersign could not evaluate": never success.
 */
import type { Logger } from "probot";
import type { AuditStore } from "../audit/audit-store.js";
import { runExclusive, type Leases } from "../cluster/leases.js";
import type { ChangeEventOptions } from "../notify/change-events.js";
import { upsertCheckRun, type UpsertResult } from "../github/check-run.js";
import { githubCodeownersErrors, parsedCodeowners } from "../github/codeowners-cache.js";
import { explainError } from "../github/errors.js";
import type { ApiUsage } from "../github/conditional-requests.js";
import type { GitHub } from "../github/github.js";
import { loadRepoConfig } from "../github/load-config.js";
import { loadSnapshot, readPullRequest, type PullLike, type PullRequestRead, type ReviewEdit } from "../github/load-snapshot.js";
import { applyOwnerActions } from "../github/owner-actions.js";
import { evaluate, type Verdict } from "../policy/evaluate.js";
import { Coalescer } from "./coalesce.js";
import { render, renderError, type CheckOutput } from "../policy/render.js";
import type { GrantedException } from "../policy/snapshot.js";

export interface PipelineDeps {
  store: AuditStore;
  /** Where to POST a change event for every recorded merge (INCIDENT_WEBHOOK_URL). */
  changeEvents?: ChangeEventOptions | null;
  /** Our app id, to tell our check runs from another app's of the same name. */
  appId: number | null;
  now: () => number;
  /**
   * Set when replicas share Redis (REDIS_URL): evaluations of one head take turns across
   * processes, and the check run is read back instead of remembered (another replica may have
   * written it since).
   */
  leases?: Leases | null;
  /** What an event's Octokit has spent so far (calls, 304s, rate-limit points), for the evaluation log line. */
  apiUsage?: (github: GitHub) => ApiUsage;
}

export interface EvaluationRequest {
  pr: PullLike;
  /** Where the check run goes: the PR head, or a merge group's head SHA. */
  checkSha?: string;
  event: string;
  deliveryId: string | null;
  /** Label and review-request side effects (off for merge groups). */
  sideEffects?: boolean;
  /** A `pull_request_review.edited` event: who edited which review. */
  reviewEdit?: ReviewEdit | null;
}

export interface EvaluationOutcome {
  verdict: Verdict | null;
  output: CheckOutput;
  check: UpsertResult;
}

interface Job {
  github: GitHub;
  log: Logger;
  deps: PipelineDeps;
  req: EvaluationRequest;
}

// Events for the same PR head arrive in bursts (a push, its labels, a review): one evaluation in
// flight per head SHA, plus one trailing run with the newest payload. Across replicas, the check
// run's head takes the lease, so the trailing run of another replica waits for this one.
const coalescer = new Coalescer<Job, EvaluationOutcome>((job) => {
  const run = () => runPipeline(job.github, job.log, job.deps, job.req);
  const leases = job.deps.leases;
  if (!leases) return run();
  const repo = `${job.req.pr.base.repo.owner.login}/${job.req.pr.base.repo.name}`;
  return runExclusive(leases, `check:${repo}@${job.req.checkSha ?? job.req.pr.head.sha}`.toLowerCase(), run, { log: job.log });
});

export function evaluatePullRequest(github: GitHub, log: Logger, deps: PipelineDeps, req: EvaluationRequest): Promise<EvaluationOutcome> {
  const key = `${req.pr.base.repo.owner.login}/${req.pr.base.repo.name}#${req.pr.number}@${req.checkSha ?? req.pr.head.sha}`.toLowerCase();
  return coalescer.submit(key, { github, log, deps, req });
}

async function runPipeline(github: GitHub, log: Logger, deps: PipelineDeps, req: EvaluationRequest): Promise<EvaluationOutcome> {
  const owner = req.pr.base.repo.owner.login;
  const repo = req.pr.base.repo.name;
  const headSha = req.checkSha ?? req.pr.head.sha;
  const ctx = { delivery: req.deliveryId, repo: `${owner}/${repo}`, pr: req.pr.number, sha: headSha, event: req.event };

  let verdict: Verdict | null = null;
  let output: CheckOutput;
  let sideEffects: (() => Promise<void>) | null = null;
  let read: PullRequestRead | null = null;
  const spentBefore = deps.apiUsage?.(github) ?? null;
  try {
    read = await readPullRequest(github, req.pr, { checkSha: headSha, appId: deps.appId, now: deps.now() }); // 1
    const base = read.base;
    const loaded = await loadRepoConfig(github, owner, repo, base.config, deps.now()); // 2
    if (!loaded.ok) {
      const problems = loaded.errors.map((e) => `- ${e.line ? `line ${e.line}: ` : ""}${e.path ? `\`${e.path}\`: ` : ""}${e.message}`).join("\n");
      output = renderError(
        `Invalid configuration in ${loaded.source}`,
        `${problems}\n\nFix the file on the base branch (\`${req.pr.base.ref}\`); \`npx countersign validate\` checks it locally.`,
      );
      log.warn({ ...ctx, errors: loaded.errors }, "invalid countersign config");
    } else {
      const exceptions = await grantedExceptions(deps.store, `${owner}/${repo}`, req.pr.number);
      const snapshot = await loadSnapshot(github, req.pr, read, loaded.config, exceptions, req.reviewEdit ?? null); // 3
      const codeowners = parsedCodeowners(base.codeowners);
      if (codeowners && codeowners.errors.length > 0) {
        snapshot.codeowners = { ...snapshot.codeowners, githubErrors: await githubCodeownersErrors(github, log, owner, repo, req.pr.base.sha) };
      }
      verdict = evaluate(snapshot, loaded.config, { codeowners }); // 4
      output = render(verdict);
      if (req.sideEffects !== false) sideEffects = () => applyOwnerActions(github, log, snapshot, verdict!, loaded.config, { shared: Boolean(deps.leases) });
    }
  } catch (error) {
    const { reason, nextStep } = explainError(error);
    log.error({ ...ctx, err: error }, `evaluation failed: ${reason}`);
    output = renderError(reason, `${nextStep}\n\nDelivery: \`${req.deliveryId ?? "n/a"}\`, ${ctx.repo}#${ctx.pr} at ${headSha.slice(0, 7)}.`);
    verdict = null;
  }

  const check = await upsertCheckRun(github, { owner, repo, headSha, appId: deps.appId }, output, {
    trustRemembered: !deps.leases,
    ...(read ? { current: read.checkRun } : {}),
  }); // 5
  if (sideEffects) await sideEffects(); // 6
  const spent = spentSince(deps, github, spentBefore);
  log.info({ ...ctx, conclusion: output.conclusion, title: output.title, check: check.action, ...spent }, "countersign evaluated");

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
  return { verdict, output, check };
}

/** Calls, 304s and rate-limit points this evaluation cost (GitHub's `x-ratelimit-used` counts all but 304s). */
function spentSince(deps: PipelineDeps, github: GitHub, before: ApiUsage | null): Record<string, number | null> {
  const now = deps.apiUsage?.(github);
  if (!now || !before) return {};
  return {
    calls: now.calls - before.calls,
    notModified: now.notModified - before.notModified,
    rateLimitPoints: now.points - before.points,
    rateLimitRemaining: now.rateLimitRemaining,
  };
}

/** Exceptions as the audit trail holds them: the latest grant or revoke per boundary decides. */
export async function grantedExceptions(store: AuditStore, repo: string, prNumber: number): Promise<GrantedException[]> {
  const rows = await store.listExceptions(repo, prNumber);
  const out: GrantedException[] = [];
  for (const row of [...rows].sort((a, b) => a.seq - b.seq)) {
    if (row.action === "revoke") {
      for (const e of out) if (e.boundary === row.boundary) e.revoked = true;
      continue;
    }
    out.push({ boundary: row.boundary, grantedBy: row.grantedBy, reason: row.reason, sha: row.sha, commentId: row.commentId, grantedAt: row.grantedAt, revoked: false });
  }
  return out;
}
