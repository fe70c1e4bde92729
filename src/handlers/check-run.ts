/** `check_run.rerequested` on our own check: evaluate its PRs again from fresh data. */
import type { Context } from "probot";
import { CHECK_NAME } from "../policy/render.js";
import type { PullLike } from "../github/load-snapshot.js";
import { evaluatePullRequest, type PipelineDeps } from "./evaluate-pull-request.js";

export async function onCheckRunRerequested(context: Context<"check_run.rerequested">, deps: PipelineDeps): Promise<void> {
  const run = context.payload.check_run;
  if (run.name !== CHECK_NAME) return;
  if (deps.appId !== null && run.app?.id !== deps.appId) return;
  const { owner, repo } = context.repo();
  let numbers = (run.pull_requests ?? []).map((p) => p.number);
  if (numbers.length === 0) {
    // Fork PRs are not listed on the check run: find the PRs whose head is this commit.
    const res = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: run.head_sha });
    numbers = res.data.filter((p) => p.state === "open" && p.head.sha === run.head_sha).map((p) => p.number);
  }
  for (const pull_number of numbers) {
    const { data } = await context.octokit.rest.pulls.get({ owner, repo, pull_number });
    if (data.state !== "open") continue;
    await evaluatePullRequest(context.octokit, context.log, deps, { pr: data as unknown as PullLike, event: "check_run.rerequested", deliveryId: context.id ?? null });
  }
}
