/** parseDisclosure cases: section shapes (and what never counts) and trailers. */
import { describeCases, type Case, fixture, commit, ticked } from "../support/disclosure-cases.js";

const cases: Case[] = [
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
];

describeCases(cases);
