/** parseDisclosure cases: evidence and the verdict drawn from it. */
import { describeCases, type Case, fixture, bot, commit, ticked, CLAUDE_COMMIT } from "../support/disclosure-cases.js";

const cases: Case[] = [
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
];

describeCases(cases);
