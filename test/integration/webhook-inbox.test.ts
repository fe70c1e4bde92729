/**
 * The webhook route as `npm start` serves it: Probot's own Server (what `run` builds, with its
 * webhook middleware ahead of every added route), the app with its durable inbox. Deliveries are
 * stored before the answer; refusals store nothing; the body is capped while it streams.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createApp } from "../../src/app.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { WebhookInbox } from "../../src/inbox/webhook-inbox.js";
import { createAppMetrics } from "../../src/metrics/app-metrics.js";
import { APP_ID, WEBHOOK_SECRET } from "../support/test-probot.js";
import { example } from "../support/webhook-examples.js";
import { tooLargeMessage } from "../../src/http/request-body.js";

const TOKEN = "metrics-token-0123456789";
const MAX_BYTES = 64 * 1024;

let dir: string;
let store: AuditStore;
let inbox: WebhookInbox;
let server: Server;
let url: string;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  dir = mkdtempSync(join(tmpdir(), "countersign-inbox-"));
  store = await openAuditStore(`sqlite://${join(dir, "a.db")}`);
  const metrics = createAppMetrics({ processMetrics: false });
  inbox = new WebhookInbox({ store: store.inbox(), metrics, maxBytes: MAX_BYTES, pollMs: 50 });
  const port = await freePort();
  server = new Server({
    host: "127.0.0.1",
    port,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    Probot: Probot.defaults({ appId: APP_ID, privateKey: "unused: no GitHub call here", secret: WEBHOOK_SECRET, Octokit: ProbotOctokit }),
  });
  await server.load(createApp({ store, appId: APP_ID, inbox, metrics, metricsToken: TOKEN }));
  await server.start();
  url = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  await server.stop();
  await inbox.stop();
  nock.cleanAll();
  nock.enableNetConnect();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Post {
  body?: string | Buffer;
  secret?: string;
  id?: string;
  headers?: Record<string, string>;
  /** Send the body in chunks without a content-length. */
  chunked?: boolean;
}

/** POSTs like GitHub does (node:http: nock's fetch passthrough drops request bodies). */
function post(options: Post = {}): Promise<{ status: number; body: string }> {
  const body = options.body ?? JSON.stringify(example("pull_request", "assigned"));
  const signature = `sha256=${createHmac("sha256", options.secret ?? WEBHOOK_SECRET)
    .update(body)
    .digest("hex")}`;
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": options.id ?? "11111111-0000-4000-8000-000000000001",
        "x-hub-signature-256": signature,
        ...(options.chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(Buffer.byteLength(body)) }),
        ...options.headers,
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may answer 413 and close before the whole body is sent.
    req.on("error", (error: Error & { code?: string }) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error),
    );
    if (options.chunked) {
      const buf = Buffer.from(body);
      for (let i = 0; i < buf.length; i += 16 * 1024) req.write(buf.subarray(i, i + 16 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

test("through Probot's Server: a signed delivery is stored before the 202, then processed", async () => {
  const res = await post();
  expect(res.status).toBe(202);
  expect(JSON.parse(res.body)).toEqual({ delivery: "11111111-0000-4000-8000-000000000001", outcome: "stored" });
  expect(await store.inbox().get("11111111-0000-4000-8000-000000000001")).toMatchObject({ event: "pull_request", action: "assigned" });
  await inbox.whenIdle();
  expect(await store.inbox().get("11111111-0000-4000-8000-000000000001")).toMatchObject({ state: "done", attempts: 1 });
  // The same id again: acknowledged, not queued.
  expect(JSON.parse((await post()).body)).toMatchObject({ outcome: "duplicate" });
});

test("an invalid signature is refused with 400 and nothing is stored", async () => {
  const res = await post({ secret: "wrong-secret" });
  expect(res.status).toBe(400);
  expect(res.body).toMatch(/signature does not match/);
  expect(await store.inbox().list()).toEqual([]);
});

test("missing headers, another method, another content type: refused as Probot does, nothing stored", async () => {
  expect((await post({ headers: { "x-hub-signature-256": "" } })).status).toBe(400);
  expect((await post({ headers: { "content-type": "text/plain" } })).status).toBe(415);
  expect((await fetch(`${url}/api/github/webhooks`)).status).toBe(404);
  expect(await store.inbox().list()).toEqual([]);
});

test("a body over the cap is refused with 413, declared or streamed, and nothing is stored", async () => {
  const big = JSON.stringify({ action: "opened", filler: "x".repeat(MAX_BYTES) });
  expect(await post({ body: big })).toEqual({ status: 413, body: JSON.stringify({ error: tooLargeMessage(MAX_BYTES) }) });
  expect((await post({ body: big, chunked: true, id: "22222222-0000-4000-8000-000000000002" })).status).toBe(413);
  expect(await store.inbox().list()).toEqual([]);
  // Just under the cap is fine.
  const fits = JSON.stringify({ action: "opened", filler: "x".repeat(MAX_BYTES - 100) });
  expect((await post({ body: fits, chunked: true, id: "33333333-0000-4000-8000-000000000003" })).status).toBe(202);
});

test("/metrics needs the bearer token, and counts the delivery received and processed", async () => {
  expect((await fetch(`${url}/metrics`)).status).toBe(401);
  expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
  await post();
  await inbox.whenIdle();
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  expect(text).toContain('countersign_deliveries_received_total{event="pull_request"} 1');
  expect(text).toContain('countersign_deliveries_processed_total{event="pull_request"} 1');
  expect(text).toMatch(/^countersign_inbox_pending 0$/m);
  expect(text).toMatch(/^countersign_inbox_parked 0$/m);
  const health = (await (await fetch(`${url}/healthz`)).json()) as { inbox: unknown };
  expect(health.inbox).toEqual({ pending: 0, oldestPendingAgeSeconds: null, parked: 0 });
});
