import fc from "fast-check";
import picomatch from "picomatch";
import { compileGlob, compileRegexSubset, UnsupportedGlobError } from "../../src/policy/glob-match.js";

const picomatchSays = (glob: string, path: string) => picomatch(glob, { dot: true })(path);

describe("compileGlob agrees with picomatch (dot: true)", () => {
  const globs = [
    "src/payments/**",
    "**",
    "**/*.ts",
    "src/*.ts",
    "docs/**/*.md",
    "a/**/b/**/c",
    "*",
    "?.js",
    "*.{ts,tsx}",
    "{src,lib}/**",
    "src/{a,b/c}/*.go",
    "src/[a-c]*.ts",
    "src/[^a]*",
    "src/[^a]x",
    "**/test/**",
    "db/migrations/**",
    "**/*-lock.json",
    ".github/**",
    "src/**/",
    "src/",
    "**/a/**/a/**/b",
    "*/**",
    "a*/**",
    "?/**",
    "**/*/**",
    "src/\\*.ts",
    "{a,{b,c}}/x",
    "**/.*",
    "*/*",
    "a/*/b",
  ];
  const paths = [
    "src/payments",
    "src/payments/refund.ts",
    "src/payments/jobs/f7.ts",
    "a.ts",
    "src/a.ts",
    "src/b/a.ts",
    "docs/a.md",
    "docs/x/y/a.md",
    "a/b/c",
    "a/x/b/y/c",
    "a/c",
    "a.js",
    "ab.js",
    "lib/x",
    "src/b/c/d.go",
    "src/a/x.go",
    "src/ax",
    "src/bx",
    "src/xa.ts",
    "test/x",
    "x/test/y",
    "db/migrations/001.sql",
    "package-lock.json",
    "web/yarn-lock.json",
    ".github/workflows/ci.yml",
    ".env",
    "x/.env",
    "a/x",
    "src/*.ts",
    "src/x.ts",
    "a/b",
    "aXb",
    "b/x",
    "c/x",
    "a/a/a/a/b",
    "src/é.ts",
    "src/a/b",
    "src",
  ];
  test.each(globs)("%s", (glob) => {
    const ours = compileGlob(glob);
    expect(paths.filter((p) => ours(p))).toEqual(paths.filter((p) => picomatchSays(glob, p)));
  });

  test.each([
    ["*{a,b}/**", "b", true],
    ["src/*b/**", "src/b", true],
    ["src/a*/**", "src/a", false],
    ["src/*/**", "src/a", false],
    ["src/?/**", "src/a", true],
  ])("a trailing /** matches the directory itself unless its name ends with *: %s vs %s", (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected);
    expect(picomatchSays(glob, path)).toBe(expected);
  });

  test("on random globs and paths of the supported dialect", () => {
    const token = fc.constantFrom("a", "b", "x.", "/", "*", "**", "?", "[ab]", "[^a]", "[a-b]", "{a,b}", "{a,bx/a}", "\\*", "-");
    const segment = fc.stringMatching(/^[abx.*-]{1,4}$/).filter((s) => s !== "." && s !== "..");
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 7 }), fc.array(segment, { minLength: 1, maxLength: 5 }), (tokens, segs) => {
        const glob = tokens.join("");
        const path = segs.join("/");
        let ours: (p: string) => boolean;
        try {
          ours = compileGlob(glob);
        } catch (error) {
          if (error instanceof UnsupportedGlobError) return true;
          throw error;
        }
        expect({ glob, path, matches: ours(path) }).toEqual({ glob, path, matches: picomatchSays(glob, path) });
        return true;
      }),
      { numRuns: 20000 },
    );
  });
});

test.each([
  ["!src/**", /is negated/],
  ["src/+(a|b)", /extglob/],
  ["src/(a|b)/x", /regex groups/],
  ["src/{1..3}", /ranges such as \{1\.\.3\}/],
  ["src/[[:alpha:]]", /POSIX class/],
  ["src/[ab", /without its "]"/],
  ["src/a**.ts", /\*\* must be a whole path segment/],
  ["src/[!a]*", /write \[\^\.\.\.\] for a negated class/],
  ["src/{a,b", /without its "}"/],
])("%s is refused with a message saying what to use", (glob, reason) => {
  expect(() => compileGlob(glob)).toThrow(UnsupportedGlobError);
  expect(() => compileGlob(glob)).toThrow(reason);
  expect(() => compileGlob(glob)).toThrow("use *, **, ?, [abc], [a-z], [^abc] and {a,b}");
});

test("adversarial patterns finish: the work is linear in path length x pattern size", () => {
  const longName = `src/${"e".repeat(20_000)}`;
  expect(compileGlob("**/*e*e*e*e*e*e*e*e*e*e*q")(longName)).toBe(false);
  expect(compileGlob("**/*e*e*e*e*e*e*e*e*e*e*e")(longName)).toBe(true);
  const deep = `${"a/".repeat(5_000)}c`;
  expect(compileGlob("**/a/**/a/**/a/**/b")(deep)).toBe(false);
  expect(compileRegexSubset("^(?:.+/)?a(?:/.+)?/a(?:/.+)?/a(?:/.+)?/b(?:/.+)?$")(deep)).toBe(false);
  expect(compileRegexSubset("^(?:.+/)?a(?:/.+)?/a(?:/.+)?/a(?:/.+)?/c(?:/.+)?$")(deep)).toBe(true);
});

test("the CODEOWNERS subset: one code point per `.` and `[^/]`, as RegExp with the s and u flags", () => {
  for (const [source, input] of [
    ["^[^/]$", "😀"],
    ["^.$", "\n"],
    ["^a\\.b$", "a.b"],
    ["^a\\.b$", "axb"],
    ["^(?:.+/)?x$", "x"],
    ["^[^/]+$", "a/b"],
  ] as const) {
    expect(compileRegexSubset(source)(input)).toBe(new RegExp(source, "su").test(input));
  }
  expect(() => compileRegexSubset("^a|b$")).toThrow(/unsupported/);
});
