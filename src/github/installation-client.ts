/**
 * A GitHub client for a CLI verb that acts as the app (`countersign backfill`): the app's
 * installation on the repository (APP_ID + PRIVATE_KEY or PRIVATE_KEY_PATH), else a GITHUB_TOKEN.
 * GHE_HOST/GHE_PROTOCOL select GitHub Enterprise Server.
 */
import { readFileSync } from "node:fs";
import { pino } from "pino";
import type { GitHub } from "./github.js";

/** Missing or unusable credentials: the person running the command can fix it. */
export class CredentialsError extends Error {}

export async function installationClient(owner: string, repo: string, env: NodeJS.ProcessEnv): Promise<GitHub> {
  // Loaded on demand: probot is most of the CLI's start-up time and only backfill needs it.
  const { Probot } = await import("probot");
  const { CountersignOctokit } = await import("./octokit.js");
  const baseUrl = env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined;
  const log = pino({ level: "silent" });
  if (env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    const privateKey = env.PRIVATE_KEY ? env.PRIVATE_KEY.replace(/\\n/g, "\n") : readFileSync(env.PRIVATE_KEY_PATH!, "utf8");
    const probot = new Probot({ appId: env.APP_ID, privateKey, baseUrl, log, Octokit: CountersignOctokit });
    const app = await probot.auth();
    try {
      const { data } = await app.rest.apps.getRepoInstallation({ owner, repo });
      return (await probot.auth(data.id)) as unknown as GitHub;
    } catch (error) {
      if ((error as { status?: number }).status === 404)
        throw new CredentialsError(`the app (APP_ID ${env.APP_ID}) is not installed on ${owner}/${repo}`);
      throw error;
    }
  }
  if (env.GITHUB_TOKEN) {
    const probot = new Probot({ githubToken: env.GITHUB_TOKEN, baseUrl, log, Octokit: CountersignOctokit });
    return (await probot.auth()) as unknown as GitHub;
  }
  throw new CredentialsError("no credentials: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), or GITHUB_TOKEN");
}
