/**
 * One merge filter schema behind the three surfaces that take a filter as text: the same bad
 * value is refused with the same message by `countersign audit merges|report` (exit 2), the audit
 * API (400 with the parameter) and the dashboard's merges page (400, the message beside the field).
 * The new `incomplete` filter and `--bypassed false` work on every surface.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INCOMPLETE_MERGE_MISSING, type AuditStore } from "../../src/audit/audit-store.js";
import { MERGE_FILTER_MESSAGES as M } from "../../src/audit/merge-filter-input.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { main } from "../../src/cli/main.js";
import { createAuditApiHandler } from "../../src/http/audit-api.js";
import { mergeInput } from "../contract/audit-harness.js";
import { startDashboardServer, type DashboardServer } from "../dashboard/support/dashboard-server.js";
import { request as dashboardRequest, signIn } from "../dashboard/support/http.js";

const TOKEN = "surfaces-test-token-0123456789abcdef";
const savedUrl = process.env.DATABASE_URL;
let dir: string;
let api: Server;
let apiBase: string;
let store: AuditStore;
let dashboard: DashboardServer;
let cookie: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-filter-surfaces-"));
  process.env.DATABASE_URL = `sqlite://${join(dir, "audit.db")}`;
  store = await openAuditStore(process.env.DATABASE_URL);
  await store.recordMerge(mergeInput({ prNumber: 1, mergedAt: "2026-03-01T10:00:00Z" }), null);
  await store.recordMerge(mergeInput({ prNumber: 2, mergedAt: "2026-03-02T10:00:00Z", bypassed: true, checkConclusion: "failure" }), null);
  const incomplete = {
    ...{ reviewers: [], owningTeam: null, teams: [], paths: [], boundaries: [] },
    ...{ checkConclusion: null, commitShas: [], configHash: null },
  };
  await store.recordMerge(
    mergeInput({ prNumber: 3, mergedAt: "2026-03-03T10:00:00Z", ...incomplete, incomplete: true, missing: [...INCOMPLETE_MERGE_MISSING] }),
    null,
  );
  const handler = createAuditApiHandler({ store, token: TOKEN });
  api = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  dashboard = await startDashboardServer({ seed: false, handler: { store } });
  ({ cookie } = await signIn(dashboard));
});

afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await dashboard.close();
  await store.close();
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "countersign", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function apiGet(path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${apiBase}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The dashboard page's text with entities decoded, so messages with quotes compare as typed. */
async function dashboardGet(path: string): Promise<{ status: number; text: string }> {
  const res = await dashboardRequest(dashboard, path, { cookie });
  const text = res.text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return { status: res.status, text };
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
const flags = (params: Record<string, string>) => Object.entries(params).flatMap(([k, v]) => [`--${k}`, v]);

describe("the same bad filter, the same message, on every surface", () => {
  test.each([
    ["a level that is not a disclosure level", { ai: "most" }, "ai", M.ai],
    ["a date that is not ISO-8601", { since: "last tuesday" }, "since", M.time],
    ["an end before the start", { since: "2026-07-01", until: "2026-06-01" }, "until", M.order],
    ["a repository that is not owner/name", { repo: "acme" }, "repo", M.repo],
    ["a team that is not @org/team", { team: "payments" }, "team", M.team],
    ["bypassed that is not a boolean", { bypassed: "maybe" }, "bypassed", M.flag],
    ["incomplete that is not a boolean", { incomplete: "perhaps" }, "incomplete", M.flag],
    ["a SHA that is too short", { sha: "abc12" }, "sha", M.sha],
    ["a cursor this server did not issue", { cursor: "m1.bogus" }, "cursor", M.cursor],
  ])("%s", async (_what, params: Record<string, string>, field, message) => {
    const run = await cli("audit", "merges", ...flags(params));
    expect(run.code).toBe(2);
    expect(run.err).toBe(`countersign: --${field} "${params[field]}": ${message}`);

    const reply = await apiGet(`/countersign/api/merges?${query(params)}`);
    expect(reply).toEqual({ status: 400, body: { error: "invalid parameter", details: [{ param: field, message }] } });

    const page = await dashboardGet(`/countersign/merges?${query(params)}`);
    expect(page.status).toBe(400);
    // Beside its field; the cursor has none and is named in the list of problems.
    expect(page.text).toContain(field === "cursor" ? `Page: ${message}` : `id="f-${field}-error">${message}</span>`);
  });

  test("a limit out of range: the CLI and the API (the dashboard's page size is fixed)", async () => {
    for (const limit of ["0", "1001", "ten"]) {
      expect((await cli("audit", "merges", "--limit", limit)).err).toBe(`countersign: --limit "${limit}": ${M.limit}`);
      const reply = await apiGet(`/countersign/api/merges?limit=${limit}`);
      expect(reply.body).toEqual({ error: "invalid parameter", details: [{ param: "limit", message: M.limit }] });
    }
  });

  test("the report takes the same filters with the same messages", async () => {
    expect((await cli("audit", "report", "--ai", "most")).err).toBe(`countersign: --ai "most": ${M.ai}`);
    const reply = await apiGet("/countersign/api/report?ai=most");
    expect(reply.body).toEqual({ error: "invalid parameter", details: [{ param: "ai", message: M.ai }] });
  });
});

describe("incomplete and negated flags on every surface", () => {
  const prsOfJson = (json: string) => (JSON.parse(json) as { prNumber: number }[]).map((m) => m.prNumber);
  const prsOfApi = (body: unknown) => (body as { merges: { prNumber: number }[] }).merges.map((m) => m.prNumber);
  const prsOfPage = (text: string) => [...text.matchAll(/href="\/countersign\/merges\/acme\/pay\/(\d+)"/g)].map((m) => Number(m[1]));

  test.each([
    [{ incomplete: "true" }, [3]],
    [{ incomplete: "false" }, [2, 1]],
    [{ bypassed: "false" }, [3, 1]],
  ])("%j", async (params: Record<string, string>, expected) => {
    expect(prsOfJson((await cli("audit", "merges", ...flags(params), "--format", "json")).out)).toEqual(expected);
    expect(prsOfApi((await apiGet(`/countersign/api/merges?${query(params)}`)).body)).toEqual(expected);
    expect([...new Set(prsOfPage((await dashboardGet(`/countersign/merges?${query(params)}`)).text))]).toEqual(expected);
  });

  test("a flag without a value means true on the command line", async () => {
    expect(prsOfJson((await cli("audit", "merges", "--incomplete", "--format", "json")).out)).toEqual([3]);
  });
});
