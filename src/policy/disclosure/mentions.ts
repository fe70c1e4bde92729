/**
 * Where a sentence names an AI tool, a model or AI in general, found by word lookup (one pass over
 * the words, whatever the number of aliases), and the sentence with each mention replaced by the
 * token `aitool`, so the prose patterns stay short and free of tool lists.
 */
import { MODEL_ALIASES } from "../ai-identities.js";
import type { Context } from "./context.js";

interface Candidate {
  text: string;
  /** Canonical tool id, or null for AI in general ("AI", "an LLM"). */
  tool: string | null;
  /** Must be capitalised in prose (an ordinary word too). */
  ambiguous: boolean;
  /** Model name: only counts when the sentence names no product; may carry a version. */
  model: boolean;
  requiresVersion: boolean;
}

/** AI in general: the tool is unknown, reported as "an AI tool". */
const AI_TERMS = [
  "ai",
  "a.i.",
  "llm",
  "llms",
  "genai",
  "gen-ai",
  "gen ai",
  "generative ai",
  "artificial intelligence",
  "chatbot",
  "chatbots",
  "language model",
  "language models",
  "ai tool",
  "ai tools",
  "ai tooling",
  "ai assistant",
  "ai agent",
  "coding agent",
  "coding agents",
  "ai-assistant",
  "llm agent",
  "clanker",
  "clankers",
];

/** Words after a tool name that make it the subject of the change, not a helper ("the Claude API"). */
const FEATURE_NOUNS = new Set([
  "api",
  "apis",
  "sdk",
  "client",
  "provider",
  "providers",
  "integration",
  "endpoint",
  "key",
  "keys",
  "models",
  "backend",
  "plugin",
  "plugins",
  "extension",
  "config",
  "configuration",
  "support",
  "server",
  "adapter",
  "token",
  "tokens",
  "auth",
  "workflow",
  "workflows",
  "action",
  "actions",
  "app",
  "bot",
  "instructions",
  "settings",
  "rules",
  "skill",
  "skills",
  "hooks",
  "mcp",
  "cli's",
  "users",
  "features",
  "feature",
  "summary",
  "summaries",
  "policy",
  "policies",
  "usage",
  "smells",
  "slop",
  "metrics",
  "review",
  "reviews",
]);

const cache = new WeakMap<Context, Map<string, Candidate[]>>();

function index(ctx: Context): Map<string, Candidate[]> {
  const known = cache.get(ctx);
  if (known) return known;
  const map = new Map<string, Candidate[]>();
  const add = (c: Candidate): void => {
    const key = /^[\p{L}\p{N}]+/u.exec(c.text)?.[0] ?? c.text;
    const list = map.get(key) ?? [];
    list.push(c);
    list.sort((a, b) => b.text.length - a.text.length);
    map.set(key, list);
  };
  for (const a of ctx.aliases) add({ text: a.text, tool: a.tool, ambiguous: a.ambiguous, model: false, requiresVersion: false });
  for (const m of MODEL_ALIASES) {
    add({ text: m.text, tool: m.tool, ambiguous: false, model: true, requiresVersion: m.requiresVersion === true });
  }
  for (const t of AI_TERMS) add({ text: t, tool: null, ambiguous: false, model: false, requiresVersion: false });
  cache.set(ctx, map);
  return map;
}

export interface Mentions {
  /** The lower-cased sentence with every mention replaced by `aitool`. */
  marked: string;
  /** Canonical tool ids named (products, else models), sorted. */
  tools: string[];
  /** Some mention at all (a tool, a model or AI in general). */
  any: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;
const ALNUM = /[\p{L}\p{N}]/u;

/**
 * Names no list knows, read only in a sentence that answers an AI question: a capitalised name
 * with a version ("Fable 5", "Sol-5.6"), a name that produced the work ("written by Fable",
 * "developed alongside Fable") or one qualified by a known tool ("Fable (via Claude Code)").
 */
const NAME_VERSION = /(?<![\p{L}\p{N}])(\p{Lu}[\p{L}]{1,20})[- ]v?\d+(?:\.\d+)*(?![\p{L}\p{N}])/gu;
const NAME_AFTER_WORK = new RegExp(
  "\\b(?:written|wrote|generated|implemented|produced|created|developed|drafted|driven|done|made|" +
    "built|coded|authored|assisted|aided|helped|powered)(?: [\\w-]+){0,2}? (?:by|with|using|via|" +
    "alongside|through) (\\p{Lu}[\\p{L}\\p{N}-]{1,30})",
  "gu",
);
const NAME_VIA = /^(\p{Lu}[\p{L}\p{N}-]{1,30}) \((?:via|in|through|using|with|on) /u;
/** "Fable did everything", "Fable was used to …", "lots of Fable help". */
const NAME_SUBJECT = new RegExp(
  "^(\\p{Lu}[\\p{L}\\p{N}-]{1,30}) (?:did|wrote|generated|implemented|produced|created|drafted|made|" +
    "found|helped|assisted|suggested|(?:was|were|is|has been) (?:\\w+ )?(?:used|utilized|leveraged|" +
    "employed))\\b",
  "u",
);
const NAME_HELP = /\b(?:of|with|from) (\p{Lu}[\p{L}\p{N}-]{1,30}) (?:help|assistance|support)\b/u;
/** Capitalised words that are platforms, languages or ordinary nouns, never an AI tool. */
const NOT_A_TOOL = new Set([
  "i",
  "github",
  "git",
  "gitlab",
  "xcode",
  "macos",
  "ios",
  "ipados",
  "linux",
  "windows",
  "ubuntu",
  "fedora",
  "debian",
  "arch",
  "nixos",
  "node",
  "python",
  "zig",
  "rust",
  "go",
  "java",
  "swift",
  "kotlin",
  "ruby",
  "php",
  "gtk",
  "qt",
  "unicode",
  "android",
  "chrome",
  "firefox",
  "safari",
  "llvm",
  "gcc",
  "clang",
  "cmake",
  "neovim",
  "vim",
  "emacs",
  "vs",
  "step",
  "phase",
  "part",
  "version",
  "issue",
  "pr",
  "section",
  "chapter",
  "table",
  "figure",
  "page",
  "line",
  "case",
  "option",
  "level",
  "test",
  "item",
  "stage",
  "round",
  "day",
  "week",
  "month",
  "year",
  "me",
  "myself",
  "hand",
  "the",
  "a",
  "an",
  "my",
  "our",
  "this",
  "that",
  "it",
  "us",
  "them",
  "people",
  "we",
  "he",
  "she",
  "they",
  "you",
  "someone",
  "everything",
  "all",
  "nothing",
  "everyone",
  "which",
  "what",
  "who",
]);

/** "used codex 5.5 to …": a lower-case name that is also a word, read as the tool after a use verb or before a version. */
function usedAsTool(lower: string, start: number, end: number): boolean {
  if (/^[ -]?\d/.test(lower.slice(end, end + 3))) return true;
  return /\b(?:used|using|with|by|via|asked|had|let|prompted)\s$/.test(lower.slice(Math.max(0, start - 10), start));
}

function unknownNames(sentence: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const add = (m: RegExpExecArray, group: string | undefined, full: boolean): void => {
    if (!group || NOT_A_TOOL.has(group.toLowerCase())) return;
    const start = full ? m.index : m.index + m[0].lastIndexOf(group);
    out.push({ start, end: full ? m.index + m[0].length : start + group.length });
  };
  for (const m of sentence.matchAll(NAME_VERSION)) add(m, m[1], true);
  for (const m of sentence.matchAll(NAME_AFTER_WORK)) add(m, m[1], false);
  for (const re of [NAME_VIA, NAME_SUBJECT]) {
    const m = re.exec(sentence);
    if (m?.[1] && !NOT_A_TOOL.has(m[1].toLowerCase())) out.push({ start: 0, end: m[1].length });
  }
  const help = NAME_HELP.exec(sentence);
  if (help) add(help, help[1], false);
  return out;
}

/**
 * `sentence` is short (the caller caps it), so the per-word checks are bounded. `unknown`: also
 * read names no list knows (for sentences that answer an AI question).
 */
export function findMentions(sentence: string, ctx: Context, unknown = false): Mentions {
  const lower = sentence.toLowerCase();
  const map = index(ctx);
  const spans: { start: number; end: number; tool: string | null; model: boolean }[] = [];
  let covered = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(lower); m; m = WORD.exec(lower)) {
    const start = m.index;
    if (start < covered) continue;
    const list = map.get(m[0]);
    if (!list) continue;
    for (const c of list) {
      if (!lower.startsWith(c.text, start)) continue;
      let end = start + c.text.length;
      if (c.ambiguous && sentence[start] === lower[start] && !(unknown && usedAsTool(lower, start, start + c.text.length))) continue;
      if (c.model) {
        const version = /^[-. ]?[0-9][0-9a-z.]*(?:-[0-9a-z.]+){0,4}/.exec(lower.slice(end, end + 24));
        if (version) end += version[0].length;
        else if (c.requiresVersion || ALNUM.test(lower[end] ?? "")) continue;
      } else if (ALNUM.test(lower[end] ?? "") && !/[0-9]/.test(lower[end] ?? "")) continue;
      if (lower[end] === "-" && /^-(?:api|sdk|based|powered|compatible)\b/.test(lower.slice(end, end + 12))) break;
      const nextWord = /^[\s-]*([\p{L}']+)/u.exec(lower.slice(end, end + 30))?.[1] ?? "";
      if (c.tool !== null && FEATURE_NOUNS.has(nextWord)) break;
      if (lower[end] === "." && /[a-z]/.test(lower[end + 1] ?? "") && !c.text.includes(".")) break; // claude.yml, llama.cpp
      spans.push({ start, end, tool: c.tool, model: c.model });
      covered = end;
      break;
    }
  }
  if (unknown) {
    for (const u of unknownNames(sentence)) {
      if (spans.some((sp) => sp.start < u.end && u.start < sp.end)) continue;
      spans.push({ start: u.start, end: u.end, tool: null, model: false });
    }
    spans.sort((a, b) => a.start - b.start);
  }
  const products = new Set(spans.filter((s) => s.tool && !s.model).map((s) => s.tool as string));
  const tools = products.size > 0 ? products : new Set(spans.filter((s) => s.tool && s.model).map((s) => s.tool as string));
  let marked = "";
  let from = 0;
  for (const s of spans) {
    marked += `${lower.slice(from, s.start)}aitool`;
    from = s.end;
  }
  marked += lower.slice(from);
  return { marked, tools: [...tools].sort(), any: spans.length > 0 };
}
