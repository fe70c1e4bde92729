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
  "ai", "a.i.", "llm", "llms", "genai", "gen-ai", "gen ai", "generative ai", "artificial intelligence", "chatbot", "chatbots",
  "language model", "language models", "ai tool", "ai tools", "ai tooling", "ai assistant", "ai agent", "coding agent", "coding agents",
  "ai-assistant", "llm agent", "clanker", "clankers",
];

/** Words after a tool name that make it the subject of the change, not a helper ("the Claude API"). */
const FEATURE_NOUNS = new Set([
  "api", "apis", "sdk", "client", "provider", "providers", "integration", "endpoint", "key", "keys", "models", "backend", "plugin",
  "plugins", "extension", "config", "configuration", "support", "server", "adapter", "token", "tokens", "auth", "workflow", "workflows",
  "action", "actions", "app", "bot", "instructions", "settings", "rules", "skill", "skills", "hooks", "mcp", "cli's", "users", "features",
  "feature", "summary", "summaries", "policy", "policies", "usage", "smells", "slop", "generated", "metrics", "review", "reviews",
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
  for (const m of MODEL_ALIASES) add({ text: m.text, tool: m.tool, ambiguous: false, model: true, requiresVersion: m.requiresVersion === true });
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

/** `sentence` is short (the caller caps it), so the per-word checks are bounded. */
export function findMentions(sentence: string, ctx: Context): Mentions {
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
      if (c.ambiguous && sentence[start] === lower[start]) continue;
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
