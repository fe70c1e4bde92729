/**
 * Merge records and reports as a table, JSON, NDJSON or CSV: the stable machine formats of
 * `audit merges`, `audit show` and `audit report`.
 */
import type { AuditReport, MergeRecord, ReportCounts, ReportDimension } from "../audit/audit-store.js";
import { COLUMNS, csvCell, formatMergeLine, MERGE_CSV_HEADER } from "../reports/merge-columns.js";

export { csvCell, formatMergeLine, MERGE_CSV_HEADER } from "../reports/merge-columns.js";

export const MERGE_FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type MergeFormat = (typeof MERGE_FORMATS)[number];

export const REPORT_FORMATS = ["table", "json", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function formatMerges(merges: MergeRecord[], format: MergeFormat): string {
  switch (format) {
    case "json":
      return JSON.stringify(merges, null, 2);
    case "ndjson":
      return merges.map((m) => formatMergeLine(m, "ndjson")).join("\n");
    case "csv":
      return [MERGE_CSV_HEADER, ...merges.map((m) => formatMergeLine(m, "csv"))].join("\n");
    case "table": {
      if (merges.length === 0) return "No merges recorded for this filter.";
      return table([COLUMNS.map(([h]) => h.toUpperCase()), ...merges.map((m) => COLUMNS.map(([, f]) => f(m)))]);
    }
  }
}

/** One merge in full, for a person: what a postmortem asks, in the order it asks it. */
export function formatMergeDetail(m: MergeRecord): string {
  const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : "—");
  const configNote = m.configInvalid
    ? "; config INVALID (gates not evaluated)"
    : m.configHash
      ? `; config sha256 ${m.configHash.slice(0, 12)}`
      : "; default config";
  const lines: [string, string][] = [
    [
      "merged",
      `${m.mergedAt} by ${m.mergedBy ?? "unknown"} into ${m.baseRef} (merge commit ${short(m.mergeCommitSha)}, head ${short(m.headSha)})`,
    ],
    ["author", m.author],
    [
      "ai",
      `${m.aiLevel}${m.aiTools.length ? ` (${m.aiTools.join(", ")})` : ""}` +
        `${m.agent ? `; agent ${m.agent}` : ""}${m.sponsor ? `; sponsor @${m.sponsor}` : ""}`,
    ],
    ...m.disclosureSources.map((s): [string, string] => ["disclosure", `${s.where}${s.sha ? ` ${short(s.sha)}` : ""}: ${s.detail}`]),
    [
      "owner",
      `${m.owningTeam ?? "(none)"}` +
        `${m.teams.length ? `; teams: ${m.teams.map((t) => `${t.team} (${t.files} file${t.files === 1 ? "" : "s"})`).join(", ")}` : ""}`,
    ],
    ...m.reviewers.map((r): [string, string] => [
      "review",
      `${r.counted ? "counted" : `not counted${r.reason ? ` (${r.reason})` : ""}`}: ` +
        `${r.reviewer} ${r.state.toLowerCase()} on ${short(r.reviewedSha)}` +
        `${r.submittedAt ? ` at ${r.submittedAt}` : ""}${r.checklist.length ? `; checked: ${r.checklist.join(" | ")}` : ""}` +
        `${r.verified ? `; verified: ${r.verified.replace(/\s+/g, " ")}` : ""}`,
    ]),
    ["gate", `countersign ${m.checkConclusion ?? "absent"} at merge${m.bypassed ? "; BYPASSED" : ""}${configNote}`],
    ...m.boundaries.map((b): [string, string] => ["boundary", `${b.name} (${b.action}): ${b.outcome}`]),
    ...m.exceptions.map((e): [string, string] => [
      "exception",
      `${e.boundary} granted by ${e.grantedBy} on ${short(e.sha)} at ${e.grantedAt}: ${e.reason}`,
    ]),
    [
      "paths",
      `${m.paths.length} changed${
        m.paths.length
          ? `: ${m.paths
              .slice(0, 20)
              .map((p) => (p.previousPath ? `${p.previousPath} → ${p.path}` : p.path))
              .join(", ")}${m.paths.length > 20 ? ", …" : ""}`
          : ""
      }`,
    ],
    ...(m.revertedBy ?? []).map((r): [string, string] => [
      "reverted",
      `by ${r.repo}#${r.prNumber} (${r.method}), detected ${r.detectedAt}`,
    ]),
    ["audit", `seq ${m.seq}, entry ${m.entryHash}, recorded ${m.recordedAt} (${m.source})`],
  ];
  if (m.incomplete) {
    const missing = (m.missing ?? []).join(", ");
    lines.unshift(["INCOMPLETE", `recorded while GitHub could not be read; missing ${missing} (the recovery sweep completes it)`]);
  }
  if (m.completes !== undefined) lines.push(["completed", `this entry completes the incomplete record at seq ${m.completes}`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  return [`${m.repo}#${m.prNumber}  ${m.title}`, ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join("\n");
}

const REPORT_COLUMNS: [header: string, csv: string, value: (c: ReportCounts) => string][] = [
  ["MERGES", "merges", (c) => String(c.merges)],
  ["AI-ASSISTED", "ai_assisted", (c) => String(c.aiAssisted)],
  ["AI SHARE", "ai_assisted_share", (c) => num(c.aiAssistedShare)],
  ["UNDISCLOSED", "undisclosed", (c) => String(c.undisclosed)],
  ["BYPASSED", "bypassed", (c) => String(c.bypassed)],
  ["EXCEPTIONS", "exceptions", (c) => String(c.exceptions)],
  ["REVERT BASE", "revert_base", (c) => String(c.revertBase)],
  ["REVERTED ≤7D", "reverted_within_7d_cfr_proxy", (c) => String(c.revertedWithin7d)],
  ["CFR PROXY 7D", "revert_rate_7d_cfr_proxy", (c) => num(c.revertRate7d)],
  ["REVERTED ≤30D", "reverted_within_30d_cfr_proxy", (c) => String(c.revertedWithin30d)],
  ["CFR PROXY 30D", "revert_rate_30d_cfr_proxy", (c) => num(c.revertRate30d)],
];

export function formatReport(report: AuditReport, format: ReportFormat): string {
  const dims = report.groupBy;
  const key = (group: Partial<Record<ReportDimension, string | null>>, d: ReportDimension) => group[d] ?? "(none)";
  switch (format) {
    case "json":
      return JSON.stringify(report, null, 2);
    case "csv":
      return [
        [...dims, ...REPORT_COLUMNS.map(([, h]) => h)].join(","),
        ...report.rows.map((r) => [...dims.map((d) => csvCell(r.group[d] ?? "")), ...REPORT_COLUMNS.map(([, , f]) => f(r))].join(",")),
      ].join("\n");
    case "table": {
      if (report.rows.length === 0) return "No merges recorded for this filter.";
      const percent = (share: string) => (share === "" ? "—" : `${(Number(share) * 100).toFixed(1)}%`);
      const cells = (c: ReportCounts) => REPORT_COLUMNS.map(([h, , f]) => (/SHARE|PROXY/.test(h) ? percent(f(c)) : f(c)));
      const total = ["TOTAL", ...dims.slice(1).map(() => ""), ...cells(report.total)];
      const rows = [
        [...dims.map((d) => d.toUpperCase()), ...REPORT_COLUMNS.map(([h]) => h)],
        ...report.rows.map((r) => [...dims.map((d) => key(r.group, d)), ...cells(r)]),
        ...(dims.length > 0 ? [total] : []),
      ];
      return [
        table(rows),
        "",
        "CFR PROXY: change-failure proxy = share of REVERT BASE (merges that are not themselves reverts) reverted within",
        "7 or 30 days of merging. It counts reverts Countersign recorded, per merge, not failed deployments or incidents.",
        ...(report.total.incomplete > 0
          ? [
              `INCOMPLETE: ${report.total.incomplete} of these merges were recorded while GitHub could not be read`,
              "(owners, reviews and verdict unknown; not counted as BYPASSED).",
            ]
          : []),
      ].join("\n");
    }
  }
}

function num(x: number | null): string {
  return x === null ? "" : String(x);
}

/** Columns padded to their widest cell (at most 48, longer cells cut with …); the first row is the header. */
export function table(rows: string[][]): string {
  const columns = rows[0]!.length;
  const widths = Array.from({ length: columns }, (_, i) => Math.min(48, Math.max(...rows.map((r) => r[i]!.length))));
  return rows
    .map((r) =>
      r
        .map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
