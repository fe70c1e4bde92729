/**
 * Copilot's agent pull request sponsored by plat-lead that reaches outside acme's `agents.scope`
 * (docs/** is in scope, src/upload/retry.ts is not).
 */
import { COPILOT_AGENT } from "../../../tools/demo/acme.mjs";

/** The options for `sim.openPullRequest`. */
export const OUT_OF_SCOPE_AGENT_PULL = {
  title: "Document retries",
  body: "Sponsor: @plat-lead",
  author: COPILOT_AGENT.author,
  commits: [COPILOT_AGENT.commit],
  files: ["docs/uploads.md", "src/upload/retry.ts"],
};
