/**
 * The dashboard behind Probot 14's own server, wired exactly as app.ts does it (addHandler):
 * Probot's webhook middleware runs first and must leave the dashboard's POST bodies alone, and
 * its logger must fit the dashboard's log option.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Probot, Server } from "probot";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { createDashboardHandler } from "../../src/dashboard/dashboard-handler.js";

const TOKEN = "probot-wired-dashboard-token-0123";

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function send(port: number, path: string, init: { method?: string; cookie?: string; form?: Record<string, string> } = {}) {
  const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  return new Promise<{ status: number; location?: string; cookies: string[]; text: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, method: init.method ?? (body ? "POST" : "GET"), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            ...(res.headers.location ? { location: res.headers.location } : {}),
            cookies: res.headers["set-cookie"] ?? [],
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let server: Server;
let store: AuditStore;
let dir: string;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-dashboard-probot-"));
  store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`);
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const log = pino({ level: "silent" });
  port = await freePort();
  server = new Server({ Probot: Probot.defaults({ appId: 1, privateKey, secret: "webhook-secret", log }), host: "127.0.0.1", port, log });
  await server.load((app, { addHandler }) => {
    addHandler(createDashboardHandler({ store, token: TOKEN, log: app.log }));
  });
  await server.start();
});

afterAll(async () => {
  await server.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("sign in and out through Probot's server: the form bodies reach the dashboard", async () => {
  expect((await send(port, "/countersign/")).status).toBe(303);
  const form = await send(port, "/countersign/login");
  expect(form.status).toBe(200);
  const nonce = form.cookies[0]!.split(";")[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)![1]!;
  const signedIn = await send(port, "/countersign/login", { cookie: nonce, form: { csrf, next: "/countersign/merges", token: TOKEN } });
  expect(signedIn.status).toBe(303);
  expect(signedIn.location).toBe("/countersign/merges");
  const session = signedIn.cookies.find((c) => c.startsWith("countersign_session="))!.split(";")[0]!;
  const merges = await send(port, "/countersign/merges", { cookie: session });
  expect(merges.status).toBe(200);
  expect(merges.text).toContain("No merges are recorded yet.");
  const logoutCsrf = /name="csrf" value="([^"]+)"/.exec(merges.text)![1]!;
  expect((await send(port, "/countersign/logout", { cookie: session, form: { csrf: logoutCsrf } })).status).toBe(303);
  expect((await send(port, "/countersign/merges", { cookie: session })).status).toBe(303);
});

test("paths that are not the dashboard's still reach Probot's own handlers", async () => {
  expect((await send(port, "/ping")).text).toBe("PONG");
  expect((await send(port, "/countersign/api/merges")).status).toBe(404);
  // Probot's webhook middleware answers its own path (415: it takes JSON only).
  expect((await send(port, "/api/github/webhooks", { form: { payload: "{}" } })).status).toBe(415);
});

test(
  "the chain page's verification re-derives the stored rows too: a flipped bypass shows as broken, naming table, " + "merge and column",
  async () => {
    const { mergeInput } = await import("../contract/audit-harness.js");
    await store.recordMerge(mergeInput({ prNumber: 8, bypassed: true, checkConclusion: "failure" }), null);
    const form = await send(port, "/countersign/login");
    const nonce = form.cookies[0]!.split(";")[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const signedIn = await send(port, "/countersign/login", { cookie: nonce, form: { csrf, next: "/countersign/chain", token: TOKEN } });
    const session = signedIn.cookies.find((c) => c.startsWith("countersign_session="))!.split(";")[0]!;
    expect((await send(port, "/countersign/chain?verify=1", { cookie: session })).text).toContain('<span class="badge ok">intact</span>');

    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(dir, "audit.db"));
    db.exec("DROP TRIGGER merges_no_update; UPDATE merges SET bypassed = 0 WHERE pr_number = 8");
    db.close();
    const page = await send(port, "/countersign/chain?verify=1", { cookie: session });
    expect(page.text).toContain("The chain links up, but a stored row disagrees with it at seq");
    expect(page.text).toMatch(
      /merges row acme\/pay#8 \(seq \d+\): column bypassed is false, the hashed entry says true \(projection modified\)/,
    );
  },
);
