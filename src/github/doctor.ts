/**
 * `countersign doctor`'s reads of GitHub: for a repository (or every repository an organisation's
 * installation covers), what stops Countersign from working, each with its fix. With the App's
 * credentials: whether the app is installed on the repository and on `<org>/.github` (where an
 * organisation-wide config lives), and the app's recent failed webhook deliveries. With either
 * credential: the config in force, CODEOWNERS errors as GitHub reports them, and whether a
 * ruleset requires the `countersign` check on the default branch.
 */
import { CONFIG_PATH } from "../policy/config.js";
import { CHECK_NAME } from "../policy/render.js";
import { loadRemoteConfig } from "./base-files.js";
import { createGitHubCaches } from "./caches.js";
import { deliverySucceeded } from "./hook-deliveries.js";
import type { GitHub } from "./github.js";
import { loadRepoConfig } from "./load-config.js";

export type FindingStatus = "ok" | "problem" | "warning" | "skipped";

export interface Finding {
  check: "installation" | "org-config-access" | "config" | "codeowners" | "ruleset" | "deliveries";
  /** `owner/name`; null for app-wide findings (deliveries). */
  repo: string | null;
  status: FindingStatus;
  message: string;
  fix?: string;
}

/** What the checks authenticate as: the App (JWT, then each installation) or a user's token. */
export interface DoctorClients {
  kind: "app" | "token";
  appId: number | null;
  /** The App's slug (install links); null with a token. */
  appSlug: string | null;
  /** App-authenticated (JWT) client; null with a token. */
  app: GitHub | null;
  /** A client that reads `owner/name` (its installation, or the token); null when the app is not installed there. */
  forRepo(owner: string, name: string): Promise<GitHub | null>;
  /** The repositories to check for `--org` (the installation's, or the token's view of the organisation). */
  orgRepos(org: string): Promise<string[] | null>;
  /** GitHub's web URL (`https://github.com` or the GHE host), for links in fixes. */
  webUrl: string;
}

/** GitHub could not be asked (bad credentials, no access, network): exit 2, not a finding. */
export class DoctorCannotCheck extends Error {}

const statusOf = (error: unknown) => (error as { status?: number } | null)?.status;

export async function doctorRepo(clients: DoctorClients, owner: string, name: string, now: number): Promise<Finding[]> {
  const repo = `${owner}/${name}`;
  const findings: Finding[] = [];
  const installUrl = clients.appSlug ? `${clients.webUrl}/apps/${clients.appSlug}/installations/new` : null;
  const github = await clients.forRepo(owner, name);
  if (github === null) {
    findings.push({
      check: "installation",
      repo,
      status: "problem",
      message: `the app is not installed on ${repo} (or its installation does not include it): no check runs, no audit records`,
      fix:
        `install it on ${repo}: ${installUrl ?? "the App's public page → Install"} ` +
        `(or add ${repo} to the installation's repositories)`,
    });
    return findings;
  }
  if (clients.kind === "app") {
    findings.push({ check: "installation", repo, status: "ok", message: `the app is installed on ${repo}` });
    if (name !== ".github" && (await clients.forRepo(owner, ".github")) === null) {
      findings.push({
        check: "org-config-access",
        repo,
        status: "warning",
        message:
          `the app cannot read ${owner}/.github: an organisation-wide ${CONFIG_PATH} there is not used (this repository falls ` +
          `back to the defaults without its own)`,
        fix: `if ${owner}/.github holds ${CONFIG_PATH}, add ${owner}/.github to the app's installation; otherwise ignore this`,
      });
    }
  }

  let defaultBranch: string;
  try {
    defaultBranch = (await github.rest.repos.get({ owner, repo: name })).data.default_branch;
  } catch (error) {
    if (statusOf(error) === 404) throw new DoctorCannotCheck(`${repo}: not found, or these credentials cannot read it`);
    throw error;
  }

  // A one-off check: fresh caches, nothing remembered between runs.
  const caches = createGitHubCaches();
  const local = await loadRemoteConfig(github, caches, owner, name, CONFIG_PATH, now);
  const config = await loadRepoConfig(github, caches, owner, name, local, now);
  if (config.ok) findings.push({ check: "config", repo, status: "ok", message: `config valid: ${config.source}` });
  else {
    const lines = config.errors.map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.path ? `${e.path}: ` : ""}${e.message}`);
    findings.push({
      check: "config",
      repo,
      status: "problem",
      message: `invalid config ${config.source} (every pull request fails the check until it is fixed): ${lines.join("; ")}`,
      fix: `fix it on ${defaultBranch} (\`countersign validate\` in a clone lists each problem with its line)`,
    });
  }
  const fallbackTeam = config.ok ? config.config.ownership.fallback_team : null;
  findings.push(await codeownersFinding(github, owner, name, defaultBranch, fallbackTeam));
  findings.push(await rulesetFinding(github, owner, name, defaultBranch, clients.appId));
  return findings;
}

async function codeownersFinding(
  github: GitHub,
  owner: string,
  name: string,
  branch: string,
  fallbackTeam: string | null,
): Promise<Finding> {
  const repo = `${owner}/${name}`;
  try {
    const { data } = await github.request("GET /repos/{owner}/{repo}/codeowners/errors", { owner, repo: name, ref: branch });
    if (data.errors.length === 0)
      return { check: "codeowners", repo, status: "ok", message: `GitHub reports no CODEOWNERS errors on ${branch}` };
    const describe = (e: (typeof data.errors)[number]) =>
      `${e.path ?? "CODEOWNERS"}:${e.line}: ${e.kind}: ${(e.source ?? "").trim()}${e.suggestion ? ` (${e.suggestion})` : ""}`;
    const shown = data.errors.slice(0, 10).map(describe);
    const more = data.errors.length > shown.length ? `; …and ${data.errors.length - shown.length} more` : "";
    return {
      check: "codeowners",
      repo,
      status: "problem",
      message:
        `GitHub skips ${data.errors.length} CODEOWNERS line${data.errors.length === 1 ? "" : "s"} on ${branch}, ` +
        `so those paths have no owner: ${shown.join("; ")}${more}`,
      fix: `fix those lines on ${branch} (\`countersign validate\` in a clone shows them too)`,
    };
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    if (fallbackTeam)
      return {
        check: "codeowners",
        repo,
        status: "ok",
        message: `no CODEOWNERS on ${branch}; ownership.fallback_team (${fallbackTeam}) owns every file`,
      };
    return {
      check: "codeowners",
      repo,
      status: "problem",
      message: `no CODEOWNERS on ${branch} and no ownership.fallback_team: every pull request fails the ownership gate`,
      fix:
        "add .github/CODEOWNERS (`countersign init` in a clone suggests the lines) or set ownership.fallback_team in " +
        ".github/countersign.yml",
    };
  }
}

interface RequiredCheck {
  context: string;
  integration_id?: number;
}

async function rulesetFinding(github: GitHub, owner: string, name: string, branch: string, appId: number | null): Promise<Finding> {
  const repo = `${owner}/${name}`;
  const rules = (await github.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", {
    owner,
    repo: name,
    branch,
    per_page: 100,
  })) as {
    type: string;
    parameters?: { required_status_checks?: RequiredCheck[] };
    ruleset_source?: string;
    ruleset_id?: number;
  }[];
  const entries = rules.flatMap((r) =>
    r.type === "required_status_checks" ? (r.parameters?.required_status_checks ?? []).map((c) => ({ c, r })) : [],
  );
  const ours = entries.filter(({ c }) => c.context === CHECK_NAME);
  const fix = `\`GITHUB_TOKEN=<admin token> countersign setup-protection --repo ${repo}${appId !== null ? ` --app-id ${appId}` : ""}\``;
  if (ours.length === 0) {
    return {
      check: "ruleset",
      repo,
      status: "problem",
      message: `no active ruleset requires the "${CHECK_NAME}" check on ${branch}: pull requests can merge while it fails`,
      fix: `${fix} (or Settings → Rules → Rulesets → Require status checks to pass → add "${CHECK_NAME}")`,
    };
  }
  const other = ours.find(({ c }) => appId !== null && c.integration_id !== undefined && c.integration_id !== appId);
  if (other && !ours.some(({ c }) => c.integration_id === appId)) {
    return {
      check: "ruleset",
      repo,
      status: "problem",
      message:
        `ruleset ${other.r.ruleset_id ?? ""} requires "${CHECK_NAME}" from app ${other.c.integration_id}, not this app ` +
        `(${appId}): this app's check never satisfies it`,
      fix,
    };
  }
  return { check: "ruleset", repo, status: "ok", message: `"${CHECK_NAME}" is required on ${branch}` };
}

/** The app's failed deliveries among its most recent 100 (App credentials only). */
export async function doctorDeliveries(clients: DoctorClients): Promise<Finding> {
  if (clients.app === null) {
    return {
      check: "deliveries",
      repo: null,
      status: "skipped",
      message: "webhook deliveries need the App's credentials (APP_ID and PRIVATE_KEY)",
    };
  }
  const { data } = await clients.app.request("GET /app/hook/deliveries", { per_page: 100 });
  // One success of a GUID (a redelivery that went through) settles it: only the unsettled count.
  const settled = new Set(data.filter(deliverySucceeded).map((d) => d.guid));
  const failed = data.filter((d) => !deliverySucceeded(d) && !settled.has(d.guid));
  if (failed.length === 0)
    return { check: "deliveries", repo: null, status: "ok", message: `none of the last ${data.length} webhook deliveries failed` };
  const newest = failed[0]!;
  return {
    check: "deliveries",
    repo: null,
    status: "problem",
    message:
      `${failed.length} of the last ${data.length} webhook deliveries failed; newest: ${newest.event}${
        newest.action ? `.${newest.action}` : ""
      } ` + `at ${newest.delivered_at}: ${newest.status} (delivery ${newest.guid})`,
    fix:
      "check the app is up and reachable at the App's webhook URL and that WEBHOOK_SECRET matches the App's; then redeliver them " +
      "(App settings → Advanced → Recent deliveries) or run `countersign backfill --repo owner/name` for the merges they carried",
  };
}
