/**
 * Trailers, tool-default phrases and agent markers: read in a commit's trailer block and on their
 * own line in the PR body.
 */
import { AGENT_MARKERS, TOOL_SIGNATURES } from "../ai-identities.js";
import type { AiLevel } from "../snapshot.js";
import type { Context } from "./context.js";
import { capped, clip, toolsOfTrailerValue } from "./text.js";

export const TRAILER_LINE = /^[ \t]*([A-Za-z][A-Za-z0-9-]{0,40})[ \t]*:[ \t]*(.*)$/;

/** Accepted disclosure trailers (deliberate, human-chosen): key → level. */
export const DISCLOSURE_TRAILERS: Record<string, AiLevel> = {
  "assisted-by": "assisted",
  "generated-by": "generated",
  "co-authored-by-ai": "generated",
};

/**
 * A `Key: value` line in a commit's trailer block or on its own line in the body.
 * Returns true when the key is one this gate reads.
 */
export function readTrailer(key: string, value: string, line: string, ctx: Context, where: "body" | "commit", sha: string | undefined): boolean {
  const detail = clip(line.trim());
  const declared = DISCLOSURE_TRAILERS[key];
  if (declared) {
    if (isPlaceholder(value)) return true;
    const tools = toolsOfTrailerValue(value, ctx);
    // curl credits people this way ("Assisted-by: Jay Satiro"): a person is not a disclosure.
    if (tools.length === 0 && namesPerson(value)) return true;
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

/**
 * `Jay Satiro`, `Viktor Szakats <v@example.org>`: capitalised words and no version, model or AI
 * word. An unknown tool (`FooCoder 2`, `some-llm`) is still an AI tool.
 */
function namesPerson(value: string): boolean {
  const v = value.replace(/<[^<>]{0,320}>/g, " ").trim();
  if (/[0-9]|\bai\b|\bllm|\bgpt|bot\b|agent|assistant|model|coder|pilot|\[bot\]/i.test(v)) return false;
  const words = v.split(/\s+/).filter((w) => w !== "");
  return words.length >= 2 && words.length <= 4 && words.every((w) => /^\p{Lu}[\p{L}'.-]*$/u.test(w));
}

/** Template placeholders such as Airflow's `Generated-by: [Tool Name]` or `<Agent Name and Version>`. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === "" || v.startsWith("<") || v.startsWith("[tool") || v.startsWith("tool name");
}

/** Tool-default phrases and agent links on one line (lower-cased). */
/** Returns true when the line holds one: a tool's own footer is evidence, never the author's prose. */
export function scanPhrases(lower: string, line: string, ctx: Context, where: "body" | "commit", sha: string | undefined): boolean {
  let found = false;
  for (const sig of TOOL_SIGNATURES) {
    if (sig.kind === "phrase" && lower.includes(sig.text)) {
      ctx.addEvidence({ tool: sig.tool, level: "generated", kind: "signature", where, ...(sha ? { sha } : {}), detail: clip(line.trim()) });
      found = true;
    }
  }
  for (const marker of AGENT_MARKERS) {
    if (marker.kind === "link" && hasLink(lower, marker.text)) {
      ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where, ...(sha ? { sha } : {}), detail: clip(line.trim()) });
      found = true;
    }
  }
  return found;
}

/** The link prefix followed by an id, so a bare mention of the site is not a session. */
export function hasLink(lower: string, prefix: string): boolean {
  for (let i = lower.indexOf(prefix); i >= 0; i = lower.indexOf(prefix, i + 1)) {
    if (/[a-z0-9]/.test(lower[i + prefix.length] ?? "")) return true;
  }
  return false;
}

/** HTML comments never hold answers, but agents hide their markers in them. */
export function scanComment(comment: string, ctx: Context): void {
  const lower = capped(comment).toLowerCase();
  for (const marker of AGENT_MARKERS) {
    const hit = marker.kind === "comment" ? lower.trimStart().startsWith(marker.text) : marker.kind === "link" && hasLink(lower, marker.text);
    if (hit) ctx.addEvidence({ tool: marker.tool, level: "agent", kind: "marker", where: "body", detail: clip(`<!--${comment}-->`.replace(/\s+/g, " ")) });
  }
}
