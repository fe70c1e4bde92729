/**
 * `pull_request.*`: re-evaluate when something the gates read changed; record merges.
 */
import type { Context } from "probot";
import type { PullLike } from "../github/load-snapshot.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { recordMerge } from "./record-merge.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.edited",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.closed",
] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

export async function onPullRequest(context: PullRequestContext, deps: PipelineDeps): Promise<void> {
  const payload = context.payload;
  const pr = payload.pull_request as unknown as PullLike & { state?: string };
  const deliveryId = context.id ?? null;

  if (payload.action === "closed") {
    if (pr.merged) await recordMerge(context.octokit, context.log, deps, pr, deliveryId);
    return;
  }
  if (pr.state === "closed") return;
  if (payload.action === "edited") {
    // Only the body, title and base branch feed the gates.
    const changes = (payload as { changes?: Record<string, unknown> }).changes ?? {};
    if (!("body" in changes) && !("title" in changes) && !("base" in changes)) return;
  }
  if (payload.action === "labeled" || payload.action === "unlabeled") {
    // Our own owner:<team> labels change nothing the gates read.
    const name = (payload as { label?: { name?: string } }).label?.name ?? "";
    if (name.startsWith("owner:")) return;
  }
  await evaluatePullRequest(context.octokit, context.log, deps, { pr, event: `pull_request.${payload.action}`, deliveryId });
}
