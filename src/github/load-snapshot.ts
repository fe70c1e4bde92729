/**
 * Builds the PullRequestSnapshot `evaluate()` reads, with the fewest API calls: the PR itself
 * comes from the webhook payload when it has one; commits, reviews, the head's check run and (when
 * not cached) the base files come from ONE GraphQL query (pull-request-state.ts); changed files
 * from REST, 100 per page, in parallel with it.
 */
import { approverTeams, type TeamMembers } from "../policy/approvers.js";
import { compileGlobs } from "../policy/boundaries.js";
import type { Config } from "../policy/config.js";
import {
  MAX_LISTED_COMMITS,
  MAX_LISTED_FILES,
  type Actor,
  type ChangedFile,
  type GrantedException,
  type PullRequestSnapshot,
  type ReviewInfo,
} from "../policy/snapshot.js";
import type { GitHub } from "./github.js";
import { loadPullRequestState, type PullRequestState } from "./pull-request-state.js";
import { readTeamMembers } from "./teams.js";
import type { GitHubCaches } from "./caches.js";

/** What one read of a pull request gives: its GraphQL state and its changed files. */
export interface PullRequestRead extends PullRequestState {
  files: ChangedFile[];
}

/** A `pull_request_review.edited` event: who edited which review (its sender). */
export interface ReviewEdit {
  reviewId: number;
  sender: string;
  at: string | null;
}

/** The fields of a REST pull request object that the snapshot uses (webhook payloads have them too). */
export interface PullLike {
  number: number;
  /** `https://<GitHub host>/owner/repo/pull/N`: where the record's links point. */
  html_url?: string;
  title: string;
  body?: string | null;
  user: { login: string; type?: string } | null;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string; repo: { name: string; owner: { login: string } } };
  draft?: boolean;
  labels?: ({ name?: string } | string)[];
  assignees?: ({ login: string; type?: string } | null)[] | null;
  requested_reviewers?: ({ login?: string } | null)[] | null;
  requested_teams?: ({ slug?: string } | null)[] | null;
  changed_files?: number;
  commits?: number;
  merged?: boolean | null;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  merged_by?: { login: string } | null;
}

/** GitHub's web origin a PR lives on (github.com or a GitHub Enterprise Server host), from its html_url. */
export function githubWebUrlOf(pr: Pick<PullLike, "html_url">): string | null {
  if (!pr.html_url) return null;
  try {
    return new URL(pr.html_url).origin;
  } catch {
    return null;
  }
}

export function actorOf(user: { login: string; type?: string } | null | undefined): Actor {
  if (!user) return { login: "ghost", type: "User" };
  return { login: user.login, type: user.type === "Bot" ? "Bot" : user.type === "Organization" ? "Organization" : "User" };
}

/** Reads the pull request: one GraphQL query and the REST pages of changed files, in parallel. */
export async function readPullRequest(
  github: GitHub,
  caches: GitHubCaches,
  pr: PullLike,
  target: { checkSha: string; appId: number | null; now: number },
): Promise<PullRequestRead> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  // Both settle before any failure is reported: a handler that gives up on the first error (a merge
  // recorded incomplete) must not leave the other read running behind it.
  const [state, files] = await settledBoth([
    loadPullRequestState(
      github,
      caches,
      { owner, repo, number: pr.number, baseSha: pr.base.sha, checkSha: target.checkSha, appId: target.appId },
      target.now,
    ),
    github.paginate(github.rest.pulls.listFiles, { owner, repo, pull_number: pr.number, per_page: 100 }, (res) =>
      res.data.map((f): ChangedFile => ({ path: f.filename, previousPath: f.previous_filename ?? null, status: f.status })),
    ),
  ]);
  return { ...state, files };
}

/** Like `Promise.all` for two, but waits for both; the first one's failure wins when both fail. */
async function settledBoth<A, B>(promises: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(promises);
  if (a.status === "rejected") throw a.reason;
  if (b.status === "rejected") throw b.reason;
  return [a.value, b.value];
}

export async function loadSnapshot(
  github: GitHub,
  pr: PullLike,
  read: PullRequestRead,
  /** null when the config is invalid: the facts are read, no approver team is. */
  config: Config | null,
  exceptions: GrantedException[],
  /** The edit this event reports, when it is one: its sender is the editor even if GraphQL lags. */
  edit: ReviewEdit | null = null,
): Promise<PullRequestSnapshot> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const { files, commits } = read;

  const snapshot: PullRequestSnapshot = {
    repo: { owner, name: repo },
    number: pr.number,
    title: pr.title,
    body: pr.body ?? null,
    author: actorOf(pr.user),
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    baseSha: pr.base.sha,
    draft: pr.draft ?? false,
    labels: (pr.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((l) => l.length > 0),
    assignees: (pr.assignees ?? []).filter((a): a is { login: string; type?: string } => !!a).map(actorOf),
    requestedReviewers: {
      users: (pr.requested_reviewers ?? []).flatMap((u) => (u?.login ? [u.login] : [])),
      teams: (pr.requested_teams ?? []).flatMap((t) => (t?.slug ? [`@${owner}/${t.slug}`] : [])),
    },
    files,
    filesTruncated: files.length >= MAX_LISTED_FILES || (pr.changed_files ?? 0) > files.length,
    commits,
    commitsTruncated: commits.length >= MAX_LISTED_COMMITS || Math.max(pr.commits ?? 0, read.commitCount) > commits.length,
    reviews: edit ? read.reviews.map((r) => withEdit(r, edit)) : read.reviews,
    codeowners: read.base.codeowners,
    teamMembers: {},
    exceptions,
  };
  snapshot.teamMembers = await loadApproverTeams(github, config, snapshot);
  return snapshot;
}

/**
 * GitHub's GraphQL may not show an edit yet when its webhook arrives: an edit by someone other
 * than the reviewer, as the event's sender says, stands unless GraphQL already names another editor.
 */
function withEdit(r: ReviewInfo, edit: ReviewEdit): ReviewInfo {
  if (r.id !== edit.reviewId || !r.user) return r;
  const author = r.user.login.toLowerCase();
  if (edit.sender.toLowerCase() === author) return r;
  if (r.editedBy && r.editedBy.toLowerCase() !== author) return r;
  return { ...r, editedBy: edit.sender, lastEditedAt: r.lastEditedAt ?? edit.at };
}

/**
 * Members of the teams that can approve or grant exceptions for the boundaries this PR touches:
 * read once per event, and only for boundaries that matter (no call when none is touched).
 */
async function loadApproverTeams(github: GitHub, config: Config | null, snapshot: PullRequestSnapshot): Promise<TeamMembers> {
  if (config === null) return {};
  // Membership only matters for someone's approval or exception: with neither, skip the calls.
  const approved = snapshot.reviews.some((r) => r.state === "APPROVED");
  const excepted = new Set(snapshot.exceptions.filter((e) => !e.revoked).map((e) => e.boundary));
  const teams = new Set<string>();
  for (const b of config.boundaries) {
    const needed = (b.action === "require_approval" && approved) || excepted.has(b.name);
    if (!needed) continue;
    const match = compileGlobs(b.paths);
    if (!snapshot.files.some((f) => match(f.path) || (f.previousPath != null && match(f.previousPath)))) continue;
    for (const team of approverTeams(b.approvers)) teams.add(team);
  }
  if (excepted.has("agent-scope")) for (const team of approverTeams(config.agents.approvers)) teams.add(team);
  return readTeamMembers(github, teams);
}
