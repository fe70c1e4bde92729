/**
 * `countersign init`, `validate`, `owners`, `--help` and `--version`: the scenarios in process
 * (runInit / lintFiles on throwaway git repositories, help through commander), and each verb
 * once as a process (`node bin/countersign.js …`) for exit codes and output streams.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, type CommanderError } from "commander";
import { registerCheck } from "../../src/cli/check.js";
import type { CliContext } from "../../src/cli/cli-context.js";
import { formatAdoption, readAdoption } from "../../src/cli/init-adoption.js";
import { CONFIG_EXAMPLE, hasDisclosureSection, LOCAL_SCHEMA, registerInit, runInit } from "../../src/cli/init.js";
import { lintFiles, registerOwners, registerValidate } from "../../src/cli/lint.js";
import { registerSetupProtection } from "../../src/cli/setup-protection.js";
import { DISCLOSURE_TEMPLATE } from "../../src/policy/disclosure-template.js";
import { buildCli, PROJECT_ROOT, TempRepo, type CliProcess } from "./cli-harness.js";

const repos: TempRepo[] = [];
function newRepo(): TempRepo {
  const repo = new TempRepo();
  repo.git("remote", "add", "origin", "https://github.com/acme/pay.git");
  repos.push(repo);
  return repo;
}
const read = (repo: TempRepo, path: string) => readFileSync(join(repo.dir, path), "utf8");
afterAll(() => repos.forEach((r) => r.remove()));

const MODELINE = "# yaml-language-server: $schema=./countersign.schema.json";
const SCHEMA_TEXT = readFileSync(join(PROJECT_ROOT, "schema/countersign.schema.json"), "utf8");
const INVALID_CONFIG = "review:\n  required_aprovals: 2\nboundaries:\n  - name: auth\n    paths: []\n    action: forbid\n";
const INVALID_CODEOWNERS = "/src/ @acme/platform\n/docs/ not-an-owner\n";

describe("init (in process)", () => {
  test("writes at the repository's top level: the config (modeline first) and the template section; a second run keeps both", () => {
    const repo = newRepo();
    mkdirSync(join(repo.dir, "src/deep"), { recursive: true });
    const first = runInit(join(repo.dir, "src/deep"), { dryRun: false, force: false });
    expect(first.root).toBe(repo.dir);
    expect(first.actions).toEqual([
      "wrote .github/countersign.schema.json (this version's schema, for editors)",
      "wrote .github/countersign.yml",
      "wrote .github/pull_request_template.md with the disclosure section",
    ]);
    expect(read(repo, ".github/countersign.yml")).toBe(`${MODELINE}\n${CONFIG_EXAMPLE}`);
    expect(read(repo, LOCAL_SCHEMA)).toBe(SCHEMA_TEXT);
    expect(read(repo, ".github/pull_request_template.md")).toBe(`${DISCLOSURE_TEMPLATE.trim()}\n`);

    const second = runInit(repo.dir, { dryRun: false, force: false });
    expect(second.actions).toEqual([
      "kept .github/countersign.schema.json (this version's schema, for editors)",
      "kept .github/countersign.yml (exists; --force overwrites it)",
      'kept .github/pull_request_template.md (it already has an AI assistance disclosure section, line 1: "## AI assistance disclosure")',
    ]);
    expect(read(repo, ".github/countersign.yml")).toBe(`${MODELINE}\n${CONFIG_EXAMPLE}`);
    expect(lintFiles(repo.dir, {})).toMatchObject({ ok: true, problems: [] });
  });

  test("appends to an existing template once, keeping its text and CRLF endings; --dry-run writes nothing", () => {
    const repo = newRepo();
    const template = "## What\r\n\r\nDescribe the change.\r\n\r\n## Testing\r\n- [ ] unit tests\r\n";
    repo.write({ ".github/PULL_REQUEST_TEMPLATE.md": template });

    const dry = runInit(repo.dir, { dryRun: true, force: false });
    expect(dry.actions).toContain("would append the disclosure section to .github/PULL_REQUEST_TEMPLATE.md (kept its content)");
    expect(read(repo, ".github/PULL_REQUEST_TEMPLATE.md")).toBe(template);

    runInit(repo.dir, { dryRun: false, force: false });
    const appended = read(repo, ".github/PULL_REQUEST_TEMPLATE.md");
    expect(appended).toBe(`${template.trimEnd()}\r\n\r\n${DISCLOSURE_TEMPLATE.trim().replace(/\n/g, "\r\n")}\r\n`);
    runInit(repo.dir, { dryRun: false, force: false });
    expect(read(repo, ".github/PULL_REQUEST_TEMPLATE.md")).toBe(appended);
  });

  test("an existing config only gains the modeline; --force replaces it; --schema points elsewhere", () => {
    const repo = newRepo();
    const config = "review:\n  required_approvals: 2\n";
    repo.write({ ".github/countersign.yml": config });
    expect(runInit(repo.dir, { dryRun: true, force: false }).actions[1]).toBe(
      "would add the $schema line to .github/countersign.yml (kept the rest; --force " + "overwrites it)",
    );
    expect(read(repo, ".github/countersign.yml")).toBe(config);
    runInit(repo.dir, { dryRun: false, force: false });
    expect(read(repo, ".github/countersign.yml")).toBe(`${MODELINE}\n${config}`);
    runInit(repo.dir, { dryRun: false, force: false });
    expect(read(repo, ".github/countersign.yml")).toBe(`${MODELINE}\n${config}`);

    const forced = runInit(repo.dir, { dryRun: false, force: true, schema: "../schema/countersign.schema.json" });
    expect(forced.actions[0]).toBe("overwrote .github/countersign.yml");
    expect(read(repo, ".github/countersign.yml")).toBe(
      `# yaml-language-server: $schema=../schema/countersign.schema.json\n${CONFIG_EXAMPLE}`,
    );
  });

  test("templates in .github/PULL_REQUEST_TEMPLATE/ without the section are named in a note", () => {
    const repo = newRepo();
    repo.write({ ".github/PULL_REQUEST_TEMPLATE/bug.md": "## Bug\n", ".github/PULL_REQUEST_TEMPLATE/feature.md": DISCLOSURE_TEMPLATE });
    expect(runInit(repo.dir, { dryRun: true, force: false }).notes).toEqual([
      ".github/PULL_REQUEST_TEMPLATE/ has templates without the disclosure section (bug.md): add it to those you use.",
    ]);
  });

  test("$schema: the repository's node_modules/countersign when installed there (no copy), else the copy in .github/", () => {
    const repo = newRepo();
    repo.write({ "node_modules/countersign/schema/countersign.schema.json": SCHEMA_TEXT });
    const result = runInit(repo.dir, { dryRun: false, force: false });
    expect(result.actions[0]).toBe("wrote .github/countersign.yml");
    expect(read(repo, ".github/countersign.yml").split("\n")[0]).toBe(
      "# yaml-language-server: " + "$schema=../node_modules/countersign/schema/countersign.schema.json",
    );
    expect(() => read(repo, LOCAL_SCHEMA)).toThrow();

    const copied = newRepo();
    copied.write({ [LOCAL_SCHEMA]: "{}" });
    expect(runInit(copied.dir, { dryRun: false, force: false }).actions[0]).toBe(
      "updated .github/countersign.schema.json (this version's schema, for editors)",
    );
    expect(read(copied, LOCAL_SCHEMA)).toBe(SCHEMA_TEXT);
  });

  test("an existing AI section in the template is reused (named, with how the check reads it), never a second one", () => {
    const repo = newRepo();
    const template = "## Summary\n\n### AI usage\n- [ ] None\n- [ ] Assisted\n";
    repo.write({ ".github/pull_request_template.md": template });
    const result = runInit(repo.dir, { dryRun: false, force: false });
    expect(result.actions).toContain(
      'kept .github/pull_request_template.md (it already has an AI assistance disclosure section, line 3: "### AI usage")',
    );
    expect(result.notes).toEqual([expect.stringContaining("the check reads the section already in .github/pull_request_template.md")]);
    expect(read(repo, ".github/pull_request_template.md")).toBe(template);
  });

  test.each([
    ["the disclosure template", DISCLOSURE_TEMPLATE, true],
    ["an AI usage heading", "### AI usage\nYes/no", true],
    ["an AI-Assisted: line", "AI-Assisted: none", true],
    ["a testing checklist", "## Testing\n- [ ] ran it", false],
    ["AI in prose", "## Details\nWe said AI once in prose.", false],
  ])("an existing AI section is recognised: %s → %s", (_name, text, expected) => {
    expect(hasDisclosureSection(text)).toBe(expected);
  });
});

describe("init reads the repository (default branch, CODEOWNERS coverage)", () => {
  const PARTIAL = {
    ".github/CODEOWNERS": "/src/api/ @acme/api\n/docs/ @acme/docs\n",
    "src/api/a.ts": "",
    "src/api/b.ts": "",
    "docs/guide.md": "",
    "src/legacy/1.ts": "",
    "src/legacy/2.ts": "",
    "src/legacy/3.ts": "",
    "src/legacy/4.ts": "",
    "src/legacy/5.ts": "",
    "src/legacy/deep/6.ts": "",
    "scripts/build.sh": "",
    "scripts/release.sh": "",
    "README.md": "",
    "package.json": "",
    "src/index.ts": "",
  };
  /** A clone whose origin/HEAD names `trunk` (not main), with `files` committed there. */
  function cloneOnTrunk(files: Record<string, string>): TempRepo {
    const repo = newRepo();
    repo.write(files).commit("initial");
    repo.git("update-ref", "refs/remotes/origin/trunk", "HEAD");
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
    return repo;
  }

  test(
    "partial CODEOWNERS: the default branch from origin/HEAD, unowned counts, " + "the largest unowned directories and the lines to add",
    () => {
      const repo = cloneOnTrunk(PARTIAL);
      const adoption = readAdoption(repo.dir)!;
      expect(adoption).toMatchObject({
        repo: "acme/pay",
        defaultBranch: "trunk",
        ref: "origin/trunk",
        codeownersPath: ".github/CODEOWNERS",
        fallbackTeam: null,
      });
      expect(adoption.coverage).toEqual({
        total: 15,
        owned: 3,
        unowned: 12,
        largestUnowned: [
          { path: "src/legacy/", files: 6 },
          { path: "/", files: 2 },
          { path: "scripts/", files: 2 },
          { path: ".github/", files: 1 },
        ],
      });
      expect(formatAdoption(adoption)).toEqual([
        "acme/pay: default branch: trunk (origin/HEAD), read at origin/trunk",
        "CODEOWNERS: .github/CODEOWNERS gives an owner to 3 of 15 files; 12 have none.",
        "  Pull requests that touch them fail the ownership gate. Largest unowned directories:",
        "    src/legacy/  6 files",
        "    /            2 top-level files",
        "    scripts/     2 files",
        "    .github/     1 file",
        "    (1 more unowned file elsewhere: `countersign owners <path>` shows any file's owners)",
        "  Append to .github/CODEOWNERS (the last matching line wins; replace @acme/<team> with the owning team):",
        "    /src/legacy/ @acme/<team>",
        "    /* @acme/<team>",
        "    /scripts/ @acme/<team>",
        "    /.github/ @acme/<team>",
        "  or give every unowned file one team in .github/countersign.yml:",
        "    ownership:",
        '      fallback_team: "@acme/<team>"',
      ]);
      // The suggested lines, appended, give every listed file an owner.
      const fixed = cloneOnTrunk({
        ...PARTIAL,
        ".github/CODEOWNERS": `${PARTIAL[".github/CODEOWNERS"]}/src/legacy/ @acme/x\n/* @acme/x\n/scripts/ @acme/x\n/.github/ @acme/x\n`,
      });
      expect(readAdoption(fixed.dir)!.coverage).toMatchObject({ unowned: 1, largestUnowned: [] });
    },
  );

  test("no CODEOWNERS: says so and what to add; a fallback team in the committed config is enough", () => {
    const bare = cloneOnTrunk({ "src/a.ts": "", "README.md": "" });
    const lines = formatAdoption(readAdoption(bare.dir)!);
    expect(lines[1]).toBe("CODEOWNERS: none on origin/trunk (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): all 2 files are unowned.");
    expect(lines).toContain("    * @acme/<team>");
    const withFallback = cloneOnTrunk({ "src/a.ts": "", ".github/countersign.yml": 'ownership:\n  fallback_team: "@acme/core"\n' });
    expect(formatAdoption(readAdoption(withFallback.dir)!).slice(2)).toEqual([
      "  ownership.fallback_team (@acme/core) owns them, so the ownership gate passes; add CODEOWNERS to route reviews.",
    ]);
  });

  test("without origin/HEAD it reads HEAD and says the default branch is unknown (never assumes main)", () => {
    const repo = newRepo();
    repo.write({ CODEOWNERS: "* @acme/core\n", "a.ts": "" }).commit("initial");
    const adoption = readAdoption(repo.dir)!;
    expect(adoption).toMatchObject({ defaultBranch: null, ref: "HEAD", codeownersPath: "CODEOWNERS" });
    expect(formatAdoption(adoption)).toEqual([
      "acme/pay: default branch: unknown (the clone does not record origin/HEAD; `git remote set-head origin --auto` fixes that), read " +
        "at HEAD",
      "CODEOWNERS: CODEOWNERS gives an owner to all 2 files.",
    ]);
  });
});

describe("validate (in process)", () => {
  test("warns (exit status unchanged) when there is no CODEOWNERS and no ownership.fallback_team", () => {
    const repo = newRepo();
    expect(lintFiles(repo.dir, {})).toMatchObject({
      ok: true,
      warnings: [expect.stringMatching(/^no CODEOWNERS file .* every pull request would fail the ownership gate/)],
    });
    repo.write({ ".github/countersign.yml": 'ownership:\n  fallback_team: "@acme/core"\n' });
    expect(lintFiles(repo.dir, {}).warnings).toEqual([]);
    repo.write({ ".github/countersign.yml": "", CODEOWNERS: "* @acme/core\n" });
    expect(lintFiles(repo.dir, {}).warnings).toEqual([]);
  });

  test("every problem has file, line and key path (the pattern, for CODEOWNERS)", () => {
    const repo = newRepo();
    repo.write({ ".github/countersign.yml": INVALID_CONFIG, ".github/CODEOWNERS": INVALID_CODEOWNERS });
    const result = lintFiles(join(repo.dir), {});
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.file, p.line, p.path])).toEqual([
      [".github/countersign.yml", 2, "review.required_aprovals"],
      [".github/countersign.yml", 5, "boundaries.0.paths"],
      [".github/countersign.yml", 6, "boundaries.0.action"],
      [".github/CODEOWNERS", 2, "/docs/"],
    ]);
    expect(result.problems[0]!.message).toBe('unknown key "required_aprovals" (did you mean "required_approvals"?)');
  });

  test("explicit files are read relative to the current directory, and must exist", () => {
    const repo = newRepo();
    repo.write({ "staging/countersign.yml": "audit:\n  on_bypass: email\n", "staging/CODEOWNERS": "* @acme/core\n" });
    const result = lintFiles(repo.dir, { config: "staging/countersign.yml", codeowners: "staging/CODEOWNERS" });
    expect(result.problems).toEqual([{ file: "staging/countersign.yml", line: 2, path: "audit.on_bypass", message: expect.any(String) }]);
    expect(() => lintFiles(repo.dir, { config: "nope.yml" })).toThrow("--config: cannot read nope.yml");
    expect(() => lintFiles(repo.dir, { codeowners: "nope" })).toThrow("--codeowners: cannot read nope");
  });
});

describe("help (in process)", () => {
  test("each verb of this module family has --help with examples", async () => {
    for (const verb of ["check", "init", "setup-protection", "validate", "owners"]) {
      let text = "";
      const program = new Command("countersign")
        .exitOverride()
        .configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
      const ctx = {
        io: { out: () => undefined, err: () => undefined },
        fail: () => undefined,
        withStore: () => Promise.reject(new Error("unused")),
      } as CliContext;
      registerCheck(program, ctx);
      registerInit(program, ctx);
      registerSetupProtection(program, ctx);
      registerValidate(program, ctx);
      registerOwners(program, ctx);
      await expect(program.parseAsync(["node", "countersign", verb, "--help"])).rejects.toMatchObject({
        exitCode: 0,
      } satisfies Partial<CommanderError>);
      expect(text).toContain(`Usage: countersign ${verb}`);
      expect(text.split("Examples:")[1] ?? "").toMatch(new RegExp(`^\\s+\\$ countersign ${verb}`, "m"));
    }
  });
});

describe("as a process", () => {
  let cli: CliProcess;
  beforeAll(() => {
    cli = buildCli();
  });
  afterAll(() => cli.remove());

  test("init prints what it wrote and the next steps with this repository's name", async () => {
    const repo = newRepo();
    const r = await cli.run(["init"], { cwd: repo.dir });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain(
      "wrote .github/countersign.yml\nwrote .github/pull_request_template.md with the disclosure section\n\nNext steps:",
    );
    expect(r.stdout).toMatch(/Install the Countersign app on acme\/pay/);
    expect(r.stdout).toContain("GITHUB_TOKEN=<admin token> countersign setup-protection --repo acme/pay --app-id <APP_ID>");
    expect(r.stdout).toContain("countersign check --base origin/<default-branch> --body pr.md");
    expect(read(repo, ".github/countersign.yml").split("\n")[0]).toBe(MODELINE);
  });

  test(
    "init on a clone with partial CODEOWNERS prints the coverage, " + "the lines to add and the default branch in the next steps",
    async () => {
      const repo = newRepo();
      repo.write({ CODEOWNERS: "/api/ @acme/api\n", "api/a.ts": "", "web/b.ts": "", "web/c.ts": "" }).commit("initial");
      repo.git("update-ref", "refs/remotes/origin/develop", "HEAD");
      repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop");
      const r = await cli.run(["init"], { cwd: repo.dir });
      expect(r).toMatchObject({ code: 0, stderr: "" });
      expect(r.stdout).toContain(
        "acme/pay: default branch: develop (origin/HEAD), read at origin/develop\nCODEOWNERS: CODEOWNERS gives an " +
          "owner to 1 of 4 files; 3 have none.",
      );
      expect(r.stdout).toContain("    /web/ @acme/<team>\n    /* @acme/<team>\n");
      expect(r.stdout).toContain("countersign check --base origin/develop --body pr.md");
    },
  );

  test("validate: exit 1 with FILE:LINE: KEY: MESSAGE lines, or JSON; exit 0 when clean; exit 2 for a missing explicit file", async () => {
    const bad = newRepo();
    bad.write({ ".github/countersign.yml": INVALID_CONFIG, ".github/CODEOWNERS": INVALID_CODEOWNERS });
    const good = newRepo();
    good.write({ CODEOWNERS: "* @acme/core\n/docs/ @acme/docs\n" });
    const [text, json, clean, missing, owners] = await Promise.all([
      cli.run(["validate"], { cwd: bad.dir }),
      cli.run(["validate", "--format", "json"], { cwd: bad.dir }),
      cli.run(["validate"], { cwd: good.dir }),
      cli.run(["validate", "--config", "nope.yml"], { cwd: good.dir }),
      cli.run(["owners", "docs/a.md", "./src/b.ts"], { cwd: good.dir }),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout.trim().split("\n")).toEqual([
      '.github/countersign.yml:2: review.required_aprovals: unknown key "required_aprovals" (did you mean "required_approvals"?)',
      expect.stringMatching(/^\.github\/countersign\.yml:5: boundaries\.0\.paths: /),
      expect.stringMatching(/^\.github\/countersign\.yml:6: boundaries\.0\.action: /),
      expect.stringMatching(/^\.github\/CODEOWNERS:2: \/docs\/: /),
    ]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; problems: unknown[] };
    expect(parsed.ok).toBe(false);
    for (const p of parsed.problems)
      expect(p).toEqual({
        file: expect.any(String),
        line: expect.any(Number),
        path: expect.stringMatching(/.+/),
        message: expect.stringMatching(/.+/),
      });
    expect(clean).toMatchObject({ code: 0, stdout: "ok: .github/countersign.yml absent (defaults apply), CODEOWNERS\n", stderr: "" });
    expect(missing).toMatchObject({ code: 2, stdout: "", stderr: "countersign: --config: cannot read nope.yml\n" });
    expect(owners).toMatchObject({ code: 0, stdout: "docs/a.md\t@acme/docs\tCODEOWNERS:2\nsrc/b.ts\t@acme/core\tCODEOWNERS:1\n" });
  });

  test("--version, --help and unknown verbs", async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    const [version, help, unknown] = await Promise.all([cli.run(["--version"]), cli.run(["--help"]), cli.run(["chekc"])]);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(help.code).toBe(0);
    for (const verb of ["check", "init", "setup-protection", "validate", "owners", "audit"])
      expect(help.stdout).toMatch(new RegExp(`^  ${verb}\\b`, "m"));
    expect(help.stdout).toContain("Examples:");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'chekc'/);
  });
});
