/** The open pull requests whose head is a commit, as full pull objects (for re-running checks). */
import type { GitHub } from "./github.js";
import type { PullLike } from "./load-snapshot.js";

/**
 * `numbers` are the PRs GitHub listed on the check run or suite; fork PRs are not listed there, so
 * without any the PRs are found by commit. Each is read again: only open ones are returned.
 */
export async function openPullsForHead(
  github: GitHub,
  owner: string,
  repo: string,
  headSha: string,
  numbers: readonly number[],
): Promise<PullLike[]> {
  let wanted = [...new Set(numbers)];
  if (wanted.length === 0) {
    const res = await github.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: headSha });
    wanted = res.data.filter((p) => p.state === "open" && p.head.sha === headSha).map((p) => p.number);
  }
  const pulls: PullLike[] = [];
  for (const pull_number of wanted) {
    const { data } = await github.rest.pulls.get({ owner, repo, pull_number });
    if (data.state === "open") pulls.push(data as unknown as PullLike);
  }
  return pulls;
}
