/**
 * The merge filter as people type it: one schema for every surface that takes a filter as text,
 * that is the flags of `countersign audit merges|report|export`, the audit API's query parameters
 * and the dashboard's filter form (docs/audit-trail.md, "Reading the trail"). Values are strings;
 * the result is the store's MergeFilter. Each surface maps its own names onto these fields and
 * shows a problem its own way (`--ai "x": …` on the command line, `{ param: "ai", message }` from
 * the API, the message beside the form field), but the message itself is the same everywhere.
 */
import { z } from "zod";
import { AI_LEVELS, type DisclosureLevel } from "../policy/snapshot.js";
import type { MergeFilter } from "./audit-store.js";
import { decodeCursor, isRepoName, MAX_LIMIT, timeBound } from "./merge-query.js";

/** Every filter field, in the order problems are reported. */
export const MERGE_FILTER_FIELDS = [
  "repo",
  "path",
  "team",
  "ai",
  "bypassed",
  "incomplete",
  "reverted",
  "exceptions",
  "since",
  "until",
  "sha",
  "limit",
  "cursor",
] as const;
export type MergeFilterField = (typeof MERGE_FILTER_FIELDS)[number];

/** The boolean fields: `"true"` or `"false"`. */
export const MERGE_FILTER_FLAGS = ["bypassed", "incomplete", "reverted", "exceptions"] as const satisfies readonly MergeFilterField[];

/** A filter as text, e.g. query parameters; an absent field means "any". */
export type MergeFilterInput = Partial<Record<MergeFilterField, string>>;

export interface MergeFilterProblem {
  field: MergeFilterField;
  message: string;
}

const LEVELS = [...AI_LEVELS, "undisclosed"] as const satisfies readonly DisclosureLevel[];
const TEAM = /^@?[\w.-]+\/[\w.-]+$/;
const SHA = /^[0-9a-f]{7,64}$/i;
const MAX_PATH = 1000;
const MAX_TEAM = 200;
const MAX_CURSOR = 500;

/** What each field expects: the one wording every surface shows. */
export const MERGE_FILTER_MESSAGES = {
  repo: "expected owner/name, for example acme/payments-api",
  path: `expected a glob of at most ${MAX_PATH} characters, for example src/payments/**`,
  team: "expected @org/team, for example @acme/payments",
  ai: `expected disclosure levels from ${LEVELS.join(", ")} (comma-separated)`,
  flag: 'expected "true" or "false"',
  time: "expected an ISO-8601 date or time (e.g. 2026-03-01 or 2026-03-01T10:00:00Z, UTC)",
  order: "expected an end at or after the start (since)",
  sha: "expected at least 7 hex characters of a commit SHA",
  limit: `expected a whole number from 1 to ${MAX_LIMIT}`,
  cursor: "expected the nextCursor of a previous page; this is not a cursor this server issued",
} as const;

const M = MERGE_FILTER_MESSAGES;

function isTime(value: string): boolean {
  try {
    timeBound(value, "time");
    return true;
  } catch {
    return false;
  }
}

function isCursor(value: string): boolean {
  if (value.length > MAX_CURSOR) return false;
  try {
    decodeCursor(value);
    return true;
  } catch {
    return false;
  }
}

const flag = z.enum(["true", "false"], { error: M.flag }).transform((v) => v === "true");
const time = z.string().trim().refine(isTime, { error: M.time });

/** Each field's schema, string in: surfaces with other lists (incidents) reuse the ones they share. */
export const mergeFilterFieldSchemas = {
  repo: z.string().trim().refine(isRepoName, { error: M.repo }),
  path: z.string().trim().min(1, { error: M.path }).max(MAX_PATH, { error: M.path }),
  team: z.string().trim().max(MAX_TEAM, { error: M.team }).regex(TEAM, { error: M.team }),
  ai: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((level) => level.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(LEVELS, { error: M.ai })).min(1, { error: M.ai }))
    .transform((levels): DisclosureLevel[] => [...new Set(levels)]),
  bypassed: flag,
  incomplete: flag,
  reverted: flag,
  exceptions: flag,
  since: time,
  until: time,
  sha: z
    .string()
    .trim()
    .regex(SHA, { error: M.sha })
    .transform((v) => v.toLowerCase()),
  limit: z
    .string()
    .trim()
    .regex(/^\d{1,7}$/, { error: M.limit })
    .transform(Number)
    .pipe(z.number().min(1, { error: M.limit }).max(MAX_LIMIT, { error: M.limit })),
  cursor: z.string().refine(isCursor, { error: M.cursor }),
} satisfies Record<MergeFilterField, z.ZodType<unknown, string>>;

const mergeFilterSchema = z.object(
  Object.fromEntries(MERGE_FILTER_FIELDS.map((f) => [f, mergeFilterFieldSchemas[f].optional()])) as {
    [F in MergeFilterField]: z.ZodOptional<(typeof mergeFilterFieldSchemas)[F]>;
  },
);

/**
 * Text → the store's filter, or every problem (at most one per field, in field order). A window
 * that ends before it starts is a problem of `until`. Fields the input does not carry stay unset.
 */
export function parseMergeFilterInput(input: MergeFilterInput): { filter: MergeFilter; problems: MergeFilterProblem[] } {
  const raw: MergeFilterInput = {};
  for (const field of MERGE_FILTER_FIELDS) if (input[field] !== undefined) raw[field] = input[field];
  const parsed = mergeFilterSchema.safeParse(raw);
  if (!parsed.success) {
    const messages = new Map<MergeFilterField, string>();
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as MergeFilterField;
      if (!messages.has(field)) messages.set(field, issue.message);
    }
    const problems = MERGE_FILTER_FIELDS.filter((f) => messages.has(f)).map((field) => ({ field, message: messages.get(field)! }));
    return { filter: {}, problems };
  }
  const filter: MergeFilter = {};
  for (const [field, value] of Object.entries(parsed.data)) {
    if (value !== undefined) (filter as Record<string, unknown>)[field] = value;
  }
  if (filter.since !== undefined && filter.until !== undefined) {
    if (timeBound(filter.since, "since").start >= timeBound(filter.until, "until").endExclusive) {
      return { filter: {}, problems: [{ field: "until", message: M.order }] };
    }
  }
  return { filter, problems: [] };
}
