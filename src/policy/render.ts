/**
 * Verdict → the `countersign` check run's output: title, markdown summary (one row per gate,
 * then what is missing and the exact text to add) and file annotations.
 */
import type { Annotation, Verdict } from "./evaluate.js";

/** GitHub rejects check-run summaries and texts longer than 65,535 characters. */
const MAX_OUTPUT = 65_000;

export const CHECK_NAME = "countersign";
export const ERROR_TITLE = "countersign could not evaluate";

export interface CheckOutput {
  conclusion: "success" | "failure";
  title: string;
  summary: string;
  text: string;
  annotations: Annotation[];
}

const STATUS_CELL = { passed: "✅ passed", unmet: "❌ unmet", not_applicable: "➖ not applicable" } as const;

export function render(verdict: Verdict): CheckOutput {
  const rows = verdict.gates.map((g, i) => `| ${i + 1}. ${g.name} | ${STATUS_CELL[g.status]} | ${cell(g.summary)} |`);
  const summary = [`| Gate | Status | |`, `| --- | --- | --- |`, ...rows].join("\n");

  const sections: string[] = [];
  for (const g of verdict.gates) {
    if (g.status !== "unmet") continue;
    sections.push(`### ❌ ${g.name}\n${g.reasons.map((r) => `- ${r}`).join("\n")}${g.fix ? `\n\n**To fix:** ${g.fix}` : ""}`);
  }
  for (const g of verdict.gates) {
    if (g.status !== "passed" || g.reasons.length === 0) continue;
    sections.push(`<details><summary>✅ ${g.name}</summary>\n\n${g.reasons.map((r) => `- ${r}`).join("\n")}\n</details>`);
  }
  return {
    conclusion: verdict.conclusion,
    title: verdict.title,
    summary: clip(summary),
    text: clip(sections.join("\n\n")),
    annotations: verdict.annotations,
  };
}

/** The output when evaluation itself failed: always a failure, with the reason and the next step. */
export function renderError(reason: string, nextStep: string): CheckOutput {
  return {
    conclusion: "failure",
    title: ERROR_TITLE,
    summary: clip(`**${reason}**\n\n${nextStep}\n\nCountersign fails closed: this check stays failed until it can evaluate the pull request.`),
    text: "",
    annotations: [],
  };
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function clip(text: string): string {
  return text.length <= MAX_OUTPUT ? text : `${text.slice(0, MAX_OUTPUT)}\n\n…(truncated)`;
}
