/**
 * The incident routes of the audit API through a real node:http server on 127.0.0.1: opening
 * (201, then 200 for the same fields, 409 for different ones), links by owner/repo#N or SHA,
 * reads, body limits (413 past 64 KiB, declared or not), invalid JSON and fields (400 with the
 * reason), unknown incidents and merges (404), methods per route (405 with Allow).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditStore, IncidentRecord } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { createAuditApiHandler, MAX_BODY_BYTES } from "../../src/http/audit-api.js";
import { tooLargeMessage } from "../../src/http/request-body.js";
import { mergeInput, sha } from "../contract/audit-harness.js";

const TOKEN = "test-token-0123456789abcdef";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

let dir: string;
let store: AuditStore;
let server: Server;
let base: string;

interface CallOptions {
  method?: string;
  token?: string | null;
  /** JSON-encoded unless `raw`. */
  json?: unknown;
  raw?: string;
  contentType?: string | null;
  /** Send the body in two writes without a Content-Length (chunked). */
  chunked?: boolean;
}

function call(path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
  const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  if (body !== undefined && options.contentType !== null) headers["content-type"] = options.contentType ?? "application/json";
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: options.method ?? (body === undefined ? "GET" : "POST"), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    // The server may close the connection while a refused body is still being sent.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    if (body !== undefined && options.chunked) {
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      req.end(body.slice(half));
    } else {
      req.end(body);
    }
  });
}

const OPEN = {
  externalId: "INC-2041",
  title: "Refunds paid twice",
  url: "https://incidents.acme.example/INC-2041",
  severity: 1,
  category: "hallucination-in-production-code",
  startedAt: "2026-03-01T14:30:00Z",
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-incidents-api-"));
  store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`, { now: () => new Date("2026-04-01T00:00:00Z") });
  await store.recordMerge(mergeInput({ repo: "acme/pay", prNumber: 1, mergedAt: "2026-03-01T10:00:00Z", aiLevel: "agent" }), null);
  await store.recordMerge(mergeInput({ repo: "acme/pay", prNumber: 2, mergedAt: "2026-03-02T10:00:00Z", aiLevel: "none" }), null);
  const handler = createAuditApiHandler({ store, token: TOKEN, log: { error: () => {} } });
  server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("POST /countersign/api/incidents", () => {
  test("201 with the record; 200 when the same fields are sent again; 409 with different ones", async () => {
    const created = await call("/countersign/api/incidents", { json: OPEN });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...OPEN, startedAt: "2026-03-01T14:30:00.000Z", source: "api", links: [], seq: 3 });
    const again = await call("/countersign/api/incidents", { json: { ...OPEN, startedAt: "2026-03-01T15:30:00+01:00" } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ externalId: "INC-2041", seq: 3 });
    const conflict = await call("/countersign/api/incidents", { json: { ...OPEN, severity: 2 } });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({ error: "conflict", message: expect.stringMatching(/already recorded .* severity 1 \(given 2\)/) });
    expect((await store.verify()).entries).toBe(3);
  });

  test.each([
    [
      { ...OPEN, externalId: "INC-2", category: "prompt-injection" },
      [{ param: "category", message: expect.stringMatching(/^expected one of data-exfiltration, /) }],
    ],
    [{ externalId: "INC-2", severity: "1" }, [{ param: "severity", message: "expected 1, 2 or 3 (1 is the most severe)" }]],
    [
      { externalId: "INC-2", startedAt: "last tuesday" },
      [{ param: "startedAt", message: expect.stringMatching(/^expected an ISO-8601 time/) }],
    ],
    [{ externalId: "INC-2", url: "ftp://x" }, [{ param: "url", message: "expected an http or https URL" }]],
    [{ externalId: "INC 2" }, [{ param: "externalId", message: expect.stringMatching(/^expected an incident id/) }]],
    [{ title: "no id" }, [{ param: "externalId", message: expect.stringMatching(/^expected an incident id/) }]],
    [{ externalId: "INC-2", owner: "sec" }, [{ param: "owner", message: "unknown field" }]],
    [{ externalId: "INC-2", source: "webhook" }, [{ param: "source", message: "unknown field" }]],
    [[OPEN], [{ param: "body", message: "expected a JSON object" }]],
  ])("%j is 400 with every reason, and nothing is recorded", async (json, details) => {
    const reply = await call("/countersign/api/incidents", { json });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: "invalid body", details });
    expect(await store.getIncident("INC-2")).toBeNull();
  });

  test("invalid JSON is 400 with the parser's reason", async () => {
    const reply = await call("/countersign/api/incidents", { raw: '{"externalId": "INC-3",' });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: "invalid body",
      details: [{ param: "body", message: expect.stringMatching(/^not valid JSON: /) }],
    });
  });

  test("a body that is not declared JSON is 415", async () => {
    for (const contentType of [null, "text/plain", "application/x-www-form-urlencoded"]) {
      const reply = await call("/countersign/api/incidents", { json: OPEN, contentType });
      expect(reply.status).toBe(415);
      expect(reply.body).toMatchObject({ message: "send the body as JSON with Content-Type: application/json" });
    }
    expect(
      (await call("/countersign/api/incidents", { json: { externalId: "INC-4" }, contentType: "application/json; charset=utf-8" })).status,
    ).toBe(201);
  });

  test("a body over 64 KiB is 413, whether declared or counted while reading", async () => {
    const big = { externalId: "INC-5", title: "x".repeat(MAX_BODY_BYTES) };
    for (const chunked of [false, true]) {
      const reply = await call("/countersign/api/incidents", { json: big, chunked });
      expect(reply.status).toBe(413);
      expect(reply.body).toEqual({ error: "payload too large", message: tooLargeMessage(MAX_BODY_BYTES) });
    }
    expect(await store.getIncident("INC-5")).toBeNull();
    // A body just under the limit is read (and then refused for its title's length, not its size).
    const near = await call("/countersign/api/incidents", { json: { externalId: "INC-5", title: "x".repeat(MAX_BODY_BYTES - 100) } });
    expect(near.status).toBe(400);
    expect(near.body).toMatchObject({ details: [{ param: "title", message: "at most 500 characters" }] });
  });

  test("a write needs the token like every route", async () => {
    const reply = await call("/countersign/api/incidents", { json: OPEN, token: null });
    expect(reply.status).toBe(401);
    expect(
      (await call("/countersign/api/incidents/INC-2041/links", { json: { merge: "acme/pay#1", relation: "caused" }, token: "wrong" }))
        .status,
    ).toBe(401);
  });
});

describe("POST /countersign/api/incidents/:id/links", () => {
  beforeAll(async () => {
    await store.recordIncident({
      externalId: "INC-10",
      severity: 2,
      category: "agent-overreach",
      startedAt: "2026-03-01T20:00:00Z",
      source: "cli",
    });
  });

  test("by owner/repo#N or by SHA: 201; the current relation again: 200; dismissed supersedes suspect", async () => {
    const suspect = await call("/countersign/api/incidents/INC-10/links", {
      json: { merge: "acme/pay#1", relation: "suspect", note: "touched refunds", linkedBy: "sre-sam" },
    });
    expect(suspect.status).toBe(201);
    expect((suspect.body as IncidentRecord).links).toEqual([
      expect.objectContaining({
        repo: "acme/pay",
        prNumber: 1,
        relation: "suspect",
        note: "touched refunds",
        linkedBy: "sre-sam",
        current: true,
      }),
    ]);
    const bySha = await call("/countersign/api/incidents/INC-10/links", {
      json: { merge: sha("acme/pay#2 c1").slice(0, 10), relation: "caused" },
    });
    expect(bySha.status).toBe(201);
    expect((await call("/countersign/api/incidents/INC-10/links", { json: { merge: "acme/pay#2", relation: "caused" } })).status).toBe(200);
    const dismissed = await call("/countersign/api/incidents/INC-10/links", {
      json: { merge: "acme/pay#1", relation: "dismissed", note: "ruled out" },
    });
    expect(dismissed.status).toBe(201);
    expect((dismissed.body as IncidentRecord).links.map((l) => [l.prNumber, l.relation, l.current])).toEqual([
      [1, "suspect", false],
      [2, "caused", true],
      [1, "dismissed", true],
    ]);
    expect((await store.incidentsForMerge("acme/pay", 1)).map((l) => l.relation)).toEqual(["dismissed"]);
    expect((await store.verify()).ok).toBe(true);
  });

  test("404 for an unknown incident or merge", async () => {
    const noIncident = await call("/countersign/api/incidents/INC-404/links", { json: { merge: "acme/pay#1", relation: "caused" } });
    expect(noIncident.status).toBe(404);
    expect(noIncident.body).toEqual({ error: "not found", message: expect.stringMatching(/no incident INC-404 is recorded/) });
    for (const merge of ["acme/pay#999", "0".repeat(40)]) {
      const reply = await call("/countersign/api/incidents/INC-10/links", { json: { merge, relation: "caused" } });
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ error: "not found", message: `no merge recorded for ${merge}` });
    }
  });

  test.each([
    [{ merge: "acme/pay#1", relation: "blamed" }, [{ param: "relation", message: "expected one of caused, fixed, suspect, dismissed" }]],
    [
      { merge: "pay#1", relation: "caused" },
      [{ param: "merge", message: "expected owner/repo#N or a commit SHA (at least 7 hex characters)" }],
    ],
    [{ relation: "caused" }, [{ param: "merge", message: "expected owner/repo#N or a commit SHA (at least 7 hex characters)" }]],
    [{ merge: "acme/pay#1", relation: "caused", note: "" }, [{ param: "note", message: "is empty: leave it out instead" }]],
    [{ merge: "acme/pay#1", relation: "caused", repo: "acme/pay" }, [{ param: "repo", message: "unknown field" }]],
  ])("%j is 400", async (json, details) => {
    const reply = await call("/countersign/api/incidents/INC-10/links", { json });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: "invalid body", details });
  });

  test("an invalid id in the path is 400", async () => {
    const reply = await call("/countersign/api/incidents/INC%2010/links", { json: { merge: "acme/pay#1", relation: "caused" } });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ details: [{ param: "id", message: expect.stringMatching(/^expected an incident id/) }] });
  });
});

describe("GET incidents", () => {
  test("one incident with its links; 404 when unknown; 400 for a malformed id or a parameter", async () => {
    const reply = await call("/countersign/api/incidents/INC-2041");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ externalId: "INC-2041", severity: 1, links: [] });
    expect(await call("/countersign/api/incidents/INC-0")).toMatchObject({
      status: 404,
      body: { error: "not found", message: "no incident INC-0 is recorded" },
    });
    expect((await call("/countersign/api/incidents/a%20b")).status).toBe(400);
    expect((await call("/countersign/api/incidents/INC-2041?verbose=1")).body).toEqual({
      error: "invalid parameter",
      details: [{ param: "verbose", message: "unknown parameter" }],
    });
  });

  // INC-4 has no start time: it sorts by its recording time (2026-04-01), so first.
  test.each([
    ["", ["INC-4", "INC-10", "INC-2041"]],
    ["?category=agent-overreach", ["INC-10"]],
    ["?severity=1", ["INC-2041"]],
    ["?repo=acme/pay", ["INC-10"]],
    ["?since=2026-03-01T16:00:00Z", ["INC-4", "INC-10"]],
    ["?limit=1", ["INC-4"]],
  ])("the list%s", async (query, expected) => {
    const reply = await call(`/countersign/api/incidents${query}`);
    expect(reply.status).toBe(200);
    expect((reply.body as { incidents: IncidentRecord[] }).incidents.map((i) => i.externalId)).toEqual(expected);
  });

  test.each([
    ["category=ai", "category"],
    ["severity=0", "severity"],
    ["limit=0", "limit"],
    ["since=soon", "since"],
    ["colour=red", "colour"],
  ])("?%s is 400", async (query, param) => {
    const reply = await call(`/countersign/api/incidents?${query}`);
    expect(reply.status).toBe(400);
    expect((reply.body as { details: { param: string }[] }).details.map((d) => d.param)).toEqual([param]);
  });

  test("the report adds the incident trends with incidents=true", async () => {
    const plain = (await call("/countersign/api/report")).body as Record<string, unknown>;
    expect(plain).not.toHaveProperty("incidents");
    const reply = await call("/countersign/api/report?incidents=true&group_by=ai");
    expect(reply.status).toBe(200);
    const trends = (reply.body as { incidents: { linkedByAi: unknown[]; mergeToStart: unknown } }).incidents;
    expect(trends.linkedByAi).toEqual([
      { key: "agent", merges: 1, linked: 0, share: 0 },
      { key: "none", merges: 1, linked: 1, share: 1 },
    ]);
    expect(trends.mergeToStart).toEqual({ links: 0, medianHours: null, p90Hours: null, maxHours: null, startedBeforeMerge: 1 });
  });
});

describe("methods", () => {
  test.each([
    ["PUT", "/countersign/api/incidents", "GET, POST"],
    ["DELETE", "/countersign/api/incidents/INC-2041", "GET"],
    ["POST", "/countersign/api/incidents/INC-2041", "GET"],
    ["GET", "/countersign/api/incidents/INC-2041/links", "POST"],
    ["POST", "/countersign/api/merges", "GET"],
    ["POST", "/countersign/api/report", "GET"],
  ])("%s %s is 405 with Allow: %s", async (method, path, allow) => {
    const reply = await call(path, { method, json: method === "GET" ? undefined : {} });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe(allow);
  });

  test("unknown incident sub-resources are 404", async () => {
    expect((await call("/countersign/api/incidents/INC-2041/notes", { json: {} })).status).toBe(404);
    expect((await call("/countersign/api/incidents/INC-2041/links/1")).status).toBe(404);
  });
});
