/**
 * Runs the real `bin/countersign.js` as a child process, without `npm run build`: the CLI's
 * sources are transpiled into a temp directory laid out like the package (`bin/`, `dist/` →
 * the transpiled `src/`, `package.json`), so the suite neither depends on nor races a shared
 * `dist/`. Also builds throwaway git repositories for the commands to read.
 */
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transpileForChild } from "../support/transpile-for-child.js";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  run(args: string[], options?: { cwd?: string; env?: Record<string, string | undefined>; input?: string }): Promise<RunResult>;
  remove(): void;
}

export function buildCli(): CliProcess {
  const built = transpileForChild(join(PROJECT_ROOT, "src/cli/main.ts"), PROJECT_ROOT);
  const out = dirname(dirname(dirname(built.entry))); // <out>/src/cli/main.js → <out>
  copyFileSync(join(PROJECT_ROOT, "package.json"), join(out, "package.json"));
  mkdirSync(join(out, "bin"), { recursive: true });
  copyFileSync(join(PROJECT_ROOT, "bin/countersign.js"), join(out, "bin/countersign.js"));
  symlinkSync(join(out, "src"), join(out, "dist"), "dir");
  symlinkSync(join(PROJECT_ROOT, "schema"), join(out, "schema"), "dir");
  const home = mkdtempSync(join(tmpdir(), "countersign-home-"));
  const bin = join(out, "bin/countersign.js");
  return {
    run(args, options = {}) {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...cleanEnv(home), ...options.env })) if (v !== undefined) env[k] = v;
      return new Promise((done) => {
        const child = execFile(
          process.execPath,
          [bin, ...args],
          { cwd: options.cwd ?? home, env, timeout: 20_000 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
            done({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
        child.stdin?.end(options.input ?? "");
      });
    },
    remove() {
      built.remove();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The child's environment: no colours, no user or system git config, no GitHub credentials. */
function cleanEnv(home: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GIT_|GITHUB_|GH_|GHE_|APP_ID$|FORCE_COLOR$|NO_COLOR$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1", NO_COLOR: "1" };
}

/** A throwaway git repository; commits are made with `git -c user.name=… -c user.email=…`. */
export class TempRepo {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "countersign-repo-"));
    this.git("init", "-q", "-b", "main");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: this.dir, GIT_CONFIG_NOSYSTEM: "1" },
    }).trim();
  }

  write(files: Record<string, string>): this {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
    return this;
  }

  /** Stages everything and commits as `author` (a "Name <email>" pair). */
  commit(message: string, author: { name: string; email: string } = { name: "Dev Eloper", email: "dev@acme.example" }): string {
    this.git("add", "-A");
    this.git("-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, "commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
