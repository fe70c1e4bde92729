/**
 * Ownership side effects: the `owner:<team-slug>` label and a review request to the owning team.
 * Each is a write (about a second of Probot's spacing), so each is made only when it changes
 * something. Failures are logged, never turned into a passing check.
 */
import type { Logger } from "probot";
import type { Config } from "../policy/config.js";
import { teamSlug, type Verdict } from "../policy/evaluate.js";
import type { PullRequestSnapshot } from "../policy/snapshot.js";
import type { GitHubCaches } from "./caches.js";
import type { GitHub } from "./github.js";

export async function applyOwnerActions(
  github: GitHub,
  caches: GitHubCaches,
  log: Logger,
  snapshot: PullRequestSnapshot,
  verdict: Verdict,
  config: Config,
  /**
   * true when other replicas act on the same PRs: this process's memory of what it did misses
   * theirs, so a write the payload seems to need is first confirmed by a read (cheaper than a write).
   */
  options: { shared?: boolean } = {},
): Promise<void> {
  const { owner, name: repo } = snapshot.repo;
  // Labels we added, so a stale payload (a redelivery, an event queued before the label landed) does not add them again.
  const { reviewRequested: requested, labelled } = caches;
  const issue = { owner, repo, issue_number: snapshot.number };

  if (config.ownership.label) {
    const want = verdict.ownerLabel;
    // GitHub label names are case-insensitive: `Owner:Payments` on the PR is the label we want.
    const same = (a: string, b: string | null) => b !== null && a.toLowerCase() === b.toLowerCase();
    const stale = snapshot.labels.filter((l) => l.toLowerCase().startsWith("owner:") && !same(l, want));
    try {
      const labelKey = `${owner}/${repo}#${snapshot.number}:${want}`.toLowerCase();
      if (want && !snapshot.labels.some((l) => same(l, want)) && !labelled.get(labelKey)) {
        // Remembered before the write, which can wait in the write queue behind every check run:
        // the evaluations of the PR's next events meanwhile must not queue the same label again.
        labelled.set(labelKey, true);
        try {
          const current = options.shared
            ? (await github.rest.issues.listLabelsOnIssue({ ...issue, per_page: 100 })).data.map((l) => l.name)
            : [];
          if (!current.includes(want)) await github.rest.issues.addLabels({ ...issue, labels: [want] });
        } catch (error) {
          labelled.delete(labelKey);
          throw error;
        }
      }
      for (const name of stale) await github.rest.issues.removeLabel({ ...issue, name });
    } catch (error) {
      log.warn({ err: error, pr: snapshot.number }, "could not update the owner label (needs pull requests: write)");
    }
  }

  const team = verdict.ownership.owningTeam;
  if (!config.ownership.request_review || !team || snapshot.draft) return;
  const [org] = team.slice(1).split("/");
  if (org?.toLowerCase() !== owner.toLowerCase()) return;
  const key = `${owner}/${repo}#${snapshot.number}:${team}`.toLowerCase();
  if (requested.get(key) || snapshot.requestedReviewers.teams.some((t) => t.toLowerCase() === team.toLowerCase())) return;
  try {
    if (options.shared) {
      const current = await github.rest.pulls.listRequestedReviewers({ owner, repo, pull_number: snapshot.number });
      if (current.data.teams.some((t) => t.slug.toLowerCase() === teamSlug(team).toLowerCase())) {
        requested.set(key, true);
        return;
      }
    }
    if (snapshot.requestedReviewers.users.length > 0 || snapshot.reviews.length > 0) {
      // Nobody needs asking when a member of the team is already requested or has reviewed
      // (members already read for a boundary are not read again).
      const known = snapshot.teamMembers[team.toLowerCase()];
      const members = known
        ? known.map((m) => m.toLowerCase())
        : await github.paginate(github.rest.teams.listMembersInOrg, { org: owner, team_slug: teamSlug(team), per_page: 100 }, (r) =>
            r.data.map((m) => m.login.toLowerCase()),
          );
      const involved = [...snapshot.requestedReviewers.users, ...snapshot.reviews.flatMap((r) => (r.user ? [r.user.login] : []))];
      if (involved.some((u) => members.includes(u.toLowerCase()))) {
        requested.set(key, true);
        return;
      }
    }
    // As for the label: remembered while the request waits in the write queue, forgotten if it fails.
    requested.set(key, true);
    try {
      await github.rest.pulls.requestReviewers({ owner, repo, pull_number: snapshot.number, team_reviewers: [teamSlug(team)] });
    } catch (error) {
      requested.delete(key);
      throw error;
    }
  } catch (error) {
    log.warn({ err: error, pr: snapshot.number, team }, "could not request a review from the owning team");
  }
}
