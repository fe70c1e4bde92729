/**
 * Setup mode (no APP_ID) as a process, logging at trace level: the GitHub App-manifest callback's
 * one-time code, the credentials GitHub sends back for it (private key, webhook secret, client
 * secret) and those posted to the import form never reach the log, and request bodies are bounded
 * while they stream (413 past the setup routes' limit, the server still answering). GitHub is a
 * local stand-in reached through GHE_HOST; the process runs in a temp dir, where it writes `.env`.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../tools/demo/app-process.mjs";
import { PROJECT_ROOT } from "../cli/cli-harness.js";
import { killListeningProcesses, startListeningProcess, type ListeningProcess } from "../support/listening-process.js";
import { transpileForChild, type TranspiledEntry } from "../support/transpile-for-child.js";

const CODE = "mfc0de7a91e4b3c8d2f6a05e9b1c7d3f8a4e6b2c";
const REFUSED_CODE = "mfexp1red9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4";
const WEBHOOK_SECRET = "whsec5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d";
const CLIENT_SECRET = "clsec0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a";
const IMPORT_SECRET = "imsecQz7Yx3Wv9Ut5Sr1Qp8On4Ml6Kj2Ih0Gf";
const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
/** Lines of the key's base64 body: none may be logged, whole or in part. */
const PEM_LINES = PEM.split("\n").filter((line) => line && !line.startsWith("-----"));
const MB = 1024 * 1024;

let github: Server;
const conversions: string[] = [];
let build: TranspiledEntry;
let cwd: string;
let setup: ListeningProcess;

/** GitHub's "create a GitHub App from a manifest" (POST /app-manifests/{code}/conversions), under /api/v3 as for GHE_HOST. */
function answerConversion(req: IncomingMessage, res: ServerResponse): void {
  const m = /^\/api\/v3\/app-manifests\/([^/]+)\/conversions$/.exec(req.url ?? "");
  if (req.method !== "POST" || !m) return void res.writeHead(404).end();
  conversions.push(m[1]!);
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  if (m[1] !== CODE) {
    const docs = "https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest";
    json(404, { message: "Not Found", documentation_url: docs, status: "404" });
    return;
  }
  json(201, {
    id: 424242,
    slug: "countersign-acme",
    node_id: "A_kwDOABCD",
    owner: { login: "acme", id: 1, type: "Organization" },
    name: "Countersign (acme)",
    description: "Merge-time governance",
    external_url: "https://example.test",
    html_url: "https://github.com/apps/countersign-acme",
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    permissions: { checks: "write", pull_requests: "read" },
    events: ["pull_request"],
    client_id: "Iv1.8a61f9b3a7aba766",
    client_secret: CLIENT_SECRET,
    webhook_secret: WEBHOOK_SECRET,
    pem: PEM,
  });
}

beforeAll(async () => {
  github = createServer(answerConversion);
  await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
  build = transpileForChild(join(PROJECT_ROOT, "src/main.ts"), PROJECT_ROOT);
  cwd = mkdtempSync(join(tmpdir(), "countersign-setup-secrets-"));
  const env = {
    NODE_ENV: "production",
    // Not 0: Probot's server takes 0 for "unset" and listens on 3000.
    PORT: String(await freePort()),
    HOST: "127.0.0.1",
    LOG_LEVEL: "trace",
    LOG_FORMAT: "json",
    GHE_HOST: `127.0.0.1:${(github.address() as AddressInfo).port}`,
    GHE_PROTOCOL: "http",
  };
  setup = await startListeningProcess([build.entry], env, cwd);
}, 90_000);

afterAll(async () => {
  killListeningProcesses();
  build?.remove();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  await new Promise((resolve) => github?.close(resolve));
});

/** Waits until `text` is in the log `times` times (a request is logged once its answer is sent); the whole log. */
async function logged(text: string, times = 1): Promise<string> {
  const count = () => setup.output().split(text).length - 1;
  for (let i = 0; i < 200 && count() < times; i++) await new Promise((r) => setTimeout(r, 50));
  expect(count()).toBeGreaterThanOrEqual(times);
  return setup.output();
}

function expectNoSecrets(log: string): void {
  for (const secret of [CODE, REFUSED_CODE, WEBHOOK_SECRET, CLIENT_SECRET, IMPORT_SECRET, ...PEM_LINES]) {
    expect(log).not.toContain(secret);
  }
  // Parsers quote about ten characters of bad input: not even the start of a secret.
  for (const secret of [IMPORT_SECRET, WEBHOOK_SECRET, CLIENT_SECRET]) expect(log).not.toContain(secret.slice(0, 8));
}

test("the manifest callback: the app is registered (.env written), and neither the code nor the credentials GitHub returns are " +
  "logged", async () => {
  const res = await fetch(`${setup.url}/probot/setup?code=${CODE}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("https://github.com/apps/countersign-acme/installations/new");
  expect(conversions).toContain(CODE);
  const dotenv = readFileSync(join(cwd, ".env"), "utf8");
  expect(dotenv).toContain(`WEBHOOK_SECRET=${WEBHOOK_SECRET}`);
  expect(dotenv).toContain(`GITHUB_CLIENT_SECRET=${CLIENT_SECRET}`);

  const log = await logged("GET /probot/setup?code=");
  expect(log).toContain("/probot/setup?code=[redacted]");
  expect(log).toContain("Probot has been set up");
  expectNoSecrets(log);
}, 30_000);

test("a code GitHub refuses: 500, the error is logged without the code (it is part of the conversion URL)", async () => {
  const res = await fetch(`${setup.url}/probot/setup?code=${REFUSED_CODE}`, { redirect: "manual" });
  expect(res.status).toBe(500);
  expect(conversions).toContain(REFUSED_CODE);
  const log = await logged("/app-manifests/[redacted]/conversions");
  expect(log).toMatch(/"level":50.*Not Found/);
  expectNoSecrets(log);
}, 30_000);

/** POSTs `body` to the import form, declared (Content-Length) or chunked in 64 KB pieces. */
function postImport(body: string, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { "content-type": "application/json", ...(chunked ? {} : { "content-length": String(Buffer.byteLength(body)) }) };
    const req = httpRequest(`${setup.url}/probot/import`, { method: "POST", headers, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The server may answer 413 and close before the whole body is sent.
    req.on("error", (error: Error & { code?: string }) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    if (!chunked) return void req.end(body);
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
    req.end();
  });
}

let refused = 0;
test.each([false, true])(
  "a 2 MB import body is refused with 413 while it streams, and the server keeps answering (chunked: %s)",
  async (chunked) => {
    const body = JSON.stringify({ appId: 1, pem: PEM, webhook_secret: IMPORT_SECRET, padding: "x".repeat(2 * MB) });
    const reply = await postImport(body, chunked);
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ error: "payload too large", message: expect.stringContaining("limited to 1 MB") });
    expect((await fetch(`${setup.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${setup.url}/probot`)).status).toBe(200);
    expectNoSecrets(await logged("POST /probot/import 413", ++refused));
  },
  30_000,
);

test("an import body that is not JSON: 400, and the parser's quote of it (a secret typed without quotes) is not logged", async () => {
  const reply = await postImport(`{"appId": 1, "pem": "x", "webhook_secret": ${IMPORT_SECRET}}`, false);
  expect(reply.status).toBe(400);
  expectNoSecrets(await logged("POST /probot/import 400"));
}, 30_000);

test("an import within the limit is saved to .env and neither the key nor the secret is logged", async () => {
  const reply = await postImport(JSON.stringify({ appId: "515151", pem: PEM, webhook_secret: IMPORT_SECRET }), true);
  expect(reply.status).toBe(200);
  expect(readFileSync(join(cwd, ".env"), "utf8")).toContain(`WEBHOOK_SECRET=${IMPORT_SECRET}`);
  expectNoSecrets(await logged("POST /probot/import 200"));
}, 30_000);
