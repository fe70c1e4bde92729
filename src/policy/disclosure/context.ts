/**
 * Disclosure step 0: the parse context. Identity lookup by email and login (built-in lists plus
 * the repository's config), the tool aliases prose is matched against, and what has been read so far.
 */
import { AI_IDENTITIES, AI_TOOL_IDS, AMBIGUOUS_ALIASES, TOOL_ALIASES, type EvidenceLevel } from "../ai-identities.js";
import type { AiLevel } from "../snapshot.js";
import type { DisclosureAnswer, DisclosureConfig, DisclosureConfigInput, DisclosureEvidence } from "./types.js";

export const LEVEL_RANK: Record<AiLevel, number> = { none: 0, assisted: 1, generated: 2, agent: 3 };

export interface Identity {
  tool: string | null;
  asAuthor: EvidenceLevel;
  asCoAuthor: "assisted" | "generated";
  /** A login to report when this identity makes the PR an agent PR. */
  login: string | null;
}

export interface Alias {
  text: string;
  tool: string;
  /** An ordinary word too: in prose it counts only when capitalised. */
  ambiguous: boolean;
}

export class Context {
  readonly acceptTrailers: boolean;
  readonly autocompleteExempt: boolean;
  readonly byEmail = new Map<string, Identity>();
  /** `*+login@users.noreply.github.com` patterns, keyed by the lower-case login part. */
  readonly byNoreplyLogin = new Map<string, Identity>();
  readonly byLogin = new Map<string, Identity>();
  readonly aliases: Alias[] = [];

  answers: DisclosureAnswer[] = [];
  evidence: DisclosureEvidence[] = [];
  problems: string[] = [];
  /** Tools named on `AI-Tools:` lines: they qualify body answers. */
  listedTools = new Set<string>();
  /** A section had two or more checked boxes: no answer counts until the author fixes it. */
  invalidSection = false;
  /** Trailers seen while `accept_trailers` is off. */
  ignoredTrailers = 0;
  sponsor: string | null = null;
  /** Agent logins by evidence index, for `DisclosureResult.agent`. */
  agentLogins: (string | null)[] = [];
  /** The body line an answer came from, to report answers in reading order. */
  readonly answerLine = new Map<DisclosureAnswer, number>();
  currentLine = 0;
  private readonly evidenceKeys = new Set<string>();

  constructor(cfg: DisclosureConfig) {
    this.acceptTrailers = cfg.accept_trailers;
    this.autocompleteExempt = cfg.autocomplete_exempt;
    for (const id of AI_IDENTITIES) {
      const identity: Identity = { tool: id.tool, asAuthor: id.asAuthor, asCoAuthor: id.asCoAuthor, login: id.logins[0] ?? null };
      for (const e of id.emails) this.add(this.byEmail, e, identity);
      for (const p of id.emailPatterns) {
        const login = noreplyLogin(p.replace(/^\*/, "0"));
        if (login) this.add(this.byNoreplyLogin, login, identity);
      }
      for (const l of id.logins) this.add(this.byLogin, l, { ...identity, login: l });
    }
    for (const extra of cfg.ai_identities) {
      const identity: Identity = { tool: extra.tool, asAuthor: "generated", asCoAuthor: "generated", login: null };
      for (const e of extra.emails) this.add(this.byEmail, e, identity);
      for (const l of extra.logins) {
        this.add(this.byLogin, l, { ...identity, login: l });
        this.add(this.byNoreplyLogin, l, { ...identity, login: l });
      }
    }
    for (const agent of cfg.agents) {
      const known = agent.includes("@") ? this.byEmail.get(agent.toLowerCase()) : this.byLogin.get(agent.toLowerCase());
      const login = agent.includes("@") ? null : agent;
      const identity: Identity = { tool: known?.tool ?? null, asAuthor: "agent", asCoAuthor: "generated", login };
      if (agent.includes("@")) this.add(this.byEmail, agent, identity);
      else {
        this.add(this.byLogin, agent, identity);
        this.add(this.byNoreplyLogin, agent, identity);
      }
    }
    for (const tool of AI_TOOL_IDS) {
      for (const text of TOOL_ALIASES[tool]) this.aliases.push({ text, tool, ambiguous: AMBIGUOUS_ALIASES.includes(text) });
    }
    for (const extra of cfg.ai_identities) {
      const id = extra.tool.toLowerCase();
      if (!(AI_TOOL_IDS as readonly string[]).includes(id)) {
        this.aliases.push({ text: id, tool: extra.tool, ambiguous: false });
        if (id.includes("-")) this.aliases.push({ text: id.replace(/-/g, " "), tool: extra.tool, ambiguous: false });
      }
    }
  }

  /** Keeps the stronger identity when lists overlap (a configured agent outranks a plain identity). */
  private add(map: Map<string, Identity>, key: string, identity: Identity): void {
    const k = key.trim().toLowerCase();
    if (!k) return;
    const prev = map.get(k);
    if (!prev || LEVEL_RANK[identity.asAuthor] > LEVEL_RANK[prev.asAuthor]) map.set(k, identity);
  }

  identityByEmail(email: string | null | undefined): Identity | null {
    if (typeof email !== "string") return null;
    const e = email.trim().toLowerCase();
    if (!e) return null;
    const exact = this.byEmail.get(e);
    if (exact) return exact;
    const login = noreplyLogin(e);
    return login ? (this.byNoreplyLogin.get(login) ?? null) : null;
  }

  identityByLogin(login: string | null | undefined): Identity | null {
    if (typeof login !== "string" || !login) return null;
    return this.byLogin.get(login.toLowerCase()) ?? null;
  }

  addAnswer(answer: DisclosureAnswer, line = this.currentLine): void {
    this.answers.push(answer);
    this.answerLine.set(answer, line);
  }

  addEvidence(e: DisclosureEvidence, agentLogin: string | null = null): void {
    const key = `${e.tool}|${e.level}|${e.kind}|${e.where}|${e.sha ?? ""}|${e.detail}`;
    if (this.evidenceKeys.has(key)) return;
    this.evidenceKeys.add(key);
    this.evidence.push(e);
    this.agentLogins.push(agentLogin);
  }

  problem(text: string): void {
    if (!this.problems.includes(text)) this.problems.push(text);
  }
}

export function normaliseConfig(config: DisclosureConfigInput | undefined): DisclosureConfig {
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === "string" && s.trim() !== "") : [];
  const identities = Array.isArray(config?.ai_identities) ? config.ai_identities : [];
  return {
    accept_trailers: config?.accept_trailers !== false,
    ai_identities: identities
      .filter((i) => i && typeof i.tool === "string" && i.tool.trim() !== "")
      .map((i) => ({ tool: i.tool.trim(), emails: strings(i.emails), logins: strings(i.logins) })),
    agents: strings(config?.agents).map((a) => a.trim().replace(/^@/, "")),
    autocomplete_exempt: config?.autocomplete_exempt === true,
  };
}

/** `123+claude[bot]@users.noreply.github.com` or `login@users.noreply.github.com` → the login part. */
export function noreplyLogin(email: string): string | null {
  const suffix = "@users.noreply.github.com";
  if (!email.toLowerCase().endsWith(suffix)) return null;
  const local = email.slice(0, -suffix.length).toLowerCase();
  const plus = local.indexOf("+");
  if (plus >= 0) return /^\d+$/.test(local.slice(0, plus)) ? local.slice(plus + 1) || null : null;
  return local || null;
}
