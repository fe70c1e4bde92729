/**
 * The audit API on the app's own server (docs/audit-trail.md, "Reading the trail"):
 *   GET  /countersign/api/merges                          the `audit merges` filters; { merges, nextCursor }
 *   GET  /countersign/api/merges/:owner/:repo/:number     one merge (404 when none)
 *   GET  /countersign/api/commits/:sha                    the merge containing a commit (full or 7+ hex)
 *   GET  /countersign/api/report                          `audit report`: group_by, since, until, repo, …;
 *                                                          incidents=true adds the incident trends
 *   GET  /countersign/api/incidents                       `incident list`: category, severity, since, until, repo, limit
 *   POST /countersign/api/incidents                       open an incident: 201, or 200 when already recorded
 *                                                          with the same fields (409 with different ones)
 *   GET  /countersign/api/incidents/:id                   one incident with its links (404 when none)
 *   POST /countersign/api/incidents/:id/links             { merge: "owner/repo#N" | sha, relation, note?, linkedBy? }:
 *                                                          201, or 200 when it is already the current link
 * Merges are read-only; incidents and links are the only writes, each an entry in the hash chain.
 * Every request needs `Authorization: Bearer <AUDIT_API_TOKEN>`; the app does not register this
 * handler at all when no token is configured. Parameters and bodies (JSON, at most 64 KiB, else
 * 413) are parsed with zod at the boundary and refused with the reason (400); unexpected errors
 * are logged and answered 500 without details.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorized, digest } from "./bearer-token.js";
import { readRequestBody, TOO_LARGE_HEADERS, tooLargeMessage } from "./request-body.js";
import { z } from "zod";
import { AuditConflictError } from "../audit/audit-conflict-error.js";
import { AuditInputError } from "../audit/audit-input-error.js";
import { AuditNotFoundError } from "../audit/audit-not-found-error.js";
import {
  INCIDENT_CATEGORIES,
  REPORT_DIMENSIONS,
  type AuditStore,
  type IncidentFilter,
  type IncidentSeverity,
  type MergeFilter,
  type ReportDimension,
} from "../audit/audit-store.js";
import { incidentFieldsSchema, incidentIdSchema, incidentLinkFieldsSchema } from "../audit/incident-input.js";
import { linkIncidentByRef, MERGE_REF_FORMS, parseMergeRef } from "../audit/merge-ref.js";
import {
  MERGE_FILTER_FIELDS,
  mergeFilterFieldSchemas,
  parseMergeFilterInput,
  type MergeFilterField,
  type MergeFilterInput,
} from "../audit/merge-filter-input.js";

export const AUDIT_API_PREFIX = "/countersign/api";

export interface AuditApiOptions {
  store: AuditStore;
  /** The bearer token every request must present (AUDIT_API_TOKEN). */
  token: string;
  /** Where server errors go (pino-style); the response never carries them. */
  log?: { error: (details: Record<string, unknown>, message: string) => void };
}

/** A Probot `addHandler` handler: true when it answered (any path under /countersign/api). */
export type AuditApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface ParamProblem {
  param: string;
  message: string;
}

class BadRequest extends Error {
  constructor(
    readonly details: ParamProblem[],
    readonly error = "invalid parameter",
  ) {
    super(error);
  }
}

/** A request refused before it reaches a route: too large, not JSON. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error));
  }
}

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

const flag = mergeFilterFieldSchemas.bypassed;

/** The merge filters each listing takes (the schema the CLI and the dashboard use). */
const MERGES_FILTERS = MERGE_FILTER_FIELDS;
const REPORT_FILTERS = MERGE_FILTER_FIELDS.filter((f) => !["path", "sha", "limit", "cursor"].includes(f));

const reportQuery = z.strictObject({
  group_by: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(REPORT_DIMENSIONS, { message: `expected dimensions from ${REPORT_DIMENSIONS.join(", ")}, comma-separated` }))
        .min(1, { message: `expected one or more dimensions from ${REPORT_DIMENSIONS.join(", ")}, comma-separated` }),
    )
    .refine((dims) => new Set(dims).size === dims.length, { message: "lists a dimension twice" })
    .optional(),
  incidents: flag.optional(),
});

const incidentsQuery = z.strictObject({
  category: z.enum(INCIDENT_CATEGORIES, { message: `expected one of ${INCIDENT_CATEGORIES.join(", ")}` }).optional(),
  severity: z.enum(["1", "2", "3"], { message: "expected 1, 2 or 3" }).optional(),
  since: mergeFilterFieldSchemas.since.optional(),
  until: mergeFilterFieldSchemas.until.optional(),
  repo: mergeFilterFieldSchemas.repo.optional(),
  limit: mergeFilterFieldSchemas.limit.optional(),
});

/** POST /incidents: the incident's fields (the store's own schema: the same reasons as the CLI). */
const incidentBody = incidentFieldsSchema;

/** POST /incidents/:id/links: the merge as people name it, and the link's fields. */
const linkBody = incidentLinkFieldsSchema.extend({
  /** owner/repo#N or a commit SHA of the merge. */
  merge: z
    .string({ message: `expected ${MERGE_REF_FORMS}` })
    .refine((v) => parseMergeRef(v) !== null, { message: `expected ${MERGE_REF_FORMS}` }),
});

/** The methods each path answers; null: no such resource. */
function methodsFor(parts: string[]): readonly string[] | null {
  const [resource, ...rest] = parts;
  if (resource === "incidents") {
    if (rest.length === 0) return ["GET", "POST"];
    if (rest.length === 1) return ["GET"];
    if (rest.length === 2 && rest[1] === "links") return ["POST"];
    return null;
  }
  if (
    (resource === "merges" && (rest.length === 0 || rest.length === 3)) ||
    (resource === "commits" && rest.length === 1) ||
    (resource === "report" && rest.length === 0)
  ) {
    return ["GET"];
  }
  return null;
}

const NO_PARAMS = z.strictObject({});

export function createAuditApiHandler(options: AuditApiOptions): AuditApiHandler {
  if (!options.token) throw new Error("createAuditApiHandler: token is empty; leave the API unregistered when AUDIT_API_TOKEN is unset");
  const expected = digest(options.token);
  const log = options.log ?? { error: (details, message) => console.error(message, details) };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== AUDIT_API_PREFIX && !url.pathname.startsWith(`${AUDIT_API_PREFIX}/`)) return false;

    if (!authorized(req.headers.authorization, expected)) {
      const presented = req.headers.authorization !== undefined;
      send(
        res,
        401,
        { error: "unauthorized", message: "send Authorization: Bearer <AUDIT_API_TOKEN>" },
        {
          "www-authenticate": presented ? 'Bearer realm="countersign", error="invalid_token"' : 'Bearer realm="countersign"',
        },
      );
      return true;
    }
    try {
      const parts = url.pathname.slice(AUDIT_API_PREFIX.length).split("/").filter(Boolean).map(decodeSegment);
      const methods = methodsFor(parts);
      if (methods === null) {
        send(res, 404, { error: "not found" });
        return true;
      }
      if (!methods.includes(req.method ?? "")) {
        const allowed = methods.join(" or ");
        send(
          res,
          405,
          {
            error: "method not allowed",
            message: methods.includes("POST") ? `use ${allowed}` : `this resource is read-only: use ${allowed}`,
          },
          { allow: methods.join(", ") },
        );
        return true;
      }
      let answer: { status: number; body: unknown } | null;
      if (req.method === "POST") {
        const body = await readJsonBody(req);
        if (body === null) return true;
        answer = await write(options.store, parts, url, body.json);
      } else {
        answer = await route(options.store, url, parts);
      }
      if (answer === null) send(res, 404, { error: "not found" });
      else send(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof HttpProblem) send(res, error.status, error.body, error.status === 413 ? TOO_LARGE_HEADERS : {});
      else if (error instanceof BadRequest) send(res, 400, { error: error.error, details: error.details });
      else if (error instanceof AuditNotFoundError) send(res, 404, { error: "not found", message: error.message });
      else if (error instanceof AuditConflictError) send(res, 409, { error: "conflict", message: error.message });
      else if (error instanceof AuditInputError)
        send(res, 400, { error: "invalid parameter", details: [{ param: paramName(error.field), message: error.message }] });
      else {
        log.error({ err: error, path: url.pathname }, "audit API request failed");
        send(res, 500, { error: "internal error" });
      }
    }
    return true;
  };
}

async function route(store: AuditStore, url: URL, parts: string[]): Promise<{ status: number; body: unknown } | null> {
  const [resource, ...rest] = parts;

  if (resource === "merges" && rest.length === 0) {
    const { filter } = parse(NO_PARAMS, url.searchParams, MERGES_FILTERS);
    const page = await store.listMergesPage(filter);
    return { status: 200, body: { merges: page.merges, nextCursor: page.nextCursor } };
  }
  if (resource === "merges" && rest.length === 3) {
    parse(NO_PARAMS, url.searchParams);
    const [owner, repo, number] = rest as [string, string, string];
    const problems: ParamProblem[] = [];
    if (!/^[\w.-]+$/.test(owner)) problems.push({ param: "owner", message: "expected a GitHub owner" });
    if (!/^[\w.-]+$/.test(repo)) problems.push({ param: "repo", message: "expected a repository name" });
    if (!/^[1-9]\d{0,9}$/.test(number)) problems.push({ param: "number", message: "expected a pull request number" });
    if (problems.length > 0) throw new BadRequest(problems);
    const merge = await store.getMerge(`${owner}/${repo}`, Number(number));
    return merge
      ? { status: 200, body: merge }
      : { status: 404, body: { error: "not found", message: `no merge recorded for ${owner}/${repo}#${number}` } };
  }
  if (resource === "commits" && rest.length === 1) {
    parse(NO_PARAMS, url.searchParams);
    const sha = rest[0]!;
    if (!/^[0-9a-fA-F]{7,64}$/.test(sha))
      throw new BadRequest([{ param: "sha", message: "expected at least 7 hex characters of a commit SHA" }]);
    const merge = await store.findMergeBySha(sha.toLowerCase());
    return merge
      ? { status: 200, body: merge }
      : { status: 404, body: { error: "not found", message: `no recorded merge contains commit ${sha}` } };
  }
  if (resource === "report" && rest.length === 0) {
    const { filter, query: q } = parse(reportQuery, url.searchParams, REPORT_FILTERS);
    const report = await store.report(filter, (q.group_by ?? ["ai"]) as ReportDimension[]);
    return { status: 200, body: q.incidents ? { ...report, incidents: await store.incidentTrends(filter) } : report };
  }
  if (resource === "incidents" && rest.length === 0) {
    const { query: q } = parse(incidentsQuery, url.searchParams);
    const filter: IncidentFilter = { limit: q.limit ?? 100 };
    if (q.category !== undefined) filter.category = q.category;
    if (q.severity !== undefined) filter.severity = Number(q.severity) as IncidentSeverity;
    if (q.since !== undefined) filter.since = q.since;
    if (q.until !== undefined) filter.until = q.until;
    if (q.repo !== undefined) filter.repo = q.repo;
    return { status: 200, body: { incidents: await store.listIncidents(filter) } };
  }
  if (resource === "incidents" && rest.length === 1) {
    parse(NO_PARAMS, url.searchParams);
    const id = incidentId(rest[0]!);
    const incident = await store.getIncident(id);
    return incident
      ? { status: 200, body: incident }
      : { status: 404, body: { error: "not found", message: `no incident ${id} is recorded` } };
  }
  return null;
}

/** The POST routes: 201 when recorded, 200 when it was already (the answer carries the record either way). */
async function write(store: AuditStore, parts: string[], url: URL, body: unknown): Promise<{ status: number; body: unknown }> {
  parse(NO_PARAMS, url.searchParams);
  const [, id, links] = parts;
  if (id === undefined) {
    const fields = parseBody(incidentBody, body);
    const result = await store.recordIncident({ ...fields, source: "api" });
    return { status: result.inserted ? 201 : 200, body: await store.getIncident(fields.externalId) };
  }
  if (links === "links") {
    const externalId = incidentId(id);
    const fields = parseBody(linkBody, body);
    const outcome = await linkIncidentByRef(store, parseMergeRef(fields.merge)!, {
      externalId,
      relation: fields.relation,
      note: fields.note ?? null,
      linkedBy: fields.linkedBy ?? null,
      source: "api",
    });
    if ("missing" in outcome) {
      const message =
        outcome.missing === "incident"
          ? `no incident ${externalId} is recorded: POST it to ${AUDIT_API_PREFIX}/incidents first`
          : `no merge recorded for ${fields.merge}`;
      return { status: 404, body: { error: "not found", message } };
    }
    const { result } = outcome;
    return { status: result.inserted ? 201 : 200, body: await store.getIncident(externalId) };
  }
  throw new Error(`no POST route for ${parts.join("/")}`); // methodsFor admits no other
}

function incidentId(segment: string): string {
  const parsed = incidentIdSchema.safeParse(segment);
  if (!parsed.success) throw new BadRequest([{ param: "id", message: parsed.error.issues[0]!.message }]);
  return parsed.data;
}

/** A JSON body → the schema's output, or a 400 naming every bad field. */
function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems: ParamProblem[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === "unrecognized_keys") for (const k of issue.keys) problems.push({ param: k, message: "unknown field" });
    else if (issue.path.length === 0) problems.push({ param: "body", message: "expected a JSON object" });
    else problems.push({ param: issue.path.map(String).join("."), message: issue.message });
  }
  throw new BadRequest(problems, "invalid body");
}

/**
 * The request's JSON body: 415 unless it is declared JSON, 413 past MAX_BODY_BYTES (declared or
 * counted while reading; the rest is not kept), 400 when it does not parse; null when the client
 * went away (nothing to answer).
 */
async function readJsonBody(req: IncomingMessage): Promise<{ json: unknown } | null> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpProblem(415, { error: "unsupported media type", message: "send the body as JSON with Content-Type: application/json" });
  }
  const read = await readRequestBody(req, MAX_BODY_BYTES);
  if (!read.ok && read.reason === "aborted") return null;
  if (!read.ok) throw new HttpProblem(413, { error: "payload too large", message: tooLargeMessage(MAX_BODY_BYTES) });
  try {
    return { json: JSON.parse(read.body.toString("utf8")) as unknown };
  } catch (error) {
    throw new BadRequest([{ param: "body", message: `not valid JSON: ${(error as Error).message}` }], "invalid body");
  }
}

/**
 * Query parameters → the schema's output and, for `filters`, the merge filter (the shared schema),
 * or a 400 naming every bad parameter: unknown, repeated, or refused by either schema.
 */
function parse<S extends z.ZodType>(
  schema: S,
  params: URLSearchParams,
  filters: readonly MergeFilterField[] = [],
): { query: z.output<S>; filter: MergeFilter } {
  const raw: Record<string, string> = {};
  const input: MergeFilterInput = {};
  const problems: ParamProblem[] = [];
  for (const [k, v] of params) {
    if (k in raw || k in input) problems.push({ param: k, message: "given more than once" });
    if ((filters as readonly string[]).includes(k)) input[k as MergeFilterField] = v;
    else raw[k] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") for (const k of issue.keys) problems.push({ param: k, message: "unknown parameter" });
      else problems.push({ param: String(issue.path[0] ?? "query"), message: issue.message });
    }
  }
  const { filter, problems: filterProblems } = parseMergeFilterInput(input);
  problems.push(...filterProblems.map((p) => ({ param: p.field, message: p.message })));
  if (problems.length > 0) throw new BadRequest(problems);
  return { query: (parsed as { data: z.output<S> }).data, filter };
}

/** The store names fields as the library does; the API's parameters are snake_case. */
function paramName(field: string): string {
  return field === "groupBy" ? "group_by" : field;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequest([{ param: "path", message: "malformed percent-encoding" }]);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(text);
}
