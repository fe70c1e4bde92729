/** parseDisclosure cases: the sponsor line and the config options. */
import { describeCases, type Case, bot, commit, ticked } from "../support/disclosure-cases.js";

const cases: Case[] = [
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

describeCases(cases);
