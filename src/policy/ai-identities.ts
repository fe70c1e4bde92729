/**
 * The default AI identity lists the disclosure gate matches against, as plain data. Each entry's
 * `source` says in plain words where the identity or signature is seen (a tool's default commit
 * trailer, a bot account, a link its sessions leave); "secondary" marks one seen only in
 * community conventions, not documented by the vendor.
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
    // As the commit author (not a co-author) the agent made the commit itself.
    asAuthor: "agent",
    asCoAuthor: "generated",
    source:
      "Claude Code's default commit trailer `Co-Authored-By: Claude <noreply@anthropic.com>`; " +
      "also the author of commits Claude Code makes on its own",
  },
  {
    tool: "claude",
    emails: ["209825114+claude[bot]@users.noreply.github.com"],
    emailPatterns: ["*+claude[bot]@users.noreply.github.com"],
    logins: ["claude[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "the Claude GitHub App and claude-code-action, which commit as claude[bot]",
  },
  {
    tool: "copilot",
    emails: ["198982749+Copilot@users.noreply.github.com"],
    emailPatterns: ["*+copilot-swe-agent[bot]@users.noreply.github.com"],
    // GitHub shows the coding agent's PRs as `Copilot` and its commits as copilot-swe-agent[bot].
    logins: ["Copilot", "copilot-swe-agent[bot]", "copilot-swe-agent"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Copilot coding agent: it opens PRs as Copilot and commits as copilot-swe-agent[bot]",
  },
  {
    tool: "copilot",
    emails: ["223556219+Copilot@users.noreply.github.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "the co-author Copilot CLI and the VS Code agent add by default",
  },
  {
    tool: "copilot",
    emails: ["175728472+Copilot@users.noreply.github.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "assisted",
    asCoAuthor: "assisted",
    source: "the co-author GitHub adds for accepted Copilot suggestions and Autofix",
  },
  {
    tool: "cursor",
    emails: ["cursoragent@cursor.com"],
    emailPatterns: [],
    // As co-author it is the IDE's attribution; as commit author it is the cloud/background agent.
    logins: ["cursoragent"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Cursor's trailer `Co-authored-by: Cursor <cursoragent@cursor.com>`; its cloud agent commits as `Cursor Agent`",
  },
  {
    tool: "codex",
    emails: [],
    emailPatterns: ["*+chatgpt-codex-connector[bot]@users.noreply.github.com"],
    logins: ["chatgpt-codex-connector[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "the Codex cloud connector bot account (user id 199175422)",
  },
  {
    tool: "codex",
    emails: ["codex@openai.com", "noreply@openai.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "co-author addresses people use for the Codex CLI (secondary: a community convention)",
  },
  {
    tool: "gemini",
    emails: ["gemini@google.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "the co-author address people use for the Gemini CLI (secondary: a community convention)",
  },
  {
    tool: "jules",
    emails: ["161369871+google-labs-jules[bot]@users.noreply.github.com"],
    emailPatterns: ["*+google-labs-jules[bot]@users.noreply.github.com"],
    logins: ["google-labs-jules[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Google Jules, which authors its commits and PRs as google-labs-jules[bot]",
  },
  {
    tool: "devin",
    emails: ["158243242+devin-ai-integration[bot]@users.noreply.github.com"],
    emailPatterns: ["*+devin-ai-integration[bot]@users.noreply.github.com"],
    logins: ["devin-ai-integration[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Devin's bot account, the author of its PRs and commits and of its `Co-Authored-By: Devin` trailer",
  },
  {
    tool: "aider",
    emails: ["noreply@aider.chat", "aider@aider.chat"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "Aider's `--attribute-co-authored-by` trailer (noreply@aider.chat; some versions use aider@aider.chat)",
  },
  {
    tool: "amazon-q",
    emails: [],
    emailPatterns: ["*+amazon-q-developer[bot]@users.noreply.github.com"],
    logins: ["amazon-q-developer[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Amazon Q Developer's bot, which authors the commits and PRs of `/q dev`",
  },
  {
    tool: "openhands",
    emails: ["openhands@all-hands.dev"],
    emailPatterns: ["*+openhands-agent@users.noreply.github.com"],
    logins: ["openhands", "openhands-agent"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "OpenHands' default trailer `Co-authored-by: openhands <openhands@all-hands.dev>`, also its git author",
  },
  {
    tool: "amp",
    emails: ["amp@ampcode.com"],
    emailPatterns: [],
    logins: [],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Amp's default trailer `Co-authored-by: Amp <amp@ampcode.com>`; also the author of commits Amp makes on its own",
  },
  {
    tool: "factory-droid",
    emails: ["138933559+factory-droid[bot]@users.noreply.github.com"],
    emailPatterns: ["*+factory-droid[bot]@users.noreply.github.com"],
    logins: ["factory-droid[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Factory Droid's bot account, as co-author or author",
  },
  {
    tool: "opencode",
    emails: ["noreply@opencode.ai"],
    emailPatterns: [],
    logins: [],
    asAuthor: "generated",
    asCoAuthor: "generated",
    source: "OpenCode's trailer `Co-Authored-By: opencode <noreply@opencode.ai>` (secondary: seen in community repositories)",
  },
  {
    tool: "sweep",
    emails: [],
    emailPatterns: ["*+sweep-ai[bot]@users.noreply.github.com"],
    logins: ["sweep-ai[bot]"],
    asAuthor: "agent",
    asCoAuthor: "generated",
    source: "Sweep's bot account as PR author (secondary, low confidence)",
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
  "cursor",
  "amp",
  "sweep",
  "droid",
  "jules",
  "devin",
  "aider",
  "codex",
  "goose",
  "zed",
  "cody",
  "kiro",
  "grok",
  "junie",
  "kimi",
  "continue dev",
  "le chat",
  "windsurf",
  "cline",
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
 * `generated`) but are not a disclosure — users often don't notice them.
 */
export const TOOL_SIGNATURES: readonly ToolSignature[] = [
  { tool: "claude", text: "generated with [claude code]", kind: "phrase", source: "Claude Code's default commit and PR footer" },
  { tool: "claude", text: "generated with claude code", kind: "phrase", source: "Claude Code's footer written without its link" },
  { tool: "devin", text: "generated with [devin]", kind: "phrase", source: "Devin's default commit footer" },
  { tool: "devin", text: "generated with devin", kind: "phrase", source: "Devin's footer written without its link" },
  { tool: "cursor", text: "made with [cursor]", kind: "phrase", source: "Cursor's default PR-description footer" },
  { tool: "cursor", text: "made-with", kind: "trailer-key", value: "cursor", source: "Cursor's `Made-with: Cursor` commit trailer" },
  { tool: "amp", text: "amp-thread-id", kind: "trailer-key", source: "Amp's `Amp-Thread-ID:` commit trailer" },
  // Amp threads are interactive sessions, so a thread link is a signature, not an agent marker.
  { tool: "amp", text: "ampcode.com/threads/", kind: "phrase", source: "a link to an Amp thread" },
  { tool: "aider", text: "aider: ", kind: "subject-prefix", source: "Aider's `--attribute-commit-message-author` subject prefix" },
  { tool: "aider", text: " (aider)", kind: "author-name-suffix", source: "the suffix Aider adds to the author name by default" },
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
  { tool: "copilot", text: "agent-logs-url", kind: "trailer-key", source: "the Copilot coding agent's commit trailer" },
  {
    tool: "copilot",
    text: "start copilot",
    kind: "comment",
    source: "the Copilot coding agent's hidden PR-description comments `<!-- START COPILOT … -->`",
  },
  { tool: "claude", text: "claude-session", kind: "trailer-key", source: "the trailer Claude Code on the web adds" },
  { tool: "claude", text: "claude.ai/code/session_", kind: "link", source: "a link to a Claude Code on the web session" },
  { tool: "codex", text: "chatgpt.com/codex/tasks/", kind: "link", source: "a link to a Codex cloud task in the PR description" },
  { tool: "jules", text: "jules.google.com/task/", kind: "link", source: "the task link in Jules' PR footer" },
  { tool: "devin", text: "app.devin.ai/sessions/", kind: "link", source: "a link to a Devin session" },
  { tool: "cursor", text: "cursor.com/agents/", kind: "link", source: "a link to a Cursor background agent" },
  { tool: "cursor", text: "cursor.com/agents?id=", kind: "link", source: 'a Cursor background agent "Open in Web" link' },
  { tool: "cursor", text: "cursor.com/background-agent?", kind: "link", source: 'a Cursor background agent "Open in Cursor" link' },
];

/**
 * Known non-AI bots: dependency, release and formatting bots. A PR they open with no AI
 * evidence is level `none`; their `Co-authored-by` trailers on human squash merges are not AI.
 */
export const NON_AI_BOTS: readonly string[] = [
  "dependabot[bot]", // user id 49699333
  "renovate[bot]", // user id 29139614
  "github-actions[bot]", // user id 41898282
  "pre-commit-ci[bot]",
];

/**
 * AI reviewer bots: they comment and review; they never make a PR AI-authored, and they are
 * not coding agents even when they push a suggested fix.
 */
export const AI_REVIEWER_BOTS: readonly string[] = [
  "coderabbitai[bot]", // CodeRabbit
  "gemini-code-assist[bot]", // Gemini Code Assist reviews
  "copilot-pull-request-reviewer[bot]", // Copilot code review
  "cursor[bot]", // Cursor Bugbot
];
