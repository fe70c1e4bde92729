/**
 * The merges filter form ⇄ `MergeFilter`. Query parameters are untrusted: each is checked here
 * and a problem is shown next to its field (400), never passed on half-parsed. Empty fields mean
 * "any", as a submitted GET form sends them. Parameter names follow the audit API's.
 */
import type { AuditInputError } from "../audit/audit-input-error.js";
import type { MergeFilter } from "../audit/audit-store.js";
import { MERGE_FILTER_FIELDS, parseMergeFilterInput, type MergeFilterField, type MergeFilterInput } from "../audit/merge-filter-input.js";
import { AI_LEVELS, type DisclosureLevel } from "../policy/snapshot.js";

/** The form's fields: the merge filter's, less the page size and position (links carry the cursor). */
export const FILTER_FIELDS = MERGE_FILTER_FIELDS.filter((f): f is FormField => f !== "limit" && f !== "cursor");
type FormField = Exclude<MergeFilterField, "limit" | "cursor">;

/**
 * The form's fields as typed, to refill the form and build links: `ai` is "" (any), "ai"
 * (assisted, generated or agent) or one level; the yes/no fields are "", "true" or "false".
 */
export type FilterValues = Record<FormField, string>;

export const AI_CHOICES: readonly { value: string; label: string }[] = [
  { value: "", label: "Any" },
  { value: "ai", label: "AI-assisted (assisted, generated or agent)" },
  ...[...AI_LEVELS, "undisclosed" as const].map((level) => ({ value: level, label: level })),
];

export const AI_ASSISTED: readonly DisclosureLevel[] = ["assisted", "generated", "agent"];

export interface FilterProblem {
  /** The form field, the page cursor, or "filter" for a refusal that names no field of the form. */
  field: keyof FilterValues | "cursor" | "filter";
  message: string;
}

export interface ParsedFilter {
  values: FilterValues;
  /** The store filter (without limit and cursor); meaningful only when `problems` is empty. */
  filter: Omit<MergeFilter, "limit" | "cursor">;
  cursor: string | null;
  problems: FilterProblem[];
}

export function emptyFilterValues(): FilterValues {
  return Object.fromEntries(FILTER_FIELDS.map((field) => [field, ""])) as FilterValues;
}

/**
 * The form's fields → the store filter, through the schema the CLI and the API use (the same
 * messages). The form's own conventions are mapped first: empty means any, `ai=ai` is the
 * AI-assisted levels.
 */
export function parseFilter(params: URLSearchParams): ParsedFilter {
  const values = emptyFilterValues();
  for (const field of FILTER_FIELDS) values[field] = (params.get(field) ?? "").trim().slice(0, 1000);
  const input: MergeFilterInput = {};
  for (const field of FILTER_FIELDS) if (values[field]) input[field] = values[field];
  if (values.ai === "ai") input.ai = AI_ASSISTED.join(",");
  const cursor = params.get("cursor");
  if (cursor !== null) input.cursor = cursor;
  const { filter, problems } = parseMergeFilterInput(input);
  const { cursor: accepted, ...rest } = filter;
  const formProblems = problems.map((p) => ({ field: formField(p.field), message: p.message }));
  return { values, filter: rest, cursor: accepted ?? null, problems: formProblems };
}

function formField(field: string): FilterProblem["field"] {
  return (FILTER_FIELDS as readonly string[]).includes(field) || field === "cursor" ? (field as FilterProblem["field"]) : "filter";
}

/** The store's refusal of a value that passed the form checks (e.g. a stale cursor) as a form problem. */
export function problemOf(error: AuditInputError): FilterProblem {
  return { field: formField(error.field), message: error.message };
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
