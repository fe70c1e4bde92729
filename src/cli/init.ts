/**
 * `countersign init`: a commented `.github/countersign.yml` (whose first line points editors at
 * the JSON Schema) and the disclosure section in the PR template, at the repository's top level.
 * Never clobbers: an existing config is kept unless --force (it only gains the schema line); the
 * template section is appended once (idempotent), keeping the template's line endings.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { DISCLOSURE_TEMPLATE } from "../policy/disclosure-template.js";
import type { CliContext } from "./cli-context.js";
import { formatAdoption, readAdoption } from "./init-adoption.js";
import { LocalRepository } from "./local-git.js";

export const PR_TEMPLATE_PATHS = [
  ".github/pull_request_template.md",
  ".github/PULL_REQUEST_TEMPLATE.md",
  "pull_request_template.md",
  "docs/pull_request_template.md",
];

/** Where the config's `$schema` line points, when `--schema` does not say. */
export const LOCAL_SCHEMA = ".github/countersign.schema.json";
const INSTALLED_SCHEMA = "node_modules/countersign/schema/countersign.schema.json";
const SCHEMA_FILE = new URL("../../schema/countersign.schema.json", import.meta.url);

/**
 * The `$schema` reference that resolves for this installation, relative to `.github/`: the
 * repository's own `node_modules/countersign` when the CLI is installed there (it follows upgrades),
 * else a copy of this version's schema written next to the config (works offline, for every
 * clone, however the CLI was installed).
 */
export function defaultSchemaRef(root: string): { ref: string; copy: boolean } {
  if (existsSync(join(root, INSTALLED_SCHEMA))) return { ref: `../${INSTALLED_SCHEMA}`, copy: false };
  return { ref: "./countersign.schema.json", copy: true };
}

const MODELINE_RE = /^#\s*yaml-language-server:\s*\$schema=/m;

export function schemaModeline(schema: string): string {
  return `# yaml-language-server: $schema=${schema}`;
}

export const CONFIG_EXAMPLE = `# Countersign: merge-time governance for AI-assisted code.
# Every key is optional; these are the defaults unless marked "example".
# Read from the base branch of each pull request. Check it with: countersign validate

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

export interface InitOptions {
  dryRun: boolean;
  force: boolean;
  /** The `$schema` the config's first line points at (default: defaultSchemaRef). */
  schema?: string;
}

export interface InitResult {
  /** The directory written to: the repository's top level, else `cwd`. */
  root: string;
  actions: string[];
  notes: string[];
}

export function runInit(cwd: string, options: InitOptions): InitResult {
  const root = repositoryRoot(cwd);
  const would = (done: string, planned: string) => (options.dryRun ? planned : done);
  const actions: string[] = [];
  const notes: string[] = [];
  const schema = options.schema !== undefined ? { ref: options.schema, copy: false } : defaultSchemaRef(root);
  const modeline = schemaModeline(schema.ref);
  if (schema.copy) {
    const text = readFileSync(SCHEMA_FILE, "utf8");
    const path = join(root, LOCAL_SCHEMA);
    const current = existsSync(path) ? readFileSync(path, "utf8") : null;
    if (current === text) actions.push(`kept ${LOCAL_SCHEMA} (this version's schema, for editors)`);
    else {
      actions.push(
        `${
          current === null ? would("wrote", "would write") : would("updated", "would update")
        } ${LOCAL_SCHEMA} (this version's schema, for editors)`,
      );
      if (!options.dryRun) write(path, text);
    }
  }

  const configPath = join(root, ".github/countersign.yml");
  const configExists = existsSync(configPath);
  if (configExists && !options.force) {
    const current = readFileSync(configPath, "utf8");
    if (MODELINE_RE.test(current)) actions.push("kept .github/countersign.yml (exists; --force overwrites it)");
    else {
      actions.push(`${would("added", "would add")} the $schema line to .github/countersign.yml (kept the rest; --force overwrites it)`);
      if (!options.dryRun) write(configPath, `${modeline}${current.includes("\r\n") ? "\r\n" : "\n"}${current}`);
    }
  } else {
    actions.push(`${configExists ? would("overwrote", "would overwrite") : would("wrote", "would write")} .github/countersign.yml`);
    if (!options.dryRun) write(configPath, `${modeline}\n${CONFIG_EXAMPLE}`);
  }

  const existing = PR_TEMPLATE_PATHS.find((p) => existsSync(join(root, p)));
  const templatePath = join(root, existing ?? PR_TEMPLATE_PATHS[0]!);
  const current = existing ? readFileSync(templatePath, "utf8") : "";
  const reused = disclosureHeading(current);
  if (reused !== null) {
    actions.push(
      `kept ${existing} (it already has an AI assistance disclosure section${
        reused.line > 0 ? `, line ${reused.line}: "${reused.text}"` : ""
      })`,
    );
    if (!/AI assistance disclosure/i.test(current)) {
      notes.push(
        `the check reads the section already in ${existing}: one checked box (None, Assisted, Generated, Agent) or an ` +
          `\`AI-Assisted: none|assisted|generated|agent\` line in the PR description.`,
      );
    }
  } else {
    const eol = current.includes("\r\n") ? "\r\n" : "\n";
    const section = DISCLOSURE_TEMPLATE.trim().replace(/\n/g, eol);
    const next = current.trim().length === 0 ? `${section}${eol}` : `${current.replace(/\s*$/, "")}${eol}${eol}${section}${eol}`;
    actions.push(
      existing
        ? `${would("appended", "would append")} the disclosure section to ${existing} (kept its content)`
        : `${would("wrote", "would write")} ${PR_TEMPLATE_PATHS[0]} with the disclosure section`,
    );
    if (!options.dryRun) write(templatePath, next);
  }

  const templateDir = join(root, ".github/PULL_REQUEST_TEMPLATE");
  if (existsSync(templateDir) && statSync(templateDir).isDirectory()) {
    const missing = readdirSync(templateDir).filter(
      (f) => /\.md$/i.test(f) && !hasDisclosureSection(readFileSync(join(templateDir, f), "utf8")),
    );
    if (missing.length > 0)
      notes.push(
        `.github/PULL_REQUEST_TEMPLATE/ has templates without the disclosure section (${missing.join(", ")}): add it to those you use.`,
      );
  }
  return { root, actions, notes };
}

/** A heading (or answer line) that already asks about AI use: never add a second one. */
export function hasDisclosureSection(text: string): boolean {
  return disclosureHeading(text) !== null;
}

/** The line of the existing AI section (1-based; 0 when only the phrase is found), or null. */
function disclosureHeading(text: string): { line: number; text: string } | null {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex(
    (l) =>
      /AI assistance disclosure/i.test(l) ||
      /^\s{0,3}#{1,6}\s.*\bAI\b.*\b(?:assist|disclos|usage|use)/i.test(l) ||
      /^\s*AI-Assisted\s*:/i.test(l),
  );
  if (i >= 0) return { line: i + 1, text: lines[i]!.trim() };
  return /AI assistance disclosure/i.test(text) ? { line: 0, text: "" } : null;
}

function repositoryRoot(cwd: string): string {
  try {
    return LocalRepository.open(cwd).root;
  } catch {
    return cwd;
  }
}

function githubRepo(root: string): string | null {
  try {
    const r = LocalRepository.open(root).githubRepo();
    return r ? `${r.owner}/${r.name}` : null;
  } catch {
    return null;
  }
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function nextSteps(repo: string | null, defaultBranch: string | null): string {
  const name = repo ?? "owner/name";
  const base = `origin/${defaultBranch ?? "<default-branch>"}`;
  return `Next steps:
  1. Commit .github/ to ${defaultBranch ?? "the default branch"}: the check reads the config, CODEOWNERS and the template
     from each pull request's base branch. \`countersign validate\` lints the config and CODEOWNERS.
  2. Install the Countersign app on ${name}, or register your own: \`npm start\` without APP_ID opens
     Probot's setup page, which writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env.
  3. Make "countersign" a required check (a branch ruleset; needs an admin token):
       GITHUB_TOKEN=<admin token> countersign setup-protection --repo ${name} --app-id <APP_ID>
     then \`countersign doctor --repo ${name}\` checks the installation, config, CODEOWNERS and ruleset.
  4. Before pushing a branch: countersign check --base ${base} --body pr.md`;
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("Write a commented .github/countersign.yml, add the disclosure section to the PR template, report CODEOWNERS coverage.")
    .option("--dry-run", "print what would change, write nothing")
    .option("--force", "overwrite an existing .github/countersign.yml")
    .option(
      "--schema <url>",
      "the JSON Schema the config's first line points editors at (default: node_modules/countersign's, else a copy in .github/)",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ countersign init --dry-run
  $ countersign init
  $ countersign init --force --schema ../schema/countersign.schema.json   # relative to .github/

Writes at the top level of the git repository containing the current directory. Running it again
changes nothing: an existing config is kept (it only gains the $schema line), and the disclosure
section is added to the PR template only when no AI disclosure section is there yet.

Then it reads the default branch (origin/HEAD): how many files CODEOWNERS leaves without an owner,
the largest such directories, and the CODEOWNERS lines or ownership.fallback_team that would cover them.`,
    )
    .action((opts: { dryRun?: boolean; force?: boolean; schema?: string }) => {
      const { root, actions, notes } = runInit(process.cwd(), {
        dryRun: opts.dryRun === true,
        force: opts.force === true,
        ...(opts.schema ? { schema: opts.schema } : {}),
      });
      for (const a of actions) ctx.io.out(a);
      for (const n of notes) ctx.io.out(`note: ${n}`);
      const adoption = readAdoption(root);
      if (adoption) ctx.io.out(`\n${formatAdoption(adoption).join("\n")}`);
      ctx.io.out(`\n${nextSteps(adoption?.repo ?? githubRepo(root), adoption?.defaultBranch ?? null)}`);
    });
}
