import fc from "fast-check";
import { AI_TOOL_IDS } from "../../src/policy/ai-identities.js";
import { parseDisclosure, type DisclosureConfigInput } from "../../src/policy/disclosure.js";
import { DISCLOSURE_TEMPLATE } from "../../src/policy/disclosure-template.js";
import type { Actor, CommitInfo } from "../../src/policy/snapshot.js";

const LEVELS = ["none", "assisted", "generated", "agent", "undisclosed"];

/** Lines that exercise every rule, so random bodies reach sections, trailers and markers. */
const VOCABULARY = [
  ...DISCLOSURE_TEMPLATE.split("\n"),
  "",
  "## AI disclosure",
  "### AI usage",
  "## Summary",
  "#### AI Assistance Disclosure (REQUIRED)",
  "- [x] **No AI tools were used** in preparing this PR.",
  "- [X] **If AI tools were used**, I have disclosed which ones.",
  "- [x] None",
  "- [x] Assisted",
  "- [x] Generated",
  "* [x] Agent",
  "  - [x] Yes — Claude Code (Opus 4.5)",
  "- AI usage:",
  "- AI usage disclosure: YES - Copilot",
  "- AI usage disclosure: NO",
  "<details>",
  "<summary>AI disclosure</summary>",
  "</details>",
  "```",
  "~~~",
  "    - [x] Agent",
  "> - [x] Generated",
  "> This PR was written primarily by Claude Code.",
  "This PR was written primarily by Claude Code.",
  "I consulted ChatGPT to understand the codebase.",
  "This PR was written in part with the assistance of generative AI.",
  "No AI tools were used.",
  "AI-Assisted: yes",
  "AI-Assisted: none",
  "AI-Assisted: a little",
  "AI-Tools: Cursor (gpt-5), Gemini CLI",
  "KI-Unterstützung: ja",
  "AI使用：なし",
  "Assisted-by: Claude:claude-3-opus coccinelle sparse",
  "Generated-by: Claude Code",
  "Co-authored-by-AI: GitHub Copilot (gpt-4.1)",
  "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>",
  "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
  "Made-with: Cursor",
  "https://chatgpt.com/codex/tasks/task_e_0123abcd",
  "Sponsor: @bob",
  "\r",
];

/** Arbitrary text without `<!--`, so an inserted comment cannot close an existing one early. */
const plainText = fc.string({ unit: "binary", maxLength: 60 }).map((s) => s.replace(/<!--/g, "<!-"));

const bodyLines = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VOCABULARY) }, { weight: 1, arbitrary: plainText }), {
  maxLength: 40,
});

/** Comment content: no `-->`, and no fence characters (a comment inside a fence is code text). */
const commentContent = fc
  .array(fc.oneof(fc.constantFrom(...VOCABULARY, "[x]", "- [x] Agent", "Generated-by: Claude"), plainText), { maxLength: 6 })
  .map((parts) => parts.join("\n").replace(/-->/g, "--").replace(/[`~]/g, "'"));

const nullableString = fc.option(fc.string({ maxLength: 80 }), { nil: null });

const commitArb = fc.record(
  {
    sha: fc.option(fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 40 }), { nil: undefined }),
    message: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 8 }).map((l) => l.join("\n")),
      fc.constant(null),
    ),
    authorLogin: fc.oneof(nullableString, fc.constantFrom("Copilot", "claude[bot]", "cursoragent", "dependabot[bot]")),
    authorEmail: fc.oneof(
      nullableString,
      fc.constantFrom("noreply@anthropic.com", "198982749+Copilot@users.noreply.github.com", "cursoragent@cursor.com"),
    ),
    authorName: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constant("Alice (aider)")), { nil: null }),
  },
  { requiredKeys: ["message", "authorLogin", "authorEmail"] },
) as unknown as fc.Arbitrary<CommitInfo>;

const authorArb: fc.Arbitrary<Actor> = fc.record({
  login: fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom("Copilot", "dependabot[bot]", "devin-ai-integration[bot]", "coderabbitai[bot]"),
  ),
  type: fc.constantFrom("User", "Bot", "Organization"),
});

const configArb: fc.Arbitrary<DisclosureConfigInput | undefined> = fc.option(
  fc.record(
    {
      accept_trailers: fc.boolean(),
      ai_identities: fc.array(
        fc.record({
          tool: fc.string({ maxLength: 20 }),
          emails: fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }),
          logins: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
        }),
        { maxLength: 3 },
      ),
      agents: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

describe("parseDisclosure properties", () => {
  test("never throws on arbitrary strings, commits with null fields, authors and config", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 400 }),
          bodyLines.map((l) => l.join("\n")),
          fc.constant(null),
        ),
        fc.array(commitArb, { maxLength: 5 }),
        authorArb,
        configArb,
        (body, commits, author, config) => {
          const r = parseDisclosure({ body, commits, author }, config);
          expect(LEVELS).toContain(r.level);
        },
      ),
      { numRuns: 400 },
    );
  });

  test("never throws on malformed input objects", () => {
    const junk = fc.anything();
    fc.assert(
      fc.property(junk, junk, junk, (body, commits, author) => {
        const r = parseDisclosure({ body, commits, author } as never, undefined);
        expect(LEVELS).toContain(r.level);
      }),
      { numRuns: 200 },
    );
  });

  test("tools are always sorted, de-duplicated canonical ids; level is one of the five", () => {
    fc.assert(
      fc.property(bodyLines, fc.array(commitArb, { maxLength: 5 }), authorArb, (lines, commits, author) => {
        const r = parseDisclosure({ body: lines.join("\n"), commits, author });
        expect(LEVELS).toContain(r.level);
        expect(r.tools).toEqual([...new Set(r.tools)].sort());
        for (const t of r.tools) expect(AI_TOOL_IDS).toContain(t);
        for (const a of r.answers) for (const t of a.tools) expect(AI_TOOL_IDS).toContain(t);
        if (r.declared === null) expect(r.contradiction).toBe(false);
        if (r.agent !== null) expect(r.level).toBe("agent");
      }),
      { numRuns: 400 },
    );
  });

  test("adding HTML-comment content never changes the answers", () => {
    fc.assert(
      fc.property(bodyLines, fc.array(fc.tuple(fc.nat(), commentContent), { minLength: 1, maxLength: 4 }), (lines, comments) => {
        const withComments = [...lines];
        for (const [at, content] of comments) withComments.splice(at % (withComments.length + 1), 0, `<!-- ${content} -->`);
        const base = parseDisclosure({ body: lines.join("\n"), commits: [], author: { login: "alice", type: "User" } });
        const commented = parseDisclosure({ body: withComments.join("\n"), commits: [], author: { login: "alice", type: "User" } });
        expect(commented.declared).toBe(base.declared);
        expect(commented.answers.map((a) => a.level)).toEqual(base.answers.map((a) => a.level));
      }),
      { numRuns: 500 },
    );
  });

  test("CRLF and LF bodies give the same answers", () => {
    fc.assert(
      fc.property(bodyLines, (lines) => {
        const lf = lines.map((l) => l.replace(/\r/g, ""));
        const a = parseDisclosure({ body: lf.join("\n"), commits: [], author: { login: "alice", type: "User" } });
        const b = parseDisclosure({ body: lf.join("\r\n"), commits: [], author: { login: "alice", type: "User" } });
        expect(b.level).toBe(a.level);
        expect(b.answers).toEqual(a.answers);
      }),
      { numRuns: 300 },
    );
  });
});
