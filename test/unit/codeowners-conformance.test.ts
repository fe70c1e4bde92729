import { readFileSync } from "node:fs";
import {
  CODEOWNERS_LOCATIONS,
  CODEOWNERS_MAX_BYTES,
  codeownersTooLarge,
  isTeamOwner,
  parseCodeowners,
} from "../../src/policy/codeowners.js";
import { CONFORMANCE_CASES, WHOLE_FILE_CASES } from "./codeowners-cases.js";

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/codeowners/${name}`, import.meta.url), "utf8");

describe("CODEOWNERS pattern conformance (one rule, one path)", () => {
  test("the table is large enough to mean something", () => {
    expect(CONFORMANCE_CASES.length).toBeGreaterThanOrEqual(200);
    expect(CONFORMANCE_CASES.filter((c) => c.matches).length).toBeGreaterThan(50);
    expect(CONFORMANCE_CASES.filter((c) => !c.matches).length).toBeGreaterThan(50);
    expect(CONFORMANCE_CASES.every((c) => c.source.length > 0)).toBe(true);
  });

  test.each(CONFORMANCE_CASES)("`$pattern` vs `$path` → $matches ($source)", ({ pattern, path, matches }) => {
    const alone = parseCodeowners(`${pattern} @owner`).ownersOf(path);
    expect(alone).toEqual(matches ? { owners: ["@owner"], line: 1 } : { owners: [], line: null });

    // The same rule after a catch-all default: it must win exactly when it matches.
    const withDefault = parseCodeowners(`* @default\n${pattern} @owner`).ownersOf(path);
    expect(withDefault).toEqual(matches ? { owners: ["@owner"], line: 2 } : { owners: ["@default"], line: 1 });
  });
});

describe("CODEOWNERS whole files", () => {
  test("there are at least 15 fixture files", () => {
    expect(WHOLE_FILE_CASES.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(WHOLE_FILE_CASES)("$file ($source)", ({ file, expect: expected, errorLines, ruleCount }) => {
    const co = parseCodeowners(fixture(file));

    test("skips exactly the invalid lines, each with a message", () => {
      expect(co.errors.map((e) => e.line)).toEqual(errorLines);
      for (const e of co.errors) expect(e.message).toMatch(/^Invalid (pattern|owner) .*The line is skipped\.$/s);
      expect(co.rules).toHaveLength(ruleCount);
    });

    test.each(expected)("$path → $owners (line $line)", ({ path, owners, line }) => {
      expect(co.ownersOf(path)).toEqual({ owners, line });
    });
  });

  test("the CRLF fixture really has CRLF line ends, and no owner keeps a \\r", () => {
    const text = fixture("crlf.CODEOWNERS");
    expect(text).toContain("\r\n");
    const co = parseCodeowners(text);
    for (const rule of co.rules) {
      expect(rule.pattern).not.toMatch(/\s/);
      for (const owner of rule.owners) expect(owner).not.toMatch(/\s/);
    }
  });

  test("rules keep the pattern as written, escapes included", () => {
    const co = parseCodeowners(fixture("escaped-spaces.CODEOWNERS"));
    expect(co.rules.map((r) => r.pattern)).toEqual(["my\\ dir/", "/file\\ name.txt", "/Program\\ Files/app", "/plain"]);
  });
});

describe("parseCodeowners details", () => {
  test("each rejected form gets a message naming the problem", () => {
    const co = parseCodeowners(["!x @a", "*.[ch] @a", "a] @a", "\\#x @a", "/ @a", "x docs-team", "x @a/b/c", "x\\"].join("\n"));
    expect(co.rules).toEqual([]);
    const messages = co.errors.map((e) => [e.line, e.message]);
    expect(messages).toEqual([
      [1, expect.stringContaining('negation with "!" is not supported')],
      [2, expect.stringContaining('unescaped "["')],
      [3, expect.stringContaining('unescaped "]"')],
      [4, expect.stringContaining('"\\#" escapes')],
      [5, expect.stringContaining("did you mean `*`")],
      [6, expect.stringContaining("Invalid owner `docs-team`")],
      [7, expect.stringContaining("Invalid owner `@a/b/c`")],
      [8, expect.stringContaining('unfinished "\\" escape')],
    ]);
  });

  test("one invalid owner skips the whole line, not just the token", () => {
    const co = parseCodeowners("* @default\n/a/ @good bad-owner");
    expect(co.ownersOf("a/x")).toEqual({ owners: ["@default"], line: 1 });
  });

  test("a pattern with no owners is a rule that unsets ownership", () => {
    const co = parseCodeowners("* @a\n/gen/");
    expect(co.rules).toEqual([
      { line: 1, pattern: "*", owners: ["@a"] },
      { line: 2, pattern: "/gen/", owners: [] },
    ]);
    expect(co.ownersOf("gen/x.ts")).toEqual({ owners: [], line: 2 });
    expect(co.ownersOf("src/x.ts")).toEqual({ owners: ["@a"], line: 1 });
  });

  test("an owner repeated on one line is listed once", () => {
    expect(parseCodeowners("* @a @b @a").rules[0]!.owners).toEqual(["@a", "@b"]);
  });

  test("the returned owners are a copy", () => {
    const co = parseCodeowners("* @a");
    co.ownersOf("x").owners.push("@mallory");
    expect(co.ownersOf("x").owners).toEqual(["@a"]);
  });

  test("a leading slash on the queried path is ignored; an empty path has no owner", () => {
    const co = parseCodeowners("/docs/ @d\n");
    expect(co.ownersOf("/docs/a.md")).toEqual({ owners: ["@d"], line: 1 });
    expect(parseCodeowners("** @a").ownersOf("")).toEqual({ owners: [], line: null });
  });

  test("empty segments (`**//`, `a//b`, a path ending in `/`) match nothing odd and never hang", () => {
    const co = parseCodeowners("**// @a\n/x//y/ @b\nlogs// @c");
    expect(co.ownersOf("a/")).toEqual({ owners: [], line: null });
    expect(co.ownersOf("logs/")).toEqual({ owners: [], line: null });
    expect(co.ownersOf("x/y/z")).toEqual({ owners: [], line: null });
    expect(co.ownersOf("src/a.ts")).toEqual({ owners: [], line: null });
  });

  test("owner forms: users (EMU underscores), teams, emails", () => {
    expect(isTeamOwner("@acme/web")).toBe(true);
    expect(isTeamOwner("@octocat")).toBe(false);
    expect(isTeamOwner("docs@example.com")).toBe(false);
    expect(isTeamOwner("@acme/web/sub")).toBe(false);
    const co = parseCodeowners("* @octo_acme @acme/web docs@example.com");
    expect(co.errors).toEqual([]);
    expect(co.rules[0]!.owners).toEqual(["@octo_acme", "@acme/web", "docs@example.com"]);
  });

  test("many rules sharing directories and extensions still resolve last-match-wins", () => {
    const lines: string[] = ["* @default"];
    for (let i = 0; i < 200; i++) lines.push(`/src/pkg${i}/ @acme/t${i}`);
    lines.push("*.ts @acme/ts");
    lines.push("/src/pkg7/ @acme/seven");
    const co = parseCodeowners(lines.join("\n"));
    expect(co.ownersOf("src/pkg3/a.go")).toEqual({ owners: ["@acme/t3"], line: 5 });
    expect(co.ownersOf("src/pkg3/a.ts")).toEqual({ owners: ["@acme/ts"], line: 202 });
    expect(co.ownersOf("src/pkg7/a.ts")).toEqual({ owners: ["@acme/seven"], line: 203 });
    expect(co.ownersOf("src/other/a.go")).toEqual({ owners: ["@default"], line: 1 });
  });
});

describe("loading rules", () => {
  test("GitHub looks in .github/, the root, then docs/", () => {
    expect(CODEOWNERS_LOCATIONS).toEqual([".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]);
  });

  test("a file must be under 3 MB (3 MiB) to be loaded", () => {
    expect(CODEOWNERS_MAX_BYTES).toBe(3 * 1024 * 1024);
    expect(codeownersTooLarge(CODEOWNERS_MAX_BYTES - 1)).toBe(false);
    expect(codeownersTooLarge(CODEOWNERS_MAX_BYTES)).toBe(true);
    expect(codeownersTooLarge(0)).toBe(false);
  });

  test("parseCodeowners itself ignores a file of 3 MB or more: no owners, one error (multi-byte characters count as bytes)", () => {
    // 1,048,576 three-byte characters: 3 MiB in UTF-8 although the string is only 1 Mi units long.
    const text = `* @acme/web\n# ${"€".repeat(CODEOWNERS_MAX_BYTES / 3)}`;
    const co = parseCodeowners(text);
    expect(co.rules).toEqual([]);
    expect(co.ownersOf("src/a.ts")).toEqual({ owners: [], line: null });
    expect(co.errors).toEqual([{ line: 0, message: expect.stringMatching(/GitHub ignores CODEOWNERS files of 3 MB or more/) }]);
    // Just under the limit (3,145,726 bytes) GitHub reads it.
    expect(parseCodeowners(`* @acme/web\n#${"€".repeat(CODEOWNERS_MAX_BYTES / 3 - 5)}`).ownersOf("src/a.ts").owners).toEqual(["@acme/web"]);
  });

  // Speed is measured by `npm run bench -- codeowners`; this bound only catches a super-linear
  // parser (which would take minutes), not a busy machine.
  test("a file just under the limit parses without super-linear blow-up", () => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < CODEOWNERS_MAX_BYTES - 200; i++) {
      const line = `/services/svc${i % 500}/module${i}/**/*.ts @acme/team-${i % 300} user${i}@example.com\n`;
      lines.push(line);
      size += line.length;
    }
    const text = lines.join("");
    expect(codeownersTooLarge(text.length)).toBe(false);
    const started = performance.now();
    const co = parseCodeowners(text);
    const elapsed = performance.now() - started;
    expect(co.rules.length).toBe(lines.length);
    expect(co.ownersOf("services/svc3/module3/a/b.ts").line).toBe(4);
    expect(elapsed).toBeLessThan(15_000);
  });
});
