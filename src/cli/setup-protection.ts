/**
 * `countersign setup-protection`: make `countersign` a required status check through the
 * repository rulesets API, idempotently.
 *
 *   1. read the repository (default branch, whether the token is an admin)
 *   2. read its own rulesets (not the organisation's: those are managed elsewhere) in full
 *   3. plan, in this order: nothing to do when an active ruleset covering the branch already
 *      requires `countersign` from the app; else fix the source of an existing `countersign`
 *      entry; else update the "Countersign" ruleset this command created earlier; else add the
 *      check to an active ruleset's existing required-status-checks rule; else create the
 *      "Countersign" ruleset
 *   4. write it (POST or PUT), unless --dry-run, and say what changed
 *
 * With the app id (`--app-id` or APP_ID) each entry carries `integration_id`, so only the
 * Countersign app's check run satisfies the rule, not any status someone posts as `countersign`.
 */
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import type { Octokit } from "@octokit/rest";
import {
  readRepository,
  readRulesets,
  restClient,
  SetupError,
  TOKEN_HINT,
  writeRuleset,
  type Rule,
  type Ruleset,
  type RulesetBody,
  type StatusCheck,
} from "../github/rulesets.js";
import type { Command } from "commander";
import picomatch from "picomatch";
import { CHECK_NAME } from "../policy/render.js";
import { repoOption, UsageError, type CliContext } from "./cli-context.js";

export const RULESET_NAME = "Countersign";
const DEFAULT_BRANCH = "~DEFAULT_BRANCH";

export type { Rule, Ruleset, RulesetBody, StatusCheck } from "../github/rulesets.js";

export interface ProtectionTarget {
  /** The branch to protect; null for the repository's default branch (`~DEFAULT_BRANCH`). */
  branch: string | null;
  appId: number | null;
}

export type ProtectionPlan =
  | { action: "none"; ruleset: { id: number; name: string }; reason: string }
  | { action: "create"; body: RulesetBody; changes: string[] }
  | { action: "update"; ruleset: { id: number; name: string }; body: RulesetBody; changes: string[] };

/** Step 3, pure: what to write, given the repository's rulesets (with their rules). */
export function planProtection(rulesets: readonly Ruleset[], target: ProtectionTarget, defaultBranch: string | null): ProtectionPlan {
  const ref = target.branch === null ? DEFAULT_BRANCH : `refs/heads/${target.branch}`;
  const covering = rulesets.filter((rs) => covers(rs, ref, defaultBranch));
  const active = covering.filter((rs) => rs.enforcement === "active");
  const source = target.appId === null ? "" : ` from app ${target.appId}`;
  const where = describeRef(ref, defaultBranch);

  const satisfied = active.find((rs) => {
    const entry = countersignEntry(rs);
    return entry !== null && (target.appId === null || entry.integration_id === target.appId);
  });
  if (satisfied) {
    const entry = countersignEntry(satisfied);
    const from = entry?.integration_id !== undefined ? ` from app ${entry.integration_id}` : " (from any source)";
    return {
      action: "none",
      ruleset: pick(satisfied),
      reason: `ruleset "${satisfied.name}" (id ${satisfied.id}) already requires "${CHECK_NAME}"${from} on ${where}`,
    };
  }

  const misattributed = covering.find((rs) => countersignEntry(rs) !== null && rs.enforcement === "active");
  if (misattributed) {
    const { rules, change } = requireCheck(misattributed.rules ?? [], target.appId);
    return { action: "update", ruleset: pick(misattributed), body: { ...writable(misattributed), rules }, changes: change ? [change] : [] };
  }

  const ours = rulesets.find((rs) => rs.name.toLowerCase() === RULESET_NAME.toLowerCase() && (rs.target ?? "branch") === "branch");
  if (ours) {
    const changes: string[] = [];
    let conditions = ours.conditions ?? {};
    if (!covers(ours, ref, defaultBranch)) {
      const include = [...(conditions.ref_name?.include ?? []), ref];
      const exclude = (conditions.ref_name?.exclude ?? []).filter((p) => p !== ref);
      conditions = { ...conditions, ref_name: { include, exclude } };
      changes.push(`added ${where} to the branches it covers`);
    }
    if (ours.enforcement !== "active") changes.push(`set enforcement to active (was ${ours.enforcement})`);
    const { rules, change } = requireCheck(ours.rules ?? [], target.appId);
    if (change) changes.push(change);
    return { action: "update", ruleset: pick(ours), body: { ...writable(ours), enforcement: "active", conditions, rules }, changes };
  }

  const withChecks = active.find((rs) => (rs.rules ?? []).some((r) => r.type === "required_status_checks"));
  if (withChecks) {
    const { rules, change } = requireCheck(withChecks.rules ?? [], target.appId);
    return { action: "update", ruleset: pick(withChecks), body: { ...writable(withChecks), rules }, changes: change ? [change] : [] };
  }

  return {
    action: "create",
    body: {
      name: RULESET_NAME,
      target: "branch",
      enforcement: "active",
      conditions: { ref_name: { include: [ref], exclude: [] } },
      rules: [
        {
          type: "required_status_checks",
          parameters: { strict_required_status_checks_policy: false, required_status_checks: [statusCheck(target.appId)] },
        },
      ],
      bypass_actors: [],
    },
    changes: [`pull requests into ${where} need the "${CHECK_NAME}" check${source} to pass`],
  };
}

function pick(rs: Ruleset): { id: number; name: string } {
  return { id: rs.id, name: rs.name };
}

/** The fields a PUT sends back: everything read, so nothing is reset (bypass actors included). */
function writable(rs: Ruleset): RulesetBody {
  const body: RulesetBody = {
    name: rs.name,
    target: rs.target ?? "branch",
    enforcement: rs.enforcement,
    conditions: rs.conditions ?? {},
    rules: rs.rules ?? [],
  };
  if (rs.bypass_actors !== undefined) body.bypass_actors = rs.bypass_actors;
  return body;
}

function statusCheck(appId: number | null): StatusCheck {
  return appId === null ? { context: CHECK_NAME } : { context: CHECK_NAME, integration_id: appId };
}

function checksOf(rule: Rule): StatusCheck[] {
  const list = rule.parameters?.required_status_checks;
  return Array.isArray(list) ? (list as StatusCheck[]) : [];
}

function countersignEntry(rs: Ruleset): StatusCheck | null {
  for (const rule of rs.rules ?? []) {
    if (rule.type !== "required_status_checks") continue;
    const entry = checksOf(rule).find((c) => c.context === CHECK_NAME);
    if (entry) return entry;
  }
  return null;
}

/** `rules` with `countersign` required (added, or its source corrected), and what changed. */
function requireCheck(rules: readonly Rule[], appId: number | null): { rules: Rule[]; change: string | null } {
  const wanted = statusCheck(appId);
  const source = appId === null ? "" : ` (from app ${appId})`;
  const index = rules.findIndex((r) => r.type === "required_status_checks");
  if (index < 0) {
    const rule: Rule = {
      type: "required_status_checks",
      parameters: { strict_required_status_checks_policy: false, required_status_checks: [wanted] },
    };
    return { rules: [...rules, rule], change: `added a required status checks rule for "${CHECK_NAME}"${source}` };
  }
  const rule = rules[index]!;
  const checks = checksOf(rule);
  const existing = checks.find((c) => c.context === CHECK_NAME);
  let change: string;
  let next: StatusCheck[];
  if (existing && (appId === null || existing.integration_id === appId)) {
    return { rules: [...rules], change: null };
  } else if (existing) {
    next = checks.map((c) => (c.context === CHECK_NAME ? wanted : c));
    const was = existing.integration_id === undefined ? "any source" : `app ${existing.integration_id}`;
    change = `set the expected source of "${CHECK_NAME}" to app ${appId} (was ${was})`;
  } else {
    next = [...checks, wanted];
    change = `added "${CHECK_NAME}"${source} to its required status checks`;
  }
  const parameters = { strict_required_status_checks_policy: false, ...rule.parameters, required_status_checks: next };
  return { rules: rules.map((r, i) => (i === index ? { ...r, parameters } : r)), change };
}

/** Whether a branch ruleset applies to `ref` (`refs/heads/x` or `~DEFAULT_BRANCH`). */
function covers(rs: Ruleset, ref: string, defaultBranch: string | null): boolean {
  if ((rs.target ?? "branch") !== "branch") return false;
  const names = [ref];
  const defaultRef = defaultBranch === null ? null : `refs/heads/${defaultBranch}`;
  if (ref === DEFAULT_BRANCH && defaultRef) names.push(defaultRef);
  if (ref === defaultRef) names.push(DEFAULT_BRANCH);
  // Ruleset ref patterns are fnmatch-style globs; picomatch reads them the same way for the common cases.
  const matches = (pattern: string) =>
    pattern === "~ALL" || names.includes(pattern) || names.some((n) => !n.startsWith("~") && picomatch.isMatch(n, pattern, { dot: true }));
  const include = rs.conditions?.ref_name?.include ?? [];
  const exclude = rs.conditions?.ref_name?.exclude ?? [];
  return include.some(matches) && !exclude.some(matches);
}

function describeRef(ref: string, defaultBranch: string | null): string {
  if (ref === DEFAULT_BRANCH) return defaultBranch ? `${defaultBranch} (the default branch)` : "the default branch";
  return ref.replace(/^refs\/heads\//, "");
}

// ---- Step 1, 2 and 4: GitHub (github/rulesets.ts) ---------------------------------------------

export interface ProtectionResult {
  plan: ProtectionPlan;
  /** The ruleset written (or found), when GitHub was asked. */
  rulesetId: number | null;
  notes: string[];
}

export interface ProtectionRequest extends ProtectionTarget {
  owner: string;
  repo: string;
  dryRun: boolean;
}

export async function setupProtection(octokit: Octokit, req: ProtectionRequest): Promise<ProtectionResult> {
  const notes: string[] = [];
  const { owner, repo } = req;
  const { defaultBranch, admin } = await readRepository(octokit, req); // 1
  if (admin === false) {
    const message = `the token has no admin rights on ${owner}/${repo}, which managing rulesets needs`;
    if (!req.dryRun) throw new SetupError(`${message}. ${TOKEN_HINT}`);
    notes.push(`${message}: the real run would fail.`);
  }
  const rulesets = await readRulesets(octokit, req); // 2
  const plan = planProtection(rulesets, req, defaultBranch); // 3
  if (plan.action === "none" || req.dryRun) return { plan, rulesetId: plan.action === "create" ? null : plan.ruleset.id, notes };
  const rulesetId = await writeRuleset(octokit, req, plan.action === "create" ? null : plan.ruleset.id, plan.body); // 4
  return { plan, rulesetId, notes };
}

// ---- Command --------------------------------------------------------------------------------

export interface SetupProtectionDeps {
  env: NodeJS.ProcessEnv;
  /** APP_ID and friends from `.env` (where Probot's setup page writes them), when present. */
  dotenv: () => Record<string, string | undefined>;
}

const defaultDeps: SetupProtectionDeps = {
  env: process.env,
  dotenv: () => {
    try {
      return parseEnv(readFileSync(".env", "utf8")) as Record<string, string | undefined>;
    } catch {
      return {};
    }
  },
};

export function registerSetupProtection(program: Command, ctx: CliContext, deps: SetupProtectionDeps = defaultDeps): void {
  program
    .command("setup-protection")
    .description(`Make "${CHECK_NAME}" a required status check (from the Countersign app) with a repository ruleset. Idempotent.`)
    .requiredOption("--repo <owner/name>", "the repository to protect")
    .option("--branch <name>", "the branch to protect (default: the repository's default branch)")
    .option("--app-id <id>", "the Countersign GitHub App's id, so only its check run counts (default: APP_ID, also read from .env)")
    .option(
      "--token <token>",
      "a token with admin rights on the repository (default: GITHUB_TOKEN; prefer the variable, flags land in shell history)",
    )
    .option("--dry-run", "print the ruleset JSON it would write (stdout) and write nothing")
    .addHelpText(
      "after",
      `
Examples:
  $ GITHUB_TOKEN=ghp_… countersign setup-protection --repo acme/pay --app-id 123456
  $ countersign setup-protection --repo acme/pay --branch release --dry-run > ruleset.json

Creates the ruleset "${RULESET_NAME}" (target: branch, enforcement: active) with one rule: required
status check "${CHECK_NAME}", integration_id = the app id. Run again, it changes nothing; when
another active ruleset already has a required-status-checks rule for the branch, "${CHECK_NAME}" is
added there instead of creating a second ruleset. GitHub Enterprise Server: set GHE_HOST (and
GHE_PROTOCOL). Exit status: 0 done (or nothing to do), 2 usage errors or GitHub refused.`,
    )
    .action(async (opts: { repo: string; branch?: string; appId?: string; token?: string; dryRun?: boolean }) => {
      const { owner, repo } = repoOption(opts.repo);
      const branch = opts.branch?.replace(/^refs\/heads\//, "") ?? null;
      if (branch !== null && (branch === "" || /[\s~^:?*[\\]/.test(branch)))
        throw new UsageError(`--branch "${opts.branch}" is not a branch name`);
      const appIdText = opts.appId ?? deps.env.APP_ID ?? deps.dotenv().APP_ID;
      if (appIdText !== undefined && !/^[1-9]\d*$/.test(appIdText.trim()))
        throw new UsageError(`the app id "${appIdText}" is not a number (--app-id or APP_ID)`);
      const appId = appIdText === undefined ? null : Number(appIdText.trim());
      const token = opts.token ?? deps.env.GITHUB_TOKEN ?? deps.env.GH_TOKEN;
      const dryRun = opts.dryRun === true;
      const web = webBase(deps.env);
      const req: ProtectionRequest = { owner, repo, branch, appId, dryRun };

      if (!token && !dryRun) throw new UsageError(`no token: set GITHUB_TOKEN (or pass --token). ${TOKEN_HINT}`);
      if (appId === null) {
        ctx.io.err(
          `warning: no app id (--app-id or APP_ID): any app or status named "${CHECK_NAME}" would satisfy the rule. Pass the ` +
            `Countersign app's id to pin the source.`,
        );
      }
      if (!token) {
        const plan = planProtection([], req, null);
        ctx.io.err(
          `Dry run without a token: the existing rulesets of ${owner}/${repo} were not read. A first run would POST ` +
            `/repos/${owner}/${repo}/rulesets with:`,
        );
        if (plan.action !== "none") ctx.io.out(JSON.stringify(plan.body, null, 2));
        return;
      }

      const octokit = await restClient(token, apiBase(deps.env), (message) => ctx.io.err(`warning: ${message}`));
      const result = await setupProtection(octokit, req);
      for (const note of result.notes) ctx.io.err(`warning: ${note}`);
      const { plan } = result;
      const link = (id: number) => `${web}/${owner}/${repo}/rules/${id}`;
      if (plan.action === "none") {
        ctx.io[dryRun ? "err" : "out"](`No change: ${plan.reason}.\n  ${link(plan.ruleset.id)}`);
        return;
      }
      if (dryRun) {
        const what =
          plan.action === "create"
            ? `POST /repos/${owner}/${repo}/rulesets (create ruleset "${RULESET_NAME}")`
            : `PUT /repos/${owner}/${repo}/rulesets/${plan.ruleset.id} (ruleset "${plan.ruleset.name}")`;
        ctx.io.err(`Dry run: would ${what}:\n${plan.changes.map((c) => `  - ${c}`).join("\n")}`);
        ctx.io.out(JSON.stringify(plan.body, null, 2));
        return;
      }
      const verb = plan.action === "create" ? `Created ruleset "${RULESET_NAME}"` : `Updated ruleset "${plan.ruleset.name}"`;
      ctx.io.out(
        `${verb} (id ${result.rulesetId}) in ${owner}/${repo}:\n${plan.changes.map((c) => `  - ${c}`).join("\n")}\n` +
          `  ${link(result.rulesetId!)}`,
      );
    });
}

/** REST base URL: GitHub Enterprise Server (`GHE_HOST`) serves it under /api/v3. */
export function apiBase(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com";
}

function webBase(env: NodeJS.ProcessEnv): string {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}` : "https://github.com";
}
