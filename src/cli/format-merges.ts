/** Merge records as a table, JSON, NDJSON or CSV: the stable machine formats of `audit merges`. */
import type { MergeRecord } from "../audit/audit-store.js";

export const MERGE_FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type MergeFormat = (typeof MERGE_FORMATS)[number];

const COLUMNS: [string, (m: MergeRecord) => string][] = [
  ["merged_at", (m) => m.mergedAt],
  ["repo", (m) => m.repo],
  ["pr", (m) => String(m.prNumber)],
  ["ai", (m) => m.aiLevel],
  ["tools", (m) => m.aiTools.join(" ")],
  ["team", (m) => m.owningTeam ?? ""],
  ["reviewers", (m) => m.reviewers.filter((r) => r.counted).map((r) => r.reviewer).join(" ")],
  ["check", (m) => m.checkConclusion ?? "none"],
  ["bypassed", (m) => (m.bypassed ? "yes" : "no")],
  ["merge_sha", (m) => (m.mergeCommitSha ?? "").slice(0, 12)],
  ["title", (m) => m.title],
];

export function formatMerges(merges: MergeRecord[], format: MergeFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify(merges, null, 2);
    case "ndjson":
      return merges.map((m) => JSON.stringify(m)).join("\n");
    case "csv":
      return [COLUMNS.map(([h]) => h), ...merges.map((m) => COLUMNS.map(([, f]) => f(m)))].map((row) => row.map(csvCell).join(",")).join("\n");
    case "table": {
      if (merges.length === 0) return "No merges recorded for this filter.";
      const rows = [COLUMNS.map(([h]) => h.toUpperCase()), ...merges.map((m) => COLUMNS.map(([, f]) => f(m)))];
      const widths = COLUMNS.map((_, i) => Math.min(48, Math.max(...rows.map((r) => r[i]!.length))));
      return rows.map((r) => r.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n");
    }
  }
}

function csvCell(value: string): string {
  // RFC 4180: quote fields with commas, quotes or line breaks; double the quotes. A leading
  // = + - @ is prefixed with ' so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
