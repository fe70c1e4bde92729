/**
 * "Re-run" on our check (`check_run.rerequested`) and "Re-run all checks" (`check_suite.rerequested`):
 * evaluate the open PRs of that head again from fresh data.
 */
import type { Context } from "probot";
import { openPullsForHead } from "../github/pulls.js";
import { CHECK_NAME } from "../policy/render.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export async function onCheckRunRerequested(context: Context<"check_run.rerequested">, deps: PipelineDeps): Promise<void> {
  const run = context.payload.check_run;
  if (run.name !== CHECK_NAME) return;
  if (deps.appId !== null && run.app?.id !== deps.appId) return;
  await reevaluateHead(
    context,
    deps,
    run.head_sha,
    (run.pull_requests ?? []).map((p) => p.number),
    "check_run.rerequested",
  );
}

export async function onCheckSuiteRerequested(context: Context<"check_suite.rerequested">, deps: PipelineDeps): Promise<void> {
  const suite = context.payload.check_suite;
  // GitHub sends a suite's events to the app that owns it; another app's suite is not ours to run.
  if (deps.appId !== null && suite.app?.id !== deps.appId) return;
  await reevaluateHead(
    context,
    deps,
    suite.head_sha,
    (suite.pull_requests ?? []).map((p) => p.number),
    "check_suite.rerequested",
  );
}

type RerequestContext = Context<"check_run.rerequested" | "check_suite.rerequested">;

async function reevaluateHead(context: RerequestContext, deps: PipelineDeps, headSha: string, numbers: number[], event: string) {
  const { owner, repo } = context.repo();
  for (const pr of await openPullsForHead(context.octokit, owner, repo, headSha, numbers)) {
    await evaluatePullRequest(context.octokit, context.log, deps, { pr, event, deliveryId: context.id ?? null });
  }
}
