/**
 * The reads the recovery sweep makes in a repository where something happened: its name from the
 * id a delivery carries, the open PRs updated since the last sweep, and whether a head still needs
 * this app's `countersign` check run.
 */
import { CHECK_NAME, ERROR_TITLE } from "../policy/render.js";
import type { GitHub } from "./github.js";
import type { PullLike } from "./load-snapshot.js";

/** owner/name of a repository id, read with the installation's token. */
export async function repositoryName(github: GitHub, repositoryId: number): Promise<{ owner: string; repo: string }> {
  const { data } = await github.request("GET /repositories/{repository_id}", { repository_id: repositoryId });
  const full = data as { name: string; owner: { login: string } };
  return { owner: full.owner.login, repo: full.name };
}

type OpenPull = PullLike & { updated_at: string };

/** Open PRs updated at or after `since` (epoch ms): newest first, a page of 100 at a time, stopping at the first older one. */
export async function openPullsUpdatedSince(github: GitHub, owner: string, repo: string, since: number): Promise<OpenPull[]> {
  const out: OpenPull[] = [];
  const params = { owner, repo, state: "open", sort: "updated", direction: "desc", per_page: 100 } as const;
  const pages = github.paginate.iterator(github.rest.pulls.list, params);
  for await (const page of pages) {
    for (const pr of page.data) {
      if (Date.parse(pr.updated_at) < since) return out;
      out.push(pr as unknown as OpenPull);
    }
  }
  return out;
}

/**
 * Whether `headSha` still needs an evaluation from this app (`appId` null: from any app): it has no
 * `countersign` check run, or the latest one never completed, or it says "could not evaluate" (an
 * evaluation that failed, during an outage say, and whose retries did not replace it).
 */
export async function needsEvaluation(
  github: GitHub,
  target: { owner: string; repo: string; headSha: string; appId: number | null },
): Promise<boolean> {
  const { owner, repo, headSha } = target;
  const res = await github.rest.checks.listForRef({ owner, repo, ref: headSha, check_name: CHECK_NAME, filter: "latest", per_page: 100 });
  const own = res.data.check_runs.filter((r) => target.appId === null || r.app?.id === target.appId);
  if (own.length === 0) return true;
  return own.some((r) => r.status !== "completed" || r.output?.title === ERROR_TITLE);
}

/** The installation id of the app on a repository (read with the app's JWT octokit). */
export async function installationIdOf(appOctokit: GitHub, owner: string, repo: string): Promise<number> {
  const { data } = await appOctokit.rest.apps.getRepoInstallation({ owner, repo });
  return data.id;
}
