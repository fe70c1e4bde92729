/**
 * The audit API through a real node:http server on 127.0.0.1 (docs/audit-trail.md, "Reading the trail"): auth,
 * every filter, cursor pages, parameter errors, 404, 405 and 500s that leak nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditStore, MergeRecord } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { createAuditApiHandler, type AuditApiHandler } from "../../src/http/audit-api.js";
import { mergeInput, sha } from "../contract/audit-harness.js";
import {
  AGENT_FIELDS,
  ASSISTED_FIELDS,
  BYPASSED_FIELDS,
  GENERATED_MERGE,
  REVERT_MERGE,
  REVERT_OF_PR_1,
} from "../support/five-merge-trail.js";

const TOKEN = "test-token-0123456789abcdef";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

let dir: string;
let store: AuditStore;
let server: Server;
let base: string;
let fallthrough = 0;

function serve(handler: AuditApiHandler): Promise<{ server: Server; base: string }> {
  const s = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) {
        fallthrough += 1;
        res.writeHead(404, { "content-type": "text/plain" }).end("not the audit API");
      }
    });
  });
  return new Promise((resolve) =>
    s.listen(0, "127.0.0.1", () => resolve({ server: s, base: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })),
  );
}

function call(
  path: string,
  options: { method?: string; token?: string | null; authorization?: string; body?: string; on?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(`${options.on ?? base}${path}`, { method: options.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the fallthrough
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const prs = (body: unknown) => (body as { merges: MergeRecord[] }).merges.map((m) => `${m.repo}#${m.prNumber}`);

// Five merges: #4 reverts #1; #2 bypassed the gate; #3 is an agent PR under src/payments.
const A = mergeInput({
  ...ASSISTED_FIELDS,
  teams: [{ team: "@acme/payments", files: 1 }],
  exceptions: [],
});
const B = mergeInput({
  ...BYPASSED_FIELDS,
  teams: [{ team: "@acme/legacy", files: 1 }],
  paths: [{ path: "db/migrations/1.sql", previousPath: null, status: "added" }],
});
const C = mergeInput({
  ...AGENT_FIELDS,
  teams: [{ team: "@acme/web", files: 1 }],
  exceptions: [],
});
const D = REVERT_MERGE;
const E = GENERATED_MERGE;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-api-"));
  store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`, { now: () => new Date("2026-04-01T00:00:00Z") });
  for (const m of [A, B, C, D, E]) await store.recordMerge(m, null);
  await store.recordRevert(REVERT_OF_PR_1, null);
  ({ server, base } = await serve(createAuditApiHandler({ store, token: TOKEN, log: { error: () => {} } })));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("authentication", () => {
  test("a valid bearer token is answered", async () => {
    const reply = await call("/countersign/api/merges");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(reply.headers["cache-control"]).toBe("no-store");
    expect(prs(reply.body)).toEqual(["acme/web#5", "acme/pay#4", "acme/web#3", "acme/pay#2", "acme/pay#1"]);
    expect((await call("/countersign/api/merges", { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  test.each([
    ["no Authorization header", { token: null }, 'Bearer realm="countersign"'],
    ["a wrong token", { token: "wrong-token-0123456789abcdef" }, 'Bearer realm="countersign", error="invalid_token"'],
    ["a prefix of the token", { token: TOKEN.slice(0, -1) }, 'Bearer realm="countersign", error="invalid_token"'],
    [
      "another scheme",
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
      'Bearer realm="countersign", error="invalid_token"',
    ],
    ["an empty bearer", { authorization: "Bearer " }, 'Bearer realm="countersign", error="invalid_token"'],
  ])("%s: 401 with WWW-Authenticate, and no data", async (_, options, challenge) => {
    for (const path of ["/countersign/api/merges", "/countersign/api/report", "/countersign/api/nothing-here"]) {
      const reply = await call(path, options);
      expect(reply.status).toBe(401);
      expect(reply.headers["www-authenticate"]).toBe(challenge);
      expect(reply.headers["cache-control"]).toBe("no-store");
      expect(reply.body).toEqual({ error: "unauthorized", message: "send Authorization: Bearer <AUDIT_API_TOKEN>" });
    }
  });

  test("paths outside /countersign/api are left to the next handler", async () => {
    const before = fallthrough;
    for (const path of ["/", "/healthz", "/countersign", "/countersign/apix", "/countersign/app/merges"]) {
      expect((await call(path, { token: null })).text).toBe("not the audit API");
    }
    expect(fallthrough - before).toBe(5);
  });

  test("an empty token is refused when the handler is created", () => {
    expect(() => createAuditApiHandler({ store, token: "" })).toThrow(/AUDIT_API_TOKEN/);
  });
});

describe("GET /countersign/api/merges", () => {
  test.each([
    ["repo=acme/web", ["acme/web#5", "acme/web#3"]],
    ["repo=ACME/Pay&limit=1", ["acme/pay#4"]],
    ["path=src/payments/**", ["acme/web#3", "acme/pay#1"]],
    ["path=**/*.sql", ["acme/pay#2"]],
    ["since=2026-03-10", ["acme/web#5", "acme/pay#4", "acme/web#3"]],
    ["until=2026-02-10", ["acme/pay#2", "acme/pay#1"]],
    ["since=2026-02-01T00:00:00Z&until=2026-03-10T10:00:00Z", ["acme/web#3", "acme/pay#2"]],
    ["ai=agent", ["acme/web#3"]],
    ["ai=assisted,generated,agent", ["acme/web#5", "acme/web#3", "acme/pay#1"]],
    ["team=@acme/payments", ["acme/pay#4", "acme/pay#1"]],
    ["team=acme%2Fweb", ["acme/web#5", "acme/web#3"]],
    ["bypassed=true", ["acme/pay#2"]],
    ["bypassed=false&repo=acme/pay", ["acme/pay#4", "acme/pay#1"]],
    ["reverted=true", ["acme/pay#1"]],
    ["reverted=false&ai=none", ["acme/pay#4", "acme/pay#2"]],
    ["exceptions=true", ["acme/pay#2"]],
    [`sha=${sha("acme/web#3 merge")}`, ["acme/web#3"]],
    [`sha=${sha("acme/pay#2 c1").slice(0, 7).toUpperCase()}`, ["acme/pay#2"]],
    ["repo=acme/none", []],
  ])("?%s", async (query, expected) => {
    const reply = await call(`/countersign/api/merges?${query}`);
    expect(reply.status).toBe(200);
    expect(prs(reply.body)).toEqual(expected);
  });

  test("records carry reviewers, notes and reverts", async () => {
    const reply = await call("/countersign/api/merges?reverted=true");
    const [m] = (reply.body as { merges: MergeRecord[] }).merges;
    expect(m!.reviewers[0]!.verified).toMatch(/^Verified: ran the refund flow/);
    expect(m!.revertedBy).toEqual([expect.objectContaining({ repo: "acme/pay", prNumber: 4, method: "body" })]);
  });

  test("cursor pages walk every merge once, then nextCursor is null", async () => {
    const seen: string[] = [];
    let path = "/countersign/api/merges?limit=2";
    const sizes: number[] = [];
    for (;;) {
      const reply = await call(path);
      expect(reply.status).toBe(200);
      const body = reply.body as { merges: MergeRecord[]; nextCursor: string | null };
      sizes.push(body.merges.length);
      seen.push(...prs(body));
      if (body.nextCursor === null) break;
      path = `/countersign/api/merges?limit=2&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(["acme/web#5", "acme/pay#4", "acme/web#3", "acme/pay#2", "acme/pay#1"]);
    // Pages keep the filters they are given.
    const first = (await call("/countersign/api/merges?repo=acme/pay&limit=2")).body as { nextCursor: string };
    expect(prs((await call(`/countersign/api/merges?repo=acme/pay&limit=2&cursor=${first.nextCursor}`)).body)).toEqual(["acme/pay#1"]);
  });

  test.each([
    ["limit=1001", [{ param: "limit", message: "expected a whole number from 1 to 1000" }]],
    ["limit=0", [{ param: "limit", message: "expected a whole number from 1 to 1000" }]],
    ["limit=ten", [{ param: "limit", message: "expected a whole number from 1 to 1000" }]],
    ["since=yesterday", [{ param: "since", message: expect.stringMatching(/^expected an ISO-8601 date or time/) }]],
    ["until=2026-13-01", [{ param: "until", message: expect.stringMatching(/^expected an ISO-8601 date/) }]],
    [
      "ai=most",
      [{ param: "ai", message: expect.stringMatching(/^expected disclosure levels from none, assisted, generated, agent, undisclosed/) }],
    ],
    ["ai=", [{ param: "ai", message: expect.stringMatching(/^expected disclosure levels from/) }]],
    ["repo=acme", [{ param: "repo", message: "expected owner/name, for example acme/payments-api" }]],
    ["bypassed=yes", [{ param: "bypassed", message: 'expected "true" or "false"' }]],
    ["sha=abc12", [{ param: "sha", message: "expected at least 7 hex characters of a commit SHA" }]],
    ["cursor=not-a-cursor", [{ param: "cursor", message: expect.stringMatching(/is not a cursor this server issued/) }]],
    ["sinse=2026-01-01", [{ param: "sinse", message: "unknown parameter" }]],
    ["repo=acme/pay&repo=acme/web", [{ param: "repo", message: "given more than once" }]],
    [
      "limit=5000&since=soon&colour=red",
      [
        { param: "colour", message: "unknown parameter" },
        { param: "since", message: expect.any(String) },
        { param: "limit", message: "expected a whole number from 1 to 1000" },
      ],
    ],
  ])("?%s is refused with 400 and the reason", async (query, details) => {
    const reply = await call(`/countersign/api/merges?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(reply.body).toEqual({ error: "invalid parameter", details: expect.arrayContaining(details) });
    expect((reply.body as { details: unknown[] }).details).toHaveLength(details.length);
  });
});

describe("single merges", () => {
  test("by repository and PR number", async () => {
    const reply = await call("/countersign/api/merges/acme/web/3");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ repo: "acme/web", prNumber: 3, aiLevel: "agent", sponsor: "dev-alice", owningTeam: "@acme/web" });
    expect((await call("/countersign/api/merges/ACME/Web/3")).status).toBe(200);
  });

  test("by any commit of the PR, full or abbreviated", async () => {
    for (const commit of [sha("acme/web#3 merge"), sha("acme/web#3 head"), sha("acme/web#3 c2").slice(0, 7)]) {
      const reply = await call(`/countersign/api/commits/${commit}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ repo: "acme/web", prNumber: 3 });
    }
  });

  test("404 for an unknown merge, commit or route", async () => {
    for (const path of [
      "/countersign/api/merges/acme/pay/999",
      `/countersign/api/commits/${"0".repeat(40)}`,
      "/countersign/api",
      "/countersign/api/merges/acme/pay",
      "/countersign/api/exports",
    ]) {
      const reply = await call(path);
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ error: "not found" });
      expect(reply.headers["cache-control"]).toBe("no-store");
    }
  });

  test("400 for malformed references", async () => {
    expect((await call("/countersign/api/merges/acme/pay/first")).body).toEqual({
      error: "invalid parameter",
      details: [{ param: "number", message: "expected a pull request number" }],
    });
    expect((await call("/countersign/api/commits/xyz1234")).status).toBe(400);
    expect((await call("/countersign/api/commits/abc12")).status).toBe(400);
    expect((await call("/countersign/api/merges/acme/pay/1?verbose=1")).body).toEqual({
      error: "invalid parameter",
      details: [{ param: "verbose", message: "unknown parameter" }],
    });
    expect((await call("/countersign/api/merges/%E0%A4%A/pay/1")).status).toBe(400);
  });
});

describe("GET /countersign/api/report", () => {
  test("grouped by team and month, with the change-failure proxies", async () => {
    const reply = await call("/countersign/api/report?group_by=team,month&repo=acme/pay");
    expect(reply.status).toBe(200);
    const body = reply.body as {
      groupBy: string[];
      rows: { group: Record<string, string | null>; merges: number; revertBase: number; revertedWithin7d: number }[];
      definitions: Record<string, string>;
    };
    expect(body.groupBy).toEqual(["team", "month"]);
    expect(body.rows.map((r) => [r.group.team, r.group.month, r.merges, r.revertBase, r.revertedWithin7d])).toEqual([
      ["@acme/legacy", "2026-02", 1, 1, 0],
      ["@acme/payments", "2026-01", 1, 1, 0],
      ["@acme/payments", "2026-03", 1, 0, 0],
    ]);
    expect(body.definitions.revertRate30d).toMatch(/change-failure proxy/);
  });

  test("defaults to grouping by AI level; takes the merge filters", async () => {
    const body = (await call("/countersign/api/report?since=2026-03-01&bypassed=false")).body as {
      groupBy: string[];
      total: { merges: number; aiAssisted: number };
    };
    expect(body.groupBy).toEqual(["ai"]);
    expect(body.total).toMatchObject({ merges: 3, aiAssisted: 2 });
  });

  test.each([
    ["group_by=week", "group_by"],
    ["group_by=team,team", "group_by"],
    ["path=src/**", "path"],
    ["limit=5", "limit"],
  ])("?%s is refused with 400", async (query, param) => {
    const reply = await call(`/countersign/api/report?${query}`);
    expect(reply.status).toBe(400);
    expect((reply.body as { details: { param: string }[] }).details.map((d) => d.param)).toEqual([param]);
  });
});

describe("methods and failures", () => {
  test.each(["POST", "PUT", "PATCH", "DELETE", "HEAD"])("%s is 405 with Allow: GET", async (method) => {
    const reply = await call("/countersign/api/merges", {
      method,
      body: method === "HEAD" ? undefined : JSON.stringify({ repo: "acme/pay" }),
    });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("GET");
    if (method !== "HEAD") expect(reply.body).toEqual({ error: "method not allowed", message: "this resource is read-only: use GET" });
  });

  test("an unauthenticated POST is 401, not 405 (routes are not revealed)", async () => {
    expect((await call("/countersign/api/merges", { method: "POST", token: null, body: "{}" })).status).toBe(401);
  });

  test("a failing store is a logged 500 that leaks nothing", async () => {
    const logged: { details: Record<string, unknown>; message: string }[] = [];
    const failing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === "listMergesPage" || prop === "report") {
          return async () => {
            throw new Error("connection to db.internal:5432 refused (password=hunter2)");
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const s = await serve(
      createAuditApiHandler({ store: failing, token: TOKEN, log: { error: (details, message) => logged.push({ details, message }) } }),
    );
    try {
      for (const path of ["/countersign/api/merges", "/countersign/api/report"]) {
        const reply = await call(path, { on: s.base });
        expect(reply.status).toBe(500);
        expect(reply.body).toEqual({ error: "internal error" });
        expect(reply.text).not.toMatch(/hunter2|db\.internal|at |Error/);
      }
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatchObject({ message: "audit API request failed", details: { path: "/countersign/api/merges" } });
      expect(String((logged[0]!.details.err as Error).message)).toMatch(/refused/);
    } finally {
      await new Promise((resolve) => s.server.close(resolve));
    }
  });
});

describe("crafted path filters", () => {
  test("a backtracking-hostile glob against a long stored path is answered at once (linear matching), and others still work", async () => {
    const long = mergeInput({
      repo: "acme/long",
      prNumber: 9,
      mergedAt: "2026-03-25T10:00:00Z",
      exceptions: [],
      paths: [{ path: `src/${"e".repeat(5_000)}`, previousPath: null, status: "added" }],
    });
    await store.recordMerge(long, null);
    const hostile = await call(`/countersign/api/merges?path=${encodeURIComponent("**/*e*e*e*e*e*e*e*e*e*e*q")}`);
    expect(hostile.status).toBe(200);
    expect(prs(hostile.body)).toEqual([]);
    expect(prs((await call(`/countersign/api/merges?path=${encodeURIComponent("**/*e*e*e*e*e*e*e*e*e*e*e")}`)).body)).toEqual([
      "acme/long#9",
    ]);
    expect(prs((await call(`/countersign/api/merges?path=${encodeURIComponent("src/payments/**")}&repo=acme/pay`)).body)).toEqual([
      "acme/pay#1",
    ]);
  });

  test.each([
    ["+(a|b)/**", "uses an extglob"],
    ["src/(a|b)", "regex groups are not supported"],
    ["!src/**", "is negated"],
  ])("?path=%s is refused with 400, saying which globs work", async (glob, why) => {
    const reply = await call(`/countersign/api/merges?path=${encodeURIComponent(glob)}`);
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain(why);
    expect(JSON.stringify(reply.body)).toContain("use *, **, ?, [abc], [a-z], [^abc] and {a,b}");
  });
});
