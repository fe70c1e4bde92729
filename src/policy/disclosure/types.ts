/** The disclosure gate's public types: what `parseDisclosure` reads and what it returns. */
import type { Actor, AiLevel, CommitInfo, DisclosureLevel } from "../snapshot.js";
import type { EvidenceLevel } from "../ai-identities.js";

export interface DisclosureConfig {
  /** `Assisted-by:` / `Generated-by:` / `Co-authored-by-AI:` trailers count as an answer. */
  accept_trailers: boolean;
  /** Extra AI identities; an unknown `tool` id is allowed and reported as given. */
  ai_identities: { tool: string; emails: string[]; logins: string[] }[];
  /** Extra coding-agent logins: a PR or commit authored by one is an `agent` PR. */
  agents: string[];
  /** AI used only for autocomplete counts as `none`. */
  autocomplete_exempt: boolean;
}

/** What `parseDisclosure` accepts as config: every field optional. */
export interface DisclosureConfigInput {
  accept_trailers?: boolean;
  ai_identities?: { tool: string; emails?: string[]; logins?: string[] }[];
  agents?: string[];
  autocomplete_exempt?: boolean;
}

export interface DisclosureInput {
  body: string | null;
  commits: CommitInfo[];
  author: Actor;
}

/** Something the author declared. */
export interface DisclosureAnswer {
  level: AiLevel;
  source: "section" | "line" | "free-text" | "trailer";
  where: "body" | "commit";
  sha?: string;
  /** Canonical tool ids named in the answer, sorted. */
  tools: string[];
  /** The answer as written (trimmed, at most 200 characters): for prose, the sentence read. */
  text: string;
  /** Prose reports AI use but no level: `level` is the `assisted` floor and the author should tick a box. */
  unclear?: boolean;
}

/** Something the app detected. */
export interface DisclosureEvidence {
  tool: string | null;
  level: EvidenceLevel;
  kind: "co-author" | "signature" | "author" | "pr-author" | "marker" | "trailer";
  where: "body" | "commit" | "pr";
  sha?: string;
  detail: string;
}

export interface DisclosureResult {
  level: DisclosureLevel;
  /** The author's declared level: the highest non-none answer, `none`, or null without a valid answer. */
  declared: AiLevel | null;
  /** Sorted canonical tool ids from answers and evidence; reported even when undisclosed. */
  tools: string[];
  /** The author answered `none` but the PR shows AI use. */
  contradiction: boolean;
  answers: DisclosureAnswer[];
  evidence: DisclosureEvidence[];
  /** Login of the agent identity that made this an `agent` PR. */
  agent: string | null;
  /**
   * Only prose without a level reported AI use (and nothing else tells the level): `level` is
   * `assisted` and the check asks the author to tick one box.
   */
  levelUnclear: boolean;
  /**
   * The author reported AI use for autocomplete only and `autocomplete_exempt` is on: `level` is
   * `none` while `declared` keeps what was said.
   */
  autocompleteExempt: boolean;
  /** What the author must fix, human-readable. */
  problems: string[];
  /** Login from a `Sponsor: @login` line in the body. */
  sponsor: string | null;
}
