/** Reviews as GitHub counts them: each reviewer's latest decision. */
import type { ReviewInfo } from "./snapshot.js";

/**
 * Each reviewer's latest decisive review (approval, change request or dismissal), keyed by
 * lowercase login, in the order reviewers first decided. As on GitHub, a later approval, change
 * request or dismissal replaces the earlier one; comments do not.
 */
export function latestDecisiveReviews(reviews: readonly ReviewInfo[]): ReviewInfo[] {
  const latest = new Map<string, ReviewInfo>();
  for (const r of reviews) {
    if (!r.user) continue;
    if (r.state !== "APPROVED" && r.state !== "CHANGES_REQUESTED" && r.state !== "DISMISSED") continue;
    latest.set(r.user.login.toLowerCase(), r);
  }
  return [...latest.values()];
}
