/**
 * `merge_group.checks_requested`: the merge queue needs `countersign` on the group's head SHA.
 * Each PR in the group is evaluated for real (never a blanket success); the group passes only
 * when every one passes, and fails when its PRs cannot be identified.
 */
import type { Context } from "probot";
import { upsertCheckRun } from "../github/check-run.js";
import { getPull } from "../github/pulls.js";
import { renderError } from "../policy/render.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

/** `refs/heads/gh-readonly-queue/main/pr-104-<sha>` → [104]. */
export function pullNumbersFromQueueRef(ref: string): number[] {
  return [...ref.matchAll(/(?:^|\/)pr-(\d+)-[0-9a-f]{7,40}/g)].map((m) => Number(m[1]));
}

export async function onMergeGroup(context: Context<"merge_group.checks_requested">, deps: PipelineDeps): Promise<void> {
  const group = context.payload.merge_group;
  const { owner, repo } = context.repo();
  const target = { owner, repo, headSha: group.head_sha, appId: deps.appId };
  const numbers = pullNumbersFromQueueRef(group.head_ref);
  if (numbers.length === 0) {
    await upsertCheckRun(
      context.octokit,
      target,
      renderError(`Cannot tell which pull request merge group ${group.head_ref} holds.`, "Remove the PR from the queue and add it again."),
      {
        remembered: deps.caches.checkRuns,
      },
    );
    return;
  }
  for (const pull_number of numbers) {
    const outcome = await evaluatePullRequest(context.octokit, context.log, deps, {
      pr: await getPull(context.octokit, owner, repo, pull_number),
      checkSha: group.head_sha,
      event: "merge_group.checks_requested",
      deliveryId: context.id ?? null,
      sideEffects: false,
    });
    // The first failing PR decides the group's check; later ones would only overwrite it.
    if (outcome.output.conclusion !== "success") return;
  }
}
