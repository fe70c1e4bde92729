/**
 * One app process running the transpiled src/main.ts against a GitHub simulator, its SQLite trail
 * and cwd in a temp dir: started in `beforeAll`, stopped (whatever part of it started) in `afterAll`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateAppCredentials, ROOT, startAppProcess, stopChild, type AppProcess } from "../../../tools/demo/app-process.mjs";
import { startGitHubSimulator, type GitHubSimulator, type SimulatorOptions } from "../../../tools/github-simulator/index.mjs";
import { transpileForChild, type TranspiledEntry } from "../../support/transpile-for-child.js";

export interface ChildAppOptions {
  appId: number;
  /** The temp dir's name prefix. */
  tmpPrefix: string;
  /** More simulator options (the app ID and public key are set). */
  simulator?: SimulatorOptions;
  /** Runs on the started simulator before the app starts. */
  prepare?: (sim: GitHubSimulator) => void;
  logLevel: string;
  env?: Record<string, string>;
  /** Point the simulator's webhooks at the app once it is up. */
  webhook?: boolean;
}

export class ChildApp {
  readonly creds = generateAppCredentials();
  dir = "";
  child: TranspiledEntry | undefined;
  sim!: GitHubSimulator;
  app!: AppProcess;

  async start(options: ChildAppOptions): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), options.tmpPrefix));
    this.child = transpileForChild(join(ROOT, "src", "main.ts"), ROOT);
    this.sim = await startGitHubSimulator({ appId: options.appId, publicKey: this.creds.publicKey, ...options.simulator });
    options.prepare?.(this.sim);
    this.app = await startAppProcess({
      sim: this.sim,
      appId: options.appId,
      privateKey: this.creds.privateKey,
      webhookSecret: this.creds.webhookSecret,
      databaseUrl: `sqlite://${join(this.dir, "audit.db")}`,
      cwd: this.dir,
      logLevel: options.logLevel,
      ...(options.env ? { env: options.env } : {}),
      entry: this.child.entry,
    });
    if (options.webhook) this.sim.setWebhook({ url: this.app.webhookUrl, secret: this.creds.webhookSecret });
  }

  async stop(): Promise<void> {
    if (this.app) await stopChild(this.app.child, "SIGTERM", 3000);
    await this.sim?.close();
    this.child?.remove();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
