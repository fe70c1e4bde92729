/**
 * The merges filter form ⇄ `MergeFilter`. Query parameters are untrusted: each is checked here
 * and a problem is shown next to its field (400), never passed on half-parsed. Empty fields mean
 * "any", as a submitted GET form sends them. Parameter names follow the audit API's.
 */
import { AuditInputError } from "../audit/audit-input-error.js";
import type { MergeFilter } from "../audit/audit-store.js";
import { isRepoName, timeBound } from "../audit/merge-query.js";
import { AI_LEVELS, type DisclosureLevel } from "../policy/snapshot.js";

/** The form's fields as typed, to refill the form and build links. */
export interface FilterValues {
  repo: string;
  path: string;
  team: string;
  /** "" (any), "ai" (assisted, generated or agent) or one level. */
  ai: string;
  /** "", "true" or "false". */
  bypassed: string;
  reverted: string;
  exceptions: string;
  since: string;
  until: string;
  sha: string;
}

export const FILTER_FIELDS = ["repo", "path", "team", "ai", "bypassed", "reverted", "exceptions", "since", "until", "sha"] as const satisfies readonly (keyof FilterValues)[];

export const AI_CHOICES: readonly { value: string; label: string }[] = [
  { value: "", label: "Any" },
  { value: "ai", label: "AI-assisted (assisted, generated or agent)" },
  ...[...AI_LEVELS, "undisclosed" as const].map((level) => ({ value: level, label: level })),
];

export const AI_ASSISTED: readonly DisclosureLevel[] = ["assisted", "generated", "agent"];
const LEVELS: readonly string[] = [...AI_LEVELS, "undisclosed"];

export interface FilterProblem {
  /** The form field, the page cursor, or "filter" for a refusal that names no field of the form. */
  field: keyof FilterValues | "cursor" | "filter";
  message: string;
}

export interface ParsedFilter {
  values: FilterValues;
  /** The store filter (without limit and cursor); meaningful only when `problems` is empty. */
  filter: MergeFilter;
  cursor: string | null;
  problems: FilterProblem[];
}

export function emptyFilterValues(): FilterValues {
  return { repo: "", path: "", team: "", ai: "", bypassed: "", reverted: "", exceptions: "", since: "", until: "", sha: "" };
}

export function parseFilter(params: URLSearchParams): ParsedFilter {
  const values = emptyFilterValues();
  for (const field of FILTER_FIELDS) values[field] = (params.get(field) ?? "").trim().slice(0, 1000);
  const filter: MergeFilter = {};
  const problems: FilterProblem[] = [];
  const problem = (field: FilterProblem["field"], message: string) => problems.push({ field, message });

  if (values.repo) {
    if (isRepoName(values.repo)) filter.repo = values.repo;
    else problem("repo", "Use owner/name, for example acme/payments-api.");
  }
  if (values.path) filter.path = values.path;
  if (values.team) {
    if (values.team.length <= 200 && /^@?[\w.-]+\/[\w.-]+$/.test(values.team)) filter.team = values.team;
    else problem("team", "Use @org/team, for example @acme/payments.");
  }
  if (values.ai === "ai") filter.ai = AI_ASSISTED;
  else if (values.ai) {
    if (LEVELS.includes(values.ai)) filter.ai = values.ai as DisclosureLevel;
    else problem("ai", `Choose one of: ${LEVELS.join(", ")}.`);
  }
  for (const field of ["bypassed", "reverted", "exceptions"] as const) {
    if (values[field] === "true") filter[field] = true;
    else if (values[field] === "false") filter[field] = false;
    else if (values[field]) problem(field, "Choose any, yes or no.");
  }
  for (const field of ["since", "until"] as const) {
    if (!values[field]) continue;
    try {
      timeBound(values[field], field);
      filter[field] = values[field];
    } catch {
      problem(field, "Use a date such as 2026-03-01 (UTC).");
    }
  }
  if (filter.since && filter.until && timeBound(filter.since, "since").start >= timeBound(filter.until, "until").endExclusive) {
    problem("until", "The end date is before the start date.");
  }
  if (values.sha) {
    if (/^[0-9a-fA-F]{7,64}$/.test(values.sha)) filter.sha = values.sha.toLowerCase();
    else problem("sha", "Give at least 7 hexadecimal characters of a commit SHA.");
  }
  const cursor = params.get("cursor");
  if (cursor !== null && !/^[A-Za-z0-9._-]{1,500}$/.test(cursor)) problem("cursor", "This page link is not valid; start again from the first page.");
  return { values, filter, cursor: cursor && problems.every((p) => p.field !== "cursor") ? cursor : null, problems };
}

/** The store's refusal of a value that passed the form checks (e.g. a stale cursor) as a form problem. */
export function problemOf(error: AuditInputError): FilterProblem {
  const field = (FILTER_FIELDS as readonly string[]).includes(error.field) || error.field === "cursor" ? (error.field as FilterProblem["field"]) : "filter";
  return { field, message: error.message };
}

/** `?repo=…&path=…` with the non-empty fields (and a cursor), for links; "" when nothing is set. */
export function filterQuery(values: FilterValues, extra: Record<string, string | null> = {}): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) if (values[field]) params.set(field, values[field]);
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Whether any filter field is set. */
export function isFiltered(values: FilterValues): boolean {
  return FILTER_FIELDS.some((f) => values[f] !== "");
}
