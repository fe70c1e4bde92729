/**
 * The columns of a merge in CSV (`countersign audit merges --format csv`, `audit export`, the
 * dashboard's download): one definition and one cell encoder for every surface, so a formula
 * guard fixed here is fixed everywhere.
 */
import type { MergeRecord } from "../audit/audit-store.js";

export const COLUMNS: [string, (m: MergeRecord) => string][] = [
  ["merged_at", (m) => m.mergedAt],
  ["repo", (m) => m.repo],
  ["pr", (m) => String(m.prNumber)],
  ["ai", (m) => m.aiLevel],
  ["tools", (m) => m.aiTools.join(" ")],
  ["team", (m) => m.owningTeam ?? ""],
  [
    "reviewers",
    (m) =>
      m.reviewers
        .filter((r) => r.counted)
        .map((r) => r.reviewer)
        .join(" "),
  ],
  // An incomplete record has no verdict yet: say so rather than "none" / "no".
  ["check", (m) => (m.incomplete ? "incomplete" : (m.checkConclusion ?? "none"))],
  ["bypassed", (m) => (m.incomplete ? "unknown" : m.bypassed ? "yes" : "no")],
  ["exceptions", (m) => m.exceptions.map((e) => `${e.boundary} by ${e.grantedBy}`).join("; ")],
  ["reverted_by", (m) => (m.revertedBy ?? []).map((r) => `${r.repo}#${r.prNumber}`).join(" ")],
  ["merge_sha", (m) => (m.mergeCommitSha ?? "").slice(0, 12)],
  ["title", (m) => m.title],
];

/** One merge per line (NDJSON) or CSV row: the streaming formats (`audit export`). */
export function formatMergeLine(m: MergeRecord, format: "ndjson" | "csv"): string {
  return format === "ndjson" ? JSON.stringify(m) : COLUMNS.map(([, f]) => csvCell(f(m))).join(",");
}

export const MERGE_CSV_HEADER = COLUMNS.map(([h]) => h).join(",");

export function csvCell(value: string): string {
  // RFC 4180: quote fields with commas, quotes or line breaks; double the quotes. A leading
  // = + - @ (or tab/CR) is prefixed with ' so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
