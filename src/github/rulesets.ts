/**
 * Repository rulesets through the REST API, for `countersign setup-protection` (which plans what
 * to write: cli/setup-protection.ts). Every GitHub failure becomes a SetupError that says what
 * to do next.
 */
import type { Octokit } from "@octokit/rest";

export interface StatusCheck {
  context: string;
  integration_id?: number;
}

export interface Rule {
  type: string;
  parameters?: Record<string, unknown>;
}

/** The fields of a repository ruleset this command reads and writes. */
export interface Ruleset {
  id: number;
  name: string;
  target?: string | null;
  source_type?: string | null;
  enforcement: string;
  conditions?: { ref_name?: { include?: string[]; exclude?: string[] } } | null;
  rules?: Rule[];
  bypass_actors?: unknown[];
}

export type RulesetBody = Omit<Ruleset, "id" | "source_type">;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** A REST client for a personal or fine-grained token (GHE: `baseUrl` ends in /api/v3). */
export async function restClient(token: string, baseUrl: string, warn: (message: string) => void): Promise<Octokit> {
  const { Octokit } = await import("@octokit/rest");
  const quiet = () => undefined;
  return new Octokit({ auth: token, baseUrl, userAgent: "countersign-cli", log: { debug: quiet, info: quiet, warn, error: quiet } });
}

/** Step 1: the repository's default branch and whether the token is an admin. */
export async function readRepository(
  octokit: Octokit,
  req: RepoRef,
): Promise<{ defaultBranch: string | null; admin: boolean | undefined }> {
  const { owner, repo } = req;
  const { data } = await call(`read ${owner}/${repo}`, req, () => octokit.rest.repos.get({ owner, repo }));
  return { defaultBranch: data.default_branch ?? null, admin: data.permissions?.admin };
}

/** Step 2: the repository's own branch rulesets (not the organisation's), in full. */
export async function readRulesets(octokit: Octokit, req: RepoRef): Promise<Ruleset[]> {
  const { owner, repo } = req;
  const summaries = (await call(`list the rulesets of ${owner}/${repo}`, req, () =>
    octokit.paginate(octokit.rest.repos.getRepoRulesets, { owner, repo, includes_parents: false, per_page: 100 }),
  )) as Ruleset[];
  const rulesets: Ruleset[] = [];
  for (const s of summaries) {
    if ((s.source_type ?? "Repository") !== "Repository" || (s.target ?? "branch") !== "branch") continue;
    const full = await call(`read ruleset ${s.id} of ${owner}/${repo}`, req, () =>
      octokit.rest.repos.getRepoRuleset({ owner, repo, ruleset_id: s.id, includes_parents: false }),
    );
    rulesets.push(full.data as unknown as Ruleset);
  }
  return rulesets;
}

/** Step 4: creates a ruleset (`id` null) or replaces one; returns its id. */
export async function writeRuleset(octokit: Octokit, req: RepoRef, id: number | null, rulesetBody: RulesetBody): Promise<number> {
  const { owner, repo } = req;
  const body = rulesetBody as never; // the shapes come from GitHub's own responses
  if (id === null) {
    const res = await call(`create a ruleset in ${owner}/${repo}`, req, () =>
      octokit.rest.repos.createRepoRuleset({ owner, repo, ...(body as object) } as never),
    );
    return (res.data as { id: number }).id;
  }
  await call(`update ruleset ${id} of ${owner}/${repo}`, req, () =>
    octokit.rest.repos.updateRepoRuleset({ owner, repo, ruleset_id: id, ...(body as object) } as never),
  );
  return id;
}

export const TOKEN_HINT =
  'Use a token of a repository admin: a classic token with the "repo" scope, or a fine-grained token with "Administration: Read ' +
  'and write" on the repository.';

/** A GitHub failure explained for the person running the command (exit 2, no stack trace). */
export class SetupError extends Error {}

async function call<T>(what: string, req: RepoRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explain(error, what, req);
  }
}

function explain(error: unknown, what: string, req: RepoRef): SetupError {
  const status = typeof error === "object" && error !== null && "status" in error ? Number((error as { status: unknown }).status) : null;
  const data = (error as { response?: { data?: { message?: string; errors?: unknown[] } } }).response?.data;
  const said = data?.message ?? (error instanceof Error ? error.message : String(error));
  const repo = `${req.owner}/${req.repo}`;
  const writing = what.startsWith("create") || what.startsWith("update");
  if (status === null) return new SetupError(`cannot ${what}: ${said}`);
  if (status === 401) return new SetupError(`GitHub rejected the token (401 ${said}): check GITHUB_TOKEN or --token.`);
  if (status === 403 && /rate limit/i.test(said))
    return new SetupError(`cannot ${what}: GitHub's rate limit is exhausted (403 ${said}). Try again later.`);
  if (status === 404 && !writing && what.startsWith("read " + repo)) {
    return new SetupError(
      `repository ${repo} not found, or the token cannot see it (404). Check --repo and the token's repository access.`,
    );
  }
  if (writing && (status === 403 || status === 404))
    return new SetupError(`the token cannot manage rulesets on ${repo} (${status} ${said}). ${TOKEN_HINT}`);
  if (status === 403)
    return new SetupError(
      `cannot ${what} (403 ${said}). Rulesets on private repositories need GitHub Pro, Team or Enterprise; ${TOKEN_HINT}`,
    );
  const details =
    Array.isArray(data?.errors) && data.errors.length > 0
      ? `: ${data.errors.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ")}`
      : "";
  return new SetupError(`cannot ${what}: GitHub answered ${status} ${said}${details}`);
}
