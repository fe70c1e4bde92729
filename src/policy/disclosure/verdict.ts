/** Disclosure step 5: the verdict. Declared level, raised to `agent` by agent evidence; contradictions; tools. */
import { AI_REVIEWER_BOTS, NON_AI_BOTS } from "../ai-identities.js";
import type { Actor, AiLevel, DisclosureLevel } from "../snapshot.js";
import { LEVEL_RANK, type Context } from "./context.js";
import { onlyAutocomplete } from "./clauses.js";
import { clip, union } from "./text.js";
import type { DisclosureAnswer, DisclosureEvidence, DisclosureResult } from "./types.js";

export function verdict(author: Actor | null, ctx: Context): DisclosureResult {
  const login = author?.login.toLowerCase() ?? "";
  const isBotAuthor = author?.type === "Bot" || login.endsWith("[bot]");
  const isReviewerBot = AI_REVIEWER_BOTS.includes(login);

  // A bot that is not a known agent opening a PR whose changes show AI generation is acting as one.
  if (author && isBotAuthor && !isReviewerBot && !ctx.evidence.some((e) => e.level === "agent")) {
    const generated = ctx.evidence.find((e) => e.level === "generated");
    if (generated) {
      ctx.addEvidence(
        {
          tool: null,
          level: "agent",
          kind: "pr-author",
          where: "pr",
          detail: `PR opened by bot ${author.login} with AI-generated changes`,
        },
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
  // Prose that reports AI use without a level: `assisted` at least, and the author is asked for a box.
  const unclear = answers.find((a) => a.unclear) ?? null;
  const unclearOnly = unclear !== null && answers.every((a) => a.unclear || a.level === "none");
  let levelUnclear = false;

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
    } else if (unclearOnly && maxEvidence && LEVEL_RANK[maxEvidence] > LEVEL_RANK[declared]) {
      level = maxEvidence; // "AI usage: Claude Code" with Claude's co-author trailer: the evidence tells the level
    } else {
      level = hasAgentEvidence ? "agent" : declared;
      if (unclearOnly && evidence.length === 0) {
        levelUnclear = true;
        ctx.problem(
          `The PR says AI was used ("${clip(unclear.text, 120)}") but not how much; read as assisted. ` +
            "Check one box: Assisted, Generated or Agent",
        );
      }
    }
  } else if (hasAgentEvidence) {
    level = "agent";
  } else if (NON_AI_BOTS.includes(login) && evidence.length === 0) {
    level = "none";
  } else {
    level = "undisclosed";
  }

  if (level === "undisclosed" && ctx.ignoredTrailers > 0 && !ctx.invalidSection) {
    ctx.problem(
      "Assisted-by/Generated-by trailers do not count as a disclosure in this repository (disclosure.accept_trailers is off); " +
        "fill in the AI section of the PR body",
    );
  }

  // Autocomplete only, in a repository that exempts it: `none` for the gates, `declared` keeps what was said.
  let autocompleteExempt = false;
  const used = answers.filter((a) => a.level !== "none");
  if (ctx.autocompleteExempt && level === "assisted" && !contradiction && used.length > 0 && used.every((a) => onlyAutocomplete(a.text))) {
    if (!evidence.some((e) => e.level !== "assisted")) {
      level = "none";
      levelUnclear = false;
      autocompleteExempt = true;
      ctx.problems = ctx.problems.filter((p) => !p.includes("but not how much"));
    }
  }

  const tools = union(
    ...answers.map((a) => a.tools),
    evidence.flatMap((e) => (e.tool ? [e.tool] : [])),
    [...ctx.listedTools],
  );
  return {
    level,
    declared,
    tools,
    contradiction,
    levelUnclear,
    autocompleteExempt,
    answers,
    evidence,
    agent: level === "agent" && agentIndex >= 0 ? (ctx.agentLogins[agentIndex] ?? null) : null,
    problems: ctx.problems,
    sponsor: ctx.sponsor,
  };
}

export function contradictionProblem(
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
  if (otherAnswer) {
    return `${said}, but ${describeAnswer(otherAnswer)} declares ${otherAnswer.level}${toolNote(otherAnswer.tools)}; keep one answer`;
  }
  return `${said}, but AI-Tools names ${listed.join(", ")}; correct the disclosure`;
}

export function describeAnswer(a: DisclosureAnswer): string {
  if (a.where === "commit") return `commit ${shortSha(a.sha)} "${clip(a.text, 60)}"`;
  return a.source === "section" ? "the PR body's AI section" : `the PR body line "${clip(a.text, 60)}"`;
}

export function describeEvidence(e: DisclosureEvidence): string {
  const tool = e.tool ?? "an AI tool";
  const where = e.where === "commit" ? `commit ${shortSha(e.sha)}` : e.where === "pr" ? "the PR author" : "the PR body";
  const what =
    e.kind === "pr-author"
      ? `is a coding agent (${tool})`
      : e.kind === "author"
        ? `is authored by ${tool}`
        : `shows ${tool} (${clip(e.detail, 80)})`;
  return `${where} ${what}`;
}

export function toolNote(tools: string[]): string {
  return tools.length > 0 ? ` (${tools.join(", ")})` : "";
}

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : "(no SHA)";
}
