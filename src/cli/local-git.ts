/**
 * The local git repository as `countersign check` reads it: refs, the changes a pull request
 * from `head` into `base` would carry, and files as they are at a commit. Runs `git` directly
 * (no shell) and turns its failures into UsageErrors that name the next step.
 */
import { spawnSync } from "node:child_process";
import type { ChangedFile, CommitInfo } from "../policy/snapshot.js";
import { UsageError } from "./cli-context.js";
import { loginFromEmail } from "../policy/noreply-email.js";

// GitHub links a commit to an account by email; locally only its no-reply addresses say which.
export { loginFromEmail };

/** Unit separator between `git log` fields; commit records are NUL-separated (`-z`). */
const FIELD = "\x1f";

export class LocalRepository {
  private constructor(readonly root: string) {}

  /** The repository containing `cwd`; a UsageError outside one. */
  static open(cwd: string): LocalRepository {
    const res = runGit(cwd, ["rev-parse", "--show-toplevel"]);
    if (res.status !== 0) {
      throw new UsageError(`not inside a git repository (${cwd}): run this from a clone of the repository the pull request targets`);
    }
    return new LocalRepository(res.stdout.toString("utf8").trim());
  }

  /** The full SHA of the commit `ref` names (branch, tag, remote branch, SHA, `HEAD~2`…). */
  resolveCommit(ref: string, flag: string): string {
    if (ref.trim() === "" || ref.startsWith("-")) throw new UsageError(`${flag} "${ref}" is not a git ref`);
    const res = this.git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], { allowFailure: true });
    if (res.status === 0) return res.stdout.toString("utf8").trim();
    const hints: string[] = [];
    if (
      !ref.includes("/") &&
      this.git(["rev-parse", "--verify", "--quiet", "--end-of-options", `origin/${ref}^{commit}`], { allowFailure: true }).status === 0
    ) {
      hints.push(`did you mean origin/${ref}?`);
    } else if (ref.startsWith("origin/")) {
      hints.push("run `git fetch origin` first?");
    }
    throw new UsageError(
      `${flag}: unknown ref "${ref}": no branch, tag or commit of that name in ${this.root}${hints.length ? ` (${hints.join(" ")})` : ""}`,
    );
  }

  /** The commit GitHub diffs a pull request against: the merge base of base and head. */
  mergeBase(base: string, head: string): string {
    const res = this.git(["merge-base", base, head], { allowFailure: true });
    if (res.status !== 0)
      throw new UsageError(
        `the base and head have no common ancestor (${base.slice(0, 7)}, ${head.slice(0, 7)}): they cannot form a pull request`,
      );
    return res.stdout.toString("utf8").trim();
  }

  /** Changed files from `from` to `to`, with rename detection, as GitHub lists a PR's files. */
  changedFiles(from: string, to: string): ChangedFile[] {
    const out = this.git(["diff", "--name-status", "-z", "-M", "--no-color", "--no-ext-diff", from, to, "--"]).stdout.toString("utf8");
    const tokens = out.split("\0");
    const files: ChangedFile[] = [];
    for (let i = 0; i < tokens.length; ) {
      const code = tokens[i++] ?? "";
      if (code === "") continue;
      const kind = code[0];
      if (kind === "R" || kind === "C") {
        const previousPath = tokens[i++] ?? "";
        const path = tokens[i++] ?? "";
        files.push({ path, previousPath, status: kind === "R" ? "renamed" : "copied" });
      } else {
        const path = tokens[i++] ?? "";
        files.push({ path, status: kind === "A" ? "added" : kind === "D" ? "removed" : kind === "M" ? "modified" : "changed" });
      }
    }
    return files;
  }

  /** Commits reachable from `head` but not `base`, oldest first (the order GitHub lists a PR's commits). */
  commits(base: string, head: string): CommitInfo[] {
    const out = this.git([
      "log",
      "-z",
      "--reverse",
      "--no-color",
      `--format=%H${FIELD}%an${FIELD}%ae${FIELD}%B`,
      `${base}..${head}`,
      "--",
    ]).stdout.toString("utf8");
    const commits: CommitInfo[] = [];
    for (const record of out.split("\0")) {
      if (record.trim() === "") continue;
      const [sha = "", name = "", email = "", ...message] = record.replace(/^\n/, "").split(FIELD);
      commits.push({
        sha,
        message: message.join(FIELD).replace(/\n+$/, ""),
        authorLogin: loginFromEmail(email),
        authorEmail: email || null,
        authorName: name || null,
      });
    }
    return commits;
  }

  /** A file's bytes at a commit; null when the commit has no such file. */
  readBlob(commit: string, path: string): Buffer | null {
    const res = this.git(["cat-file", "blob", `${commit}:${path}`], { allowFailure: true });
    return res.status === 0 ? res.stdout : null;
  }

  /** The checked-out branch, or null on a detached HEAD. */
  currentBranch(): string | null {
    const res = this.git(["symbolic-ref", "--short", "-q", "HEAD"], { allowFailure: true });
    return res.status === 0 ? res.stdout.toString("utf8").trim() || null : null;
  }

  /**
   * The remote's default branch as the clone recorded it (`refs/remotes/origin/HEAD`, set by
   * `git clone` or `git remote set-head origin --auto`); null when unknown.
   */
  remoteDefaultBranch(remote = "origin"): string | null {
    const res = this.git(["symbolic-ref", "--short", "-q", `refs/remotes/${remote}/HEAD`], { allowFailure: true });
    const ref = res.status === 0 ? res.stdout.toString("utf8").trim() : "";
    return ref.startsWith(`${remote}/`) ? ref.slice(remote.length + 1) || null : null;
  }

  /** Every file path in the tree of commit `ref` (repository-relative). */
  filesAt(ref: string): string[] {
    const res = this.git(["ls-tree", "-r", "-z", "--name-only", "--end-of-options", ref], { allowFailure: true });
    return res.status === 0 ? res.stdout.toString("utf8").split("\0").filter(Boolean) : [];
  }

  config(key: string): string | null {
    const res = this.git(["config", "--get", key], { allowFailure: true });
    const value = res.status === 0 ? res.stdout.toString("utf8").trim() : "";
    return value === "" ? null : value;
  }

  /** `owner/name` of the GitHub remote (`origin`, else the first remote), when it looks like one. */
  githubRepo(): { owner: string; name: string } | null {
    const remotes = this.git(["remote"], { allowFailure: true }).stdout.toString("utf8").split("\n").filter(Boolean);
    const remote = remotes.includes("origin") ? "origin" : remotes[0];
    if (!remote) return null;
    const url = this.git(["remote", "get-url", remote], { allowFailure: true }).stdout.toString("utf8").trim();
    return parseRemoteUrl(url);
  }

  /** True when tracked files have uncommitted changes (they are not part of the pull request). */
  hasUncommittedChanges(): boolean {
    return this.git(["status", "--porcelain", "--untracked-files=no"], { allowFailure: true }).stdout.length > 0;
  }

  private git(args: string[], options: { allowFailure?: boolean } = {}): { status: number; stdout: Buffer; stderr: string } {
    const res = runGit(this.root, args);
    if (res.status !== 0 && !options.allowFailure) {
      throw new UsageError(`git ${args[0]} failed in ${this.root}: ${res.stderr.trim() || `exit ${res.status}`}`);
    }
    return res;
  }
}

function runGit(cwd: string, args: string[]): { status: number; stdout: Buffer; stderr: string } {
  const res = spawnSync("git", ["-c", "core.quotepath=off", "-c", "log.showSignature=false", ...args], {
    cwd,
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
  });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? "git is not installed or not on PATH" : `cannot run git: ${res.error.message}`);
  }
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr.toString("utf8") };
}

/** `owner/name` from the usual GitHub remote URL forms (https, ssh, scp-like). */
export function parseRemoteUrl(url: string): { owner: string; name: string } | null {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^:/]+(?::\d+)?[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? { owner: m[1]!, name: m[2]! } : null;
}
