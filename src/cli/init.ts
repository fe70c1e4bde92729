/**
 * `countersign init`: a commented `.github/countersign.yml` and the disclosure section in the PR
 * template. Never clobbers: an existing config is kept unless --force; the template section is
 * appended once (idempotent).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { DISCLOSURE_TEMPLATE } from "../policy/disclosure-template.js";
import type { CliContext } from "./cli-context.js";

export const PR_TEMPLATE_PATHS = [".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE.md", "pull_request_template.md", "docs/pull_request_template.md"];

export const CONFIG_EXAMPLE = `# Countersign: merge-time governance for AI-assisted code.
# Every key is optional; these are the defaults unless marked "example".
# Read from the base branch of each pull request. Check it with: npx countersign validate

disclosure:
  accept_trailers: true          # Assisted-by:/Generated-by:/Co-authored-by-AI: count as a disclosure
  ai_identities: []              # extra evidence, e.g. [{ tool: internal-llm, emails: [bot@example.com], logins: [] }]
  agents: []                     # extra coding-agent bot logins

review:
  applies_to: [assisted, generated, agent]   # add none to require an understanding note on every PR
  required_approvals: 1
  require_fresh_review: true     # approvals of an older head commit don't count
  checklist:
    - I can explain what this change does and why
    - I checked its failure modes and how to roll it back
  min_note_length: 40            # characters in the reviewer's "Verified:" statement

ownership:
  require_team: false            # user/email owners alone don't satisfy
  fallback_team: null            # e.g. "@your-org/platform"; otherwise files CODEOWNERS leaves unowned are unmet
  label: true                    # label PRs owner:<team>
  request_review: true           # request the owning team's review

boundaries: []                   # example:
#  - name: auth
#    paths: ["src/auth/**", "**/crypto/**"]
#    action: block                # or require_approval
#    approvers: ["@your-org/security"]
#    message: "Auth code is off-limits to AI-assisted changes."

agents:
  scope: ["**"]                  # globs an agent-authored PR may touch
  approvers: []                  # who may grant an agent-scope exception

incident:
  label: incident
  forbidden: []                  # added to the built-in lockfile/manifest/migration globs

audit:
  on_bypass: none                # comment | issue | none
`;

export interface InitResult {
  actions: string[];
}

export function runInit(cwd: string, options: { dryRun: boolean; force: boolean }): InitResult {
  const actions: string[] = [];
  const configPath = join(cwd, ".github/countersign.yml");
  if (existsSync(configPath) && !options.force) actions.push("kept .github/countersign.yml (exists; --force overwrites it)");
  else {
    actions.push(`${existsSync(configPath) ? "overwrote" : "wrote"} .github/countersign.yml`);
    if (!options.dryRun) write(configPath, CONFIG_EXAMPLE);
  }

  const existing = PR_TEMPLATE_PATHS.find((p) => existsSync(join(cwd, p)));
  const templatePath = join(cwd, existing ?? PR_TEMPLATE_PATHS[0]!);
  const current = existing ? readFileSync(templatePath, "utf8") : "";
  if (/AI assistance disclosure/i.test(current)) actions.push(`kept ${existing} (already has the AI assistance disclosure section)`);
  else {
    const next = current.length === 0 ? `${DISCLOSURE_TEMPLATE.trim()}\n` : `${current.replace(/\s*$/, "")}\n\n${DISCLOSURE_TEMPLATE.trim()}\n`;
    actions.push(existing ? `appended the disclosure section to ${existing}` : `wrote ${PR_TEMPLATE_PATHS[0]} with the disclosure section`);
    if (!options.dryRun) write(templatePath, next);
  }
  return { actions };
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export const NEXT_STEPS = `Next steps:
  1. Commit .github/countersign.yml and the PR template to your default branch.
  2. Register the app (npm start without APP_ID opens Probot's setup page) or install an existing Countersign app on the repository.
  3. Make "countersign" a required status check in a branch ruleset (Settings → Rules → Rulesets).`;

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("Write a commented .github/countersign.yml and add the disclosure section to the PR template.")
    .option("--dry-run", "print what would change, write nothing")
    .option("--force", "overwrite an existing .github/countersign.yml")
    .action((opts: { dryRun?: boolean; force?: boolean }) => {
      const { actions } = runInit(process.cwd(), { dryRun: opts.dryRun === true, force: opts.force === true });
      for (const a of actions) ctx.io.out(`${opts.dryRun ? "(dry run) " : ""}${a}`);
      ctx.io.out(`\n${NEXT_STEPS}`);
    });

}
