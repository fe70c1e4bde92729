/**
 * The fields of an incident and of an incident link, as zod schemas: the store validates every
 * write with them, and the HTTP API checks request bodies with the same ones, so both refuse the
 * same input with the same reason. A doc comment on every field.
 */
import { z } from "zod";
import { AuditInputError } from "./audit-input-error.js";
import {
  INCIDENT_CATEGORIES,
  INCIDENT_RELATIONS,
  type IncidentCategory,
  type IncidentInput,
  type IncidentLinkInput,
  type IncidentRelation,
  type IncidentSeverity,
} from "./audit-store.js";
import { checkPullRequest } from "./audit-write-plans.js";
import { normalizeInstant, normalizeRepo } from "./merge-query.js";

/** Tracker ids (`INC-2041`, `PD:Q1W2E3`, a UUID) fit; paths, `owner/repo#N` and spaces do not. */
export const INCIDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ID_MESSAGE =
  'expected an incident id: 1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit (e.g. INC-2041)';

const instant = z.string().refine(
  (v) => {
    try {
      normalizeInstant(v, "startedAt");
      return true;
    } catch {
      return false;
    }
  },
  { message: "expected an ISO-8601 time (e.g. 2026-03-01T10:00:00Z; no offset means UTC)" },
);

const httpUrl = z
  .string()
  .max(2000, { message: "at most 2000 characters" })
  .refine(
    (v) => {
      try {
        return ["http:", "https:"].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: "expected an http or https URL" },
  );

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: "is empty: leave it out instead" })
    .max(max, { message: `at most ${max} characters` });

export const incidentIdSchema = z.string({ message: ID_MESSAGE }).regex(INCIDENT_ID_PATTERN, { message: ID_MESSAGE });

export const incidentFieldsSchema = z.strictObject({
  /** The incident tracker's id: the key under which the incident is recorded once. */
  externalId: incidentIdSchema,
  /** A one-line summary of what happened. */
  title: text(500).nullish(),
  /** Where the incident is tracked. */
  url: httpUrl.nullish(),
  /** 1 (most severe), 2 or 3. */
  severity: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: "expected 1, 2 or 3 (1 is the most severe)" }).nullish(),
  /** What kind of AI failure it was, or `not-ai`. */
  category: z.enum(INCIDENT_CATEGORIES, { message: `expected one of ${INCIDENT_CATEGORIES.join(", ")}` }).nullish(),
  /** When the incident started (impact began), ISO-8601; stored in UTC. */
  startedAt: instant.nullish(),
});

export const incidentLinkFieldsSchema = z.strictObject({
  /** How the merge relates to the incident; the newest link for a merge is its current relation. */
  relation: z.enum(INCIDENT_RELATIONS, { message: `expected one of ${INCIDENT_RELATIONS.join(", ")}` }),
  /** Why: the evidence for the relation. */
  note: text(2000).nullish(),
  /** Who made the link. */
  linkedBy: text(200).nullish(),
});

/** An incident as hashed into the chain: every field present, absent ones null, the start in UTC. */
export interface NormalizedIncident {
  externalId: string;
  title: string | null;
  url: string | null;
  severity: IncidentSeverity | null;
  category: IncidentCategory | null;
  startedAt: string | null;
}

export interface NormalizedIncidentLink {
  externalId: string;
  repo: string;
  prNumber: number;
  relation: IncidentRelation;
  note: string | null;
  linkedBy: string | null;
}

export function normalizeIncident(input: IncidentInput): NormalizedIncident {
  const { source: _source, ...fields } = input;
  const f = parseOrThrow(incidentFieldsSchema, fields, `recordIncident ${describeId(input.externalId)}`);
  return {
    externalId: f.externalId,
    title: f.title ?? null,
    url: f.url ?? null,
    severity: f.severity ?? null,
    category: f.category ?? null,
    startedAt: f.startedAt == null ? null : normalizeInstant(f.startedAt, "startedAt"),
  };
}

export function normalizeIncidentLink(input: IncidentLinkInput): NormalizedIncidentLink {
  const where = `linkIncident ${describeId(input.externalId)}`;
  const id = parseOrThrow(incidentIdSchema, input.externalId, where, "externalId");
  checkPullRequest(where, input.repo, input.prNumber);
  const f = parseOrThrow(incidentLinkFieldsSchema, { relation: input.relation, note: input.note, linkedBy: input.linkedBy }, where);
  return {
    externalId: id,
    repo: normalizeRepo(input.repo),
    prNumber: input.prNumber,
    relation: f.relation,
    note: f.note ?? null,
    linkedBy: f.linkedBy ?? null,
  };
}

/** The first problem as an AuditInputError naming the field: `recordIncident INC-1: category "x": expected one of …`. */
function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string, field?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = field ?? (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : String(issue.path[0] ?? "input"));
  const given = field !== undefined ? value : issue.code === "unrecognized_keys" ? undefined : (value as Record<string, unknown>)[name];
  const shown = given === undefined ? "" : ` ${JSON.stringify(given)?.slice(0, 80)}`;
  const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
  throw new AuditInputError(`${where}: ${name}${shown}: ${message}`, name);
}

function describeId(id: unknown): string {
  return typeof id === "string" ? JSON.stringify(id.slice(0, 130)) : String(id);
}
