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

/** One pull request's own output, in the check of a head commit several open pull requests share. */
export interface PullSection {
  number: number;
  baseRef: string;
  output: CheckOutput;
}

/** Titles longer than this are cut (many PRs blocking at once). */
const MAX_TITLE = 240;
const BLOCKING_MARKER = /<!-- countersign:blocking((?: #\d+)*) -->/;

/**
 * The check of a head commit that several open pull requests share: each is judged against its
 * own base, the strictest conclusion wins (any failure fails it), the title names the blocking
 * PRs, the summary has a section per PR, and annotations are merged. The summary starts with a
 * marker naming the blocking PRs (`blockingPullsOf` reads it back at merge time).
 */
export function renderSharedHead(sections: readonly PullSection[]): CheckOutput {
  const ordered = [...sections].sort((a, b) => a.number - b.number);
  const blocking = ordered.filter((s) => s.output.conclusion !== "success");
  const where = (s: PullSection) => `#${s.number} (into ${s.baseRef})`;
  const title =
    blocking.length > 0
      ? `Blocked in ${blocking.map((s) => `${where(s)}: ${s.output.title.replace(/^Blocked: /, "")}`).join("; ")}`
      : `Passed in ${ordered.map(where).join(", ")}`;
  const heading = (s: PullSection) => `#${s.number} into \`${s.baseRef}\``;
  const marker = `<!-- countersign:blocking${blocking.map((s) => ` #${s.number}`).join("")} -->`;
  const intro =
    `This commit is the head of ${ordered.length} open pull requests. They share this check: each is judged against ` +
    "its own base branch, and the check passes only when every one of them does.";
  const summary = [
    marker,
    intro,
    ...ordered.map((s) => {
      const mark = s.output.conclusion === "success" ? "✅" : "❌";
      return `## ${mark} ${heading(s)}: ${s.output.title}\n\n${s.output.summary}`;
    }),
  ].join("\n\n");
  const text = ordered
    .filter((s) => s.output.text.length > 0)
    .map((s) => `## ${heading(s)}\n\n${s.output.text}`)
    .join("\n\n");
  const annotations = new Map<string, Annotation>();
  for (const a of ordered.flatMap((s) => s.output.annotations)) annotations.set(JSON.stringify(a), a);
  return {
    conclusion: blocking.length > 0 ? "failure" : "success",
    title: title.length <= MAX_TITLE ? title : `${title.slice(0, MAX_TITLE - 1)}…`,
    summary: clip(summary),
    text: clip(text),
    annotations: [...annotations.values()],
  };
}

/** The PRs a shared head's check named as blocking it; null when the check was not a shared one. */
export function blockingPullsOf(summary: string): number[] | null {
  const m = BLOCKING_MARKER.exec(summary);
  return m ? [...m[1]!.matchAll(/#(\d+)/g)].map((x) => Number(x[1])) : null;
}

/** The output when evaluation itself failed: always a failure, with the reason and the next step. */
export function renderError(reason: string, nextStep: string): CheckOutput {
  return {
    conclusion: "failure",
    title: ERROR_TITLE,
    summary: clip(
      `**${reason}**\n\n${nextStep}\n\nCountersign fails closed: this check stays failed until it can evaluate the pull request.`,
    ),
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
