/**
 * Gate 1, disclosure: what the author declares about AI use (answers) against what the PR and
 * its commits show (evidence). Pure: plain data in, a result out; no I/O, no clock.
 * Rules: shared/SPEC.md gate 1 and shared/research/ai-disclosure.md §7.
 *
 * Pipeline:
 *   1. PR-author evidence (a coding-agent login).
 *   2. Read the body as lines: strip HTML comments (kept aside for agent markers only),
 *      mark fenced/indented code and blockquotes, which never hold answers.
 *   3. Body answers: the AI section's single checked box, answer lines (`AI-Assisted: …`),
 *      free-text sentences, `Assisted-by:`-style trailers on their own line; body evidence.
 *   4. Commit answers (trailer block only) and evidence (identities, signatures, markers).
 *   5. Verdict: declared level, raised to `agent` by agent evidence; contradictions; tools.
 *
 * Every regular expression here is anchored or free of nested quantifiers, and text that is
 * searched repeatedly is capped, so a 1 MB body is read in linear time.
 */
import {
  AGENT_MARKERS,
  AI_IDENTITIES,
  AI_REVIEWER_BOTS,
  AI_TOOL_IDS,
  AMBIGUOUS_ALIASES,
  NON_AI_BOTS,
  TOOL_ALIASES,
  TOOL_SIGNATURES,
  type EvidenceLevel,
} from "./ai-identities.js";
import { CHECKBOX, HEADING, indentOf, LIST_ITEM, visibleLines, type BodyLine } from "./markdown-lines.js";
import type { Actor, AiLevel, CommitInfo, DisclosureLevel } from "./snapshot.js";

// ---- Public types -----------------------------------------------------------------------------

export interface DisclosureConfig {
  /** `Assisted-by:` / `Generated-by:` / `Co-authored-by-AI:` trailers count as an answer. */
  accept_trailers: boolean;
  /** Extra AI identities; an unknown `tool` id is allowed and reported as given. */
  ai_identities: { tool: string; emails: string[]; logins: string[] }[];
  /** Extra coding-agent logins: a PR or commit authored by one is an `agent` PR. */
  agents: string[];
}

/** What `parseDisclosure` accepts as config: every field optional. */
export interface DisclosureConfigInput {
  accept_trailers?: boolean;
  ai_identities?: { tool: string; emails?: string[]; logins?: string[] }[];
  agents?: string[];
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
  /** The answer as written (trimmed, at most 200 characters). */
  text: string;
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
  /** What the author must fix, human-readable. */
  problems: string[];
  /** Login from a `Sponsor: @login` line in the body. */
  sponsor: string | null;
}

const LEVEL_RANK: Record<AiLevel, number> = { none: 0, assisted: 1, generated: 2, agent: 3 };
const TEXT_MAX = 200;
/** Headings, summaries and values are judged on their first characters only (bounds regex work). */
const TITLE_MAX = 300;
/** Deeper nesting of AI sections is not a template anyone writes; the cap bounds the work per line. */
const SECTION_DEPTH_MAX = 32;
const SECTION_PROSE_MAX = 20_000;

// ---- Entry point ------------------------------------------------------------------------------

export function parseDisclosure(input: DisclosureInput, config?: DisclosureConfigInput): DisclosureResult {
  const cfg = normaliseConfig(config);
  const ctx = new Context(cfg);

  // 1. The PR author (first, so an agent author is the one `agent` names).
  const author = input?.author && typeof input.author.login === "string" ? input.author : null;
  readPrAuthor(author, ctx);

  // 2–3. The PR body.
  const body = typeof input?.body === "string" ? input.body : "";
  readBody(body, ctx);

  // 4. Commits.
  const commits = Array.isArray(input?.commits) ? input.commits : [];
  for (const commit of commits) {
    if (commit && typeof commit === "object") readCommit(commit, ctx);
  }

  // 5. Verdict.
  return verdict(author, ctx);
}

// ---- Config and identity lookup ---------------------------------------------------------------

interface Identity {
  tool: string | null;
  asAuthor: EvidenceLevel;
  asCoAuthor: "assisted" | "generated";
  /** A login to report when this identity makes the PR an agent PR. */
  login: string | null;
}

interface Alias {
  text: string;
  tool: string;
  /** An ordinary word too: in prose it counts only when capitalised. */
  ambiguous: boolean;
}

class Context {
  readonly acceptTrailers: boolean;
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
      const identity: Identity = { tool: known?.tool ?? null, asAuthor: "agent", asCoAuthor: "generated", login: agent.includes("@") ? null : agent };
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

function normaliseConfig(config: DisclosureConfigInput | undefined): DisclosureConfig {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string" && s.trim() !== "") : []);
  const identities = Array.isArray(config?.ai_identities) ? config.ai_identities : [];
  return {
    accept_trailers: config?.accept_trailers !== false,
    ai_identities: identities
      .filter((i) => i && typeof i.tool === "string" && i.tool.trim() !== "")
      .map((i) => ({ tool: i.tool.trim(), emails: strings(i.emails), logins: strings(i.logins) })),
    agents: strings(config?.agents).map((a) => a.trim().replace(/^@/, "")),
  };
}

/** `123+claude[bot]@users.noreply.github.com` or `login@users.noreply.github.com` → the login part. */
function noreplyLogin(email: string): string | null {
  const suffix = "@users.noreply.github.com";
  if (!email.toLowerCase().endsWith(suffix)) return null;
  const local = email.slice(0, -suffix.length).toLowerCase();
  const plus = local.indexOf("+");
  if (plus >= 0) return /^\d+$/.test(local.slice(0, plus)) ? local.slice(plus + 1) || null : null;
  return local || null;
}

// ---- Tools named in text ----------------------------------------------------------------------

/**
 * Tool ids named in `text`. Parenthesised and bracket-link text qualifies the tool before it, so
 * it only counts when nothing outside names a tool: `GitHub Copilot (Claude Sonnet 4.5)` is
 * copilot, `Yes (Claude Code)` is claude.
 */
function toolsOf(text: string, ctx: Context, prose = false): string[] {
  const outside: string[] = [];
  const inside: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) {
      (depth === 0 ? outside : inside).push(text.slice(from, i));
      depth++;
      from = i + 1;
    } else if (c === 41 /* ) */ && depth > 0) {
      inside.push(text.slice(from, i));
      depth--;
      from = i + 1;
    }
  }
  (depth === 0 ? outside : inside).push(text.slice(from));
  const out = toolsInText(outside.join(" "), ctx, prose);
  return out.length > 0 ? out : toolsInText(inside.join(" "), ctx, prose);
}

/** Kernel form `Claude:claude-3-opus coccinelle sparse`: the part after `:` is the model. */
function toolsOfTrailerValue(value: string, ctx: Context): string[] {
  return toolsOf(value.replace(/:\S*/g, " "), ctx);
}

/** `prose`: the text is a sentence, not a tool list, so ambiguous aliases must be capitalised. */
function toolsInText(text: string, ctx: Context, prose: boolean): string[] {
  if (!text) return [];
  const lower = text.toLowerCase();
  const found = new Set<string>();
  for (const alias of ctx.aliases) {
    if (found.has(alias.tool)) continue;
    let i = lower.indexOf(alias.text);
    while (i >= 0) {
      const capitalised = !prose || !alias.ambiguous || text[i] !== lower[i];
      if (capitalised && wordStartsAt(lower, i) && wordEndsAt(lower, i + alias.text.length)) {
        found.add(alias.tool);
        break;
      }
      i = lower.indexOf(alias.text, i + 1);
    }
  }
  return [...found].sort();
}

const WORD_CHAR = /[\p{L}\p{N}_-]/u;

function wordStartsAt(s: string, i: number): boolean {
  if (i === 0) return true;
  const prev = s[i - 1] ?? "";
  return !WORD_CHAR.test(prev) && prev !== "&";
}

/** A hyphen continues the word, so `claude-sonnet-4-5` (a model id) does not name claude. */
function wordEndsAt(s: string, j: number): boolean {
  if (j >= s.length) return true;
  const next = s[j] ?? "";
  if (next >= "0" && next <= "9") return true; // ChatGPT4, Gemini2.5
  if (next === "v" && /[0-9]/.test(s[j + 1] ?? "")) return true; // Fedora's "ChatGPTv5"
  return !WORD_CHAR.test(next);
}

// ---- Level words ------------------------------------------------------------------------------

const LEVEL_WORDS: Record<string, AiLevel> = {
  // none
  no: "none", none: "none", nein: "none", keine: "none", kein: "none", non: "none", não: "none", nao: "none",
  aucune: "none", aucun: "none", ninguno: "none", ninguna: "none", nenhum: "none", nenhuma: "none",
  なし: "none", いいえ: "none", 없음: "none", 아니요: "none", 아니오: "none", 否: "none", 无: "none", 無: "none",
  // assisted
  yes: "assisted", assisted: "assisted", ja: "assisted", sí: "assisted", si: "assisted", sim: "assisted",
  oui: "assisted", 是: "assisted", 有: "assisted", はい: "assisted", 예: "assisted", 네: "assisted",
  // generated
  generated: "generated",
  // agent
  agent: "agent", "agent-authored": "agent", agentic: "agent", autonomous: "agent",
};

/** The first word of a value (`**Yes** — Claude Code` → `yes`), or "". */
function firstWord(text: string): string {
  const m = /^[^\p{L}]*([\p{L}]+(?:-[\p{L}]+)*)/u.exec(text.slice(0, TITLE_MAX));
  return m?.[1]?.toLowerCase() ?? "";
}

function levelOfWord(word: string): AiLevel | null {
  if (!word) return null;
  const exact = LEVEL_WORDS[word];
  if (exact) return exact;
  // CJK and Hangul don't separate words: `是，用了 Claude`, `예 (Copilot)`.
  if (word.charCodeAt(0) >= 0x2e80) {
    for (const [w, level] of Object.entries(LEVEL_WORDS)) {
      if (w.charCodeAt(0) >= 0x2e80 && word.startsWith(w)) return level;
    }
  }
  return null;
}

/** `yes / no`, `none|assisted|generated`: the template's choices, not a choice. */
function isUnchosenList(value: string): boolean {
  const parts = value.slice(0, 80).split(/[/|]/);
  if (parts.length < 2) return false;
  const a = levelOfWord(firstWord(parts[0] ?? ""));
  const b = levelOfWord(firstWord(parts[1] ?? ""));
  return a !== null && b !== null && a !== b;
}

/** The level a checked box's text names, or null. Django's "If AI tools were used…" is assisted. */
function levelOfBoxText(text: string): AiLevel | null {
  const first = levelOfWord(firstWord(text));
  if (first) return first;
  const t = normaliseProse(text.slice(0, 2000));
  if (/\bno (?:ai|llm|generative ai)\b|\bnone\b|\b(?:did not|didn't|do not|don't|not) use\b/.test(t)) return "none";
  if (/\b(?:agent|agents|agentic|autonomous|autonomously)\b/.test(t)) return "agent";
  if (/\b(?:generated|ai-generated|mostly|primarily|most of the (?:change|code|diff|pr|patch))\b/.test(t)) return "generated";
  if (/\b(?:assist\w*|help\w*|suggest\w*|used|use|using)\b/.test(t)) return "assisted";
  return null;
}

/** Drops emphasis and code marks and straightens apostrophes; keeps case and (nearly) indexes. */
function stripMarks(text: string): string {
  return text.replace(/[’‘]/g, "'").replace(/[*_`]/g, "");
}

function normaliseProse(text: string): string {
  return stripMarks(text).toLowerCase();
}

// ---- 1. The PR author -------------------------------------------------------------------------

function readPrAuthor(author: Actor | null, ctx: Context): void {
  if (!author) return;
  const identity = ctx.identityByLogin(author.login);
  if (!identity) return;
  ctx.addEvidence(
    { tool: identity.tool, level: identity.asAuthor, kind: "pr-author", where: "pr", detail: `PR opened by ${author.login}` },
    identity.asAuthor === "agent" ? author.login : null,
  );
}

// ---- 2. Reading the body as lines -------------------------------------------------------------

// ---- 3. Body answers and evidence -------------------------------------------------------------

interface Section {
  kind: "heading" | "summary" | "list";
  /** Heading level, or the parent list item's indent. */
  level: number;
  /** Open `<details>` elements around a summary section. */
  details: number;
  checked: { text: string; line: number }[];
  /** Some box (checked or not) names a level: the section offers a disclosure choice. */
  offersChoice: boolean;
  prose: string[];
  proseChars: number;
}

const ANSWER_LINE =
  /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?(ai[ \t-]*assist(?:ed|ance)?|ai[ \t-]*(?:usage[ \t-]*|use[ \t-]*)?disclosure|ai[ \t-]*usage|ai[ \t-]*used?|ki[ \t-]*unterst(?:ü|ue)tzung|uso[ \t]+de[ \t]+(?:la[ \t]+)?ia|utilisation[ \t]+de[ \t]+l['’][ \t]*ia|ai[ \t]*使用|ai[ \t]*사용)(?:\*\*|__)?[ \t]*[:：][ \t]*(.*)$/iu;
const TOOLS_LINE = /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?ai[ \t-]*tools?(?:[ \t]+used)?(?:\*\*|__)?[ \t]*[:：][ \t]*(.*)$/iu;
const SPONSOR_LINE = /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?sponsor(?:\*\*|__)?[ \t]*[:：][ \t]*(?:\*\*|__)?@([A-Za-z0-9][A-Za-z0-9-]{0,38})/i;
const TRAILER_LINE = /^[ \t]*([A-Za-z][A-Za-z0-9-]{0,40})[ \t]*:[ \t]*(.*)$/;

/** Accepted disclosure trailers (deliberate, human-chosen): key → level. */
const DISCLOSURE_TRAILERS: Record<string, AiLevel> = {
  "assisted-by": "assisted",
  "generated-by": "generated",
  "co-authored-by-ai": "generated",
};

function readBody(body: string, ctx: Context): void {
  const lines = visibleLines(body, (comment) => scanComment(comment, ctx));
  const stack: Section[] = [];
  const sections: Section[] = [];

  for (const [index, line] of lines.entries()) {
    ctx.currentLine = index;
    const { text } = line;
    const blank = text.trim() === "";
    if (line.kind === "code") continue;
    if (line.kind === "quote") {
      endListSections(stack, line.indent);
      continue;
    }
    if (blank) continue;

    // Section bookkeeping: which AI section (if any) this line belongs to.
    const heading = HEADING.exec(text);
    const headingLevel = heading?.[1]?.length ?? 0;
    if (headingLevel > 0) truncateAt(stack, (s) => (s.kind === "heading" && s.level >= headingLevel) || s.kind === "list");
    else endListSections(stack, line.indent);
    const lower = capped(text).toLowerCase();
    if (lower.includes("details")) updateDetails(stack, lower);

    const box = CHECKBOX.exec(text);
    let startsSection: Section | null = null;
    if (headingLevel > 0) {
      const title = stripHeading(text);
      if (namesAiSection(title)) startsSection = newSection("heading", headingLevel);
    } else if (lower.includes("<summary")) {
      const title = summaryText(text);
      if (title !== null && namesAiSection(title)) startsSection = newSection("summary", 0);
    } else if (!box) {
      const item = LIST_ITEM.exec(text);
      if (item && namesAiSection(item[1] ?? "")) startsSection = newSection("list", line.indent);
    }

    const top = stack[stack.length - 1];
    if (box && top) {
      const boxText = (box[2] ?? "").trim();
      if (box[1] === "x" || box[1] === "X") top.checked.push({ text: boxText, line: index });
      if (!top.offersChoice && levelOfBoxText(boxText) !== null) top.offersChoice = true;
    } else if (top && !startsSection && top.proseChars < SECTION_PROSE_MAX) {
      top.prose.push(text);
      top.proseChars += text.length;
    }
    if (startsSection && stack.length < SECTION_DEPTH_MAX) {
      stack.push(startsSection);
      sections.push(startsSection);
    }

    // Lines that answer or show evidence on their own. Checkboxes only count inside a section.
    if (box) continue;
    readBodyLine(text, ctx);
  }

  for (const section of sections) readSection(section, ctx);
  // Report body answers in the order they appear.
  ctx.answers.sort((a, b) => (ctx.answerLine.get(a) ?? 0) - (ctx.answerLine.get(b) ?? 0));
  const listed = [...ctx.listedTools];
  for (const answer of ctx.answers) {
    if (answer.where === "body" && answer.level !== "none") answer.tools = [...new Set([...answer.tools, ...listed])].sort();
  }
}

function newSection(kind: Section["kind"], level: number): Section {
  return { kind, level, details: kind === "summary" ? 1 : 0, checked: [], offersChoice: false, prose: [], proseChars: 0 };
}

/** Removes the lowest section that `ends` and everything nested above it. */
function truncateAt(stack: Section[], ends: (s: Section) => boolean): void {
  const i = stack.findIndex(ends);
  if (i >= 0) stack.length = i;
}

/** A non-blank line at or left of a parent list item's indent ends that item. */
function endListSections(stack: Section[], indent: number): void {
  truncateAt(stack, (s) => s.kind === "list" && indent <= s.level);
}

function updateDetails(stack: Section[], lower: string): void {
  const opens = countOf(lower, "<details");
  const closes = countOf(lower, "</details");
  if (opens === 0 && closes === 0) return;
  for (const s of stack) if (s.kind === "summary") s.details += opens - closes;
  truncateAt(stack, (s) => s.kind === "summary" && s.details <= 0);
}

function countOf(s: string, needle: string): number {
  let n = 0;
  for (let i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

function stripHeading(text: string): string {
  let t = text.slice(0, TITLE_MAX).trim().replace(/^#{1,6}/, "");
  t = t.replace(/[ \t]#+[ \t]*$/, "");
  return t.trim();
}

function summaryText(text: string): string | null {
  const lower = text.toLowerCase();
  const open = lower.indexOf("<summary");
  if (open < 0) return null;
  const gt = lower.indexOf(">", open);
  if (gt < 0) return null;
  const close = lower.indexOf("</summary", gt);
  const inner = text.slice(gt + 1, close < 0 ? Math.min(text.length, gt + 1 + TITLE_MAX) : close).slice(0, TITLE_MAX);
  return inner.replace(/<[^<>]{0,200}>/g, " ").trim();
}

const AI_WORD = /(?:^|[^\p{L}\p{N}])(?:ai|a\.i\.|genai|gen-ai|llms?|ki|ia|artificial intelligence)(?:$|[^\p{L}\p{N}])|ai使用|ai 사용/u;
const AI_PURPOSE = /assist|disclos|usage|\buse\b|\bused\b|\busing\b|generat|\btools?\b|tooling|involvement|\bhelp|unterstützung|nutzung|\buso\b|utilisation|使用|사용|declar/u;

/**
 * A heading, `<summary>` or parent list item names an AI section when it names AI and its use
 * or disclosure. "Checklist" headings (Apache Fory's multi-box "AI Contribution Checklist") are
 * review checklists, not a single choice.
 */
function namesAiSection(title: string): boolean {
  const t = title.slice(0, TITLE_MAX).toLowerCase().replace(/[*_`]/g, "");
  if (!AI_WORD.test(t)) return false;
  if (t.includes("checklist")) return false;
  return t.includes("generative ai") || AI_PURPOSE.test(t);
}

function readSection(section: Section, ctx: Context): void {
  // A feature heading such as "AI usage metrics" with a task list is not a disclosure choice.
  if (!section.offersChoice) return;
  if (section.checked.length >= 2) {
    ctx.invalidSection = true;
    ctx.problem(`${section.checked.length} boxes are checked in the AI disclosure section; check exactly one`);
    return;
  }
  const box = section.checked[0];
  if (box === undefined) return;
  const text = box.text;
  const level = levelOfBoxText(text);
  if (!level) {
    ctx.problem(`The checked box in the AI disclosure section ("${clip(text, 80)}") does not name a level; check None, Assisted, Generated or Agent`);
    return;
  }
  const tools = level === "none" ? [] : union(toolsOf(text, ctx, true), ...section.prose.map((p) => toolsOf(p, ctx, true)));
  ctx.addAnswer({ level, source: "section", where: "body", tools, text: clip(text) }, box.line);
}

/** One visible, non-checkbox body line: answer lines, free text, trailers, signatures, sponsor. */
function readBodyLine(text: string, ctx: Context): void {
  if (ctx.sponsor === null && /sponsor/i.test(text.slice(0, 100))) {
    const m = SPONSOR_LINE.exec(text);
    if (m?.[1]) ctx.sponsor = m[1];
  }

  const tools = TOOLS_LINE.exec(text);
  if (tools) {
    for (const t of toolsOf(tools[1] ?? "", ctx)) ctx.listedTools.add(t);
    return;
  }

  const prose = stripMarks(capped(text));
  const answer = ANSWER_LINE.exec(text);
  if (answer) {
    // `**AI disclosure:** This PR was written primarily by Claude Code.` is a free-text answer.
    const unknown = readAnswerValue(text, answer[2] ?? "", ctx);
    if (unknown && !readFreeText(prose, text, ctx)) ctx.problem(unknown);
    return;
  }

  const trailer = TRAILER_LINE.exec(text);
  if (trailer) {
    const key = (trailer[1] ?? "").toLowerCase();
    const value = (trailer[2] ?? "").trim();
    if (readTrailer(key, value, text, ctx, "body", undefined)) return;
  }

  scanPhrases(capped(text).toLowerCase(), text, ctx, "body", undefined);
  readFreeText(prose, text, ctx);
}

/** Reads an answer line's value; returns a problem when the value is not an answer. */
function readAnswerValue(line: string, rawValue: string, ctx: Context): string | null {
  const value = rawValue.trim();
  if (value === "" || /^[*_`\s]*$/.test(value)) return null; // an unfilled template line
  if (isUnchosenList(value)) return `"${clip(line.trim(), 80)}" lists several choices; keep exactly one`;
  const word = firstWord(value);
  const level = levelOfWord(word);
  if (!level) return `"${clip(line.trim(), 80)}" is not a recognised answer; write none, assisted, generated or agent`;
  const rest = value.slice(value.toLowerCase().indexOf(word) + word.length);
  ctx.addAnswer({ level, source: "line", where: "body", tools: level === "none" ? [] : toolsOf(rest, ctx, true), text: clip(line.trim()) });
  return null;
}

const FREE_NONE =
  /\bno (?:ai|llm|generative ai)(?: tools?| assistance| assistants?| code)? (?:was|were) used\b|(?:^[-*+ ]*|\b(?:i|we) )(?:did not|didn't) use (?:any )?(?:ai|llms?|generative ai)\b/;
const FREE_GENERATED = /\b(?:written|authored|generated) (?:primarily|mostly|mainly|largely|entirely|fully|almost entirely) (?:by|with|using) /g;
const FREE_ASSISTED = /\b(?:consulted |with the help of |with help from |with the assistance of |(?:was|were) assisted by |written in part (?:with|by|using) )/g;
/** What must come right after the phrase: "by Claude Code", "of generative AI", "an AI tool". */
const AI_HEAD = /^(?:\[|the |some )*(?:ai|llms?|generative ai|an? (?:ai|llm|coding agent|agent)|ai tools?)\b/;
const SKIPPED_HEAD = /^(?:\[|the |some )+/;

/**
 * What people already write (ghostty, Kubernetes): "written primarily by Claude Code" →
 * generated; "consulted ChatGPT", "with the help of Cursor", "with the assistance of generative
 * AI" → assisted; "No AI tools were used" → none. The phrase must name a tool or AI.
 */
function readFreeText(prose: string, text: string, ctx: Context): boolean {
  const lower = prose.toLowerCase();
  let level: AiLevel | null = null;
  if (FREE_NONE.test(lower)) level = "none";
  else if (phraseNamesToolOrAi(FREE_GENERATED, prose, lower, ctx)) level = "generated";
  else if (phraseNamesToolOrAi(FREE_ASSISTED, prose, lower, ctx)) level = "assisted";
  if (!level) return false;
  ctx.addAnswer({ level, source: "free-text", where: "body", tools: level === "none" ? [] : toolsOf(text.slice(0, 2000), ctx, true), text: clip(text.trim()) });
  return true;
}

/**
 * Some occurrence of the phrase is followed directly by a tool or AI, so "written primarily by
 * me, with Copilot autocomplete" is not a generated answer.
 */
function phraseNamesToolOrAi(phrase: RegExp, prose: string, lower: string, ctx: Context): boolean {
  phrase.lastIndex = 0;
  for (let m = phrase.exec(lower); m; m = phrase.exec(lower)) {
    const after = lower.slice(phrase.lastIndex, phrase.lastIndex + 80);
    if (AI_HEAD.test(after)) return true;
    const skipped = SKIPPED_HEAD.exec(after)?.[0].length ?? 0;
    const head = after.slice(skipped);
    const cased = prose.slice(phrase.lastIndex + skipped, phrase.lastIndex + 80);
    const names = (a: Alias): boolean =>
      head.startsWith(a.text) && wordEndsAt(head, a.text.length) && (!a.ambiguous || cased[0] !== head[0]);
    if (ctx.aliases.some(names)) return true;
    // Phrases overlap ("written in part with the assistance of"): retry just past this one.
    phrase.lastIndex = m.index + 1;
  }
  return false;
}

/**
 * A `Key: value` line in a commit's trailer block or on its own line in the body.
 * Returns true when the key is one this gate reads.
 */
function readTrailer(key: string, value: string, line: string, ctx: Context, where: "body" | "commit", sha: string | undefined): boolean {
  const detail = clip(line.trim());
  const declared = DISCLOSURE_TRAILERS[key];
  if (declared) {
    if (isPlaceholder(value)) return true;
    const tools = toolsOfTrailerValue(value, ctx);
    if (ctx.acceptTrailers) {
      ctx.addAnswer({ level: declared, source: "trailer", where, ...(sha ? { sha } : {}), tools, text: detail });
    } else {
      ctx.ignoredTrailers++;
      const level = declared === "assisted" ? "assisted" : "generated";
      for (const tool of tools.length > 0 ? tools : [null]) {
        ctx.addEvidence({ tool, level, kind: "trailer", where, ...(sha ? { sha } : {}), detail });
      }
    }
    return true;
  }
  if (key === "co-authored-by") {
    const email = /<([^<>\s]{1,320})>/.exec(value)?.[1] ?? null;
    const identity = ctx.identityByEmail(email);
    if (identity) ctx.addEvidence({ tool: identity.tool, level: identity.asCoAuthor, kind: "co-author", where, ...(sha ? { sha } : {}), detail });
    return true;
  }
  for (const marker of AGENT_MARKERS) {
    if (marker.kind === "trailer-key" && marker.text === key && value !== "") {
      ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where, ...(sha ? { sha } : {}), detail });
      return true;
    }
  }
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "trailer-key" && sig.text === key && value !== "") {
      if (sig.value && !value.toLowerCase().includes(sig.value)) continue;
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "signature", where, ...(sha ? { sha } : {}), detail });
      return true;
    }
  }
  return false;
}

/** Template placeholders such as Airflow's `Generated-by: [Tool Name]` or `<Agent Name and Version>`. */
function isPlaceholder(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === "" || v.startsWith("<") || v.startsWith("[tool") || v.startsWith("tool name");
}

/** Tool-default phrases and agent links on one line (lower-cased). */
function scanPhrases(lower: string, line: string, ctx: Context, where: "body" | "commit", sha: string | undefined): void {
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "phrase" && lower.includes(sig.text)) {
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "signature", where, ...(sha ? { sha } : {}), detail: clip(line.trim()) });
    }
  }
  for (const marker of AGENT_MARKERS) {
    if (marker.kind === "link" && hasLink(lower, marker.text)) {
      ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where, ...(sha ? { sha } : {}), detail: clip(line.trim()) });
    }
  }
}

/** The link prefix followed by an id, so a bare mention of the site is not a session. */
function hasLink(lower: string, prefix: string): boolean {
  for (let i = lower.indexOf(prefix); i >= 0; i = lower.indexOf(prefix, i + 1)) {
    if (/[a-z0-9]/.test(lower[i + prefix.length] ?? "")) return true;
  }
  return false;
}

/** HTML comments never hold answers, but agents hide their markers in them. */
function scanComment(comment: string, ctx: Context): void {
  const lower = capped(comment).toLowerCase();
  for (const marker of AGENT_MARKERS) {
    const hit = marker.kind === "comment" ? lower.trimStart().startsWith(marker.text) : marker.kind === "link" && hasLink(lower, marker.text);
    if (hit) ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where: "body", detail: clip(`<!--${comment}-->`.replace(/\s+/g, " ")) });
  }
}

// ---- 4. Commits -------------------------------------------------------------------------------

function readCommit(commit: CommitInfo, ctx: Context): void {
  const sha = typeof commit.sha === "string" && commit.sha ? commit.sha : undefined;
  const shaField = sha ? { sha } : {};
  const message = typeof commit.message === "string" ? commit.message : "";
  const email = typeof commit.authorEmail === "string" ? commit.authorEmail : null;
  const login = typeof commit.authorLogin === "string" ? commit.authorLogin : null;
  const name = typeof commit.authorName === "string" ? commit.authorName : null;

  // The author: exact email first, so Copilot's suggestion, CLI and agent ids stay distinct.
  const identity = ctx.identityByEmail(email) ?? ctx.identityByLogin(login);
  if (identity) {
    const who = `${name ?? login ?? "author"}${email ? ` <${email}>` : ""}`;
    const agentLogin = identity.asAuthor === "agent" ? (login ?? identity.login ?? email) : null;
    ctx.addEvidence({ tool: identity.tool, level: identity.asAuthor, kind: "author", where: "commit", ...shaField, detail: clip(`author ${who}`) }, agentLogin);
  }
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "author-name-suffix" && name && name.toLowerCase().endsWith(sig.text)) {
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "author", where: "commit", ...shaField, detail: clip(`author ${name}`) });
    }
  }

  const lines = message.split(/\r\n|\r|\n/);
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) return;
  const subject = (lines[first] ?? "").trim().toLowerCase();
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "subject-prefix" && subject.startsWith(sig.text)) {
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "signature", where: "commit", ...shaField, detail: clip(lines[first] ?? "") });
    }
  }

  // Git trailers live only in the last paragraph, and never in the subject's paragraph.
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? "").trim() === "") end--;
  let start = end;
  while (start > 0 && (lines[start - 1] ?? "").trim() !== "") start--;
  const trailerStart = start > first ? start : end;

  for (let i = first; i < end; i++) {
    const line = lines[i] ?? "";
    if (i >= trailerStart) {
      const m = TRAILER_LINE.exec(line);
      if (m && readTrailer((m[1] ?? "").toLowerCase(), (m[2] ?? "").trim(), line, ctx, "commit", sha)) continue;
    }
    const lower = capped(line).toLowerCase();
    scanPhrases(lower, line, ctx, "commit", sha);
    // Squash merges of Copilot agent PRs carry the body's `<!-- START COPILOT … -->` markers.
    for (const marker of AGENT_MARKERS) {
      if (marker.kind === "comment" && lower.includes(`<!-- ${marker.text}`)) {
        ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where: "commit", ...shaField, detail: clip(line.trim()) });
      }
    }
  }
}

// ---- 5. Verdict -------------------------------------------------------------------------------

function verdict(author: Actor | null, ctx: Context): DisclosureResult {
  const login = author?.login.toLowerCase() ?? "";
  const isBotAuthor = author?.type === "Bot" || login.endsWith("[bot]");
  const isReviewerBot = AI_REVIEWER_BOTS.includes(login);

  // A bot that is not a known agent opening a PR whose changes show AI generation is acting as one.
  if (author && isBotAuthor && !isReviewerBot && !ctx.evidence.some((e) => e.level === "agent")) {
    const generated = ctx.evidence.find((e) => e.level === "generated");
    if (generated) {
      ctx.addEvidence(
        { tool: null, level: "agent", kind: "pr-author", where: "pr", detail: `PR opened by bot ${author.login} with AI-generated changes` },
        author.login,
      );
    }
  }

  const evidence = ctx.evidence;
  const maxEvidence = evidence.reduce<AiLevel | null>((m, e) => (m === null || LEVEL_RANK[e.level] > LEVEL_RANK[m] ? e.level : m), null);
  const agentIndex = evidence.findIndex((e, i) => e.level === "agent" && ctx.agentLogins[i]);
  const hasAgentEvidence = evidence.some((e) => e.level === "agent");
  const answers = ctx.answers;

  let level: DisclosureLevel;
  let declared: AiLevel | null = null;
  let contradiction = false;

  if (ctx.invalidSection) {
    // Two boxes: the author must fix the section; only agent signals can still classify the PR.
    level = hasAgentEvidence ? "agent" : "undisclosed";
  } else if (answers.length > 0) {
    const nonNone = answers.filter((a) => a.level !== "none");
    declared = nonNone.reduce<AiLevel>((m, a) => (LEVEL_RANK[a.level] > LEVEL_RANK[m] ? a.level : m), "none");
    const saidNone = answers.find((a) => a.level === "none");
    const listed = [...ctx.listedTools];
    if (saidNone && (nonNone.length > 0 || evidence.length > 0 || listed.length > 0)) {
      contradiction = true;
      let top: AiLevel = declared;
      if (maxEvidence && LEVEL_RANK[maxEvidence] > LEVEL_RANK[top]) top = maxEvidence;
      if (top === "none") top = "assisted"; // only an AI-Tools list contradicts
      level = top;
      ctx.problem(contradictionProblem(saidNone, nonNone[0] ?? null, evidence, listed));
    } else {
      level = hasAgentEvidence ? "agent" : declared;
    }
  } else if (hasAgentEvidence) {
    level = "agent";
  } else if (NON_AI_BOTS.includes(login) && evidence.length === 0) {
    level = "none";
  } else {
    level = "undisclosed";
  }

  if (level === "undisclosed" && ctx.ignoredTrailers > 0 && !ctx.invalidSection) {
    ctx.problem("Assisted-by/Generated-by trailers do not count as a disclosure in this repository (disclosure.accept_trailers is off); fill in the AI section of the PR body");
  }

  const tools = union(...answers.map((a) => a.tools), evidence.flatMap((e) => (e.tool ? [e.tool] : [])), [...ctx.listedTools]);
  return {
    level,
    declared,
    tools,
    contradiction,
    answers,
    evidence,
    agent: level === "agent" && agentIndex >= 0 ? (ctx.agentLogins[agentIndex] ?? null) : null,
    problems: ctx.problems,
    sponsor: ctx.sponsor,
  };
}

function contradictionProblem(
  none: DisclosureAnswer,
  otherAnswer: DisclosureAnswer | null,
  evidence: DisclosureEvidence[],
  listed: string[],
): string {
  const said = `The AI disclosure says none (${describeAnswer(none)})`;
  const first = evidence[0];
  if (first) {
    // Name a commit when there is one: that is where the author looks to see what the tool added.
    const commit = first.where === "commit" ? null : (evidence.find((e) => e.where === "commit") ?? null);
    const shown = commit ? [first, commit] : [first];
    const rest = evidence.length - shown.length;
    const more = rest > 0 ? ` and ${rest} more sign${rest > 1 ? "s" : ""} of AI use` : "";
    return `${said}, but ${shown.map(describeEvidence).join(" and ")}${more}; correct the disclosure`;
  }
  if (otherAnswer) return `${said}, but ${describeAnswer(otherAnswer)} declares ${otherAnswer.level}${toolNote(otherAnswer.tools)}; keep one answer`;
  return `${said}, but AI-Tools names ${listed.join(", ")}; correct the disclosure`;
}

function describeAnswer(a: DisclosureAnswer): string {
  if (a.where === "commit") return `commit ${shortSha(a.sha)} "${clip(a.text, 60)}"`;
  return a.source === "section" ? "the PR body's AI section" : `the PR body line "${clip(a.text, 60)}"`;
}

function describeEvidence(e: DisclosureEvidence): string {
  const tool = e.tool ?? "an AI tool";
  const where = e.where === "commit" ? `commit ${shortSha(e.sha)}` : e.where === "pr" ? "the PR author" : "the PR body";
  const what =
    e.kind === "pr-author" ? `is a coding agent (${tool})` : e.kind === "author" ? `is authored by ${tool}` : `shows ${tool} (${clip(e.detail, 80)})`;
  return `${where} ${what}`;
}

function toolNote(tools: string[]): string {
  return tools.length > 0 ? ` (${tools.join(", ")})` : "";
}

function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : "(no SHA)";
}

function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** Phrases and markers sit near the start of a line; reading at most 20,000 characters bounds the work. */
function capped(text: string): string {
  return text.length > 20_000 ? text.slice(0, 20_000) : text;
}

function clip(text: string, max = TEXT_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
