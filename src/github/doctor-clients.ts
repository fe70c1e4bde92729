/**
 * The GitHub clients `countersign doctor` checks with: the App (APP_ID + private key: its JWT for
 * app-level reads, then each repository's installation) or a user token (GITHUB_TOKEN).
 */
import { pino } from "pino";
import { DoctorCannotCheck, type DoctorClients } from "./doctor.js";
import type { GitHub } from "./github.js";

export type DoctorCredentials = { kind: "app"; appId: number; privateKey: string } | { kind: "token"; token: string };

const statusOf = (error: unknown) => (error as { status?: number } | null)?.status;

export async function doctorClients(credentials: DoctorCredentials, urls: { api: string; web: string }): Promise<DoctorClients> {
  // Loaded on demand: probot is most of the CLI's start-up time.
  const { Probot } = await import("probot");
  const { CountersignOctokit } = await import("./octokit.js");
  const log = pino({ level: "silent" });
  const baseUrl = urls.api === "https://api.github.com" ? undefined : urls.api;
  if (credentials.kind === "token") {
    const probot = new Probot({ githubToken: credentials.token, baseUrl, log, Octokit: CountersignOctokit });
    const github = (await probot.auth()) as unknown as GitHub;
    return {
      kind: "token",
      appId: null,
      appSlug: null,
      app: null,
      webUrl: urls.web,
      forRepo: async () => github,
      orgRepos: async (org) => {
        try {
          const repos = await github.paginate(github.rest.repos.listForOrg, { org, per_page: 100 });
          return repos.filter((r) => !r.archived).map((r) => r.full_name);
        } catch (error) {
          if (statusOf(error) === 404) return null;
          throw error;
        }
      },
    };
  }
  const probot = new Probot({ appId: credentials.appId, privateKey: credentials.privateKey, baseUrl, log, Octokit: CountersignOctokit });
  const app = (await probot.auth()) as unknown as GitHub;
  let slug: string | null;
  try {
    slug = (await app.rest.apps.getAuthenticated()).data?.slug ?? null;
  } catch (error) {
    const status = statusOf(error);
    if (status === 401 || status === 404)
      throw new DoctorCannotCheck(
        `GitHub refused the App's credentials (APP_ID ` + `${credentials.appId}, HTTP ${status}): check APP_ID and the private key`,
      );
    throw error;
  }
  const installations = new Map<number, GitHub>();
  const asInstallation = async (id: number) => {
    if (!installations.has(id)) installations.set(id, (await probot.auth(id)) as unknown as GitHub);
    return installations.get(id)!;
  };
  return {
    kind: "app",
    appId: credentials.appId,
    appSlug: slug,
    app,
    webUrl: urls.web,
    forRepo: async (owner, repo) => {
      try {
        const { data } = await app.rest.apps.getRepoInstallation({ owner, repo });
        return await asInstallation(data.id);
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },
    orgRepos: async (org) => {
      const all = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
      const installation = all.find((i) => i.account && "login" in i.account && i.account.login.toLowerCase() === org.toLowerCase());
      if (!installation) return null;
      const github = await asInstallation(installation.id);
      const repos = await github.paginate(github.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
      return repos.filter((r) => !r.archived).map((r) => r.full_name);
    },
  };
}
