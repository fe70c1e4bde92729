/** Words in text: which tools a text names, which level a word or a checked box names, and small text helpers. */
import type { AiLevel } from "../snapshot.js";
import { MODEL_ALIASES } from "../ai-identities.js";
import type { Context } from "./context.js";

export const TEXT_MAX = 200;
/** Headings, summaries and values are judged on their first characters only (bounds regex work). */
export const TITLE_MAX = 300;

// ---- Tools named in text ----------------------------------------------------------------------

/**
 * Tool ids named in `text`. Parenthesised and bracket-link text qualifies the tool before it, so
 * it only counts when nothing outside names a tool: `GitHub Copilot (Claude Sonnet 4.5)` is
 * copilot, `Yes (Claude Code)` is claude.
 */
export function toolsOf(text: string, ctx: Context, prose = false): string[] {
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
  if (out.length > 0) return out;
  const qualifier = toolsInText(inside.join(" "), ctx, prose);
  return qualifier.length > 0 ? qualifier : modelsInText(text);
}

/** Tool ids of the models `text` names (`Opus 4.6`, `GPT-5.4`), for text that names no product. */
export function modelsInText(text: string): string[] {
  if (!text) return [];
  const lower = text.slice(0, 20_000).toLowerCase();
  const found = new Set<string>();
  for (const model of MODEL_ALIASES) {
    if (found.has(model.tool)) continue;
    for (let i = lower.indexOf(model.text); i >= 0; i = lower.indexOf(model.text, i + 1)) {
      if (wordStartsAt(lower, i) && modelEndsAt(lower, i + model.text.length, model.requiresVersion === true)) {
        found.add(model.tool);
        break;
      }
    }
  }
  return [...found].sort();
}

/** After a model name: the end of the word, or a version (`-4o`, `5.4`, ` 4.6`, `-4-5`). */
function modelEndsAt(s: string, j: number, requiresVersion: boolean): boolean {
  const next = s[j] ?? "";
  const digitAt = (k: number): boolean => /[0-9]/.test(s[k] ?? "");
  if (digitAt(j)) return true;
  if ((next === "-" || next === " " || next === ".") && digitAt(j + 1)) return true;
  if (requiresVersion) return false;
  if (next === "-") return /[a-z]/.test(s[j + 1] ?? "") && !/^-(?:based|like|style|compatible|powered)/.test(s.slice(j, j + 12));
  return !WORD_CHAR.test(next) && !(next === "." && /[a-z]/.test(s[j + 1] ?? ""));
}

/** Kernel form `Claude:claude-3-opus coccinelle sparse`: the part after `:` is the model. */
export function toolsOfTrailerValue(value: string, ctx: Context): string[] {
  return toolsOf(value.replace(/:\S*/g, " "), ctx);
}

/** `prose`: the text is a sentence, not a tool list, so ambiguous aliases must be capitalised. */
export function toolsInText(text: string, ctx: Context, prose: boolean): string[] {
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

export const WORD_CHAR = /[\p{L}\p{N}_-]/u;

export function wordStartsAt(s: string, i: number): boolean {
  if (i === 0) return true;
  const prev = s[i - 1] ?? "";
  return !WORD_CHAR.test(prev) && prev !== "&";
}

/** A hyphen continues the word, so `claude-sonnet-4-5` (a model id) does not name claude. */
export function wordEndsAt(s: string, j: number): boolean {
  if (j >= s.length) return true;
  const next = s[j] ?? "";
  if (next >= "0" && next <= "9") return true; // ChatGPT4, Gemini2.5
  if (next === "v" && /[0-9]/.test(s[j + 1] ?? "")) return true; // Fedora's "ChatGPTv5"
  return !WORD_CHAR.test(next);
}

// ---- Level words ------------------------------------------------------------------------------

export const LEVEL_WORDS: Record<string, AiLevel> = {
  // none
  no: "none",
  none: "none",
  nein: "none",
  keine: "none",
  kein: "none",
  non: "none",
  não: "none",
  nao: "none",
  aucune: "none",
  aucun: "none",
  ninguno: "none",
  ninguna: "none",
  nenhum: "none",
  nenhuma: "none",
  なし: "none",
  いいえ: "none",
  없음: "none",
  아니요: "none",
  아니오: "none",
  否: "none",
  无: "none",
  無: "none",
  // assisted
  yes: "assisted",
  assisted: "assisted",
  ja: "assisted",
  sí: "assisted",
  si: "assisted",
  sim: "assisted",
  oui: "assisted",
  是: "assisted",
  有: "assisted",
  はい: "assisted",
  예: "assisted",
  네: "assisted",
  // generated
  generated: "generated",
  // agent
  agent: "agent",
  "agent-authored": "agent",
  agentic: "agent",
  autonomous: "agent",
};

/** The first word of a value (`**Yes** — Claude Code` → `yes`), or "". */
export function firstWord(text: string): string {
  const m = /^[^\p{L}]*([\p{L}]+(?:-[\p{L}]+)*)/u.exec(text.slice(0, TITLE_MAX));
  return m?.[1]?.toLowerCase() ?? "";
}

export function levelOfWord(word: string): AiLevel | null {
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
export function isUnchosenList(value: string): boolean {
  const parts = value.slice(0, 80).split(/[/|]/);
  if (parts.length < 2) return false;
  const a = levelOfWord(firstWord(parts[0] ?? ""));
  const b = levelOfWord(firstWord(parts[1] ?? ""));
  return a !== null && b !== null && a !== b;
}

/** The level a checked box's text names, or null. Django's "If AI tools were used…" is assisted. */
export function levelOfBoxText(text: string): AiLevel | null {
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
export function stripMarks(text: string): string {
  return text.replace(/[’‘]/g, "'").replace(/[*_`]/g, "");
}

export function normaliseProse(text: string): string {
  return stripMarks(text).toLowerCase();
}

export function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** Phrases and markers sit near the start of a line; reading at most 20,000 characters bounds the work. */
export function capped(text: string): string {
  return text.length > 20_000 ? text.slice(0, 20_000) : text;
}

export function clip(text: string, max = TEXT_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
