/** Prose disclosures, one example per category people write (built for this test, not copied). */
import { DEFAULT_CONFIG, loadConfig, type Config } from "../../src/policy/config.js";
import { parseDisclosure } from "../../src/policy/disclosure.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { render } from "../../src/policy/render.js";
import type { DisclosureLevel } from "../../src/policy/snapshot.js";
import { snapshot } from "../support/snapshot.js";

const HUMAN = { login: "alice", type: "User" as const };
const read = (body: string) => parseDisclosure({ body, commits: [], author: HUMAN });

const CASES: [string, string, DisclosureLevel, string[]][] = [
  [
    "heading + tool-as-subject",
    "Fix the resize race.\n\n## AI Disclosure\nClaude wrote most of it; I tested it on macOS.",
    "generated",
    ["claude"],
  ],
  ["heading typo, answer on next paragraph", "## AI Dislcosure\n\nI used Codex to explain the GTK input path.", "assisted", ["codex"]],
  ["bold label", "**AI usage:** Gemini helped review the parser, the code is mine.", "assisted", ["gemini"]],
  ["LLM notes label", "LLM notes: tests generated with Opus 4.6, reviewed by me.", "assisted", ["claude"]],
  ["label on its own line", "AI Disclosure\nThe implementation was developed with Cursor.", "generated", ["cursor"]],
  ["Apache question, No", "### Was this patch authored or co-authored using generative AI tooling?\n\nNo", "none", []],
  [
    "Apache question, Yes with prose",
    "### Was this patch authored or co-authored using generative AI tooling?\n\nYes, GPT-5.4 drafted the fix.",
    "generated",
    ["chatgpt"],
  ],
  ["none form", "Fix typo.\n\nThere is no AI usage for this one.", "none", []],
  ["none form, LLM", "I didn't use any LLM for this.", "none", []],
  ["negation scope", "Claude Code wrote the fix. No AI was used to write the description.", "generated", ["claude"]],
  ["mixed none with exception", "## AI disclosure\nNone used except to search the docs.", "assisted", []],
  ["found by a tool", "Reported-by: Copilot\n\nThe overflow was spotted by Copilot code review.", "assisted", ["copilot"]],
  ["agent authored", "This PR was opened by the Devin coding agent; @alice sponsors it.", "agent", ["devin"]],
  ["unknown tool stays an AI tool", "## AI usage\nFooCoder implemented the retry loop with an LLM.", "generated", []],
  ["a feature, not a disclosure", "Adds the Claude API client and a Gemini provider.", "undisclosed", []],
  ["an AI policy, not a disclosure", "This PR adds an AI policy: contributors must disclose AI-generated code.", "undisclosed", []],
];

/** The level comes from the clauses whose subject or instrument is the tool, not from the author's own clauses. */
const CLAUSE_CASES: [string, string, DisclosureLevel, string[]][] = [
  [
    "the author made the change with the tool",
    "Per the AI policy: I built the patch with Gemini. Tested on Linux.",
    "generated",
    ["gemini"],
  ],
  [
    "a plan, then the first draft",
    "**AI usage:** I leveraged Copilot to map the module, make a plan and write the first draft of the code.",
    "generated",
    ["copilot"],
  ],
  [
    "a hand-written description does not lower a generated level",
    "**AI usage:** The speedups were produced with Claude. This description is hand-written.",
    "generated",
    ["claude"],
  ],
  [
    "tool made the edits, author checked",
    "## AI Disclosure\nGemini made the edits across the parsers, and I checked each one.",
    "generated",
    ["gemini"],
  ],
  [
    "tool traced and implemented",
    "**AI usage:** I used Claude Code to trace the leak, implement the fix and add a test.",
    "generated",
    ["claude"],
  ],
  [
    "tool explained, author wrote",
    "AI disclosure: I used Codex to explain the crash, but I wrote the patch myself.",
    "assisted",
    ["codex"],
  ],
  ["written with assistance", "## AI usage\nThe change was written with Copilot assistance.", "assisted", ["copilot"]],
  ["the fix as a noun", "**AI usage:** Cursor suggested the fix; I verified it by hand.", "assisted", ["cursor"]],
  ["only tests, even most of them", "## AI disclosure\nClaude wrote most of the unit tests.", "assisted", ["claude"]],
  ["assist with drafting", "## AI disclosure\nGemini was used to assist with exploration and drafting the change.", "assisted", ["gemini"]],
  [
    "author's verb beside the tool",
    "AI Disclosure: I did a lot of rubber-ducking with Claude while trying designs.",
    "assisted",
    ["claude"],
  ],
  [
    "tool drafted after the author investigated",
    "**AI disclosure per CONTRIBUTING.md:** I traced the crash with Claude and it drafted this change.",
    "generated",
    ["claude"],
  ],
  ["not AI-written", "**AI usage:** AI helped here and there. It is by no means AI-written; it is mostly my own work.", "assisted", []],
  ["use beside a scoped negation", "**LLM notes:** only used to judge the benchmark numbers, not used for any code.", "assisted", []],
  ["unknown name with a version", "**AI usage:** Nimbus 3 implemented the parser changes; I reviewed them.", "generated", []],
  ["unknown name after a work verb", "AI usage: written by Quill, reviewed by me.", "generated", []],
  ["lower-case none line", "Tidy the overlay.\n\nno AI used", "none", []],
  [
    "GitHub alert is the author's text",
    "Adds nushell support.\n\n> [!NOTE]\n> Used Gemini for understanding the zsh integration.",
    "assisted",
    ["gemini"],
  ],
  ["trailer written with a space", "Fix the DH parser.\n\nAssisted by: Claude Opus 4.6", "assisted", ["claude"]],
  ["ticked box in a group of AI boxes", "## Notes\n- [x] AI was not used\n- [ ] AI was used as follows:", "none", []],
  ["question answered on its heading line", "#### Was any of this generated by an AI tool? No", "none", []],
  [
    "a quoted question is not asked",
    'Adds a template line asking "Was this patch authored using generative AI tooling?" to the form.',
    "undisclosed",
    [],
  ],
  [
    "policy talk with AI-generated",
    "After a wave of AI-generated pull requests, this adds an AI disclosure to the templates.",
    "undisclosed",
    [],
  ],
];

describe("prose disclosures", () => {
  test.each(CASES)("%s", (_name, body, level, tools) => {
    const r = read(body);
    expect(r.level).toBe(level);
    if (level !== "undisclosed" && level !== "none") expect(r.tools).toEqual(tools);
  });

  test.each(CLAUSE_CASES)("%s", (_name, body, level, tools) => {
    const r = read(body);
    expect(r.level).toBe(level);
    if (level !== "undisclosed" && level !== "none") expect(r.tools).toEqual(tools);
  });

  test("a commit authored by Claude's or Amp's own identity is an agent commit", () => {
    for (const authorEmail of ["noreply@anthropic.com", "amp@ampcode.com"]) {
      const commits = [{ sha: "b".repeat(40), message: "Release evicted pins", authorLogin: null, authorEmail, authorName: null }];
      const r = parseDisclosure({ body: "Release evicted pins.", commits, author: HUMAN });
      expect(r.level).toBe("agent");
    }
  });

  test("AI use without a level is assisted, flagged unclear, and names the sentence", () => {
    const r = read("## AI Disclosure\nUsed Claude Code.");
    expect(r.level).toBe("assisted");
    expect(r.levelUnclear).toBe(true);
    expect(r.answers[0]).toMatchObject({ source: "free-text", unclear: true, text: "Used Claude Code." });
    expect(r.problems.join(" ")).toMatch(/"Used Claude Code\."\) but not how much; read as assisted\. Check one box/);
  });

  test("a clear answer settles an unclear one", () => {
    const r = read("## AI Disclosure\nUsed Claude Code.\n\nAI-Assisted: generated");
    expect(r).toMatchObject({ level: "generated", levelUnclear: false });
  });

  test("the check's disclosure row quotes the sentence the verdict came from", () => {
    const body = "Fix the resize race.\n\n## AI Disclosure\nClaude wrote most of it; I tested it on macOS.";
    const out = render(evaluate(snapshot({ body }), DEFAULT_CONFIG));
    expect(out.summary).toContain("Disclosed: generated (claude) from the PR body sentence “Claude wrote most of it;”");
  });

  test("an unclear level passes the gate at assisted, quoting the sentence and asking for one box", () => {
    const v = evaluate(snapshot({ body: "AI usage: Claude Code" }), DEFAULT_CONFIG);
    const g = v.gates[0];
    expect(g?.status).toBe("passed");
    expect(v.disclosure.level).toBe("assisted");
    const summary = "Disclosed: assisted (claude), level unclear, from the PR body sentence “Claude Code”";
    expect(g?.summary).toBe(`${summary}; check one box to be precise`);
    expect(g?.reasons.join("\n")).toMatch(/Check the one box that matches[\s\S]*## AI assistance disclosure/);
    expect(g?.fix).toMatch(/Check the one box/);
    // At assisted the understanding review applies.
    expect(v.gates[1]?.status).toBe("unmet");
    const out = render(v);
    expect(out.summary).toContain(`| 1. AI disclosure | ✅ passed | ${summary}`);
    expect(out.text).toContain("Check the one box that matches");
  });
});

describe("disclosure.autocomplete_exempt", () => {
  const exempt = (): Config => {
    const res = loadConfig("disclosure:\n  autocomplete_exempt: true\n");
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    return res.config;
  };
  const AUTOCOMPLETE = "Fix the tab order.\n\n**AI usage:** Copilot autocomplete only.";

  test("is off by default: autocomplete is assisted and needs the understanding review", () => {
    expect(DEFAULT_CONFIG.disclosure.autocomplete_exempt).toBe(false);
    const v = evaluate(snapshot({ body: AUTOCOMPLETE }), DEFAULT_CONFIG);
    expect(v.disclosure.level).toBe("assisted");
    expect(v.gates[1]?.status).toBe("unmet");
  });

  test("when on, autocomplete only counts as none for the gates, and the check says so", () => {
    const v = evaluate(snapshot({ body: AUTOCOMPLETE }), exempt());
    expect(v.disclosure).toMatchObject({ level: "none", declared: "assisted", autocompleteExempt: true, tools: ["copilot"] });
    expect(v.gates[0]?.status).toBe("passed");
    expect(v.gates[0]?.summary).toBe(
      "Disclosed: autocomplete only (copilot), counted as none (disclosure.autocomplete_exempt) " +
        "from the PR body sentence “Copilot autocomplete only.”",
    );
    expect(v.gates[1]?.status).toBe("not_applicable");
  });

  test.each([
    ["autocomplete and more", "**AI usage:** Copilot autocomplete, and Claude wrote the tests."],
    ["a tool's trailer shows generation", "**AI usage:** tab completions only.\n\nGenerated-by: Claude Code"],
    ["no AI use at all", "**AI usage:** none"],
  ])("does not exempt %s", (_name, body) => {
    const r = parseDisclosure({ body, commits: [], author: HUMAN }, { autocomplete_exempt: true });
    expect(r.autocompleteExempt).toBe(false);
  });
});
