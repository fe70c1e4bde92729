/** parseDisclosure beyond the case table: answer details, tool ids, the contradiction text, comments, and hostile input. */
import { AI_TOOL_IDS } from "../../src/policy/ai-identities.js";
import { parseDisclosure } from "../../src/policy/disclosure.js";
import { DISCLOSURE_TEMPLATE } from "../../src/policy/disclosure-template.js";
import { fixture, HUMAN, commit, ticked, CLAUDE_COMMIT } from "../support/disclosure-cases.js";

describe("parseDisclosure details", () => {
  test("answers carry where, sha and text", () => {
    const r = parseDisclosure({
      body: "",
      commits: [commit("Fix\n\nAssisted-by: Claude:claude-3-opus coccinelle sparse", { sha: "deadbeefcafe" })],
      author: HUMAN,
    });
    expect(r.answers).toEqual([
      {
        level: "assisted",
        source: "trailer",
        where: "commit",
        sha: "deadbeefcafe",
        tools: ["claude"],
        text: "Assisted-by: Claude:claude-3-opus coccinelle sparse",
      },
    ]);
  });

  test("default lists report only canonical tool ids", () => {
    const everything = [
      fixture("copilot-agent.md"),
      fixture("jules.md"),
      fixture("devin.md"),
      fixture("codex-cloud.md"),
      fixture("cursor-background-agent.md"),
      fixture("claude-code-footer.md"),
      "AI-Assisted: yes\nAI-Tools: Claude Code, GitHub Copilot, Cursor, Codex, ChatGPT, Gemini CLI, Jules, Devin, " +
        "Aider, Amazon Q, OpenHands, Amp, Factory Droid, OpenCode, DeepSeek, Sweep, " +
        "Windsurf, Cline, Roo Code, Continue.dev, Tabnine, Cody, JetBrains AI, Zed, Goose, Kiro, Qwen, Kimi, GLM 4.6, " +
        "Grok 4, Code Llama, Mistral",
    ].join("\n\n");
    const r = parseDisclosure({ body: everything, commits: [], author: HUMAN });
    expect(r.tools).toEqual([...AI_TOOL_IDS].sort());
  });

  test("the contradiction problem names the short SHA and the tool", () => {
    const r = parseDisclosure({ body: "AI-Assisted: no", commits: [commit(CLAUDE_COMMIT, { sha: "0123456789abcdef" })], author: HUMAN });
    expect(r.contradiction).toBe(true);
    expect(r.problems[0]).toContain("commit 0123456");
    expect(r.problems[0]).toContain("claude");
  });

  test("template with exactly one box ticked parses to that level, for every box", () => {
    for (const [label, level] of [
      ["None", "none"],
      ["Assisted", "assisted"],
      ["Generated", "generated"],
      ["Agent", "agent"],
    ] as const) {
      expect(parseDisclosure({ body: ticked(label), commits: [], author: HUMAN }).level).toBe(level);
    }
  });

  test("HTML comments are ignored for answers but hold agent markers", () => {
    const body =
      `${DISCLOSURE_TEMPLATE}\n<!--\n- [x] **Generated**: sample\nGenerated-by: Claude Code\nAI-Assisted: ` +
      `generated\n-->\n<!-- START COPILOT CODING AGENT TIPS -->\n`;
    const r = parseDisclosure({ body, commits: [], author: HUMAN });
    expect(r.answers).toEqual([]);
    expect(r.level).toBe("agent");
    expect(r.evidence).toEqual([expect.objectContaining({ kind: "marker", tool: "copilot", where: "body" })]);
  });

  test("a comment that opens mid-line keeps the text before and after it", () => {
    const r = parseDisclosure({ body: "AI-Assisted: <!-- none, assisted or\ngenerated -->generated", commits: [], author: HUMAN });
    expect(r.level).toBe("generated");
  });
});

describe("parseDisclosure on hostile input", () => {
  const MB = 1_000_000;
  const bodies: [string, string][] = [
    ["one long line of spaces", " ".repeat(MB)],
    ["many unclosed comment openers", "<!--x".repeat(MB / 5)],
    ["many tiny comments on one line", "<!---->".repeat(MB / 7)],
    ["alternating comment markers", "<!-- -->\n".repeat(MB / 9)],
    ["checkbox lines", "- [x] AI-Assisted: yes\n".repeat(MB / 23)],
    ["AI sections with two boxes", "## AI disclosure\n- [x] None\n- [x] Agent\n".repeat(MB / 40)],
    ["nested details summaries", "<details><summary>AI use</summary>\n".repeat(MB / 36)],
    ["deeply nested AI list items", Array.from({ length: 1400 }, (_, i) => `${" ".repeat(i)}- AI usage`).join("\n")],
    ["heading with trailing hashes", `## AI ${"# ".repeat(MB / 2)}x`],
    ["angle brackets in a summary", `<summary>${"<".repeat(MB)}`],
    ["repeated free-text openers", "written primarily by ".repeat(MB / 21)],
    ["repeated negations", "did not use did not use ".repeat(MB / 24)],
    ["repeated consulted", "consulted ".repeat(MB / 10)],
    ["long answer value", `AI-Assisted: ${"a".repeat(MB)}`],
    ["long label whitespace", `AI${" ".repeat(MB)}`],
    ["long trailer key", `${"A".repeat(MB)}: value`],
    ["alias soup", "claudeclaude amp&amp;".repeat(MB / 20)],
    ["parentheses", "(".repeat(MB / 2) + ")".repeat(MB / 2)],
    ["backtick fences", "```\n".repeat(MB / 4)],
    ["link prefixes", "chatgpt.com/codex/tasks/".repeat(MB / 24)],
    ["CRLF lines", "- [ ] x\r\n".repeat(MB / 9)],
    ["indented lines", "    - [x] None\n\n".repeat(MB / 16)],
  ];

  test.each(bodies)("%s (1 MB) returns", (_name, body) => {
    const r = parseDisclosure({ body, commits: [commit(body.slice(0, 200_000))], author: HUMAN });
    expect(["none", "assisted", "generated", "agent", "undisclosed"]).toContain(r.level);
  });
});
