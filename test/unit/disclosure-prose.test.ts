/** Prose disclosures, one example per category people write (built for this test, not copied). */
import { DEFAULT_CONFIG } from "../../src/policy/config.js";
import { parseDisclosure } from "../../src/policy/disclosure.js";
import { evaluate } from "../../src/policy/evaluate.js";
import { render } from "../../src/policy/render.js";
import type { DisclosureLevel } from "../../src/policy/snapshot.js";
import { snapshot } from "../support/snapshot.js";

const HUMAN = { login: "alice", type: "User" as const };
const read = (body: string) => parseDisclosure({ body, commits: [], author: HUMAN });

const CASES: [string, string, DisclosureLevel, string[]][] = [
  ["heading + tool-as-subject", "Fix the resize race.\n\n## AI Disclosure\nClaude wrote most of it; I tested it on macOS.", "generated", ["claude"]],
  ["heading typo, answer on next paragraph", "## AI Dislcosure\n\nI used Codex to explain the GTK input path.", "assisted", ["codex"]],
  ["bold label", "**AI usage:** Gemini helped review the parser, the code is mine.", "assisted", ["gemini"]],
  ["LLM notes label", "LLM notes: tests generated with Opus 4.6, reviewed by me.", "assisted", ["claude"]],
  ["label on its own line", "AI Disclosure\nThe implementation was developed with Cursor.", "generated", ["cursor"]],
  ["Apache question, No", "### Was this patch authored or co-authored using generative AI tooling?\n\nNo", "none", []],
  ["Apache question, Yes with prose", "### Was this patch authored or co-authored using generative AI tooling?\n\nYes, GPT-5.4 drafted the fix.", "generated", ["chatgpt"]],
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

describe("prose disclosures", () => {
  test.each(CASES)("%s", (_name, body, level, tools) => {
    const r = read(body);
    expect(r.level).toBe(level);
    if (level !== "undisclosed" && level !== "none") expect(r.tools).toEqual(tools);
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

  test("an unclear level leaves the gate unmet, quoting the sentence and asking for one box", () => {
    const v = evaluate(snapshot({ body: "AI usage: Claude Code" }), DEFAULT_CONFIG);
    const g = v.gates[0];
    expect(g?.status).toBe("unmet");
    expect(g?.summary).toMatch(/level unclear \(read as assisted \(claude\)\) from the PR body sentence “Claude Code”/);
    expect(g?.fix).toMatch(/Check the one box/);
    expect(v.disclosure.level).toBe("assisted");
  });
});
