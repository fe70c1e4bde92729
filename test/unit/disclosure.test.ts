import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AI_TOOL_IDS } from "../../src/policy/ai-identities.js";
import {
  parseDisclosure,
  type DisclosureAnswer,
  type DisclosureConfigInput,
  type DisclosureEvidence,
  type DisclosureResult,
} from "../../src/policy/disclosure.js";
import { DISCLOSURE_LINE_EXAMPLE, DISCLOSURE_TEMPLATE } from "../../src/policy/disclosure-template.js";
import type { Actor, CommitInfo, DisclosureLevel } from "../../src/policy/snapshot.js";

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/pr-bodies/${name}`, import.meta.url)), "utf8");

const HUMAN: Actor = { login: "alice", type: "User" };
const bot = (login: string): Actor => ({ login, type: "Bot" });

function commit(message: string, extra: Partial<CommitInfo> = {}): CommitInfo {
  return {
    sha: "3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345",
    message,
    authorLogin: "alice",
    authorEmail: "alice@example.com",
    authorName: "Alice Example",
    ...extra,
  };
}

/** The untouched template with one box ticked (the box whose label starts with `label`). */
function ticked(label: "None" | "Assisted" | "Generated" | "Agent", template = DISCLOSURE_TEMPLATE): string {
  return template.replace(`- [ ] **${label}**`, `- [x] **${label}**`);
}

interface Expect {
  level: DisclosureLevel;
  declared?: DisclosureResult["declared"];
  tools?: string[];
  contradiction?: boolean;
  agent?: string | null;
  sponsor?: string | null;
  /** Every pattern must match some problem; `[]` means no problems at all. */
  problems?: RegExp[];
  /** Answer sources/levels, in order. */
  answers?: Pick<DisclosureAnswer, "source" | "level">[];
  /** Evidence that must be present (partial match). */
  evidence?: Partial<DisclosureEvidence>[];
  /** No evidence at all. */
  noEvidence?: boolean;
}

interface Case {
  name: string;
  body: string | null;
  commits?: CommitInfo[];
  author?: Actor;
  config?: DisclosureConfigInput;
  expect: Expect;
}

const CLAUDE_COMMIT = `Retry invoice fetches with jittered backoff

Replaces the hand-rolled loop with p-retry and caps retries at 5.

🤖 Generated with [Claude Code](https://claude.com/claude-code)

Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>`;

const cases: Case[] = [
  // ---- The template Countersign installs ----
  {
    name: "untouched template is undisclosed, no problems",
    body: DISCLOSURE_TEMPLATE,
    expect: { level: "undisclosed", declared: null, tools: [], problems: [], answers: [] },
  },
  {
    name: "template: None ticked",
    body: ticked("None"),
    expect: { level: "none", declared: "none", answers: [{ source: "section", level: "none" }], problems: [] },
  },
  { name: "template: Assisted ticked", body: ticked("Assisted"), expect: { level: "assisted", declared: "assisted", tools: [] } },
  { name: "template: Generated ticked", body: ticked("Generated"), expect: { level: "generated", declared: "generated" } },
  { name: "template: Agent ticked, no agent signals", body: ticked("Agent"), expect: { level: "agent", declared: "agent", agent: null } },
  {
    name: "template: AI-Tools qualifies the answer; model names add nothing",
    body: ticked("Assisted").replace("AI-Tools: <!--", "AI-Tools: Claude Code (claude-sonnet-4-5), GitHub Copilot (gpt-4.1) <!--"),
    expect: { level: "assisted", tools: ["claude", "copilot"] },
  },
  {
    name: "template: two boxes ticked is invalid",
    body: ticked("Generated", ticked("Assisted")),
    expect: { level: "undisclosed", declared: null, problems: [/^2 boxes are checked in the AI disclosure section; check exactly one$/] },
  },
  {
    name: "template: two boxes ticked stays undisclosed even with a trailer answer",
    body: ticked("None", ticked("Assisted")),
    commits: [commit("Fix typo\n\nAssisted-by: GitHub Copilot")],
    expect: { level: "undisclosed", declared: null, contradiction: false, problems: [/2 boxes are checked/], tools: ["copilot"] },
  },
  {
    name: "template: two boxes ticked, agent signals still give agent",
    body: ticked("None", ticked("Assisted")),
    author: bot("Copilot"),
    expect: { level: "agent", agent: "Copilot", problems: [/2 boxes are checked/] },
  },
  {
    name: "template with CRLF line endings",
    body: ticked("Generated").replace(/\n/g, "\r\n"),
    expect: { level: "generated", declared: "generated" },
  },
  {
    name: "template with a lone CR line ending style",
    body: ticked("None").replace(/\n/g, "\r"),
    expect: { level: "none" },
  },
  {
    name: "one-line example",
    body: DISCLOSURE_LINE_EXAMPLE,
    expect: { level: "assisted", tools: ["claude", "copilot"], answers: [{ source: "line", level: "assisted" }] },
  },

  // ---- Real templates ----
  {
    name: "Django: no AI tools were used",
    body: fixture("django-no-ai.md"),
    expect: { level: "none", declared: "none", problems: [], answers: [{ source: "section", level: "none" }] },
  },
  {
    name: "Django: AI tools used, tool named in the section's prose",
    body: fixture("django-ai-used.md"),
    expect: { level: "assisted", tools: ["copilot"], answers: [{ source: "section", level: "assisted" }] },
  },
  {
    name: "Airflow: Yes box plus Generated-by line is generated",
    body: fixture("airflow-generated.md"),
    expect: {
      level: "generated",
      declared: "generated",
      tools: ["claude"],
      answers: [
        { source: "section", level: "assisted" },
        { source: "trailer", level: "generated" },
      ],
    },
  },
  {
    name: "Airflow: Yes box alone is assisted",
    body: "##### Was generative AI tooling used to co-author this PR?\n\n- [X] Yes — Claude Code (Opus 4.5)\n",
    expect: { level: "assisted", tools: ["claude"] },
  },
  {
    name: "Airflow: untouched template (commented Generated-by) is undisclosed",
    body: fixture("airflow-untouched.md"),
    expect: { level: "undisclosed", answers: [], problems: [] },
  },
  {
    name: "llama.cpp: untouched template",
    body: fixture("llama-cpp-template.md"),
    expect: { level: "undisclosed", answers: [], problems: [] },
  },
  {
    name: "llama.cpp: YES with description",
    body: fixture("llama-cpp-yes.md"),
    expect: { level: "assisted", tools: ["claude"], answers: [{ source: "line", level: "assisted" }] },
  },
  { name: "llama.cpp: NO", body: "# Requirements\n\n- AI usage disclosure: NO\n", expect: { level: "none", declared: "none" } },
  {
    name: "llama.cpp: unedited YES / NO is not a choice",
    body: "- AI usage disclosure: YES / NO - if yes, describe how AI was used\n",
    expect: { level: "undisclosed", problems: [/lists several choices/] },
  },

  // ---- Free text ----
  {
    name: "ghostty: written primarily by Claude Code",
    body: fixture("ghostty-primarily.md"),
    expect: { level: "generated", tools: ["claude"], answers: [{ source: "free-text", level: "generated" }], problems: [] },
  },
  {
    name: "ghostty: consulted ChatGPT",
    body: fixture("ghostty-consulted.md"),
    expect: { level: "assisted", tools: ["chatgpt"], answers: [{ source: "free-text", level: "assisted" }] },
  },
  {
    name: "ghostty: quoted policy examples don't count; the author's own sentence does",
    body: fixture("ghostty-policy-quote.md"),
    expect: { level: "none", answers: [{ source: "free-text", level: "none" }], tools: [] },
  },
  {
    name: "with the help of Cursor",
    body: "Refactors the parser.\n\nI wrote this with the help of Cursor for the test scaffolding.",
    expect: { level: "assisted", tools: ["cursor"] },
  },
  {
    name: "'written primarily by me' is not a generated answer",
    body: "This was written primarily by me, with Copilot autocomplete here and there.",
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "written primarily by [Claude Code](link)",
    body: "This PR was written primarily by [Claude Code](https://claude.com/claude-code).",
    expect: { level: "generated", tools: ["claude"] },
  },
  { name: "'did not use AI' at the start of a line", body: "- Did not use AI for any of this.", expect: { level: "none" } },
  {
    name: "'did not use AI' about something else is not an answer",
    body: "The old importer did not use AI models.",
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "'with the help of jules' (lower case) is a person",
    body: "Rewrote the scheduler with the help of jules from the infra team.",
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "'with the help of' a person is not an answer",
    body: "Written with the help of @bob, who knows the scheduler.",
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "Kubernetes sentence",
    body: fixture("kubernetes.md"),
    expect: { level: "assisted", tools: [], answers: [{ source: "free-text", level: "assisted" }] },
  },
  { name: "did not use AI", body: "Small doc fix. I did not use AI for this.", expect: { level: "none" } },

  // ---- Answer lines ----
  { name: "AI-Assisted: yes", body: "AI-Assisted: yes\nAI-Tools: Gemini CLI", expect: { level: "assisted", tools: ["gemini"] } },
  { name: "ai-assisted: No (case-insensitive)", body: "ai-assisted: No", expect: { level: "none" } },
  { name: "AI-Assisted: GENERATED", body: "AI-Assisted: GENERATED (Amazon Q)", expect: { level: "generated", tools: ["amazon-q"] } },
  { name: "bold label **AI-Assisted:** assisted", body: "**AI-Assisted:** assisted", expect: { level: "assisted" } },
  { name: "AI disclosure: none", body: "Fixes #12.\n\nAI disclosure: none", expect: { level: "none" } },
  // Prose after an AI label is read (issue: prose disclosures): "a little" is assisted, not a problem.
  {
    name: "AI-Assisted: a little is read as prose: assisted",
    body: "AI-Assisted: a little",
    expect: { level: "assisted", answers: [{ source: "free-text", level: "assisted" }], problems: [] },
  },
  {
    name: "AI-Assisted: none|assisted|generated left as is",
    body: "AI-Assisted: none|assisted|generated",
    expect: { level: "undisclosed", problems: [/lists several choices/] },
  },
  // Model names map to their maker's tool when no product is named.
  {
    name: "AI-Assisted: yes with a model only names the model's maker",
    body: "AI-Assisted: yes (gpt-4o)",
    expect: { level: "assisted", tools: ["chatgpt"] },
  },
  {
    name: "Copilot with a Claude model is copilot only",
    body: "AI-Assisted: yes\nAI-Tools: GitHub Copilot (Claude Sonnet 4.5)",
    expect: { level: "assisted", tools: ["copilot"] },
  },
  {
    name: "ordinary words in prose are not tools",
    body: "Utilisation de l'IA : oui, pour m'aider à écrire les tests",
    expect: { level: "assisted", tools: [] },
  },
  {
    name: "lower-case tool names count in an AI-Tools list",
    body: "AI-Assisted: yes\nAI-Tools: cursor, amp",
    expect: { level: "assisted", tools: ["amp", "cursor"] },
  },
  {
    name: "section prose: a capitalised tool counts, an ordinary word does not",
    body:
      "## AI disclosure\n- [x] Assisted\n- [ ] None\n\nCopilot suggested the loop; " +
      "I moved the cursor handling and did a sweep of the callers myself.\n",
    expect: { level: "assisted", tools: ["copilot"] },
  },
  { name: "German: KI-Unterstützung: ja", body: "KI-Unterstützung: ja (Copilot)", expect: { level: "assisted", tools: ["copilot"] } },
  { name: "German: KI-Unterstützung: nein", body: "KI-Unterstützung: nein", expect: { level: "none" } },
  { name: "Spanish: Uso de IA: sí", body: "Uso de IA: sí, ChatGPT para los tests", expect: { level: "assisted", tools: ["chatgpt"] } },
  { name: "Portuguese: Uso de IA: não", body: "Uso de IA: não", expect: { level: "none" } },
  { name: "French: Utilisation de l'IA : oui", body: "Utilisation de l'IA : oui", expect: { level: "assisted" } },
  { name: "French: Utilisation de l’IA : aucune", body: "Utilisation de l’IA : aucune", expect: { level: "none" } },
  { name: "Japanese: AI使用: なし", body: "AI使用: なし", expect: { level: "none" } },
  { name: "Chinese: AI使用：是 (full-width colon)", body: "AI使用：是，用了 DeepSeek", expect: { level: "assisted", tools: ["deepseek"] } },
  { name: "Korean: AI 사용: 예", body: "AI 사용: 예", expect: { level: "assisted" } },
  { name: "Korean: AI 사용: 없음", body: "AI 사용: 없음", expect: { level: "none" } },

  // ---- Sections: shapes and what never counts ----
  {
    name: "<details><summary>AI disclosure</summary> section",
    body: fixture("details-summary.md"),
    expect: { level: "assisted", tools: ["copilot"], answers: [{ source: "section", level: "assisted" }], problems: [] },
  },
  {
    name: "boxes in code, indented code, quotes, comments and the checklist never count",
    body: fixture("boxes-outside-section.md"),
    expect: { level: "undisclosed", answers: [], problems: [], tools: [] },
  },
  {
    name: "parent list item names the section",
    body: "- Tests pass\n- AI usage:\n  - [ ] No\n  - [x] Yes, Cursor for the migration script\n- Docs updated\n",
    expect: { level: "assisted", tools: ["cursor"] },
  },
  {
    name: "nested parent list item with * markers and 4-space nesting",
    body: "* Checklist\n    * AI assistance disclosure\n        * [x] None\n        * [ ] Assisted\n",
    expect: { level: "none" },
  },
  { name: "emoji heading", body: "## 🤖 AI Disclosure\n\n- [ ] None\n+ [X] Generated\n", expect: { level: "generated" } },
  { name: "ordered-list boxes", body: "### AI assistance\n1. [ ] None\n2. [x] Assisted\n", expect: { level: "assisted" } },
  {
    name: "a box outside any AI section does not count",
    body: "## Checklist\n- [x] I used AI assistance for the tests\n",
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "a checked box whose text names no level",
    body: "## AI disclosure\n- [ ] None\n- [x] a little\n",
    expect: { level: "undisclosed", problems: [/does not name a level/] },
  },
  {
    name: "Fory-style AI checklist with several boxes is not a single choice",
    body:
      "## AI Contribution Checklist (required when AI assistance = `yes`)\n\n" +
      "- [x] AI assistance was used in this PR: `yes`\n" +
      "- [x] I reviewed AI-assisted code changes line by line before submission.\n\nAI-Assisted: yes\n",
    expect: { level: "assisted", problems: [] },
  },
  {
    name: "a feature heading about AI usage with a task list is not a disclosure section",
    body: "## Changes\n### AI usage metrics\n- [x] Add the chart\n- [x] Add the query\n",
    expect: { level: "undisclosed", problems: [] },
  },
  {
    name: "the section ends at the next heading of the same level",
    body: "## AI disclosure\n- [x] None\n- [ ] Assisted\n## Tasks\n- [x] Assisted the release team\n",
    expect: { level: "none", problems: [] },
  },
  {
    name: "two AI sections each answered: the highest counts",
    body:
      "## AI disclosure\n- [x] Assisted\n- [ ] Generated\n\n<details><summary>AI usage</summary>\n\n" +
      "- [x] Generated\n- [ ] None\n</details>\n",
    expect: {
      level: "generated",
      answers: [
        { source: "section", level: "assisted" },
        { source: "section", level: "generated" },
      ],
    },
  },
  { name: "null body", body: null, expect: { level: "undisclosed", declared: null, tools: [], problems: [], noEvidence: true } },
  { name: "empty body", body: "", expect: { level: "undisclosed", noEvidence: true } },

  // ---- Trailers (answers) ----
  {
    name: "kernel Assisted-by: coccinelle and sparse are not AI tools",
    body: "Fix a use-after-free in the DMA unmap path.",
    commits: [
      commit(
        "dma: fix use-after-free on unmap\n\nThe unmap path freed the mapping before the last sync.\n\nAssisted-by: " +
          "Claude:claude-3-opus coccinelle sparse\nSigned-off-by: Alice Example <alice@example.com>",
      ),
    ],
    expect: { level: "assisted", tools: ["claude"], answers: [{ source: "trailer", level: "assisted" }] },
  },
  {
    name: "Generated-By (case varies) in a commit",
    body: "",
    commits: [commit("Add nova quota check\n\nGenerated-By: Cursor gpt-5")],
    expect: { level: "generated", tools: ["cursor"] },
  },
  {
    name: "Open Liberty Co-authored-by-AI",
    body: "",
    commits: [commit("Add JSON-B config test\n\nCo-authored-by-AI: GitHub Copilot (gpt-4.1)")],
    expect: { level: "generated", tools: ["copilot"], noEvidence: true },
  },
  {
    name: "Assisted-by on its own line in the body",
    body: "Tidy the CLI help.\n\nAssisted-by: GitHub Copilot\n",
    expect: { level: "assisted", tools: ["copilot"], answers: [{ source: "trailer", level: "assisted" }] },
  },
  { name: "Fedora ChatGPTv5", body: "Assisted-by: ChatGPTv5", expect: { level: "assisted", tools: ["chatgpt"] } },
  {
    name: "a trailer-like subject line is not a trailer",
    body: "",
    commits: [
      commit("Assisted-by: document the trailer\n\nExplain how Assisted-by: and Co-authored-by: Claude <noreply@anthropic.com> are read."),
    ],
    expect: { level: "undisclosed", answers: [], noEvidence: true },
  },
  {
    name: "a trailer outside the last paragraph is not a trailer",
    body: "",
    commits: [commit("Update docs\n\nGenerated-by: Claude Code\n\nMore explanation after it.")],
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "Generated-by placeholder is ignored",
    body: "Generated-by: <Agent Name and Version> following the guidelines",
    expect: { level: "undisclosed", answers: [] },
  },
  {
    name: "trailer answer raises a body answer (highest wins)",
    body: ticked("Assisted"),
    commits: [commit("Add importer\n\nGenerated-by: Claude Code")],
    expect: { level: "generated", declared: "generated", contradiction: false },
  },

  // ---- Evidence and verdict ----
  {
    name: "Claude Code footer only: undisclosed but tools reported",
    body: fixture("claude-code-footer.md"),
    expect: {
      level: "undisclosed",
      tools: ["claude"],
      evidence: [{ tool: "claude", kind: "signature", where: "body", level: "generated" }],
    },
  },
  {
    name: "Claude Code commit + Assisted answer: generated evidence does not raise it",
    body: `${fixture("claude-code-footer.md")}\n${ticked("Assisted")}`,
    commits: [commit(CLAUDE_COMMIT)],
    expect: {
      level: "assisted",
      declared: "assisted",
      tools: ["claude"],
      contradiction: false,
      evidence: [
        { tool: "claude", kind: "co-author", where: "commit", level: "generated", sha: "3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345" },
        { tool: "claude", kind: "signature", where: "commit" },
      ],
    },
  },
  {
    name: "None + Claude co-author: contradiction naming the commit and tool",
    body: ticked("None"),
    commits: [commit(CLAUDE_COMMIT)],
    expect: {
      level: "generated",
      declared: "none",
      contradiction: true,
      tools: ["claude"],
      problems: [/says none.*commit 3f9c2a1.*claude/],
    },
  },
  {
    name: "None + Claude co-author in the body: contradiction",
    body: `${ticked("None")}\nCo-Authored-By: Claude <noreply@anthropic.com>\n`,
    expect: { level: "generated", contradiction: true, problems: [/the PR body shows claude/] },
  },
  {
    name: "None + Assisted-by commit trailer: contradiction",
    body: ticked("None"),
    commits: [commit("Fix\n\nAssisted-by: Claude")],
    expect: { level: "assisted", declared: "assisted", contradiction: true, problems: [/says none.*commit 3f9c2a1/] },
  },
  {
    name: "None + AI-Tools names a tool: contradiction",
    body: ticked("None").replace("AI-Tools: <!--", "AI-Tools: Copilot <!--"),
    expect: { level: "assisted", contradiction: true, tools: ["copilot"], problems: [/AI-Tools names copilot/] },
  },
  {
    name: "human co-author named Claude Monet is a person",
    body: ticked("None"),
    commits: [commit("Paint the landing page\n\nCo-authored-by: Claude Monet <claude@monet.fr>")],
    expect: { level: "none", contradiction: false, tools: [], noEvidence: true },
  },
  {
    name: "human co-author named Devin is a person",
    body: ticked("None"),
    commits: [
      commit(
        "Fix flaky test\n\nCo-authored-by: Devin Kowalski <devin@kowalski.dev>\nCo-authored-by: Jules Martin <jules.martin@example.org>",
      ),
    ],
    expect: { level: "none", contradiction: false, noEvidence: true },
  },
  {
    name: "Copilot suggestion co-author is assisted evidence",
    body: "",
    commits: [
      commit(
        "Potential fix for code scanning alert no. 12: Incomplete URL sanitization\n\nCo-authored-by: " +
          "Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>",
      ),
    ],
    expect: { level: "undisclosed", tools: ["copilot"], evidence: [{ tool: "copilot", level: "assisted", kind: "co-author" }] },
  },
  {
    name: "None + Copilot suggestion co-author: contradiction at assisted",
    body: ticked("None"),
    commits: [commit("Sanitize URL\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>")],
    expect: { level: "assisted", contradiction: true },
  },
  {
    name: "coding-agent bot only as co-author is generated, not agent",
    body: "",
    commits: [
      commit(
        "Fix array extensionality (#10936)\n\n* tests\n\n---------\n\nCo-authored-by: " +
          "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>\nCo-authored-by: " +
          "NikolajBjorner <3085284+NikolajBjorner@users.noreply.github.com>",
      ),
    ],
    expect: { level: "undisclosed", evidence: [{ tool: "copilot", level: "generated", kind: "co-author" }] },
  },
  {
    name: "emails match case-insensitively",
    body: "",
    commits: [commit("x\n\nCo-authored-by: Claude <NoReply@Anthropic.COM>")],
    expect: { level: "undisclosed", tools: ["claude"] },
  },
  {
    name: "Copilot coding agent PR",
    body: fixture("copilot-agent.md"),
    author: bot("Copilot"),
    commits: [
      commit("Initial plan", {
        authorLogin: "Copilot",
        authorEmail: "198982749+Copilot@users.noreply.github.com",
        authorName: "copilot-swe-agent[bot]",
        sha: "a1b2c3d4e5f6",
      }),
      commit(
        "Add .yamllint configuration\n\nAgent-Logs-Url: " +
          "https://github.com/acme/infra/sessions/5b0c7f0e-7e0b-4b1e-9d3c-1f2e3d4c5b6a\nCo-authored-by: " +
          "alice <1234+alice@users.noreply.github.com>",
        {
          authorLogin: "Copilot",
          authorEmail: "198982749+Copilot@users.noreply.github.com",
          authorName: "copilot-swe-agent[bot]",
          sha: "b2c3d4e5f6a7",
        },
      ),
    ],
    expect: {
      level: "agent",
      declared: null,
      agent: "Copilot",
      tools: ["copilot"],
      problems: [],
      evidence: [
        { kind: "pr-author", where: "pr", level: "agent" },
        { kind: "marker", where: "body", level: "agent" },
        { kind: "author", where: "commit", sha: "a1b2c3d4e5f6" },
        { kind: "marker", where: "commit", sha: "b2c3d4e5f6a7" },
      ],
    },
  },
  {
    name: "Copilot markers in HTML comments are evidence even under a human author",
    body: fixture("copilot-agent.md"),
    expect: { level: "agent", agent: null, tools: ["copilot"], answers: [] },
  },
  {
    name: "Copilot PR with None ticked: contradiction at agent",
    body: ticked("None"),
    author: bot("Copilot"),
    expect: { level: "agent", contradiction: true, agent: "Copilot", problems: [/the PR author is a coding agent \(copilot\)/] },
  },
  {
    name: "Copilot agent PR with a Generated answer is raised to agent",
    body: ticked("Generated"),
    author: bot("Copilot"),
    expect: { level: "agent", declared: "generated", agent: "Copilot", contradiction: false },
  },
  {
    name: "Jules: footer link under the human's account, commits by the Jules bot",
    body: fixture("jules.md"),
    commits: [
      commit("Fix pagination off-by-one", {
        authorLogin: "google-labs-jules[bot]",
        authorEmail: "161369871+google-labs-jules[bot]@users.noreply.github.com",
        authorName: "google-labs-jules[bot]",
      }),
    ],
    expect: { level: "agent", agent: "google-labs-jules[bot]", tools: ["jules"] },
  },
  {
    name: "Devin PR",
    body: fixture("devin.md"),
    author: bot("devin-ai-integration[bot]"),
    commits: [
      commit(
        "Add OpenAPI smoke inspector\n\nGenerated with [Devin](https://devin.ai)\n\nCo-Authored-By: " +
          "Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        {
          authorLogin: "devin-ai-integration[bot]",
          authorEmail: "158243242+devin-ai-integration[bot]@users.noreply.github.com",
          authorName: "Devin AI",
        },
      ),
    ],
    expect: { level: "agent", agent: "devin-ai-integration[bot]", tools: ["devin"] },
  },
  { name: "Codex cloud task link", body: fixture("codex-cloud.md"), expect: { level: "agent", agent: null, tools: ["codex"] } },
  {
    name: "Cursor background agent: links in the body, commits by Cursor Agent",
    body: fixture("cursor-background-agent.md"),
    commits: [
      commit("Migrate notification worker", {
        authorLogin: "cursoragent",
        authorEmail: "cursoragent@cursor.com",
        authorName: "Cursor Agent",
      }),
    ],
    expect: { level: "agent", agent: "cursoragent", tools: ["cursor"] },
  },
  {
    name: "Cursor Made-with trailer and co-author: generated evidence, undisclosed",
    body: "Switch to the new form components.",
    commits: [commit("Use new form components\n\nMade-with: Cursor\nCo-authored-by: Cursor <cursoragent@cursor.com>")],
    expect: {
      level: "undisclosed",
      tools: ["cursor"],
      evidence: [
        { kind: "signature", tool: "cursor" },
        { kind: "co-author", tool: "cursor", level: "generated" },
      ],
    },
  },
  {
    name: "Made with [Cursor] in the body plus an answer line",
    body: `${fixture("cursor-made-with.md")}\nAI-Assisted: generated\n`,
    expect: { level: "generated", tools: ["cursor"], evidence: [{ kind: "signature", where: "body", tool: "cursor" }] },
  },
  {
    name: "Made-with something else is not Cursor",
    body: "",
    commits: [commit("x\n\nMade-with: Emacs")],
    expect: { level: "undisclosed", noEvidence: true },
  },
  {
    name: "Aider: (aider) author suffix, aider: subject prefix, aider co-author",
    body: "",
    commits: [
      commit("aider: Add retry to the fetcher\n\nCo-authored-by: aider (claude-3.7-sonnet) <noreply@aider.chat>", {
        authorName: "Alice Example (aider)",
      }),
    ],
    expect: {
      level: "undisclosed",
      tools: ["aider"],
      evidence: [
        { kind: "author", tool: "aider" },
        { kind: "signature", tool: "aider" },
        { kind: "co-author", tool: "aider" },
      ],
    },
  },
  {
    name: "Amp thread and co-author are generated evidence, not agent",
    body: ticked("Generated"),
    commits: [
      commit(
        "Refactor\n\nAmp-Thread-ID: https://ampcode.com/threads/T-5a1b2c3d-0000-4000-8000-123456789abc\nCo-authored-by: " +
          "Amp <amp@ampcode.com>",
      ),
    ],
    expect: { level: "generated", tools: ["amp"] },
  },
  {
    name: "Claude-Session trailer is an agent marker",
    body: "",
    commits: [commit("Add tests\n\nClaude-Session: https://claude.ai/code/session_01AbCdEf")],
    expect: { level: "agent", tools: ["claude"], agent: null },
  },
  {
    name: "Claude Code on the web session link in the body is an agent marker",
    body: "Adds the export endpoint.\n\nhttps://claude.ai/code/session_01HqXbWz9kP3\n",
    expect: { level: "agent", tools: ["claude"], evidence: [{ kind: "marker", where: "body", tool: "claude" }] },
  },
  {
    name: "a bare mention of a session site is not a marker",
    body: "Codex tasks live under chatgpt.com/codex/tasks/ when you use the cloud.",
    expect: { level: "undisclosed", noEvidence: true },
  },
  {
    name: "claude[bot] commit author is an agent (email pattern with any id)",
    body: "",
    commits: [
      commit("Apply review suggestion", {
        authorLogin: null,
        authorEmail: "41898999+claude[bot]@users.noreply.github.com",
        authorName: "claude[bot]",
      }),
    ],
    expect: { level: "agent", agent: "claude[bot]", tools: ["claude"] },
  },
  {
    name: "OpenHands as git author is an agent",
    body: "",
    commits: [commit("Fix lint", { authorLogin: null, authorEmail: "openhands@all-hands.dev", authorName: "openhands" })],
    expect: { level: "agent", agent: "openhands", tools: ["openhands"] },
  },
  {
    name: "Amazon Q Developer PR author",
    body: "",
    author: bot("amazon-q-developer[bot]"),
    expect: { level: "agent", agent: "amazon-q-developer[bot]", tools: ["amazon-q"] },
  },
  {
    name: "Dependabot PR is none without an answer",
    body: fixture("dependabot.md"),
    author: bot("dependabot[bot]"),
    expect: { level: "none", declared: null, problems: [], noEvidence: true },
  },
  {
    name: "Renovate squash with a dependabot co-author is still none",
    body: "Update dependency eslint to v9.1.0",
    author: bot("renovate[bot]"),
    commits: [
      commit("chore(deps): update eslint\n\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", {
        authorLogin: "renovate[bot]",
        authorEmail: "29139614+renovate[bot]@users.noreply.github.com",
      }),
    ],
    expect: { level: "none", noEvidence: true },
  },
  {
    name: "a bot opening a PR with AI-generated commits acts as an agent",
    body: "Automated refactor.",
    author: bot("github-actions[bot]"),
    commits: [
      commit(CLAUDE_COMMIT, { authorLogin: "github-actions[bot]", authorEmail: "41898282+github-actions[bot]@users.noreply.github.com" }),
    ],
    expect: { level: "agent", agent: "github-actions[bot]", tools: ["claude"] },
  },
  {
    name: "an unknown bot gets no special treatment",
    body: "Release 1.2.3",
    author: bot("acme-release[bot]"),
    expect: { level: "undisclosed", noEvidence: true },
  },
  {
    name: "an AI reviewer bot as PR author is not an agent",
    body: "Docstrings for #42",
    author: bot("coderabbitai[bot]"),
    expect: { level: "undisclosed", agent: null, noEvidence: true },
  },
  {
    name: "signatures inside a fenced code block are not evidence",
    body:
      "Document the Claude footer:\n\n```\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n" +
      "Co-Authored-By: Claude <noreply@anthropic.com>\n```\n",
    expect: { level: "undisclosed", noEvidence: true },
  },
  {
    name: "commit with null fields",
    body: null,
    commits: [{ message: "Fix", authorLogin: null, authorEmail: null, authorName: null }],
    expect: { level: "undisclosed", noEvidence: true },
  },

  // ---- Sponsor ----
  { name: "Sponsor line", body: `${ticked("Agent")}\nSponsor: @bob-smith\n`, expect: { level: "agent", sponsor: "bob-smith" } },
  {
    name: "Sponsor inside a comment or code does not count",
    body: "<!-- Sponsor: @template -->\n```\nSponsor: @example\n```\n",
    expect: { level: "undisclosed", sponsor: null },
  },

  // ---- Config ----
  {
    name: "config: extra identity with an unknown tool id is reported as given",
    body: ticked("None"),
    config: { ai_identities: [{ tool: "tabnine", emails: ["bot@tabnine.com"], logins: [] }] },
    commits: [commit("x\n\nCo-authored-by: Tabnine <bot@tabnine.com>")],
    expect: { level: "generated", contradiction: true, tools: ["tabnine"], problems: [/tabnine/] },
  },
  {
    name: "config: extra email for a known tool",
    body: "",
    config: { ai_identities: [{ tool: "claude", emails: ["claude-bot@corp.example"], logins: [] }] },
    commits: [commit("x", { authorEmail: "claude-bot@corp.example", authorLogin: null })],
    expect: { level: "undisclosed", tools: ["claude"], evidence: [{ kind: "author", level: "generated" }] },
  },
  {
    name: "config: extra agent login as PR author",
    body: "",
    author: bot("acme-coder[bot]"),
    config: { agents: ["acme-coder[bot]"] },
    expect: { level: "agent", agent: "acme-coder[bot]", tools: [] },
  },
  {
    name: "config: extra agent as commit author (noreply email)",
    body: ticked("Assisted"),
    config: { agents: ["acme-coder[bot]"] },
    commits: [commit("x", { authorLogin: null, authorEmail: "777+acme-coder[bot]@users.noreply.github.com" })],
    expect: { level: "agent", declared: "assisted", agent: "acme-coder[bot]" },
  },
  {
    name: "config: accept_trailers false ignores trailer answers but keeps them as evidence",
    body: "",
    config: { accept_trailers: false },
    commits: [commit("Fix\n\nAssisted-by: Claude")],
    expect: {
      level: "undisclosed",
      answers: [],
      tools: ["claude"],
      evidence: [{ kind: "trailer", level: "assisted", tool: "claude" }],
      problems: [/accept_trailers is off/],
    },
  },
  {
    name: "config: accept_trailers false still accepts the body section",
    body: ticked("Generated"),
    config: { accept_trailers: false },
    commits: [commit("Fix\n\nGenerated-by: Claude Code")],
    expect: { level: "generated", contradiction: false },
  },
  {
    name: "config: accept_trailers false, None + trailer: contradiction",
    body: ticked("None"),
    config: { accept_trailers: false },
    commits: [commit("Fix\n\nGenerated-by: Claude Code")],
    expect: { level: "generated", contradiction: true },
  },
];

describe("parseDisclosure", () => {
  test.each(cases)("$name", ({ body, commits, author, config, expect: e }) => {
    const result = parseDisclosure({ body, commits: commits ?? [], author: author ?? HUMAN }, config);
    expect(result.level).toBe(e.level);
    if (e.declared !== undefined) expect(result.declared).toBe(e.declared);
    if (e.tools !== undefined) expect(result.tools).toEqual(e.tools);
    if (e.contradiction !== undefined) expect(result.contradiction).toBe(e.contradiction);
    if (e.agent !== undefined) expect(result.agent).toBe(e.agent);
    if (e.sponsor !== undefined) expect(result.sponsor).toBe(e.sponsor);
    if (e.problems !== undefined) {
      if (e.problems.length === 0) expect(result.problems).toEqual([]);
      for (const p of e.problems) expect(result.problems.some((text) => p.test(text))).toBe(true);
    }
    if (e.answers !== undefined) expect(result.answers.map((a) => ({ source: a.source, level: a.level }))).toEqual(e.answers);
    if (e.noEvidence) expect(result.evidence).toEqual([]);
    for (const want of e.evidence ?? []) expect(result.evidence).toContainEqual(expect.objectContaining(want));
    // Invariants on every case.
    expect([...result.tools].sort()).toEqual(result.tools);
    for (const a of result.answers) expect([...a.tools].sort()).toEqual(a.tools);
  });
});

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
