/**
 * Incidents and incident trends as a table or JSON: the formats of `incident show`, `incident
 * list` and `audit report --incidents`.
 */
import type { IncidentLinkedShare, IncidentRecord, IncidentTrends } from "../audit/audit-store.js";
import { table } from "./format-merges.js";

export const INCIDENT_FORMATS = ["table", "json"] as const;
export type IncidentFormat = (typeof INCIDENT_FORMATS)[number];

const severity = (s: number | null) => (s === null ? "" : `SEV${s}`);

/** The merges an incident currently points at as caused or suspect, e.g. `caused acme/pay#42`. */
function culprits(i: IncidentRecord): string {
  return i.links
    .filter((l) => l.current && (l.relation === "caused" || l.relation === "suspect"))
    .map((l) => `${l.relation} ${l.repo}#${l.prNumber}`)
    .join(", ");
}

export function formatIncidents(incidents: IncidentRecord[], format: IncidentFormat): string {
  if (format === "json") return JSON.stringify(incidents, null, 2);
  if (incidents.length === 0) return "No incidents recorded for this filter.";
  return table([
    ["STARTED", "ID", "SEV", "CATEGORY", "LINKED", "TITLE"],
    ...incidents.map((i) => [i.startedAt ?? "", i.externalId, severity(i.severity), i.category ?? "", culprits(i), i.title ?? ""]),
  ]);
}

/** One incident in full, with every link (history included; `*` marks the current relation). */
export function formatIncidentDetail(i: IncidentRecord, format: IncidentFormat): string {
  if (format === "json") return JSON.stringify(i, null, 2);
  const facts: [string, string][] = [
    ["severity", severity(i.severity) || "not recorded"],
    ["category", i.category ?? "not recorded"],
    ["started", i.startedAt ?? "not recorded"],
    ["url", i.url ?? "none"],
    ["audit", `seq ${i.seq}, entry ${i.entryHash}, recorded ${i.recordedAt} (${i.source})`],
  ];
  const width = Math.max(...facts.map(([k]) => k.length));
  const lines = [`${i.externalId}${i.title ? `  ${i.title}` : ""}`, ...facts.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ""];
  if (i.links.length === 0) {
    lines.push(`No merges linked. Link one: countersign incident link ${i.externalId} --merge owner/repo#N --relation caused`);
  } else {
    lines.push(
      table([
        ["CURRENT", "RELATION", "MERGE", "MERGED_AT", "MERGE_SHA", "LINKED_AT", "BY", "NOTE"],
        ...i.links.map((l) => [
          l.current ? "*" : "",
          l.relation,
          `${l.repo}#${l.prNumber}`,
          l.mergedAt,
          (l.mergeCommitSha ?? "").slice(0, 12),
          l.linkedAt,
          l.linkedBy ?? "",
          l.note ?? "",
        ]),
      ]),
    );
  }
  return lines.join("\n");
}

const percent = (share: number | null) => (share === null ? "—" : `${(share * 100).toFixed(1)}%`);
const hours = (h: number | null) => (h === null ? "—" : `${h} h`);

function shareTable(label: string, rows: IncidentLinkedShare[]): string {
  if (rows.length === 0) return "No merges recorded for this filter.";
  return table([
    [label, "MERGES", "INCIDENT-LINKED", "SHARE"],
    ...rows.map((r) => [r.key ?? "(none)", String(r.merges), String(r.linked), percent(r.share)]),
  ]);
}

/** The table sections `audit report --incidents` appends (JSON callers take the object as it is). */
export function formatIncidentTrends(t: IncidentTrends): string {
  const byMonth =
    t.byCategoryMonth.length === 0
      ? "No incidents recorded for this period."
      : table([
          ["MONTH", "CATEGORY", "INCIDENTS"],
          ...t.byCategoryMonth.map((r) => [r.month, r.category ?? "(none)", String(r.incidents)]),
        ]);
  const m = t.mergeToStart;
  return [
    "Incidents by category and month (of their start):",
    byMonth,
    "",
    "Incident-linked merges (current relation caused or suspect) by AI level:",
    shareTable("AI", t.linkedByAi),
    "",
    "Incident-linked merges by owning team:",
    shareTable("TEAM", t.linkedByTeam),
    "",
    "Time from merge to incident start:",
    table([
      ["LINKS", "MEDIAN", "P90", "MAX", "STARTED BEFORE MERGE"],
      [String(m.links), hours(m.medianHours), hours(m.p90Hours), hours(m.maxHours), String(m.startedBeforeMerge)],
    ]),
  ].join("\n");
}
