/**
 * Disclosure step 3b: prose. Most projects that ask for disclosure get sentences, not boxes:
 * "## AI Disclosure / Claude wrote most of it", "**AI usage:** I used Codex to find the bug",
 * "No AI was used." The body (or a commit message) is read as paragraphs; a paragraph under an
 * AI heading, after an AI label or after a question about AI is an answer however it is worded;
 * elsewhere a sentence counts only when it says a tool or AI did or helped with the work.
 *
 * Each sentence gives a level: an agent opened or authored the PR → agent; a tool wrote,
 * generated or implemented the change → generated; it explained, searched, reviewed, completed
 * or wrote only tests, docs or messages → assisted; AI use without a level → assisted, flagged
 * `unclear` so the check asks for a box. `none` comes only from a paragraph that reports no use
 * at all, and a negation about the description or comments alone is not `none`.
 * Work is linear: sentences are capped and every pattern has bounded gaps, no nested quantifiers.
 */
import { HEADING, LIST_ITEM } from "../markdown-lines.js";
import type { AiLevel } from "../snapshot.js";
import type { Context } from "./context.js";
import { ASSIST_CUE, levelOfUse, MAJOR_SCOPE, MINOR_SCOPE } from "./clauses.js";
import { findMentions } from "./mentions.js";
import { clip, stripMarks } from "./text.js";

export interface ProseLine {
  text: string;
  /** Index of the line, for reading order. */
  line: number;
}

export interface ProseFinding {
  level: AiLevel;
  /** AI use is reported but no level can be told; `level` is the `assisted` floor. */
  unclear: boolean;
  tools: string[];
  /** The sentence the finding came from, as written. */
  sentence: string;
  line: number;
}

export interface Block {
  text: string;
  line: number;
  /** Under an AI heading, label or question: every sentence is an answer. */
  ai: boolean;
}

const SENTENCE_MAX = 400;
const BLOCK_MAX = 4_000;
/** An AI heading covers its first paragraphs only; a long section is mostly something else. */
const AI_BLOCKS_MAX = 4;

// ---- Paragraphs and their context ------------------------------------------------------------

const AI_WORD = /(?:^|[^\p{L}\p{N}])(?:ai|a\.i\.|genai|gen-ai|llms?|generative ai|artificial intelligence)(?:$|[^\p{L}\p{N}])/u;
const AI_TOPIC = new RegExp(
  "assist|disclos|dislcos|closure|usage|\\buse\\b|\\bused\\b|\\busing\\b|generat|\\btools?\\b|tooling|" +
    "involvement|\\bhelp|notes?\\b|statement|declar|contribution|transparency|attestation",
  "u",
);
const NOT_A_DISCLOSURE = /checklist|policy|policies|metrics|feature|integration|provider|support for|summary by|model/u;

/** A heading, label or question names the author's AI use (typos and short labels included). */
export function namesAiTopic(title: string): boolean {
  const t = stripMarks(title.slice(0, 300))
    .toLowerCase()
    .replace(/[:：#]+\s*$/, "")
    .trim();
  if (!AI_WORD.test(t)) return false;
  if (/disclos|dislcos/.test(t)) return true;
  if (NOT_A_DISCLOSURE.test(t)) return false;
  if (AI_TOPIC.test(t)) return true;
  return t.split(/\s+/).length <= 2;
}

const LABEL = /^[ \t]*(?:[-*+][ \t]+)?[*_]{0,3}([^:：*_\n]{1,60}?)[*_]{0,3}[ \t]*[:：][*_]{0,3}[ \t]*(.*)$/u;

/**
 * Groups lines into paragraphs and marks those that answer an AI question. `lines` are the
 * visible text lines still unread (answer lines, trailers and boxes are left out by the caller).
 */
export function proseBlocks(lines: ProseLine[], isBlank: (i: number) => boolean): Block[] {
  const blocks: Block[] = [];
  let current = null as { parts: string[]; line: number; ai: boolean; chars: number } | null;
  const open = (): boolean => current !== null && current.parts.length > 0;
  let sectionAi = 0; // paragraphs left under an AI heading
  let nextAi = false; // the next paragraph answers a label or question
  let prevLine = -2;

  const flush = (): void => {
    if (current && current.parts.length > 0) {
      blocks.push({ text: current.parts.join(" "), line: current.line, ai: current.ai });
      if (current.ai && sectionAi > 0) sectionAi--;
    }
    current = null;
  };
  const start = (line: number, ai: boolean): void => {
    flush();
    current = { parts: [], line, ai, chars: 0 };
  };
  const push = (text: string): void => {
    if (!current || current.chars >= BLOCK_MAX) return;
    current.parts.push(text.trim());
    current.chars += text.length;
  };

  for (const { text, line } of lines) {
    const gap = line !== prevLine + 1 && hasBlankBetween(prevLine, line, isBlank);
    prevLine = line;
    if (gap) flush();
    const heading = HEADING.exec(text);
    if (heading) {
      flush();
      const title = text.replace(/^\s*#+/, "").replace(/#+\s*$/, "");
      sectionAi = namesAiTopic(title) || isAiQuestion(title) ? AI_BLOCKS_MAX : 0;
      nextAi = false;
      // "#### Was AI used? No": the question's answer on the heading line.
      const q = questionEnd(title);
      const rest = q > 0 ? title.slice(q).replace(/^[\s*_]+/, "") : "";
      if (rest.trim()) {
        start(line, true);
        push(rest);
        flush();
      }
      continue;
    }
    const item = LIST_ITEM.exec(text);
    const content = item ? (item[1] ?? "") : text;
    const label = LABEL.exec(content);
    const question = questionEnd(content) - 1;
    if (label && namesAiTopic(label[1] ?? "")) {
      start(line, true);
      const value = label[2] ?? "";
      if (value.trim()) push(value);
      else nextAi = true;
      continue;
    }
    if (question >= 0) {
      start(line, true);
      const rest = content.slice(question + 1).replace(/^[\s*_]+/, "");
      if (rest.trim()) push(rest);
      else nextAi = true;
      continue;
    }
    if (!open() || item) {
      start(line, nextAi || sectionAi > 0);
      nextAi = false;
    }
    if (isBareLabel(content)) {
      // "AI Disclosure" on a line of its own: a label whose answer follows.
      flush();
      nextAi = true;
      continue;
    }
    push(content);
  }
  flush();
  return blocks;
}

function hasBlankBetween(a: number, b: number, isBlank: (i: number) => boolean): boolean {
  for (let i = a + 1; i < b; i++) if (isBlank(i)) return true;
  return false;
}

/** "AI Disclosure" on a line of its own is a label; "no AI used" is an answer. */
function isBareLabel(content: string): boolean {
  const t = content.trim();
  if (!namesAiTopic(t) || t.split(/\s+/).length > 5 || /[.!]$/.test(t)) return false;
  return !/\b(?:no|not|none|never|without|was|were|is|used|wrote|written|generated|did)\b|n't\b/i.test(stripMarks(t));
}

/**
 * The index just after the `?` of an AI question that `text` asks, or -1. A question inside
 * quotation marks is quoted ("adds a template asking \"Was AI used?\""), not asked.
 */
function questionEnd(text: string): number {
  const q = text.indexOf("?");
  if (q < 0) return -1;
  const before = text.slice(0, q);
  const quotes = (before.match(/["“”]/g) ?? []).length;
  if (quotes % 2 === 1) return -1;
  return isAiQuestion(text.slice(0, q + 1)) ? q + 1 : -1;
}

function isAiQuestion(text: string): boolean {
  const t = stripMarks(text.slice(0, 300)).toLowerCase().trim();
  return t.endsWith("?") && AI_WORD.test(t) && /\b(?:used?|using|authored|generated|assist|help|written|tool|tooling|involved)/.test(t);
}

// ---- Sentences ---------------------------------------------------------------------------------

/** Splits at sentence ends and semicolons; a dot inside a version or a name does not end one. */
function sentences(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const colon = c === ":" && text[i + 1] === " " && /[A-Z]/.test(text[i + 2] ?? "");
    const end = colon || ((c === "." || c === "!" || c === "?" || c === ";") && (i + 1 >= text.length || text[i + 1] === " "));
    if (!end) continue;
    if (c === "." && /(?:^|\s)(?:e\.g|i\.e|etc|vs|incl|approx)$/i.test(text.slice(Math.max(from, i - 6), i))) continue;
    out.push(text.slice(from, i + 1));
    from = i + 1;
  }
  out.push(text.slice(from));
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

/** Sentences that ask the reader something or tell them what to do: template text, not an answer. */
const INSTRUCTION = new RegExp(
  "\\byou\\b|\\byour\\b|\\bplease\\b|^(?:if|when|describe|disclose|list|mention|check|tick|select|" +
    "indicate|add|remove|give|make sure|note that|see|read|e\\.g|for example)\\b|\\bmust\\b|\\bshould\\b|" +
    "\\?$",
);

const NONE_ONLY = /^(?:no|none|nope|nil|n\/a|na|not applicable|not used|nothing|zero|0%|0|nein|non)\b/;
const NONE_PATTERNS = [
  /\bno aitool\b/,
  /(?:\bnot|n't|\bnever)\b(?: [\w'-]+){0,3}? (?:use|used|using|involve|involved|rely|relied|touch|touched)\b(?: [\w'-]+){0,3}? aitool/,
  /\baitool(?: \w+){0,3}? (?:was|were|is|has been|have been|wasn't|weren't)(?: not| never)? ?(?:not|n't|never) (?:used|involved|harmed)/,
  /\baitool (?:was|were)n't used/,
  /\bwithout (?:any |the )?(?:use of |help of |help from |assistance from |using )?(?:an? )?aitool/,
  /\b(?:not|zero|no)(?: \w+)? aitool[- ](?:assisted|generated|written|code|usage|use|involvement)/,
  /\bnone used\b|\bnot used\b/,
];
const HUMAN_ONLY = new RegExp(
  "^i (?:wrote|authored|implemented|coded) (?:this|the|all|it|every)\\b|\\b(?:100% human|" +
    "human[- ]written|hand[- ]written|(?:written|wrote|authored) (?:\\w+ ){0,4}?(?:entirely |" +
    "completely |fully |all )?(?:by (?:me|myself|hand|a human)|myself|manually)|by hand)\\b",
);
const EXCEPTION = new RegExp(
  "\\b(?:except|unless|only (?:for|to|in|as|with)|other than|apart from|besides|with the exception|" +
    "but (?:i|we) (?:did|used|asked)|aside from)\\b",
);

const AGENT = new RegExp(
  "\\b(?:(?:opened|created|authored|submitted|generated|written|made|" +
    "produced) (?:\\w+ ){0,2}?by (?:an? |the |my )?(?:aitool )?(?:autonomous |background |cloud |" +
    "coding )+agent|aitool (?:coding |background |cloud )agent (?:\\w+ ){0,2}?(?:opened|created|" +
    "authored|submitted|made)|autonomous(?:ly)? (?:agent|aitool))\\b",
);
/** Outside an AI paragraph: the sentence must say a tool did or helped with the work. */
const USE_OUTSIDE = [
  new RegExp(
    "\\b(?:i|we)(?:'ve| have| had|'d)? (?:\\w+ ){0,3}?(?:used|using|asked|prompted|consulted|leveraged|" +
      "employed|utilized|had|let|got|leaned on|relied on|worked with|paired with|collaborated with|ran|" +
      "tried|enlisted|tasked)\\b(?: [\\w'+/().-]+){0,6}? aitool",
  ),
  /^(?:used|using|leaned on|relied on|asked|had|let|prompted|consulted) (?:[\w'-]+ ){0,2}?aitool/,
  /\b(?:let|had|made|got|asked|told|allowed|tasked) aitool (?:to )?[\w-]+/,
  /\b(?:with|using|via|through|from|by) (?:the |some )?(?:help|assistance|support|aid|input|guidance) (?:of|from) (?:an? |the |my )?aitool/,
  new RegExp(
    "\\baitool(?: \\(aitool\\))?(?: [\\w'+/-]+){0,3}? (?:wrote|generated|implemented|authored|created|" +
      "produced|helped|assisted|found|drafted|suggested|reviewed|identified|spotted|caught|fixed|did|" +
      "proposed|refactored|ported|translated|converted|debugged|made|came up|pointed)\\b",
  ),
  new RegExp(
    "\\b(?:written|generated|implemented|authored|opened|submitted|created|produced|coded|developed|" +
      "built|made|drafted|assisted|aided|co-authored|done|prepared|ported|refactored|reported|found|" +
      "spotted|pointed out|suggested|identified|caught|helped|supported|powered|" +
      "translated)(?: [\\w'-]+){0,3}? (?:by|with|using|via|in|through) (?:an? |the |" +
      "some )?(?:[\\w-]+ (?:and |& |\\+ )?){0,3}?aitool",
  ),
  /\baitool[- ](?:assisted|generated|written|authored|aided|produced|created|helped|coded|made)\b/,
  /\baitool (?:was|were|has been|have been|is|got) (?:\w+ )?(?:used|utilized|leveraged|employed|consulted|involved)/,
  /\bthanks? (?:to )?aitool/,
];
/** Talk about AI policy or templates, not a report of use ("adds an AI disclosure section"). */
const POLICY_TALK = /\b(?:disclos\w*|polic(?:y|ies)|templates?|guidelines?|guidance|requirements?|contributing)\b/;
/** Use stated as a fact about this change by its author, which policy talk or a condition does not hide. */
const FIRST_PERSON_USE = new RegExp(
  "\\b(?:i|we)(?:'ve| have| had)? (?:\\w+ ){0,2}?(?:used|asked|had|let|leaned on|relied on|" +
    "prompted)\\b|\\b(?:this|the) (?:pr|patch|change|commit|fix)\\b(?: \\w+){0,3}? (?:was|is|" +
    "were) (?:\\w+ )?(?:written|generated|made|created|implemented|developed|produced)",
);

interface SentenceReading {
  kind: "none" | "scoped-none" | "use" | "human";
  level: AiLevel;
  unclear: boolean;
}

/** "opened by the Devin coding agent": the agent named, then marked as a tool. */
const AGENT_BY = /\b(?:opened|created|authored|submitted) (?:\w+ ){0,2}?by (?:an? |the |my )?aitool\b/;

/** Template text listing examples, and a label whose answer is missing ("AI Model used:"). */
const TEMPLATE_TEXT = /^(?:examples?|for example|such as|e\.g)\b|^(?:\S+ ){0,5}\S+:$/;
const YES = /^(?:yes|yep|yeah|ja|oui|sí|si)\b/;

function isNegated(clause: string): boolean {
  return NONE_PATTERNS.some((p) => p.test(clause));
}

function readSentence(marked: string, mentioned: boolean, ai: boolean, sentenceLower: string): SentenceReading | null {
  const s = marked;
  if (INSTRUCTION.test(s) || TEMPLATE_TEXT.test(s)) return null;
  const negated = isNegated(s) || (ai && NONE_ONLY.test(s));
  if (!mentioned && !ai && !negated) return null;
  // Outside an AI paragraph a sentence must say a tool did the work, and not only talk about AI policy.
  const outsideUse = !ai && USE_OUTSIDE.some((p) => p.test(s)) && !talksAboutAi(s);
  const use = ai || outsideUse ? levelOfUse(s, ai, isNegated) : null;
  if (negated) {
    // "Only used as a judge …, not used at all for commit messages": the use outweighs the negation.
    if (use) return { kind: "use", level: use.level, unclear: use.unclear };
    if (EXCEPTION.test(s)) return { kind: "use", level: "assisted", unclear: false };
    if (!ai && !NONE_SUBJECT.test(s)) return null;
    const clause = s.split(/[,;:(]| - | – | — | but /)[0] ?? s;
    const scoped = MINOR_SCOPE.test(clause) && !MAJOR_SCOPE.test(clause);
    return { kind: scoped ? "scoped-none" : "none", level: "none", unclear: false };
  }
  if (!ai && !outsideUse) return null;
  // An AI paragraph's sentence that names no tool but says what was done ("Validation and test writing").
  if (ai && !use && !mentioned) {
    if (HUMAN_ONLY.test(s)) return { kind: "human", level: "none", unclear: false };
    if (YES.test(s)) return { kind: "use", level: "assisted", unclear: false };
    return ASSIST_CUE.test(s) ? { kind: "use", level: "assisted", unclear: false } : null;
  }
  if (AGENT.test(s) || (/\bagent\b/.test(sentenceLower) && AGENT_BY.test(s))) return { kind: "use", level: "agent", unclear: false };
  if (use) return { kind: "use", level: use.level, unclear: use.unclear };
  if (ai && HUMAN_ONLY.test(s)) return { kind: "human", level: "none", unclear: false };
  if (ai && YES.test(s)) return { kind: "use", level: "assisted", unclear: false };
  if (!ai) return { kind: "use", level: "assisted", unclear: true };
  return mentioned ? { kind: "use", level: "assisted", unclear: true } : null;
}

/** Policy talk, or use under a condition ("when our PRs are AI-authored"), unless the author states use as a fact. */
function talksAboutAi(s: string): boolean {
  if (FIRST_PERSON_USE.test(s)) return false;
  if (POLICY_TALK.test(s)) return true;
  const at = s.lastIndexOf("aitool");
  return at > 0 && /\b(?:if|when|whenever|once)\b/.test(s.slice(0, at));
}

/** `[Claude Code](https://…)` reads as its text. */
const MD_LINK = /\[([^[\]]{0,200})\]\([^()\s]{0,500}\)/g;
/** Outside an AI paragraph a negation answers only when it is about the author or this change. */
const NONE_SUBJECT = new RegExp(
  "^(?:no|did|didn't|not|never|without|aitool|zero|none|there (?:is|was|were))\\b|\\b(?:i|we|" + "this (?:pr|change|patch|commit|fix))\\b",
);

const RANK: Record<AiLevel, number> = { none: 0, assisted: 1, generated: 2, agent: 3 };

/** The finding of one paragraph, or null when it says nothing about AI use. */
export function readBlock(block: Block, ctx: Context): ProseFinding | null {
  let best: { reading: SentenceReading; sentence: string; tools: string[] } | null = null;
  let none: string | null = null;
  let human = false;
  /** The author says they wrote the code, not only the messages or the description. */
  let humanCode = false;
  let prevNone = false;
  const tools = new Set<string>();
  for (const raw of sentences(block.text.replace(MD_LINK, "$1"))) {
    const sentence = clip(stripMarks(raw).replace(/\s+/g, " ").trim(), SENTENCE_MAX);
    const m = findMentions(sentence, ctx, block.ai);
    let reading = readSentence(m.marked.replace(/[“”]/g, '"'), m.any, block.ai, sentence.toLowerCase());
    // "I didn't use AI for this. Unless you count random questions": the exception reports use.
    if (!reading && prevNone && /^(?:unless|except|apart from|other than|but|although|though)\b/.test(m.marked)) {
      reading = { kind: "use", level: "assisted", unclear: false };
    }
    prevNone = reading?.kind === "none";
    if (!reading) continue;
    if (reading.kind === "none") none ??= raw;
    if (reading.kind === "human") {
      human = true;
      if (!MINOR_SCOPE.test(m.marked) || MAJOR_SCOPE.test(m.marked)) humanCode = true;
    }
    if (reading.kind !== "use") continue;
    for (const t of m.tools) tools.add(t);
    const better =
      !best ||
      RANK[reading.level] > RANK[best.reading.level] ||
      (RANK[reading.level] === RANK[best.reading.level] && best.reading.unclear && !reading.unclear);
    if (better) best = { reading, sentence: raw, tools: m.tools };
  }
  if (best) {
    let level = best.reading.level;
    // "Claude drafted it … all code written by hand": the author says the code is theirs.
    if (level === "generated" && humanCode) level = "assisted";
    return { level, unclear: best.reading.unclear, tools: [...tools].sort(), sentence: clip(best.sentence.trim()), line: block.line };
  }
  if (none !== null || (human && block.ai)) {
    return { level: "none", unclear: false, tools: [], sentence: clip((none ?? block.text).trim()), line: block.line };
  }
  return null;
}

/** Every paragraph's finding, in reading order. */
export function readProse(lines: ProseLine[], isBlank: (i: number) => boolean, ctx: Context): ProseFinding[] {
  const out: ProseFinding[] = [];
  for (const block of proseBlocks(lines, isBlank)) {
    const f = readBlock(block, ctx);
    if (f) out.push(f);
  }
  return out;
}
