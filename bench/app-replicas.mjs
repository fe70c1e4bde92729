// Shared by the load and fault benches (not a benchmark): the app processes they run against the
// GitHub simulator, and the PR bodies of their scenarios.
import { disclosure } from "../tools/demo/acme.mjs";
import { startAppProcess } from "../tools/demo/app-process.mjs";

export const APP_ID = 5150;

/**
 * `startApp(i, port)`: starts app process `i` into `apps[i]` with what `settings()` says at that moment
 * (database URL, env, log level); the first one receives the simulator's webhooks.
 */
export function replicaStarter({ sim, creds, dir, apps }, settings) {
  return async (i, port) => {
    const { databaseUrl, env, logLevel } = settings();
    apps[i] = await startAppProcess({
      sim,
      appId: APP_ID,
      privateKey: creds.privateKey,
      webhookSecret: creds.webhookSecret,
      databaseUrl,
      cwd: dir,
      port,
      env,
      logLevel,
    });
    if (i === 0) sim.setWebhook({ url: apps[0].webhookUrl, secret: creds.webhookSecret });
    return apps[i];
  };
}

/** The PR body of a scenario: disclosed "none", nothing disclosed, or disclosed as assisted. */
export function prBody(scenario) {
  if (scenario === "none") return `Fix.\n\nAI-Assisted: none`;
  return scenario === "undisclosed" ? "Fix." : `Fix.\n\n${disclosure("assisted", "GitHub Copilot")}`;
}
