/**
 * The "acme" world shared by `npm run demo` and the end-to-end tests: three teams, a repository
 * whose base branch holds a countersign config (an `auth` boundary, agents confined to docs/ and
 * test/) and CODEOWNERS, and the texts people write (disclosure sections, understanding notes).
 */

export const CONFIG = `# .github/countersign.yml
boundaries:
  - name: auth
    paths: ["src/auth/**"]
    approvers: ["@acme/security"]
    message: Auth code is off-limits to AI-assisted changes without a security exception.
agents:
  scope: ["docs/**", "test/**"]
incident:
  label: incident
`;

export const CODEOWNERS = `# .github/CODEOWNERS
*               @acme/platform
/src/auth/      @acme/security
/src/billing/   @acme/payments
`;

export const TEAMS = {
  "acme/platform": ["plat-lead", "plat-dev"],
  "acme/security": ["sec-lead"],
  "acme/payments": ["pay-lead"],
};

/** Creates the teams and `fullName` with the config and CODEOWNERS on its default branch. */
export function seedAcme(sim, fullName = "acme/payments-api", { config = CONFIG, codeowners = CODEOWNERS, files = {} } = {}) {
  for (const [team, members] of Object.entries(TEAMS)) sim.team(team, members);
  const base = { "README.md": `# ${fullName}\n`, ...files };
  if (config !== null) base[".github/countersign.yml"] = config;
  if (codeowners !== null) base[".github/CODEOWNERS"] = codeowners;
  return sim.repo(fullName, { files: base });
}

/** The PR template's disclosure section with `level` ticked. */
export function disclosure(level, tools = "") {
  const boxes = ["None", "Assisted", "Generated", "Agent"].map((l) => `- [${l.toLowerCase() === level ? "x" : " "}] **${l}**`).join("\n");
  return `## AI assistance disclosure\n${boxes}\n${tools ? `\nAI-Tools: ${tools}\n` : ""}`;
}

/** An approving review's understanding note: both checklist items and a Verified: statement. */
export function note(verified) {
  return `- [x] I can explain what this change does and why
- [x] I checked its failure modes and how to roll it back
Verified: ${verified}`;
}

/** The Copilot coding agent as GitHub shows it: a Bot PR author and a bot commit author. */
export const COPILOT_AGENT = {
  author: { login: "Copilot", type: "Bot" },
  commit: {
    message: "Initial plan",
    author: { login: "copilot-swe-agent[bot]", type: "Bot", name: "Copilot", email: "198982749+Copilot@users.noreply.github.com" },
  },
};
