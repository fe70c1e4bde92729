/** Free text: the sentences people write instead of ticking a box. */
import type { AiLevel } from "../snapshot.js";
import type { Alias, Context } from "./context.js";
import { clip, toolsOf, wordEndsAt } from "./text.js";

export const FREE_NONE =
  /\bno (?:ai|llm|generative ai)(?: tools?| assistance| assistants?| code)? (?:was|were) used\b|(?:^[-*+ ]*|\b(?:i|we) )(?:did not|didn't) use (?:any )?(?:ai|llms?|generative ai)\b/;
export const FREE_GENERATED = /\b(?:written|authored|generated) (?:primarily|mostly|mainly|largely|entirely|fully|almost entirely) (?:by|with|using) /g;
export const FREE_ASSISTED = /\b(?:consulted |with the help of |with help from |with the assistance of |(?:was|were) assisted by |written in part (?:with|by|using) )/g;
/** What must come right after the phrase: "by Claude Code", "of generative AI", "an AI tool". */
export const AI_HEAD = /^(?:\[|the |some )*(?:ai|llms?|generative ai|an? (?:ai|llm|coding agent|agent)|ai tools?)\b/;
export const SKIPPED_HEAD = /^(?:\[|the |some )+/;

/**
 * What people already write (ghostty, Kubernetes): "written primarily by Claude Code" →
 * generated; "consulted ChatGPT", "with the help of Cursor", "with the assistance of generative
 * AI" → assisted; "No AI tools were used" → none. The phrase must name a tool or AI.
 */
export function readFreeText(prose: string, text: string, ctx: Context): boolean {
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
export function phraseNamesToolOrAi(phrase: RegExp, prose: string, lower: string, ctx: Context): boolean {
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
