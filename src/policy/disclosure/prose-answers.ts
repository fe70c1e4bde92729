/** Prose findings become answers: `none` only when nothing in the same text reports AI use. */
import { LEVEL_RANK, type Context } from "./context.js";
import type { ProseFinding } from "./prose.js";

export function addProseAnswers(findings: ProseFinding[], ctx: Context, where: "body" | "commit", sha: string | undefined): void {
  const used = findings.some((f) => f.level !== "none");
  const sameText = ctx.answers.filter((a) => a.where === where && (where === "body" || a.sha === sha));
  const answered = sameText.some((a) => a.level !== "none");
  const top = sameText.reduce((m, a) => Math.max(m, LEVEL_RANK[a.level]), 0);
  for (const f of findings) {
    if (f.level === "none" && (used || answered)) continue;
    // A tool named beside a ticked box or an `AI-Assisted:` line adds nothing to that answer.
    if (f.unclear && sameText.length > 0) continue;
    // Prose explaining a ticked box or answer line counts only when it says more than the answer.
    if (top > 0 && LEVEL_RANK[f.level] <= top) continue;
    const answer = {
      level: f.level,
      source: "free-text" as const,
      where,
      ...(sha ? { sha } : {}),
      tools: f.level === "none" ? [] : f.tools,
      text: f.sentence,
      ...(f.unclear ? { unclear: true } : {}),
    };
    ctx.addAnswer(answer, f.line);
  }
}
