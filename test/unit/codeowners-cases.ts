/**
 * Conformance data for `src/policy/codeowners.ts`, shared by the unit tests and
 * `bench/codeowners.mjs`.
 *
 * - `CONFORMANCE_CASES`: one pattern against one path. The rows live in
 *   `test/fixtures/codeowners/conformance-cases.json` (the single source of truth, so the plain-JS
 *   bench can read them too). A row's pattern is the token exactly as written in a CODEOWNERS
 *   file; `matches` says whether the line `<pattern> @owner` owns the path on GitHub (a line GitHub
 *   rejects owns nothing); `source` names the GitHub doc section, the gitignore rule or the
 *   observed behaviour (with the issue that reported it) the row checks.
 * - `WHOLE_FILE_CASES`: a fixture file in `test/fixtures/codeowners/`, the owners and line GitHub
 *   gives some paths, and the lines it skips.
 */
import cases from "../fixtures/codeowners/conformance-cases.json" with { type: "json" };

export interface ConformanceCase {
  pattern: string;
  path: string;
  matches: boolean;
  source: string;
}

export const CONFORMANCE_CASES: readonly ConformanceCase[] = cases;

export interface WholeFileCase {
  /** File name under `test/fixtures/codeowners/`. */
  file: string;
  source: string;
  /** Owners and rule line GitHub gives each path (line null: no rule matches). */
  expect: { path: string; owners: string[]; line: number | null }[];
  /** Lines GitHub skips as invalid. */
  errorLines: number[];
  /** Number of valid rules. */
  ruleCount: number;
}

export const WHOLE_FILE_CASES: readonly WholeFileCase[] = [
  {
    file: "github-docs-example.CODEOWNERS",
    source: "docs: the example CODEOWNERS file in About code owners",
    errorLines: [],
    ruleCount: 12,
    expect: [
      { path: "README.md", owners: ["@global-owner1", "@global-owner2"], line: 8 },
      { path: "src/app.js", owners: ["@js-owner"], line: 14 },
      { path: "main.go", owners: ["docs@example.com"], line: 19 },
      { path: "notes/todo.txt", owners: ["@octo-org/octocats"], line: 25 },
      // `/build/logs/` (line 30) is overridden by the later `**/logs` (line 53): last match wins.
      { path: "build/logs/today.log", owners: ["@octocat"], line: 53 },
      { path: "build/logs/app.js", owners: ["@octocat"], line: 53 },
      { path: "build/out.js", owners: ["@js-owner"], line: 14 },
      { path: "docs/getting-started.md", owners: ["@doctocat"], line: 44 },
      { path: "docs/build-app/troubleshooting.md", owners: ["@doctocat"], line: 44 },
      { path: "src/docs/getting-started.md", owners: ["@global-owner1", "@global-owner2"], line: 8 },
      { path: "packages/apps/notes.txt", owners: ["@octocat"], line: 39 },
      { path: "scripts/deploy.sh", owners: ["@doctocat", "@octocat"], line: 48 },
      { path: "scripts/logs/run.log", owners: ["@octocat"], line: 53 },
      { path: "deeply/nested/logs/x.log", owners: ["@octocat"], line: 53 },
      { path: "apps/web/index.html", owners: ["@octocat"], line: 60 },
      { path: "apps/github/x.rb", owners: [], line: 61 },
      { path: "apps/github", owners: [], line: 61 },
    ],
  },
  {
    file: "docs-subdirectory-owner.CODEOWNERS",
    source: "docs: `/apps/ @octocat` then `/apps/github @doctocat`",
    errorLines: [],
    ruleCount: 3,
    expect: [
      { path: "apps/github/x.rb", owners: ["@doctocat"], line: 8 },
      { path: "apps/web/x.rb", owners: ["@octocat"], line: 7 },
      { path: "README.md", owners: ["@global-owner1"], line: 2 },
    ],
  },
  {
    file: "inline-comments.CODEOWNERS",
    source: "docs: inline comment `*.js @js-owner #This is an inline comment.`",
    errorLines: [8],
    ruleCount: 6,
    expect: [
      { path: "src/a.js", owners: ["@js-owner"], line: 2 },
      { path: "styles/a.css", owners: ["@css-owner"], line: 3 },
      { path: "README.md", owners: ["@docs-owner"], line: 4 },
      { path: "ops/run.sh", owners: ["@acme/ops"], line: 6 },
      // A pattern followed only by a comment has no owners: it unsets ownership.
      { path: "tmp/x.js", owners: [], line: 7 },
      // `@db-owner#glued` is not an owner token, so line 8 is skipped.
      { path: "db/schema.sql", owners: [], line: null },
      { path: "notes/a#b.txt", owners: ["@notes-owner"], line: 9 },
    ],
  },
  {
    file: "gitlab-style.CODEOWNERS",
    source: "GitLab contrast: sections, `!`, nested groups and `\\#` are invalid on GitHub",
    errorLines: [4, 7, 10, 11, 13, 14],
    ruleCount: 4,
    expect: [
      { path: "docs/guide.md", owners: ["@acme/writers"], line: 8 },
      { path: "docs/img.png", owners: ["@acme/docs"], line: 5 },
      { path: "db/schema.sql", owners: ["@acme/everyone"], line: 2 },
      { path: "db/generated/x.sql", owners: ["@acme/everyone"], line: 2 },
      { path: "api/users.go", owners: ["@acme/api"], line: 15 },
      { path: "#hash-file", owners: ["@acme/everyone"], line: 2 },
    ],
  },
  {
    file: "crlf.CODEOWNERS",
    source: "CRLF line ends and trailing whitespace are trimmed",
    errorLines: [7],
    ruleCount: 4,
    expect: [
      { path: "README.md", owners: ["@acme/default"], line: 2 },
      { path: "src/a.js", owners: ["@acme/src"], line: 4 },
      { path: "src/a.ts", owners: ["@acme/ts"], line: 5 },
      { path: "lib/b.ts", owners: ["@acme/ts"], line: 5 },
      { path: "src/legacy/old.ts", owners: [], line: 6 },
      { path: "bad", owners: ["@acme/default"], line: 2 },
    ],
  },
  {
    file: "unset-ownership.CODEOWNERS",
    source: "docs: a rule with no owners unsets ownership",
    errorLines: [],
    ruleCount: 8,
    expect: [
      { path: "README.md", owners: ["@acme/default"], line: 1 },
      { path: "generated/api.ts", owners: [], line: 2 },
      { path: "vendor/lib/a.go", owners: ["@acme/deps"], line: 3 },
      { path: "vendor/internal/x.go", owners: ["@acme/platform"], line: 4 },
      { path: "vendor/third_party/y/z.c", owners: [], line: 5 },
      { path: "lib/__snapshots__/a.snap", owners: [], line: 6 },
      // `/src/` appears twice: only the last line's owners count (github/docs#17058).
      { path: "src/__snapshots__/a.snap", owners: ["@acme/src-reviewers"], line: 8 },
      { path: "src/a.ts", owners: ["@acme/src-reviewers"], line: 8 },
    ],
  },
  {
    file: "negation.CODEOWNERS",
    source: "docs: `!` negation is not supported; github/docs#19818",
    errorLines: [2, 3],
    ruleCount: 3,
    expect: [
      { path: "a.js", owners: ["@acme/web"], line: 1 },
      { path: "x.test.js", owners: ["@acme/web"], line: 1 },
      { path: "dir/a.js", owners: ["@acme/dir"], line: 4 },
      { path: "!important.txt", owners: ["@acme/literal"], line: 5 },
      { path: "important.txt", owners: [], line: null },
    ],
  },
  {
    file: "brackets.CODEOWNERS",
    source: "open-sauced/pizza-cli#100, python/cpython#112206, rubyatscale/code_ownership#108",
    errorLines: [3, 4, 7],
    ruleCount: 4,
    expect: [
      { path: "app/[id]/page.tsx", owners: ["@acme/web"], line: 2 },
      { path: "src/a.c", owners: ["@acme/web"], line: 2 },
      { path: "pages/[slug].tsx", owners: ["@acme/blog"], line: 5 },
      { path: "app/[team]/[project]/page.tsx", owners: ["@acme/projects"], line: 6 },
      { path: "app/(marketing)/about/page.tsx", owners: ["@acme/marketing"], line: 8 },
      { path: "app/marketing/page.tsx", owners: ["@acme/web"], line: 2 },
    ],
  },
  {
    file: "email-owners.CODEOWNERS",
    source: "docs: owners may be email addresses; API: Invalid owner",
    errorLines: [5],
    ruleCount: 4,
    expect: [
      { path: "README.md", owners: ["platform@example.com"], line: 1 },
      { path: "billing/invoice.ts", owners: ["billing-team@corp.example.com", "@acme/billing"], line: 2 },
      { path: "legal/terms.md", owners: ["first.last+codeowners@example.co.uk"], line: 3 },
      { path: "docs/a.md", owners: ["@octocat", "docs@example.com"], line: 4 },
      { path: "bad/x.ts", owners: ["platform@example.com"], line: 1 },
    ],
  },
  {
    file: "invalid-owners.CODEOWNERS",
    source: "API: Invalid owner (`docs-team`, no `@`); the line is skipped",
    errorLines: [2, 3, 4, 5, 6, 8, 10],
    ruleCount: 3,
    expect: [
      { path: "a/x", owners: ["@acme/default"], line: 1 },
      { path: "b/x", owners: ["@acme/default"], line: 1 },
      { path: "f/x", owners: ["@octocat", "@acme/good"], line: 7 },
      { path: "g/x", owners: ["@acme/default"], line: 1 },
      { path: "h/x", owners: ["@octo_cat-2", "@Acme-Org/Team_Name.v2"], line: 9 },
      { path: "i/x", owners: ["@acme/default"], line: 1 },
    ],
  },
  {
    file: "escaped-spaces.CODEOWNERS",
    source: "`\\ ` escapes a space (mszostok/codeowners-validator#71); tabs separate; trailing spaces ignored",
    errorLines: [],
    ruleCount: 4,
    expect: [
      { path: "my dir/a.txt", owners: ["@acme/spaces"], line: 1 },
      { path: "src/my dir/b.txt", owners: ["@acme/spaces"], line: 1 },
      { path: "my/a.txt", owners: [], line: null },
      { path: "file name.txt", owners: ["@acme/file"], line: 2 },
      { path: "file", owners: [], line: null },
      { path: "Program Files/app/x.exe", owners: ["@acme/win", "@octocat"], line: 3 },
      { path: "plain", owners: ["@acme/plain"], line: 4 },
      { path: "plain/x", owners: ["@acme/plain"], line: 4 },
    ],
  },
  {
    file: "last-match-wins.CODEOWNERS",
    source: "docs: the last matching pattern takes precedence; github/docs#17058",
    errorLines: [],
    ruleCount: 6,
    expect: [
      { path: "src/payments/api.ts", owners: ["@acme/payments-ts"], line: 4 },
      // A later general rule beats an earlier specific one.
      { path: "src/payments/api.js", owners: ["@acme/src"], line: 2 },
      { path: "src/payments/sub/x.ts", owners: ["@acme/typescript"], line: 3 },
      { path: "lib/x.ts", owners: ["@acme/typescript"], line: 3 },
      { path: "common/a", owners: ["@acme/second"], line: 6 },
    ],
  },
  {
    file: "slash-only.CODEOWNERS",
    source: "API: `/` alone never matches (did you mean `*`)",
    errorLines: [1],
    ruleCount: 2,
    expect: [
      { path: "README.md", owners: ["@acme/all"], line: 2 },
      { path: "docs/a.md", owners: ["@acme/docs"], line: 3 },
    ],
  },
  {
    file: "lone-star.CODEOWNERS",
    source: "docs: `docs/*` does not own nested files; partial wildcards",
    errorLines: [],
    ruleCount: 5,
    expect: [
      { path: "docs/a.md", owners: ["@acme/docs-top"], line: 2 },
      { path: "docs/a/b.md", owners: ["@acme/default"], line: 1 },
      { path: "src/docs/a.md", owners: ["@acme/default"], line: 1 },
      { path: "lib/a.c", owners: ["@acme/lib"], line: 3 },
      { path: "libfoo/a/b.c", owners: ["@acme/lib"], line: 3 },
      { path: "pkg/a/b/c.go", owners: ["@acme/pkg-subtrees"], line: 4 },
      { path: "pkg/README.md", owners: ["@acme/pkg-files"], line: 5 },
    ],
  },
  {
    file: "comments-only.CODEOWNERS",
    source: "comments and blank lines only",
    errorLines: [],
    ruleCount: 0,
    expect: [{ path: "README.md", owners: [], line: null }],
  },
  {
    file: "monorepo.CODEOWNERS",
    source: "docs: teams, `**` and extension rules in one file",
    errorLines: [],
    ruleCount: 12,
    expect: [
      { path: "main.go", owners: ["@acme/go"], line: 5 },
      { path: "tools/x.py", owners: ["@acme/python"], line: 6 },
      { path: "proto/svc.proto", owners: ["@acme/api"], line: 7 },
      { path: "packages/api/proto/svc.proto", owners: ["@acme/api"], line: 12 },
      { path: "packages/web/src/a.ts", owners: ["@acme/web"], line: 10 },
      { path: "packages/web/src/payments/pay.ts", owners: ["@acme/payments", "@acme/web"], line: 11 },
      { path: "packages/api/db/migrations/001.sql", owners: ["@acme/dba"], line: 13 },
      { path: "packages/api/migrations/001.sql", owners: ["@acme/dba"], line: 13 },
      { path: "packages/api/src/generated/client.go", owners: [], line: 14 },
      { path: "infra/terraform/main.tf", owners: ["@acme/sre", "@octocat"], line: 18 },
      { path: "infra/terraform/modules/x.tf", owners: ["@acme/sre"], line: 17 },
      { path: ".github/workflows/ci.yml", owners: ["@acme/platform", "@acme/security"], line: 19 },
      { path: "docs/readme.md", owners: ["@acme/platform"], line: 2 },
    ],
  },
  {
    file: "whitespace.CODEOWNERS",
    source: "indentation, tabs, trailing and whitespace-only lines",
    errorLines: [],
    ruleCount: 4,
    expect: [
      { path: "README.md", owners: ["@acme/default"], line: 2 },
      { path: "src/a.ts", owners: ["@acme/src", "@octocat"], line: 3 },
      { path: "docs/a.md", owners: ["@acme/docs"], line: 4 },
      { path: "spaces-before-eol/x", owners: ["@acme/eol"], line: 6 },
    ],
  },
  {
    file: "no-final-newline.CODEOWNERS",
    source: "the last line needs no newline",
    errorLines: [],
    ruleCount: 2,
    expect: [
      { path: "last/x", owners: ["@acme/last"], line: 2 },
      { path: "a", owners: ["@acme/default"], line: 1 },
    ],
  },
  {
    file: "evil.CODEOWNERS",
    source: "negative fixture: NUL, `***`, an escaped space swallowing an owner, regex syntax, emoji, a lone `\\`",
    errorLines: [10],
    ruleCount: 9,
    expect: [
      // `***` is a `**`: everything.
      { path: "README.md", owners: ["@acme/stars"], line: 2 },
      { path: "nul\u0000byte/f", owners: ["@acme/nul"], line: 3 },
      // `/trailing\ @acme/backslash`: the escaped space joins the owner into the pattern.
      { path: "trailing @acme/backslash/x", owners: [], line: 5 },
      { path: "(.*)/x", owners: ["@acme/regex"], line: 6 },
      { path: "anything/x", owners: ["@acme/stars"], line: 2 },
      { path: "a/b/c", owners: ["@acme/double"], line: 7 },
      { path: "a/x/y/b/c", owners: ["@acme/double"], line: 7 },
      { path: "emoji/\u{1F600}/x", owners: ["@acme/emoji"], line: 8 },
      { path: "@acme/owner-as-pattern", owners: [], line: 11 },
      { path: "x/y", owners: ["@acme/x"], line: 12 },
    ],
  },
];
