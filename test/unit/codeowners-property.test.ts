import fc from "fast-check";
import { parseCodeowners } from "../../src/policy/codeowners.js";

/** Characters that exercise every branch of the tokenizer and the pattern compiler. */
const tricky = fc.constantFrom(
  "*",
  "**",
  "?",
  "/",
  "\\",
  "[",
  "]",
  "!",
  "#",
  " ",
  "\t",
  "\r",
  "@",
  "a",
  "b",
  "src",
  ".",
  "ts",
  "-",
  "_",
  "é",
  "(",
  ")",
  "$",
  "+",
  "|",
);
const trickyLine = fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join(""));

/** Plausible rules built from a small vocabulary, so patterns and paths actually meet. */
const word = fc.constantFrom("src", "docs", "lib", "api", "web", "a", "b", "x.ts", "y.md", "logs", "gen");
const patternSegment = fc.oneof(word, fc.constantFrom("*", "**", "*.ts", "*.md", "?", "l*", "a?", "\\*"));
const pattern = fc
  .tuple(fc.boolean(), fc.array(patternSegment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([lead, segs, trail]) => (lead ? "/" : "") + segs.join("/") + (trail ? "/" : ""));
const owner = fc.constantFrom("@octocat", "@acme/web", "@acme/api", "docs@example.com", "bad-owner");
const ruleLine = fc
  .tuple(pattern, fc.array(owner, { maxLength: 3 }), fc.boolean())
  .map(([p, owners, comment]) => [p, ...owners].join(" ") + (comment ? " # note" : ""));
const path = fc.array(word, { minLength: 1, maxLength: 5 }).map((segs) => segs.join("/"));

const filler = fc.constantFrom("", "   ", "\t", "# a comment", "   # indented comment", "#* @not/a-rule", "\r");

describe("parseCodeowners never throws", () => {
  test("on arbitrary text and arbitrary paths", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "binary", maxLength: 60 }), (text, p) => {
        const co = parseCodeowners(text);
        const result = co.ownersOf(p);
        expect(Array.isArray(result.owners)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("on empty segments in patterns and paths (it also never spins)", () => {
    const piece = fc.constantFrom("", "a", "**", "*", "*.ts", "?");
    const slashy = fc.array(piece, { minLength: 1, maxLength: 5 }).map((xs) => xs.join("/"));
    fc.assert(
      fc.property(fc.array(slashy, { minLength: 1, maxLength: 6 }), fc.array(slashy, { minLength: 1, maxLength: 6 }), (patterns, paths) => {
        const co = parseCodeowners(patterns.map((p) => `${p} @o`).join("\n"));
        for (const p of paths) expect(co.ownersOf(p).owners.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  test("on lines made of CODEOWNERS syntax characters", () => {
    fc.assert(
      fc.property(fc.array(trickyLine, { maxLength: 8 }), fc.array(trickyLine, { maxLength: 5 }), (lines, paths) => {
        const co = parseCodeowners(lines.join("\n"));
        // Every non-blank, non-comment line is either a rule or an error, never both, never lost.
        const content = lines.flatMap((l, i) => (/^[ \t\r\v\f]*(#|$)/.test(l) ? [] : [i + 1]));
        const accounted = [...co.rules.map((r) => r.line), ...co.errors.map((e) => e.line)].sort((a, b) => a - b);
        expect(accounted).toEqual(content);
        for (const p of paths) {
          const { owners, line } = co.ownersOf(p);
          if (line === null) expect(owners).toEqual([]);
          else expect(co.rules.find((r) => r.line === line)?.owners).toEqual(owners);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("comment and blank lines change nothing but line numbers", () => {
  test("inserting them shifts lines and leaves rules, errors and owners alike", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ruleLine, trickyLine), { minLength: 1, maxLength: 10 }),
        fc.array(fc.tuple(fc.nat(), filler), { maxLength: 10 }),
        fc.array(path, { minLength: 1, maxLength: 5 }),
        (lines, inserts, paths) => {
          // Build the padded file and remember where each original line went.
          const padded = lines.map((text, i) => ({ text, original: (i + 1) as number | null }));
          for (const [at, text] of inserts) padded.splice(at % (padded.length + 1), 0, { text, original: null });
          const newLineOf = new Map<number, number>();
          padded.forEach((l, i) => l.original !== null && newLineOf.set(l.original, i + 1));

          const before = parseCodeowners(lines.join("\n"));
          const after = parseCodeowners(padded.map((l) => l.text).join("\n"));

          expect(after.rules).toEqual(before.rules.map((r) => ({ ...r, line: newLineOf.get(r.line) })));
          expect(after.errors).toEqual(before.errors.map((e) => ({ ...e, line: newLineOf.get(e.line) })));
          for (const p of paths) {
            const b = before.ownersOf(p);
            const a = after.ownersOf(p);
            expect(a.owners).toEqual(b.owners);
            expect(a.line).toEqual(b.line === null ? null : newLineOf.get(b.line));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * An independent reading of GitHub's CODEOWNERS pattern rules (gitignore-like, as documented in
 * "About code owners" and pinned by the conformance cases), matching segment by segment with
 * backtracking instead of RegExps and without any index: the oracle for the property below.
 * Handles the generated vocabulary only (no spaces, brackets or `!`).
 */
function referenceOwns(pattern: string, path: string): boolean {
  let body = pattern;
  const leadingSlash = body.startsWith("/");
  if (leadingSlash) body = body.slice(1);
  const dirOnly = body.endsWith("/");
  if (dirOnly) body = body.slice(0, -1);
  if (body === "") return false;
  let segs = body.split("/");
  if (!leadingSlash && segs.length === 1 && segs[0] !== "**") segs = ["**", ...segs];
  const xs = path.split("/");
  const last = segs.length - 1;
  const globOne = (glob: string, s: string): boolean => {
    let re = "^";
    for (let i = 0; i < glob.length; i++) {
      const ch = glob[i]!;
      if (ch === "\\") re += "\\" + glob[++i];
      else if (ch === "*") re += "[^/]*";
      else if (ch === "?") re += "[^/]";
      else re += ch.replace(/[.+^${}()|]/g, "\\$&");
    }
    return new RegExp(re + "$").test(s) && s !== "";
  };
  // Every k such that segs[i..] matches exactly xs[j..k).
  const ends = (i: number, j: number): number[] => {
    if (i > last) return [j];
    const seg = segs[i]!;
    if (seg === "**") {
      // A trailing `**` (not before a "/") is "everything inside": one or more segments.
      const min = i === last && !dirOnly ? 1 : 0;
      const out: number[] = [];
      for (let k = j + min; k <= xs.length; k++) out.push(...ends(i + 1, k));
      return out;
    }
    return j < xs.length && globOne(seg, xs[j]!) ? ends(i + 1, j + 1) : [];
  };
  const lastSeg = segs[last]!;
  return ends(0, 0).some((k) => {
    if (k === 0) return false; // a pattern names at least one segment
    if (dirOnly) return k < xs.length; // something must be under the directory
    if (lastSeg === "**" || lastSeg === "*") return k === xs.length; // GitHub: a lone `*` does not reach nested files
    return true; // the file, or a directory and everything under it
  });
}

describe("the rule index never changes the answer", () => {
  test("ownersOf agrees with an unindexed reference matcher, last rule wins", () => {
    const VALID = new Set(["@octocat", "@acme/web", "@acme/api", "docs@example.com"]);
    fc.assert(
      fc.property(fc.array(ruleLine, { minLength: 1, maxLength: 30 }), fc.array(path, { minLength: 1, maxLength: 8 }), (lines, paths) => {
        const co = parseCodeowners(lines.join("\n"));
        for (const p of paths) {
          let expected: { owners: string[]; line: number | null } = { owners: [], line: null };
          lines.forEach((line, i) => {
            const [pat, ...rest] = line.split(" # ")[0]!.split(" ");
            if (rest.some((o) => !VALID.has(o))) return; // GitHub skips the line
            if (referenceOwns(pat!, p)) expected = { owners: [...new Set(rest)], line: i + 1 };
          });
          expect(co.ownersOf(p)).toEqual(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("a file's owner of a path is the last rule that owns it on its own", () => {
    fc.assert(
      fc.property(fc.array(ruleLine, { minLength: 1, maxLength: 30 }), fc.array(path, { minLength: 1, maxLength: 8 }), (lines, paths) => {
        const whole = parseCodeowners(lines.join("\n"));
        const single = lines.map((l) => parseCodeowners(l));
        for (const p of paths) {
          let expected: { owners: string[]; line: number | null } = { owners: [], line: null };
          single.forEach((co, i) => {
            const m = co.ownersOf(p);
            if (m.line !== null) expected = { owners: m.owners, line: i + 1 };
          });
          expect(whole.ownersOf(p)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });
});
