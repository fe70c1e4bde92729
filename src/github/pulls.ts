/** Pull-request reads and the comments the app writes on them. */
import type { GitHub } from "./github.js";
import type { PullLike } from "./load-snapshot.js";
import type { HeadPull } from "./pull-request-state.js";

export type Pull = PullLike & { state: string; updated_at?: string };

export async function getPull(github: GitHub, owner: string, repo: string, number: number): Promise<Pull> {
  const { data } = await github.rest.pulls.get({ owner, repo, pull_number: number });
  return data as unknown as Pull;
}

/** Open PRs whose head is `sha` (fork PRs are not listed on a check run, so they are found this way). */
export async function openPullNumbersAt(github: GitHub, owner: string, repo: string, sha: string): Promise<number[]> {
  const res = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha });
  return res.data.filter((p) => p.state === "open" && p.head.sha === sha).map((p) => p.number);
}

/**
 * Closed PRs, most recently updated first, down to `since` (ISO-8601; null: all): once a page's
 * PRs were last updated before `since`, no later page can hold a merge after it (a merge updates
 * the PR). Yields every closed PR seen, merged or not.
 */
export async function* closedPullsSince(
  github: GitHub,
  owner: string,
  repo: string,
  since: string | null,
): AsyncGenerator<{ number: number; merged_at: string | null }> {
  const from = since ? Date.parse(since) : null;
  const pages = github.paginate.iterator(github.rest.pulls.list, {
    owner,
    repo,
    state: "closed",
    sort: "updated",
    direction: "desc",
    per_page: 100,
  });
  for await (const page of pages) {
    for (const pr of page.data) {
      if (from !== null && Date.parse(pr.updated_at) < from) return;
      yield { number: pr.number, merged_at: pr.merged_at };
    }
  }
}

export async function commentOnIssue(github: GitHub, owner: string, repo: string, number: number, body: string): Promise<void> {
  await github.rest.issues.createComment({ owner, repo, issue_number: number, body });
}

export async function openIssue(github: GitHub, owner: string, repo: string, title: string, body: string): Promise<void> {
  await github.rest.issues.create({ owner, repo, title, body });
}

export async function reactToComment(github: GitHub, owner: string, repo: string, commentId: number, content: "+1"): Promise<void> {
  await github.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content });
}

/**
 * The open pull requests whose head is a commit, as full pull objects (for re-running checks).
 * `numbers` are the PRs GitHub listed on the check run or suite; fork PRs are not listed there, so
 * without any the PRs are found by commit. Each is read again: only open ones are returned.
 */
export async function openPullsForHead(
  github: GitHub,
  owner: string,
  repo: string,
  headSha: string,
  numbers: readonly number[],
): Promise<Pull[]> {
  const wanted = numbers.length > 0 ? [...new Set(numbers)] : await openPullNumbersAt(github, owner, repo, headSha);
  const pulls: Pull[] = [];
  for (const number of wanted) {
    const pr = await getPull(github, owner, repo, number);
    if (pr.state === "open") pulls.push(pr);
  }
  return pulls;
}

/**
 * The other open pull requests whose head is `pr`'s head commit, read in full. `associated` is what
 * GitHub associates with that commit (the evaluation's GraphQL read saw it): with no other open PR
 * there, this costs no call. When that list is incomplete, or does not hold `pr` itself (GitHub
 * lists only the merged PR for a commit already on the default branch), the open PRs are listed.
 */
export async function otherOpenPullsOnHead(github: GitHub, pr: PullLike, associated: readonly HeadPull[] | null): Promise<Pull[]> {
  const owner = pr.base.repo.owner.login;
  const repo = pr.base.repo.name;
  const sha = pr.head.sha;
  let numbers: number[];
  if (associated?.some((p) => p.number === pr.number)) {
    numbers = associated.filter((p) => p.state === "OPEN" && p.number !== pr.number).map((p) => p.number);
  } else {
    const open = await github.paginate(github.rest.pulls.list, { owner, repo, state: "open", per_page: 100 });
    numbers = open.filter((p) => p.head.sha === sha && p.number !== pr.number).map((p) => p.number);
  }
  const pulls: Pull[] = [];
  for (const number of [...new Set(numbers)].sort((a, b) => a - b)) {
    const other = await getPull(github, owner, repo, number);
    if (other.state === "open" && other.head.sha === sha) pulls.push(other);
  }
  return pulls;
}
