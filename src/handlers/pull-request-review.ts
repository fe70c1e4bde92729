/** `pull_request_review.*`: an approval, an edited note or a dismissal can change gate 2 and 4. */
import type { Context } from "probot";
import type { PullLike } from "../github/load-snapshot.js";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export const PULL_REQUEST_REVIEW_EVENTS = [
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
] as const;

export async function onPullRequestReview(
  context: Context<(typeof PULL_REQUEST_REVIEW_EVENTS)[number]>,
  deps: PipelineDeps,
): Promise<void> {
  const pr = context.payload.pull_request as unknown as PullLike & { state?: string };
  if (pr.state === "closed") return;
  const { payload } = context;
  // An edited body is the sender's words: say who edited it, in case GraphQL does not show it yet.
  const sender = payload.sender?.login;
  const reviewEdit = payload.action === "edited" && sender ? { reviewId: payload.review.id, sender, at: null } : null;
  await evaluatePullRequest(context.octokit, context.log, deps, {
    pr,
    event: `pull_request_review.${payload.action}`,
    deliveryId: context.id ?? null,
    reviewEdit,
  });
}
