/**
 * `countersign check`: the gate table the `countersign` check run would show for a branch,
 * computed from the local repository before pushing.
 *
 *   1. open the repository; resolve --base and --head and their merge base
 *   2. read .github/countersign.yml and CODEOWNERS as they are at the base commit (never the
 *      head: a PR cannot loosen its own rules, and neither can a local edit)
 *   3. build the PullRequestSnapshot: changed files (renames detected), commits, body, labels
 *   4. evaluate() it exactly as the app does, with no reviews (none can exist before the push)
 *   5. evaluate it again with assumed noted approvals: gates that pass then only wait for
 *      reviewers ("needs review"); gates still unmet are for the author to fix
 *   6. print a table or JSON; exit 0 when only reviews are missing, 1 otherwise
 */
import { basename } from "node:path";
import { type Command, Option } from "commander";
import { CODEOWNERS_LOCATIONS } from "../policy/codeowners.js";
import { CONFIG_PATH, DEFAULT_CONFIG, loadConfig, type Config, type ConfigError } from "../policy/config.js";
import { evaluate, type Gate, type GateStatus, type Verdict } from "../policy/evaluate.js";
import { ERROR_TITLE } from "../policy/render.js";
import {
  MAX_LISTED_COMMITS,
  MAX_LISTED_FILES,
  type CodeownersSource,
  type PullRequestSnapshot,
  type ReviewInfo,
} from "../policy/snapshot.js";
import type { ConfigLoad } from "../github/load-config.js";
import { assess } from "../handlers/assess-pull-request.js";
import { readOptional, UsageError, type CliContext } from "./cli-context.js";
import { LocalRepository, loginFromEmail } from "./local-git.js";

const ASSUMED_REVIEWER = "countersign-assumed-reviewer";
const LOGIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?$/;

export type LocalStatus = GateStatus | "needs_review";

export interface LocalGate extends Gate {
  /** `needs_review`: unmet now, but met once the reviewers it names approve after the push. */
  localStatus: LocalStatus;
}

export interface CheckReport {
  /** True when nothing but reviews is missing: the exit status is 0. */
  ready: boolean;
  /** What the check run would conclude right after the push (before any review). */
  conclusion: "success" | "failure";
  title: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  mergeBase: string;
  author: string;
  config: { source: string; errors: ConfigError[] };
  codeowners: string | null;
  files: number;
  commits: number;
  disclosure: { level: string; tools: string[] } | null;
  owningTeam: string | null;
  gates: LocalGate[];
  notes: string[];
}

export interface CheckOptions {
  base: string;
  head: string;
  /** The PR description, already read. */
  body: string | null;
  author?: string;
  labels: string[];
}

/** Steps 1-5 for the repository containing `cwd`. */
export async function runCheck(cwd: string, options: CheckOptions): Promise<CheckReport> {
  const repo = LocalRepository.open(cwd); // 1
  const baseSha = repo.resolveCommit(options.base, "--base");
  const headSha = repo.resolveCommit(options.head, "--head");
  const mergeBase = repo.mergeBase(baseSha, headSha);
  const notes: string[] = [];
  if (options.head === "HEAD" && repo.hasUncommittedChanges())
    notes.push("Uncommitted changes are not part of the pull request and were not checked: commit them first.");
  if (options.body === null)
    notes.push(
      "No --body: the PR description is taken as empty, so only commit trailers can disclose AI use. Pass --body pr.md (or - for stdin).",
    );

  const configBlob = repo.readBlob(baseSha, CONFIG_PATH); // 2
  const configSource = configBlob
    ? `${CONFIG_PATH} at ${options.base} (${baseSha.slice(0, 7)})`
    : "defaults (no .github/countersign.yml on the base)";
  if (!configBlob)
    notes.push(
      `No ${CONFIG_PATH} at ${options.base}: the defaults apply (on GitHub, the organisation's .github repository may supply one).`,
    );
  const codeowners = codeownersAt(repo, baseSha);
  const headRef = options.head === "HEAD" ? (repo.currentBranch() ?? "HEAD") : options.head;
  const author = resolveAuthor(repo, options.author);
  const base = { ref: options.base, sha: baseSha };
  const head = { ref: headRef, sha: headSha };
  let counts = { files: 0, commits: 0 };

  // The app's assessment (handlers/assess-pull-request.ts), fed from the local repository: no
  // exceptions or reviews can exist before the push, and `_extends` is not followed.
  const assessment = await assess({
    config: async (): Promise<ConfigLoad> => {
      const loaded = configBlob ? loadConfig(configBlob.toString("utf8")) : ({ ok: true, config: DEFAULT_CONFIG } as const);
      if (!loaded.ok) return { ok: false, source: configSource, errors: loaded.errors };
      if (loaded.config._extends)
        notes.push(`_extends: ${loaded.config._extends} is not resolved locally: only ${CONFIG_PATH} itself was applied.`);
      return { ok: true, config: loaded.config, source: configSource, hash: null };
    },
    exceptions: async () => [],
    snapshot: async () => {
      const allFiles = repo.changedFiles(mergeBase, headSha); // 3
      const allCommits = repo.commits(baseSha, headSha);
      counts = { files: allFiles.length, commits: allCommits.length };
      if (allCommits.length === 0)
        notes.push(`${headRef} has no commits that ${options.base} lacks: there is nothing to open a pull request with.`);
      return {
        repo: repo.githubRepo() ?? { owner: "local", name: basename(repo.root) },
        number: 0,
        title: allCommits.length === 1 ? (allCommits[0]!.message.split("\n")[0] ?? headRef) : headRef,
        body: options.body,
        author: { login: author, type: author.endsWith("[bot]") ? "Bot" : "User" },
        headSha,
        headRef,
        baseRef: options.base.replace(/^origin\//, ""),
        baseSha,
        draft: false,
        labels: options.labels,
        assignees: [],
        requestedReviewers: { users: [], teams: [] },
        files: allFiles.slice(0, MAX_LISTED_FILES),
        filesTruncated: allFiles.length > MAX_LISTED_FILES,
        commits: allCommits.slice(0, MAX_LISTED_COMMITS),
        commitsTruncated: allCommits.length > MAX_LISTED_COMMITS,
        reviews: [],
        codeowners,
        teamMembers: {},
        exceptions: [],
      };
    },
  });
  if (assessment.kind === "config-invalid") {
    return {
      ready: false,
      conclusion: "failure",
      title: ERROR_TITLE,
      base,
      head,
      mergeBase,
      author,
      config: { source: configSource, errors: assessment.errors },
      codeowners: codeowners.path,
      files: 0,
      commits: 0,
      disclosure: null,
      owningTeam: null,
      gates: [],
      notes,
    };
  }

  const { verdict, gates, ready } = judgeLocally(assessment.snapshot, assessment.config, assessment.verdict); // 4, 5
  return {
    ready,
    conclusion: verdict.conclusion,
    title: verdict.title,
    base,
    head,
    mergeBase,
    author,
    config: { source: configSource, errors: [] },
    codeowners: codeowners.path,
    files: counts.files,
    commits: counts.commits,
    disclosure: { level: verdict.disclosure.level, tools: verdict.disclosure.tools },
    owningTeam: verdict.ownership.owningTeam,
    gates,
    notes,
  };
}

/**
 * Steps 4 and 5, pure: the verdict with no reviews, each gate marked `needs_review` when assumed
 * noted approvals (by enough reviewers, and by the approvers `require_approval` boundaries name)
 * would meet it. Exceptions are never assumed: a blocked boundary is the author's to resolve.
 */
export function judgeLocally(
  snapshot: PullRequestSnapshot,
  config: Config,
  verdict: Verdict = evaluate(snapshot, config),
): { verdict: Verdict; gates: LocalGate[]; ready: boolean } {
  const reviewed = evaluate(withAssumedApprovals(snapshot, config), config);
  const gates = verdict.gates.map((g): LocalGate => {
    const after = reviewed.gates.find((r) => r.id === g.id);
    const localStatus: LocalStatus = g.status !== "unmet" ? g.status : after && after.status !== "unmet" ? "needs_review" : "unmet";
    return { ...g, localStatus };
  });
  return { verdict, gates, ready: gates.every((g) => g.localStatus !== "unmet") };
}

function withAssumedApprovals(snapshot: PullRequestSnapshot, config: Config): PullRequestSnapshot {
  const approvalBoundaries = config.boundaries.filter((b) => b.action === "require_approval");
  const count = Math.max(config.review.required_approvals, ...approvalBoundaries.map((b) => b.min_approvals));
  const assumed = Array.from({ length: count }, (_, i) => `${ASSUMED_REVIEWER}-${i + 1}`);
  const logins = new Set(assumed);
  const teamMembers = { ...snapshot.teamMembers };
  for (const approver of approvalBoundaries.flatMap((b) => b.approvers)) {
    if (approver.includes("/")) teamMembers[approver.toLowerCase()] = [...(teamMembers[approver.toLowerCase()] ?? []), ...assumed];
    else logins.add(approver.slice(1));
  }
  const body = assumedNote(config.review);
  const reviews: ReviewInfo[] = [...logins].map((login, i) => ({
    id: -(i + 1),
    user: { login, type: "User" },
    state: "APPROVED",
    body,
    commitId: snapshot.headSha,
    submittedAt: null,
  }));
  return { ...snapshot, reviews: [...snapshot.reviews, ...reviews], teamMembers };
}

/** A note that satisfies the configured checklist and length, for the assumed approvals. */
export function assumedNote(req: Config["review"]): string {
  const sentence = "assumed approval modelled locally by countersign check to find the gates that only wait for reviewers";
  let statement = sentence;
  while (statement.length < req.min_note_length) statement += ` ${sentence}`;
  return [...req.checklist.map((item) => `- [x] ${item}`), `Verified: ${statement}`].join("\n");
}

function codeownersAt(repo: LocalRepository, sha: string): CodeownersSource {
  for (const path of CODEOWNERS_LOCATIONS) {
    const blob = repo.readBlob(sha, path);
    if (blob) return { path, text: blob.toString("utf8"), sizeBytes: blob.length };
  }
  return { path: null, text: null, sizeBytes: 0 };
}

/** --author, else `git config github.user`, else the login in a GitHub no-reply email, else user.name. */
function resolveAuthor(repo: LocalRepository, explicit: string | undefined): string {
  if (explicit !== undefined) {
    const login = explicit.replace(/^@/, "");
    if (!LOGIN_RE.test(login)) throw new UsageError(`--author "${explicit}" is not a GitHub login`);
    return login;
  }
  const candidates = [
    repo.config("github.user"),
    loginFromEmail(repo.config("user.email")),
    repo.config("user.name")?.replace(/\s+/g, "-"),
  ];
  return candidates.find((c): c is string => !!c && LOGIN_RE.test(c)) ?? "local-user";
}

// ---- Output ---------------------------------------------------------------------------------

export interface Style {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** Colours only on a terminal, never with NO_COLOR set (https://no-color.org); FORCE_COLOR forces them. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export function terminalStyle(enabled: boolean): Style {
  const sgr = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

const STATUS_LABEL: Record<LocalStatus, string> = {
  passed: "✔ passed",
  unmet: "✘ unmet",
  needs_review: "… needs review",
  not_applicable: "- n/a",
};

export function formatCheckTable(report: CheckReport, style: Style): string {
  const out: string[] = [];
  const short = (sha: string) => sha.slice(0, 7);
  out.push(
    style.bold(`countersign check: ${report.head.ref} (${short(report.head.sha)}) into ${report.base.ref} (${short(report.base.sha)})`),
    style.dim(
      `  config: ${report.config.source}; CODEOWNERS: ${report.codeowners ?? "none"}; author: ` +
        `@${report.author}; ${plural(report.commits, "commit")}, ${plural(report.files, "changed file")}`,
    ),
    "",
  );

  if (report.config.errors.length > 0) {
    out.push(style.red(style.bold(`✘ Invalid configuration: ${report.config.source}`)));
    for (const e of report.config.errors)
      out.push(`  ${CONFIG_PATH}${e.line ? `:${e.line}` : ""}: ${e.path ? `${e.path}: ` : ""}${e.message}`);
    out.push(
      "",
      `The check would fail ("${ERROR_TITLE}") until the file is fixed on ${report.base.ref}. \`countersign validate\` lints a ` +
        `working copy.`,
    );
    return appendNotes(out, report, style).join("\n");
  }

  const nameWidth = Math.max(...report.gates.map((g, i) => `${i + 1}. ${g.name}`.length));
  const statusWidth = Math.max(...Object.values(STATUS_LABEL).map((s) => s.length));
  report.gates.forEach((g, i) => {
    const label = STATUS_LABEL[g.localStatus].padEnd(statusWidth);
    out.push(`  ${`${i + 1}. ${g.name}`.padEnd(nameWidth)}  ${colorStatus(g.localStatus, label, style)}  ${inline(g.summary, style)}`);
  });

  for (const g of report.gates.filter((x) => x.localStatus === "unmet")) {
    out.push("", style.red(style.bold(`✘ ${g.name}`)), ...g.reasons.map((r) => `  - ${inline(r, style)}`));
    if (g.fix) out.push("  To fix:", ...block(g.fix, "    "));
  }
  for (const g of report.gates.filter((x) => x.localStatus === "needs_review")) {
    out.push("", style.yellow(style.bold(`… ${g.name}: needs review after you push`)), ...g.reasons.map((r) => `  - ${inline(r, style)}`));
    if (g.fix) out.push("  What reviewers do:", ...block(g.fix, "    "));
  }

  appendNotes(out, report, style);
  out.push("");
  const unmet = report.gates.filter((g) => g.localStatus === "unmet").map((g) => g.name);
  const waiting = report.gates.filter((g) => g.localStatus === "needs_review").map((g) => g.name);
  if (!report.ready) {
    out.push(style.red(style.bold(`✘ Fix before pushing: ${unmet.join(", ")}.`)) + ` The check would read "${report.title}".`);
  } else if (waiting.length > 0) {
    out.push(
      style.green(style.bold("✔ Ready to push.")) +
        ` After the push the check reads "${report.title}" until reviewers approve (${waiting.join(", ")}).`,
    );
  } else {
    out.push(style.green(style.bold(`✔ Would pass: ${report.title}.`)));
  }
  return out.join("\n");
}

function appendNotes(out: string[], report: CheckReport, style: Style): string[] {
  if (report.notes.length > 0) out.push("", ...report.notes.map((n) => style.dim(`note: ${n}`)));
  return out;
}

function colorStatus(status: LocalStatus, text: string, style: Style): string {
  if (status === "passed") return style.green(text);
  if (status === "unmet") return style.red(text);
  if (status === "needs_review") return style.yellow(text);
  return style.dim(text);
}

/** Markdown emphasis for a terminal: **bold** and `code`. */
function inline(text: string, style: Style): string {
  return text.replace(/\*\*([^*]+)\*\*/g, (_, s: string) => style.bold(s)).replace(/`[^`\n]+`/g, (m) => style.cyan(m));
}

/** A fix's markdown as indented text: fence lines dropped, their content indented further, so it stays copy-pastable. */
function block(markdown: string, indent: string): string[] {
  const lines: string[] = [];
  let inFence = false;
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    if (/^\s{0,3}(`{3,}|~{3,})/.test(line)) {
      inFence = !inFence;
      continue;
    }
    lines.push(line === "" ? "" : `${indent}${inFence ? "  " : ""}${line}`);
  }
  while (lines.at(-1) === "") lines.pop();
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// ---- Command --------------------------------------------------------------------------------

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command("check")
    .description("Before you push: the gate table the countersign check would show for your branch, from the local repository.")
    .requiredOption("--base <ref>", "the branch the pull request targets, e.g. origin/main (config and CODEOWNERS are read from it)")
    .option("--head <ref>", "the pull request's head", "HEAD")
    .option("--body <file>", "the PR description: a markdown file, or - to read it from stdin")
    .option(
      "--author <login>",
      "the PR author's GitHub login (default: git config github.user, a GitHub no-reply user.email, or user.name)",
    )
    .option("--label <label>", "a label the pull request will carry; repeatable (e.g. --label incident)", collect)
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .addHelpText(
      "after",
      `
Examples:
  $ countersign check --base origin/main --body pr.md
  $ gh pr view --json body -q .body | countersign check --base origin/main --body -
  $ countersign check --base main --head hotfix/retry --label incident --body pr.md --format json

The changes are those a pull request from --head into --base would carry (files since their merge
base, commits in base..head). No review can exist before the push, so gates that wait only for
reviewers (the understanding review, approvals a boundary or incident patch needs) show
"needs review" and do not fail the command.

Exit status: 0 when nothing but reviews is missing, 1 when something must be fixed first (or the
base's config is invalid), 2 on usage errors (unknown ref, not a git repository).`,
    )
    .action(async (opts: { base: string; head: string; body?: string; author?: string; label?: string[]; format: string }) => {
      const body = opts.body === undefined ? null : opts.body === "-" ? await readStdin() : readBody(opts.body);
      const report = await runCheck(process.cwd(), {
        base: opts.base,
        head: opts.head,
        body,
        author: opts.author,
        labels: opts.label ?? [],
      });
      if (opts.format === "json") ctx.io.out(JSON.stringify(report, null, 2));
      else ctx.io.out(formatCheckTable(report, terminalStyle(colorEnabled(process.stdout, process.env))));
      if (!report.ready) ctx.fail(1);
    });
}

function readBody(path: string): string {
  const text = readOptional(path);
  if (text === null) throw new UsageError(`--body: cannot read ${path}`);
  return text;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
