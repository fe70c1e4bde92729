/**
 * Builds the PullRequestSnapshot `evaluate()` reads, with the fewest API calls: the PR itself
 * comes from the webhook payload when it has one; files, commits and reviews are listed in
 * parallel, 100 per page; base-branch files come from `base-files.ts` (one cached GraphQL call).
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
import type { BaseFiles } from "./base-files.js";
import type { GitHub } from "./github.js";
import { readTeamMembers } from "./teams.js";

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

export async function loadSnapshot(
  github: GitHub,
  pr: PullLike,
  base: BaseFiles,
  /** null when the config is invalid: the facts are read, no approver team is. */
  config: Config | null,
  exceptions: GrantedException[],
): Promise<PullRequestSnapshot> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const params = { owner, repo, pull_number: pr.number, per_page: 100 };

  const [files, commits, reviews] = await Promise.all([
    github.paginate(github.rest.pulls.listFiles, params, (res) =>
      res.data.map((f): ChangedFile => ({ path: f.filename, previousPath: f.previous_filename ?? null, status: f.status })),
    ),
    github.paginate(github.rest.pulls.listCommits, params, (res) =>
      res.data.map((c) => ({
        sha: c.sha,
        message: c.commit.message ?? "",
        authorLogin: c.author?.login ?? null,
        authorEmail: c.commit.author?.email ?? null,
        authorName: c.commit.author?.name ?? null,
      })),
    ),
    github.paginate(github.rest.pulls.listReviews, params, (res) =>
      res.data.map(
        (r): ReviewInfo => ({
          id: r.id,
          user: r.user ? actorOf(r.user) : null,
          state: r.state,
          body: r.body ?? null,
          commitId: r.commit_id ?? null,
          submittedAt: r.submitted_at ?? null,
        }),
      ),
    ),
  ]);

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
    commitsTruncated: commits.length >= MAX_LISTED_COMMITS || (pr.commits ?? 0) > commits.length,
    reviews,
    codeowners: base.codeowners,
    teamMembers: {},
    exceptions,
  };
  snapshot.teamMembers = await loadApproverTeams(github, config, snapshot);
  return snapshot;
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
