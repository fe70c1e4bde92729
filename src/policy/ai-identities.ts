/**
 * The default AI identity lists the disclosure gate matches against, as plain data.
 * Sources are in shared/research/ai-disclosure.md (§2 tool signatures, §3 GitHub identities);
 * "secondary" marks an identity seen only in third-party lists, not in a vendor source.
 * Repositories extend these through `disclosure.ai_identities` and `disclosure.agents`.
 */

/** Canonical tool ids, the only values `DisclosureResult.tools` holds for built-in tools. */
export const AI_TOOL_IDS = [
  "claude",
  "copilot",
  "cursor",
  "codex",
  "chatgpt",
  "gemini",
  "jules",
  "devin",
  "aider",
  "amazon-q",
  "openhands",
  "amp",
  "factory-droid",
  "opencode",
  "deepseek",
  "sweep",
  "windsurf",
  "cline",
  "roo-code",
  "continue",
  "tabnine",
  "cody",
  "jetbrains-ai",
  "zed",
  "goose",
  "kiro",
  "qwen",
  "kimi",
  "glm",
  "grok",
  "llama",
  "mistral",
] as const;
export type AiToolId = (typeof AI_TOOL_IDS)[number];

/** Evidence levels an identity or signature can prove (never `none`). */
export type EvidenceLevel = "assisted" | "generated" | "agent";

export interface AiIdentity {
  tool: AiToolId;
  /** Exact commit emails (compared case-insensitively). */
  emails: readonly string[];
  /**
   * Email patterns: a leading `*` stands for GitHub's numeric user id in
   * `<id>+<login>@users.noreply.github.com`, so `*+claude[bot]@users.noreply.github.com`.
   */
  emailPatterns: readonly string[];
  /** GitHub logins (case-insensitive, as GitHub treats them). */
  logins: readonly string[];
  /** Level when this identity is the commit author or opens the PR. */
  asAuthor: EvidenceLevel;
  /** Level when it appears only in a `Co-authored-by:` trailer. */
  asCoAuthor: "assisted" | "generated";
  /** Where the identity was seen. */
  source: string;
}

/**
 * AI identities, matched by email or login only, never by display name
 * (`Claude Monet <claude@monet.fr>` and `Devin Kowalski` are people).
 * Exact emails are tried before patterns and logins, so the three Copilot ids stay distinct.
 */
export const AI_IDENTITIES: readonly AiIdentity[] = [
  {
    tool: "claude",
    emails: ["noreply@anthropic.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "Claude Code default trailer `Co-Authored-By: Claude <noreply@anthropic.com>` (§2)",
  },
  {
    tool: "claude",
    emails: ["209825114+claude[bot]@users.noreply.github.com"],
    emailPatterns: ["*+claude[bot]@users.noreply.github.com"],
    logins: ["claude[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Claude GitHub App / claude-code-action commits as claude[bot] (§2, §3)",
  },
  {
    tool: "copilot",
    emails: ["198982749+Copilot@users.noreply.github.com"],
    emailPatterns: ["*+copilot-swe-agent[bot]@users.noreply.github.com"],
    // GitHub shows the coding agent's PRs as `Copilot` and its commits as copilot-swe-agent[bot].
    logins: ["Copilot", "copilot-swe-agent[bot]", "copilot-swe-agent"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Copilot coding agent: PR author Copilot, commits copilot-swe-agent[bot] (§2, §3; wgmesh #473)",
  },
  {
    tool: "copilot",
    emails: ["223556219+Copilot@users.noreply.github.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "Copilot CLI / VS Code agent default co-author (§2; github/copilot-cli #975)",
  },
  {
    tool: "copilot",
    emails: ["175728472+Copilot@users.noreply.github.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "assisted",
    asCoAuthor: "assisted",
    source: "Copilot suggestions and Autofix co-author (§2; erigon, elastic/eui logs)",
  },
  {
    tool: "cursor",
    emails: ["cursoragent@cursor.com"],
    emailPatterns: [],
    // As co-author it is the IDE's attribution; as commit author it is the cloud/background agent.
    logins: ["cursoragent"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Cursor: `Co-authored-by: Cursor <cursoragent@cursor.com>`; cloud agent commits as `Cursor Agent` (§2, §3)",
  },
  {
    tool: "codex",
    emails: [],
    emailPatterns: ["*+chatgpt-codex-connector[bot]@users.noreply.github.com"],
    logins: ["chatgpt-codex-connector[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Codex cloud connector bot, id 199175422 (§2, §3; openai/codex #4750)",
  },
  {
    tool: "codex",
    emails: ["codex@openai.com", "noreply@openai.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "community Codex CLI co-author conventions, not vendor-documented (secondary; openai/codex #938)",
  },
  {
    tool: "gemini",
    emails: ["gemini@google.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "community Gemini CLI co-author convention (secondary; google-gemini/gemini-cli #12419)",
  },
  {
    tool: "jules",
    emails: ["161369871+google-labs-jules[bot]@users.noreply.github.com"],
    emailPatterns: ["*+google-labs-jules[bot]@users.noreply.github.com"],
    logins: ["google-labs-jules[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Google Jules commit author (§2, §3)",
  },
  {
    tool: "devin",
    emails: ["158243242+devin-ai-integration[bot]@users.noreply.github.com"],
    emailPatterns: ["*+devin-ai-integration[bot]@users.noreply.github.com"],
    logins: ["devin-ai-integration[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Devin PR/commit author and `Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@…>` (§2, §3)",
  },
  {
    tool: "aider",
    emails: ["noreply@aider.chat", "aider@aider.chat"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "Aider `--attribute-co-authored-by` (docs: noreply@aider.chat; some versions aider@aider.chat) (§2)",
  },
  {
    tool: "amazon-q",
    emails: [],
    emailPatterns: ["*+amazon-q-developer[bot]@users.noreply.github.com"],
    logins: ["amazon-q-developer[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Amazon Q Developer `/q dev` authors commits and PRs (§2, §3)",
  },
  {
    tool: "openhands",
    emails: ["openhands@all-hands.dev"],
    emailPatterns: ["*+openhands-agent@users.noreply.github.com"],
    logins: ["openhands", "openhands-agent"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "OpenHands system prompt: `Co-authored-by: openhands <openhands@all-hands.dev>`, also its git author (§2)",
  },
  {
    tool: "amp",
    emails: ["amp@ampcode.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "Amp `Co-authored-by: Amp <amp@ampcode.com>` (§2; lobehub #18302)",
  },
  {
    tool: "factory-droid",
    emails: ["138933559+factory-droid[bot]@users.noreply.github.com"],
    emailPatterns: ["*+factory-droid[bot]@users.noreply.github.com"],
    logins: ["factory-droid[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Factory Droid co-author / bot (§2, §3)",
  },
  {
    tool: "opencode",
    emails: ["noreply@opencode.ai"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "OpenCode `Co-Authored-By: opencode <noreply@opencode.ai>` (secondary; umputun/ralphex #240)",
  },
  {
    tool: "sweep",
    emails: [],
    emailPatterns: ["*+sweep-ai[bot]@users.noreply.github.com"],
    logins: ["sweep-ai[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Sweep PR author (detector lists only, low confidence) (§2, §3)",
  },
];

/**
 * Names people write for each tool in text answers (`AI-Tools:`, trailer values, the checked box).
 * Matched as whole words, case-insensitively. Model names (gpt-5, sonnet, opus, o3, llama…) are
 * deliberately absent: they qualify a tool and never add one (`Cursor (gpt-5)` is cursor only),
 * and hyphenated model ids such as `claude-sonnet-4-5` do not match `claude`.
 */
export const TOOL_ALIASES: Readonly<Record<AiToolId, readonly string[]>> = {
  claude: ["claude", "claude code", "claude-code", "claude.ai", "anthropic"],
  copilot: ["copilot", "github copilot", "github-copilot", "copilot-cli", "copilot cli", "copilot chat"],
  cursor: ["cursor", "cursor agent", "cursor-agent", "cursoragent"],
  codex: ["codex", "openai codex", "codex-cli", "codex cli"],
  chatgpt: ["chatgpt", "chat gpt", "chat-gpt"],
  gemini: ["gemini", "gemini cli", "gemini-cli", "gemini code assist"],
  jules: ["jules", "google jules"],
  devin: ["devin", "devin.ai"],
  aider: ["aider"],
  "amazon-q": ["amazon q", "amazon-q", "amazon q developer", "q developer", "codewhisperer"],
  openhands: ["openhands", "opendevin"],
  amp: ["amp", "ampcode", "sourcegraph amp"],
  "factory-droid": ["factory droid", "factory-droid", "factory.ai", "droid"],
  opencode: ["opencode"],
  deepseek: ["deepseek", "deep seek"],
  sweep: ["sweep", "sweep ai", "sweep-ai"],
  windsurf: ["windsurf", "codeium"],
  cline: ["cline"],
  "roo-code": ["roo code", "roo-code", "roocode", "roo cline"],
  continue: ["continue.dev", "continue dev"],
  tabnine: ["tabnine"],
  cody: ["sourcegraph cody", "cody"],
  "jetbrains-ai": ["jetbrains ai", "jetbrains ai assistant", "junie"],
  zed: ["zed", "zed ai", "zed agent"],
  goose: ["goose"],
  kiro: ["kiro"],
  qwen: ["qwen", "qwen code", "qwen-code"],
  kimi: ["kimi", "kimi k2"],
  glm: ["glm"],
  grok: ["grok"],
  llama: ["code llama", "codellama"],
  mistral: ["mistral", "le chat", "mistral vibe"],
};

/**
 * Model names people write instead of the tool ("used Opus 4.6", "GPT-5.4", "Sonnet 4.5"), each
 * mapped to its maker's tool. They count only when the text names no tool product, so
 * `Cursor (gpt-5)` stays cursor. Matched at a word start; a version may follow directly
 * (`gpt-4o`, `gpt5.4`, `opus-4`), and `requiresVersion` models count only with one (`llama3`,
 * not the llama.cpp project).
 */
export const MODEL_ALIASES: readonly { text: string; tool: AiToolId; requiresVersion?: boolean }[] = [
  { text: "gpt", tool: "chatgpt" },
  { text: "openai", tool: "chatgpt" },
  { text: "o3-mini", tool: "chatgpt" },
  { text: "o3-pro", tool: "chatgpt" },
  { text: "o4-mini", tool: "chatgpt" },
  { text: "o1-preview", tool: "chatgpt" },
  { text: "claude", tool: "claude" },
  { text: "sonnet", tool: "claude" },
  { text: "opus", tool: "claude", requiresVersion: true },
  { text: "haiku", tool: "claude", requiresVersion: true },
  { text: "gemini", tool: "gemini" },
  { text: "gemma", tool: "gemini", requiresVersion: true },
  { text: "deepseek", tool: "deepseek" },
  { text: "qwen", tool: "qwen" },
  { text: "qwq", tool: "qwen" },
  { text: "kimi", tool: "kimi" },
  { text: "glm", tool: "glm", requiresVersion: true },
  { text: "grok", tool: "grok", requiresVersion: true },
  { text: "llama", tool: "llama", requiresVersion: true },
  { text: "codestral", tool: "mistral" },
  { text: "devstral", tool: "mistral" },
  { text: "mistral", tool: "mistral" },
];

/**
 * Aliases that are also ordinary words ("move the cursor", "sweep the callers", French "aider").
 * In prose they count only when capitalised; in `AI-Tools:` lists and trailer values they always count.
 */
export const AMBIGUOUS_ALIASES: readonly string[] = [
  "cursor", "amp", "sweep", "droid", "jules", "devin", "aider", "codex",
  "goose", "zed", "cody", "kiro", "grok", "junie", "kimi", "continue dev", "le chat", "windsurf", "cline",
];

export type SignatureKind =
  /** a phrase anywhere in a commit message or visible PR-body line */
  | "phrase"
  /** a git trailer key (commit trailer block, or its own line in the body) */
  | "trailer-key"
  /** the first line of a commit message starts with it */
  | "subject-prefix"
  /** the commit author's display name ends with it */
  | "author-name-suffix";

export interface ToolSignature {
  tool: AiToolId;
  /** Lower-case text to find. */
  text: string;
  kind: SignatureKind;
  /** For `trailer-key`: the value must name this (lower-case), e.g. `Made-with: Cursor`. */
  value?: string;
  source: string;
}

/**
 * Tool-default signatures: added automatically by the tool, so they prove AI use (level
 * `generated`) but are not a disclosure — users often don't notice them (claude-code #29999).
 */
export const TOOL_SIGNATURES: readonly ToolSignature[] = [
  { tool: "claude", text: "generated with [claude code]", kind: "phrase", source: "Claude Code commit/PR footer (§2)" },
  { tool: "claude", text: "generated with claude code", kind: "phrase", source: "Claude Code footer without link (§2)" },
  { tool: "devin", text: "generated with [devin]", kind: "phrase", source: "Devin commit footer (§2)" },
  { tool: "devin", text: "generated with devin", kind: "phrase", source: "Devin footer without link (§2)" },
  { tool: "cursor", text: "made with [cursor]", kind: "phrase", source: "Cursor PR-body footer (§2)" },
  { tool: "cursor", text: "made-with", kind: "trailer-key", value: "cursor", source: "Cursor `Made-with: Cursor` trailer (§2)" },
  { tool: "amp", text: "amp-thread-id", kind: "trailer-key", source: "Amp `Amp-Thread-ID:` trailer (§2)" },
  // Amp threads are interactive sessions, so a thread link is a signature, not an agent marker.
  { tool: "amp", text: "ampcode.com/threads/", kind: "phrase", source: "Amp thread link (§2)" },
  { tool: "aider", text: "aider: ", kind: "subject-prefix", source: "Aider `--attribute-commit-message-author` (§2)" },
  { tool: "aider", text: " (aider)", kind: "author-name-suffix", source: "Aider default author-name suffix (§2)" },
];

export interface AgentMarker {
  tool: AiToolId;
  /** Lower-case text to find. */
  text: string;
  /**
   * `trailer-key`: a git trailer key; `link`: a URL prefix that must be followed by an id;
   * `comment`: the start of an HTML comment (`<!-- START COPILOT …`), read even though comments
   * never count as answers.
   */
  kind: "trailer-key" | "link" | "comment";
  source: string;
}

/** Markers only an autonomous agent session leaves: they raise the level to `agent`. */
export const AGENT_MARKERS: readonly AgentMarker[] = [
  { tool: "copilot", text: "agent-logs-url", kind: "trailer-key", source: "Copilot coding agent commit trailer (§2)" },
  { tool: "copilot", text: "start copilot", kind: "comment", source: "Copilot coding agent PR-body comments `<!-- START COPILOT … -->` (§2)" },
  { tool: "claude", text: "claude-session", kind: "trailer-key", source: "Claude Code on the web trailer (§2; claude-code #77830)" },
  { tool: "claude", text: "claude.ai/code/session_", kind: "link", source: "Claude Code on the web session link (§2)" },
  { tool: "codex", text: "chatgpt.com/codex/tasks/", kind: "link", source: "Codex cloud task link in PR bodies (§2)" },
  { tool: "jules", text: "jules.google.com/task/", kind: "link", source: "Jules PR footer link (§2)" },
  { tool: "devin", text: "app.devin.ai/sessions/", kind: "link", source: "Devin session link (§2)" },
  { tool: "cursor", text: "cursor.com/agents/", kind: "link", source: "Cursor background agent link (§2)" },
  { tool: "cursor", text: "cursor.com/agents?id=", kind: "link", source: "Cursor background agent \"Open in Web\" link (§2)" },
  { tool: "cursor", text: "cursor.com/background-agent?", kind: "link", source: "Cursor background agent \"Open in Cursor\" link (§2)" },
];

/**
 * Known non-AI bots: dependency, release and formatting bots. A PR they open with no AI
 * evidence is level `none`; their `Co-authored-by` trailers on human squash merges are not AI.
 */
export const NON_AI_BOTS: readonly string[] = [
  "dependabot[bot]", // 49699333 (§3)
  "renovate[bot]", // 29139614 (§3)
  "github-actions[bot]", // 41898282 (§3)
  "pre-commit-ci[bot]", // (§3)
];

/**
 * AI reviewer bots: they comment and review; they never make a PR AI-authored, and they are
 * not coding agents even when they push a suggested fix.
 */
export const AI_REVIEWER_BOTS: readonly string[] = [
  "coderabbitai[bot]", // CodeRabbit (§3)
  "gemini-code-assist[bot]", // Gemini Code Assist reviews (§2, §3)
  "copilot-pull-request-reviewer[bot]", // Copilot code review (§3)
  "cursor[bot]", // Cursor Bugbot (§3)
];
