/**
 * `countersign check` against throwaway git repositories: in-process through runCheck() for the
 * policy scenarios, and as a process (`node bin/countersign.js check …`) for exit codes, stdin,
 * formats, colours and user errors.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../src/cli/cli-context.js";
import {
  assumedNote,
  colorEnabled,
  formatCheckTable,
  judgeLocally,
  runCheck,
  terminalStyle,
  type CheckReport,
} from "../../src/cli/check.js";
import { loginFromEmail, parseRemoteUrl } from "../../src/cli/local-git.js";
import { DEFAULT_CONFIG, loadConfig } from "../../src/policy/config.js";
import { parseUnderstandingNote } from "../../src/policy/review-note.js";
import { DISCLOSURE, snapshot } from "../support/snapshot.js";
import { buildCli, TempRepo, type CliProcess } from "./cli-harness.js";

const CONFIG = `# base-branch config
boundaries:
  - name: auth
    paths: ["src/auth/**"]
    action: block
    approvers: ["@acme/security"]
  - name: billing
    paths: ["src/billing/**"]
    action: require_approval
    approvers: ["@acme/payments"]
`;
const CODEOWNERS = "/src/ @acme/platform\n/.github/ @acme/platform\n";
const ASSISTED = DISCLOSURE("Assisted", "Claude Code");
const CLAUDE = "Co-authored-by: Claude <noreply@anthropic.com>";

/** main: config, CODEOWNERS and a few files; then a `feature` branch checked out. */
function baseRepo(config = CONFIG): TempRepo {
  const repo = new TempRepo();
  repo
    .write({
      ".github/countersign.yml": config,
      ".github/CODEOWNERS": CODEOWNERS,
      "src/app.ts": "export const app = 1;\n",
      "src/auth/login.ts": "export function login() {\n  return 'a fairly long body so git sees a rename, not a delete and an add';\n}\n",
      "src/billing/charge.ts": "export const charge = 1;\n",
      "docs/guide.md": "# Guide\n",
    })
    .commit("Initial commit");
  repo.git("remote", "add", "origin", "git@github.com:acme/pay.git");
  repo.git("checkout", "-q", "-b", "feature");
  return repo;
}

const repos: TempRepo[] = [];
function track(repo: TempRepo): TempRepo {
  repos.push(repo);
  return repo;
}
afterAll(() => repos.forEach((r) => r.remove()));

const gate = (report: CheckReport, id: string) => report.gates.find((g) => g.id === id)!;

describe("runCheck (in process, real git)", () => {
  test("an assisted change inside CODEOWNERS is ready; the understanding review waits for reviewers", async () => {
    const repo = track(baseRepo());
    repo.write({ "src/app.ts": "export const app = 2;\n" }).commit(`Retry the upload\n\n${CLAUDE}`);
    const report = await runCheck(repo.dir, { base: "main", head: "HEAD", body: ASSISTED, author: "dev", labels: [] });

    expect(report.ready).toBe(true);
    expect(report.conclusion).toBe("failure"); // what GitHub shows until the review is in
    expect(report.title).toBe("Blocked: 1 of 5 gates unmet");
    expect(report.gates.map((g) => [g.id, g.localStatus])).toEqual([
      ["disclosure", "passed"],
      ["review", "needs_review"],
      ["ownership", "passed"],
      ["boundaries", "not_applicable"],
      ["incident", "not_applicable"],
    ]);
    expect(report.disclosure).toEqual({ level: "assisted", tools: ["claude"] });
    expect(report.owningTeam).toBe("@acme/platform");
    expect(report).toMatchObject({ files: 1, commits: 1, author: "dev", codeowners: ".github/CODEOWNERS", head: { ref: "feature" } });

    const table = formatCheckTable(report, terminalStyle(false));
    expect(table).toContain("countersign check: feature");
    expect(table).toMatch(/2\. Understanding review\s+… needs review/);
    expect(table).toContain("Understanding review: needs review after you push");
    expect(table).toContain("- [x] I can explain what this change does and why");
    expect(table).toContain(
      '✔ Ready to push. After the push the check reads "Blocked: 1 of 5 gates unmet" until reviewers approve (Understanding review).',
    );
    expect(table).not.toContain("\x1b[");
  });

  test("config and CODEOWNERS come from the base ref, never the branch being checked", async () => {
    const repo = track(baseRepo());
    repo
      .write({
        "docs/guide.md": "# Guide, edited\n",
        // The branch tries to loosen its own rules: neither edit may count.
        ".github/countersign.yml": `${CONFIG}ownership:\n  fallback_team: "@acme/docs"\n`,
        ".github/CODEOWNERS": `${CODEOWNERS}/docs/ @acme/docs\n`,
      })
      .commit("Edit the guide and loosen the rules");
    const report = await runCheck(repo.dir, { base: "main", head: "HEAD", body: DISCLOSURE("None"), author: "dev", labels: [] });

    expect(report.ready).toBe(false);
    expect(gate(report, "ownership")).toMatchObject({ localStatus: "unmet", summary: "1 file with no owner" });
    expect(gate(report, "ownership").reasons[0]).toContain("`docs/guide.md`");
    expect(gate(report, "review").localStatus).toBe("not_applicable");
    expect(report.config.source).toMatch(/^\.github\/countersign\.yml at main \([0-9a-f]{7}\)$/);
    const table = formatCheckTable(report, terminalStyle(false));
    expect(table).toContain("✘ Ownership");
    expect(table).toContain("To fix:");
    expect(table).toContain('✘ Fix before pushing: Ownership. The check would read "Blocked: 1 of 5 gates unmet".');
  });

  test("a rename out of a blocked boundary still touches it (rename detection) and fails locally", async () => {
    const repo = track(baseRepo());
    repo.git("mv", "src/auth/login.ts", "src/session-login.ts");
    repo.commit(`Move login\n\n${CLAUDE}`);
    const report = await runCheck(repo.dir, { base: "main", head: "feature", body: ASSISTED, author: "dev", labels: [] });

    expect(report.files).toBe(1);
    expect(gate(report, "boundaries").localStatus).toBe("unmet"); // exceptions are never assumed
    expect(gate(report, "boundaries").reasons.join(" ")).toContain("src/session-login.ts");
    expect(report.ready).toBe(false);
  });

  test("a require_approval boundary only waits for its approvers", async () => {
    const repo = track(baseRepo());
    repo.write({ "src/billing/charge.ts": "export const charge = 2;\n" }).commit(`Charge twice\n\n${CLAUDE}`);
    const report = await runCheck(repo.dir, { base: "main", head: "HEAD", body: ASSISTED, author: "dev", labels: [] });

    expect(gate(report, "boundaries")).toMatchObject({ status: "unmet", localStatus: "needs_review" });
    expect(report.ready).toBe(true);
  });

  test("an incident patch must declare scope and rollback; the independent approval then only waits for review", async () => {
    const repo = track(baseRepo());
    repo.write({ "src/app.ts": "export const app = 3;\n" }).commit("Hotfix");
    const undeclared = await runCheck(repo.dir, {
      base: "main",
      head: "HEAD",
      body: DISCLOSURE("None"),
      author: "dev",
      labels: ["incident"],
    });
    expect(gate(undeclared, "incident").localStatus).toBe("unmet");
    expect(undeclared.ready).toBe(false);

    const body = `${DISCLOSURE("None")}\nScope: src/app.ts\nRollback: revert this PR; nothing else depends on it\n`;
    const declared = await runCheck(repo.dir, { base: "main", head: "HEAD", body, author: "dev", labels: ["incident"] });
    expect(gate(declared, "incident").localStatus).toBe("needs_review");
    expect(declared.ready).toBe(true);
  });

  test("agent commits (a bot's GitHub no-reply email) need a sponsor, which no review can supply", async () => {
    const repo = track(baseRepo());
    repo
      .write({ "src/app.ts": "export const app = 4;\n" })
      .commit("Agent change", { name: "claude[bot]", email: "209825114+claude[bot]@users.noreply.github.com" });
    const orphan = await runCheck(repo.dir, {
      base: "main",
      head: "HEAD",
      body: DISCLOSURE("Agent", "Claude Code"),
      author: "dev",
      labels: [],
    });
    expect(orphan.disclosure?.level).toBe("agent");
    expect(gate(orphan, "review").localStatus).toBe("unmet");

    const sponsored = await runCheck(repo.dir, {
      base: "main",
      head: "HEAD",
      body: `${DISCLOSURE("Agent", "Claude Code")}\nSponsor: @alice\n`,
      author: "dev",
      labels: [],
    });
    expect(gate(sponsored, "review").localStatus).toBe("needs_review");
    expect(sponsored.ready).toBe(true);
  });

  test("an invalid base config is reported with file, line and key path, and nothing is evaluated", async () => {
    const repo = track(baseRepo("review:\n  required_approvals: 99\n"));
    repo.write({ "src/app.ts": "x\n" }).commit("Change");
    const report = await runCheck(repo.dir, { base: "main", head: "HEAD", body: ASSISTED, author: "dev", labels: [] });
    expect(report).toMatchObject({ ready: false, conclusion: "failure", title: "countersign could not evaluate", gates: [] });
    expect(report.config.errors).toEqual([expect.objectContaining({ path: "review.required_approvals", line: 2 })]);
    expect(formatCheckTable(report, terminalStyle(false))).toMatch(/\.github\/countersign\.yml:2: review\.required_approvals: /);
  });

  test("no config on the base means the defaults, said in a note", async () => {
    const repo = track(new TempRepo());
    repo.write({ CODEOWNERS: "* @acme/core\n", "a.txt": "a\n" }).commit("Init");
    repo.git("checkout", "-q", "-b", "topic");
    repo.write({ "a.txt": "b\n" }).commit("Change a\n\nAI-Assisted: no");
    const report = await runCheck(repo.dir, { base: "main", head: "HEAD", body: null, author: "dev", labels: [] });
    expect(report.config.source).toBe("defaults (no .github/countersign.yml on the base)");
    expect(report.codeowners).toBe("CODEOWNERS");
    expect(report.notes.join("\n")).toMatch(/No --body/);
    expect(report.notes.join("\n")).toMatch(/the defaults apply/);
  });
});

test("bad refs and logins are usage errors that say what to do", async () => {
  const repo = track(baseRepo());
  repo.write({ "src/app.ts": "y\n" }).commit("Change");
  const options = { base: "main", head: "HEAD", body: null, author: "dev", labels: [] };
  await expect(runCheck(repo.dir, { ...options, head: "nope" })).rejects.toThrow(
    new UsageError(`--head: unknown ref "nope": no branch, tag or commit of that name in ${repo.dir}`),
  );
  await expect(runCheck(repo.dir, { ...options, base: "--output=x" })).rejects.toThrow(UsageError);
  await expect(runCheck(repo.dir, { ...options, author: "not a login" })).rejects.toThrow(
    new UsageError('--author "not a login" is not a GitHub login'),
  );
  repo.git("update-ref", "refs/remotes/origin/main", "main");
  repo.git("branch", "-q", "-m", "main", "trunk");
  await expect(runCheck(repo.dir, { ...options, base: "main" })).rejects.toThrow(/unknown ref "main".*\(did you mean origin\/main\?\)/);
  await expect(runCheck(repo.dir, { ...options, base: "origin/release" })).rejects.toThrow(/run `git fetch origin` first\?/);
});

describe("judgeLocally and the assumed approvals (pure)", () => {
  test("the assumed note satisfies any checklist and note length the schema allows", () => {
    for (const min of [0, 40, 500, 2000]) {
      const review = { ...DEFAULT_CONFIG.review, min_note_length: min, checklist: ["I ran it", "I read every line of the diff"] };
      expect(parseUnderstandingNote(assumedNote(review), review).ok).toBe(true);
    }
  });

  test("a user approver who is the author cannot be assumed to approve", () => {
    const loaded = loadConfig(
      'boundaries:\n  - name: billing\n    paths: ["src/**"]\n    action: require_approval\n    approvers: ["@dev"]\n',
    );
    if (!loaded.ok) throw new Error("fixture config invalid");
    const { gates, ready } = judgeLocally(snapshot({ author: { login: "dev", type: "User" } }), loaded.config);
    expect(gates.find((g) => g.id === "boundaries")?.localStatus).toBe("unmet");
    expect(ready).toBe(false);
  });

  test("two approvals from a team are assumed when min_approvals asks for them", () => {
    const loaded = loadConfig(
      'boundaries:\n  - name: billing\n    paths: ["src/**"]\n    action: require_approval\n    approvers: ' +
        '["@acme/payments"]\n    min_approvals: 2\n',
    );
    if (!loaded.ok) throw new Error("fixture config invalid");
    const { gates, ready } = judgeLocally(snapshot(), loaded.config);
    expect(gates.find((g) => g.id === "boundaries")).toMatchObject({ status: "unmet", localStatus: "needs_review" });
    expect(ready).toBe(true);
  });
});

describe("terminal and git helpers", () => {
  test("colours: only on a TTY, never with NO_COLOR, forced by FORCE_COLOR", () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });

  test.each([
    ["209825114+claude[bot]@users.noreply.github.com", "claude[bot]"],
    ["198982749+Copilot@users.noreply.github.com", "Copilot"],
    ["octocat@users.noreply.github.com", "octocat"],
    ["noreply@anthropic.com", null],
    ["dev@acme.example", null],
  ])("login from %s", (email, login) => {
    expect(loginFromEmail(email)).toBe(login);
  });

  test.each([
    ["git@github.com:acme/pay.git", { owner: "acme", name: "pay" }],
    ["https://github.com/acme/pay", { owner: "acme", name: "pay" }],
    ["https://x-access-token:abc@ghe.acme.example/acme/pay.git", { owner: "acme", name: "pay" }],
    ["ssh://git@github.com:22/acme/pay.git", { owner: "acme", name: "pay" }],
    ["/srv/git/pay.git", null],
  ])("repository from remote %s", (url, repo) => {
    expect(parseRemoteUrl(url)).toEqual(repo);
  });
});

describe("countersign check (process)", () => {
  let cli: CliProcess;
  let repo: TempRepo;
  beforeAll(() => {
    cli = buildCli();
    repo = track(baseRepo());
    repo.write({ "src/app.ts": "export const app = 5;\n" }).commit(`Retry the upload\n\n${CLAUDE}`);
    writeFileSync(join(repo.dir, "pr.md"), ASSISTED);
  });
  afterAll(() => cli.remove());

  test("exit 0 when only review is missing; --body FILE; plain text without a TTY", async () => {
    const r = await cli.run(["check", "--base", "main", "--body", "pr.md", "--author", "dev"], { cwd: repo.dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\. AI disclosure\s+✔ passed\s+Disclosed: assisted \(claude\)/);
    expect(r.stdout).toContain("✔ Ready to push.");
    expect(r.stdout).not.toContain("\x1b[");
  });

  test("exit 1 without a disclosure; --body - reads stdin; --format json is the verdict", async () => {
    const r = await cli.run(["check", "--base", "main", "--body", "-", "--format", "json", "--label", "x", "--label", "y"], {
      cwd: repo.dir,
      input: "Just a description.",
    });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as CheckReport;
    expect(json).toMatchObject({
      ready: false,
      conclusion: "failure",
      title: "Blocked: 2 of 5 gates unmet",
      base: { ref: "main" },
      head: { ref: "feature" },
    });
    expect(json.gates.map((g) => g.localStatus)).toEqual(["unmet", "needs_review", "passed", "not_applicable", "not_applicable"]);
    expect(json.gates[0]).toEqual(
      expect.objectContaining({
        id: "disclosure",
        status: "unmet",
        reasons: expect.any(Array),
        fix: expect.stringContaining("## AI assistance disclosure"),
      }),
    );
  });

  test("colours with FORCE_COLOR, never with NO_COLOR", async () => {
    const [forced, both] = await Promise.all([
      cli.run(["check", "--base", "main", "--body", "pr.md"], { cwd: repo.dir, env: { NO_COLOR: undefined, FORCE_COLOR: "1" } }),
      cli.run(["check", "--base", "main", "--body", "pr.md"], { cwd: repo.dir, env: { NO_COLOR: "1", FORCE_COLOR: "1" } }),
    ]);
    expect(forced.stdout).toContain("\x1b[32m");
    expect(both.stdout).not.toContain("\x1b[");
  });

  test("usage errors exit 2 with one line on stderr and no stack trace", async () => {
    const cases: [string[], "repo" | "outside", RegExp][] = [
      [["check", "--base", "main"], "outside", /^countersign: not inside a git repository/],
      [["check", "--base", "no-such-branch"], "repo", /^countersign: --base: unknown ref "no-such-branch"/],
      [["check"], "repo", /required option '--base <ref>' not specified/],
      [["check", "--base", "main", "--body", "missing.md"], "repo", /^countersign: --body: cannot read missing\.md/],
    ];
    const results = await Promise.all(cases.map(([args, where]) => cli.run(args, where === "repo" ? { cwd: repo.dir } : {})));
    results.forEach((r, i) => {
      const [args, , message] = cases[i]!;
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  });
});
