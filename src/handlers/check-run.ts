/** `check_run.rerequested` on our own check: evaluate its PRs again from fresh data. */
import type { Context } from "probot";
import { CHECK_NAME } from "../policy/render.js";
import { getPull, openPullNumbersAt } from "../github/pulls.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export async function onCheckRunRerequested(context: Context<"check_run.rerequested">, deps: PipelineDeps): Promise<void> {
  const run = context.payload.check_run;
  if (run.name !== CHECK_NAME) return;
  if (deps.appId !== null && run.app?.id !== deps.appId) return;
  const { owner, repo } = context.repo();
  let numbers = (run.pull_requests ?? []).map((p) => p.number);
  if (numbers.length === 0) {
    // Fork PRs are not listed on the check run: find the PRs whose head is this commit.
    numbers = await openPullNumbersAt(context.octokit, owner, repo, run.head_sha);
  }
  for (const pull_number of numbers) {
    const pr = await getPull(context.octokit, owner, repo, pull_number);
    if (pr.state !== "open") continue;
    await evaluatePullRequest(context.octokit, context.log, deps, { pr, event: "check_run.rerequested", deliveryId: context.id ?? null });
  }
}
