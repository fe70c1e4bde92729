/**
 * Boundaries (off-limits paths), agent scope and incident-patch discipline: gates 4 and 5.
 *
 * Globs are picomatch's (`dot: true`: dotfiles match; case-sensitive), matched without
 * backtracking by glob-match.ts; `**` crosses directories, `*` does not. A boundary matches a changed file by its new path or, for renames,
 * its old path, so moving a file out of `src/auth/` still touches the auth boundary.
 */
import { isApprover } from "./approvers.js";
import type { Boundary, Config } from "./config.js";
import { compileGlobs as compileGlobSet } from "./glob-match.js";
import { selfGrant, type Accountable } from "./exceptions.js";
import { latestDecisiveReviews } from "./reviews.js";
import type { ChangedFile, DisclosureLevel, GrantedException, ReviewInfo } from "./snapshot.js";

/** Dependency manifests, lockfiles and migrations: refused in incident patches by default. */
export const INCIDENT_FORBIDDEN_DEFAULTS = [
  "**/package.json",
  "**/package-lock.json",
  "**/npm-shrinkwrap.json",
  "**/yarn.lock",
  "**/.yarnrc.yml",
  "**/pnpm-lock.yaml",
  "**/pnpm-workspace.yaml",
  "**/requirements*.txt",
  "**/Pipfile",
  "**/Pipfile.lock",
  "**/pyproject.toml",
  "**/poetry.lock",
  "**/setup.py",
  "**/setup.cfg",
  "**/uv.lock",
  "**/go.mod",
  "**/go.sum",
  "**/Cargo.toml",
  "**/Cargo.lock",
  "**/pom.xml",
  "**/build.gradle",
  "**/build.gradle.kts",
  "**/settings.gradle",
  "**/settings.gradle.kts",
  "**/gradle.lockfile",
  "**/gradle/libs.versions.toml",
  "**/Gemfile",
  "**/Gemfile.lock",
  "**/*.gemspec",
  "**/migrations/**",
  "**/migrate/**",
];

export type Matcher = (path: string) => boolean;

/**
 * Compiles globs once into one predicate, linear in path length (glob-match.ts); no globs match
 * nothing. The config's globs are checked when it loads; a glob the matcher cannot take anywhere
 * else (an incident declaration's scope, written in the PR) matches nothing: its files are out of scope.
 */
export function compileGlobs(globs: readonly string[]): Matcher {
  return compileGlobSet(globs).matches;
}

function touches(file: ChangedFile, match: Matcher): boolean {
  return match(file.path) || (file.previousPath != null && match(file.previousPath));
}

/** Who approved what: reviews already judged by the understanding-review gate. */
export interface NotedApproval {
  login: string;
  /** Approval on the current head SHA with a valid understanding note. */
  counts: boolean;
}

export interface BoundaryFinding {
  name: string;
  action: Boundary["action"] | "agent-scope";
  files: string[];
  status: "passed" | "unmet";
  /** How it passed: an exception, enough approvals. */
  via: "exception" | "approvals" | null;
  reasons: string[];
  approvers: string[];
  message: string | null;
}

/** An exception the gate does not count, and why. */
export interface IgnoredException {
  exception: GrantedException;
  why: string;
}

/**
 * The exception for `boundary` valid on `headSha`, if any: granted on that SHA by an approver who
 * is neither the PR's author nor its sponsor, not revoked. `stale`: one granted on an older head;
 * `ignored`: ones the PR's author or sponsor granted themselves.
 */
export function validException(
  boundary: string,
  approvers: readonly string[],
  exceptions: readonly GrantedException[],
  headSha: string,
  teamMembers: Record<string, string[]>,
  accountable: Accountable = { author: "", sponsor: null },
): { valid: GrantedException | null; stale: GrantedException | null; ignored: IgnoredException[] } {
  const byApprovers = exceptions.filter((e) => e.boundary === boundary && !e.revoked && isApprover(e.grantedBy, approvers, teamMembers));
  const ignored: IgnoredException[] = [];
  const forBoundary = byApprovers.filter((e) => {
    const why = selfGrant(e.grantedBy, accountable);
    if (why) ignored.push({ exception: e, why });
    return why === null;
  });
  return {
    valid: forBoundary.find((e) => e.sha === headSha) ?? null,
    stale: forBoundary.find((e) => e.sha !== headSha) ?? null,
    ignored,
  };
}

/** The changed files an exception for `boundary` would cover (for `agent-scope`: the files outside the scope); null: no such boundary. */
export function boundaryFiles(config: Config, boundary: string, files: readonly ChangedFile[]): string[] | null {
  if (boundary === "agent-scope") return outsideAgentScope(config, files).map((f) => f.path);
  const b = config.boundaries.find((x) => x.name === boundary);
  return b ? insideBoundary(b, files).map((f) => f.path) : null;
}

function insideBoundary(b: Boundary, files: readonly ChangedFile[]): ChangedFile[] {
  const inPaths = compileGlobs(b.paths);
  const ignored = compileGlobs(b.ignore);
  return files.filter((f) => touches(f, inPaths) && !(ignored(f.path) && (f.previousPath == null || ignored(f.previousPath))));
}

function outsideAgentScope(config: Config, files: readonly ChangedFile[]): ChangedFile[] {
  const inScope = compileGlobs(config.agents.scope);
  return files.filter((f) => !inScope(f.path) || (f.previousPath != null && !inScope(f.previousPath)));
}

function levelApplies(level: DisclosureLevel, appliesTo: readonly string[]): boolean {
  // An undisclosed PR is treated as AI-assisted until its author says otherwise (fail closed).
  const effective = level === "undisclosed" ? "assisted" : level;
  return appliesTo.includes(effective);
}

export interface BoundaryInput {
  level: DisclosureLevel;
  files: ChangedFile[];
  headSha: string;
  approvals: NotedApproval[];
  exceptions: GrantedException[];
  teamMembers: Record<string, string[]>;
  /** The PR's author and (agent PRs) sponsor: exceptions they granted themselves do not count. */
  accountable: Accountable;
}

/** Evaluates every configured boundary and the agent scope. */
export function checkBoundaries(config: Config, input: BoundaryInput): BoundaryFinding[] {
  const findings: BoundaryFinding[] = [];
  for (const b of config.boundaries) {
    if (!levelApplies(input.level, b.applies_to)) continue;
    const files = insideBoundary(b, input.files);
    if (files.length === 0) continue;
    findings.push(
      judge(
        b.name,
        b.action,
        b.approvers,
        b.min_approvals,
        b.message ?? null,
        files.map((f) => f.path),
        input,
      ),
    );
  }
  if (input.level === "agent") {
    const outside = outsideAgentScope(config, input.files);
    if (outside.length > 0) {
      findings.push(
        judge(
          "agent-scope",
          "agent-scope",
          config.agents.approvers,
          1,
          `Agent PRs may only change ${config.agents.scope.join(", ")}.`,
          outside.map((f) => f.path),
          input,
        ),
      );
    }
  }
  return findings;
}

function judge(
  name: string,
  action: BoundaryFinding["action"],
  approvers: string[],
  minApprovals: number,
  message: string | null,
  files: string[],
  input: BoundaryInput,
): BoundaryFinding {
  const base = { name, action, files, approvers, message };
  const { valid, stale, ignored } = validException(name, approvers, input.exceptions, input.headSha, input.teamMembers, input.accountable);
  if (valid) {
    return { ...base, status: "passed", via: "exception", reasons: [`exception granted by @${valid.grantedBy}: ${valid.reason}`] };
  }
  const reasons = ignored.map(({ exception: e, why }) => {
    return `the exception granted by @${e.grantedBy} is ignored: @${e.grantedBy} ${why}; another approver must grant it`;
  });
  if (stale) {
    reasons.push(`the exception granted by @${stale.grantedBy} on ${stale.sha.slice(0, 7)} no longer holds: new commits were pushed since`);
  }
  if (action === "require_approval") {
    const approving = [
      ...new Set(input.approvals.filter((a) => a.counts && isApprover(a.login, approvers, input.teamMembers)).map((a) => a.login)),
    ];
    if (approving.length >= minApprovals) {
      return { ...base, status: "passed", via: "approvals", reasons: [`approved by ${approving.map((l) => `@${l}`).join(", ")}`] };
    }
    reasons.push(
      `needs ${minApprovals} noted approval${minApprovals > 1 ? "s" : ""} on the head commit from ${approvers.join(", ")}; ` +
        `has ${approving.length}`,
    );
  } else if (approvers.length === 0) {
    reasons.push(`AI-assisted changes may not touch these paths, and no approver is configured to grant an exception`);
  } else {
    reasons.push(`AI-assisted changes may not touch these paths without an exception from ${approvers.join(", ")}`);
  }
  return { ...base, status: "unmet", via: null, reasons };
}

/** `Scope:` and `Rollback:` as declared in an incident patch's body. */
export interface IncidentDeclaration {
  scope: string[];
  rollback: string | null;
}

/**
 * Reads `Scope:` (globs, comma-separated or one per following list line) and `Rollback:` (text
 * until a blank line) from prose lines of the PR body.
 */
export function parseIncidentDeclaration(lines: readonly string[]): IncidentDeclaration {
  const scope: string[] = [];
  let rollback: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const s = /^\s*(?:[-*+]\s+)?(?:\*\*)?scope(?:\*\*)?\s*:(?:\*\*)?\s*(.*)$/i.exec(line);
    if (s) {
      scope.push(...splitGlobs(s[1]!));
      for (let j = i + 1; j < lines.length; j++) {
        const item = /^\s*[-*+]\s+(.+)$/.exec(lines[j]!);
        if (!item || /:\s/.test(item[1]!)) break;
        scope.push(...splitGlobs(item[1]!));
        i = j;
      }
      continue;
    }
    const r = /^\s*(?:[-*+]\s+)?(?:\*\*)?rollback(?:\*\*)?\s*:(?:\*\*)?\s*(.*)$/i.exec(line);
    if (r && rollback === null) {
      const parts = [r[1]!.trim()];
      for (let j = i + 1; j < lines.length && lines[j]!.trim() !== ""; j++) {
        if (/^\s*(?:[-*+]\s+)?(?:\*\*)?[A-Za-z-]+(?:\*\*)?\s*:/.test(lines[j]!) && !/^\s*[-*+]\s/.test(lines[j]!)) break;
        parts.push(lines[j]!.trim());
        i = j;
      }
      const text = parts
        .join(" ")
        .replace(/<[^<>]*>/g, "")
        .trim();
      rollback = text.length > 0 ? text : null;
    }
  }
  return { scope: [...new Set(scope)], rollback };
}

function splitGlobs(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((g) => g.replace(/^`|`$/g, "").trim())
    .filter((g) => g.length > 0 && !/^<.*>$/.test(g));
}

export interface IncidentFinding {
  declaration: IncidentDeclaration;
  outOfScope: string[];
  forbidden: string[];
  /** Non-author approvals on the head SHA (each reviewer's latest decision). */
  independentApprovers: string[];
}

export function checkIncident(
  config: Config,
  declaration: IncidentDeclaration,
  files: ChangedFile[],
  reviews: ReviewInfo[],
  author: string,
  headSha: string,
): IncidentFinding {
  const inScope = compileGlobs(declaration.scope);
  const forbid = compileGlobs([...INCIDENT_FORBIDDEN_DEFAULTS, ...config.incident.forbidden]);
  const independentApprovers = [
    ...new Set(
      // Each reviewer's latest decision: a later change request withdraws an approval.
      latestDecisiveReviews(reviews)
        .filter(
          (r) =>
            r.state === "APPROVED" &&
            r.commitId === headSha &&
            r.user &&
            r.user.login.toLowerCase() !== author.toLowerCase() &&
            r.user.type !== "Bot",
        )
        .map((r) => r.user!.login),
    ),
  ];
  return {
    declaration,
    outOfScope: declaration.scope.length === 0 ? [] : files.filter((f) => !touches(f, inScope) || !inScope(f.path)).map((f) => f.path),
    forbidden: files.filter((f) => touches(f, forbid)).map((f) => f.path),
    independentApprovers,
  };
}
