/**
 * The production process (src/main.ts, transpiled) against oversized requests: a body past
 * GitHub's 25 MB payload cap is refused with 413 while it streams (declared or chunked, on the
 * webhook path and elsewhere), and the process keeps answering meanwhile. Also: with APP_ID and
 * no WEBHOOK_SECRET it does not start at all.
 */
import { request as httpRequest } from "node:http";
import nock from "nock";
import { spawnTracked, type AppProcess } from "../../tools/demo/app-process.mjs";
import type { TranspiledEntry } from "../support/transpile-for-child.js";
import { ChildApp } from "./support/child-app.js";

nock.restore(); // real HTTP

const APP_ID = 5252;
const MB = 1024 * 1024;
const running = new ChildApp();
let dir: string;
let child: TranspiledEntry;
let app: AppProcess;

beforeAll(async () => {
  await running.start({ appId: APP_ID, tmpPrefix: "countersign-request-limits-", logLevel: "warn" });
  ({ dir, app } = running);
  child = running.child!;
}, 60_000);

afterAll(() => running.stop());

interface Answer {
  status: number;
  body: string;
  /** Bytes of the body written before the answer came. */
  sent: number;
  /** /healthz statuses asked while the body was streaming. */
  healthz: number[];
}

/**
 * POSTs `totalBytes` of JSON-ish filler in 1 MB chunks (chunked, or with the length declared up
 * front), asking /healthz after every 5 MB; stops writing as soon as the answer arrives.
 */
function postLarge(
  path: string,
  totalBytes: number,
  options: { declareLength?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const healthz: number[] = [];
  let sent = 0;
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": "0b989ba4-0000-4000-8000-00000000413a",
      "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      ...options.headers,
    };
    if (options.declareLength) headers["content-length"] = totalBytes;
    const req = httpRequest({ host: "127.0.0.1", port: app.port, path, method: "POST", headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), sent, healthz }));
      res.on("error", reject);
    });
    // The server closes the connection after its 413 while this side may still be writing.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(MB, "a");
    const write = async () => {
      while (!answered && sent < totalBytes) {
        if (sent > 0 && sent % (5 * MB) === 0) healthz.push((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status);
        sent += chunk.length;
        if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
      }
      if (!answered) req.end();
    };
    write().catch(() => undefined);
  });
}

test("a 30 MB chunked webhook body is refused with 413 while it streams, and /healthz answers meanwhile", async () => {
  const answer = await postLarge("/api/github/webhooks", 30 * MB);
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body)).toEqual({
    error: "payload too large",
    message: "request bodies are limited to 25 MB (GitHub's webhook payload cap)",
  });
  expect(answer.healthz.length).toBeGreaterThanOrEqual(4);
  expect(answer.healthz.every((s) => s === 200)).toBe(true);
  expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
}, 60_000);

test.each([
  ["the webhook path", "/api/github/webhooks"],
  ["the dashboard", "/countersign/login"],
  ["a path nobody serves", "/anything"],
])(
  "a declared Content-Length over 25 MB on %s is refused before the body is read",
  async (_name, path) => {
    const answer = await postLarge(path, 400 * MB, { declareLength: true });
    expect(answer.status).toBe(413);
    // Answered after at most a few chunks, not after 400 MB.
    expect(answer.sent).toBeLessThan(100 * MB);
  },
  60_000,
);

test("a webhook body within the limit still reaches Probot (which checks the signature)", async () => {
  const answer = await postLarge("/api/github/webhooks", 2 * MB);
  expect(answer.status).toBe(400);
  expect(answer.body).toContain("signature does not match");
}, 60_000);

test("APP_ID without WEBHOOK_SECRET: the process refuses to start, saying how to set it", async () => {
  const env: Record<string, string> = { ...app.env, PORT: "0" };
  delete env.WEBHOOK_SECRET;
  const proc = spawnTracked(process.execPath, [child.entry], { cwd: dir, env });
  await new Promise<void>((resolve) => proc.child.once("exit", () => resolve()));
  expect(proc.exited).toEqual({ code: 1, signal: null });
  expect(proc.log.join("\n")).toContain("WEBHOOK_SECRET: required when APP_ID is set");
  expect(proc.log.join("\n")).toContain("Webhook secret");
}, 30_000);
