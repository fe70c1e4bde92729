/** parseDisclosure cases: the template Countersign installs, real templates, free text and answer lines. */
import { DISCLOSURE_LINE_EXAMPLE, DISCLOSURE_TEMPLATE } from "../../src/policy/disclosure-template.js";
import { describeCases, type Case, fixture, bot, commit, ticked } from "../support/disclosure-cases.js";

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
];

describeCases(cases);
