/** Types for app-process.mjs (the app as a child process). Development only. */
import type { ChildProcess } from "node:child_process";
import type { GitHubSimulator } from "../github-simulator/index.mjs";

export declare const ROOT: string;
export declare const children: Set<ChildProcess>;
export declare function generateAppCredentials(): { privateKey: string; publicKey: string; webhookSecret: string };
export declare function freePort(): Promise<number>;

export interface AppProcess {
  child: ChildProcess;
  port: number;
  env: Record<string, string>;
  webhookUrl: string;
  log: string[];
  readonly exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** Errors the app logged (pino level >= 50) and start-up failures. */
  errors(): string[];
}

export declare function startAppProcess(options: {
  sim: GitHubSimulator;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  databaseUrl: string;
  cwd: string;
  port?: number;
  env?: Record<string, string>;
  logLevel?: string;
  /** The script to run (default dist/main.js). */
  entry?: string;
}): Promise<AppProcess>;
export declare function stopChild(child: ChildProcess, signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
export declare function stopAllChildren(): Promise<void>;
export declare function runCli(
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<{ code: number; out: string }>;
export declare function spawnTracked(
  command: string,
  args: string[],
  options: import("node:child_process").SpawnOptions,
): { child: ChildProcess; log: string[]; exited: { code: number | null; signal: NodeJS.Signals | null } | null };
