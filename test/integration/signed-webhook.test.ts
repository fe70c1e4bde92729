/**
 * Real HTTP with signed deliveries, through the same middleware `npm start` serves: a signed
 * pull_request.opened without a disclosure yields a failing check; a bad signature is refused
 * with 400 and nothing is evaluated or recorded.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { createNodeMiddleware } from "probot";
import { createApp } from "../../src/app.js";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { mockGitHub } from "../support/github-mock.js";
import { APP_ID, bareTestProbot, WEBHOOK_SECRET } from "../support/test-probot.js";
import { pullRequestEvent } from "../support/webhook-examples.js";

let dir: string;
let store: AuditStore;
let server: Server;
let url: string;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  dir = mkdtempSync(join(tmpdir(), "countersign-http-"));
  store = await openAuditStore(`sqlite:///${join(dir, "a.db").replace(/^\//, "")}`);
  const middleware = await createNodeMiddleware(createApp({ store, appId: APP_ID }), { probot: bareTestProbot() });
  server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  nock.cleanAll();
  nock.enableNetConnect();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs a delivery the way GitHub does. (node:http, not fetch: nock's fetch passthrough drops request bodies.) */
function deliver(payload: unknown, secret = WEBHOOK_SECRET, id = "3d3f3b20-0000-4000-8000-000000000001"): Promise<{ status: number }> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": id,
        "x-hub-signature-256": signature,
        "user-agent": "GitHub-Hookshot/test",
      },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("a signed pull_request.opened without a disclosure: countersign = failure naming the missing section", async () => {
  const gh = mockGitHub({ codeowners: { path: "CODEOWNERS", text: "* @Codertocat/core\n" } });
  const res = await deliver(pullRequestEvent("opened", { body: "Quick fix", requested_reviewers: [] }));
  expect(res.status).toBe(200);
  const check = gh.lastCheck()!;
  expect(check.conclusion).toBe("failure");
  expect(check.output.text).toContain("## AI assistance disclosure");
  // The evaluation is the trail's first entry.
  expect(await store.verify()).toMatchObject({ ok: true, entries: 1 });
});

test("an invalid signature is refused with 400: no GitHub call, no record", async () => {
  const gh = mockGitHub();
  const res = await deliver(pullRequestEvent("opened", { body: "Quick fix" }), "wrong-secret");
  expect(res.status).toBe(400);
  expect(gh.calls).toEqual([]);
  expect(await store.verify()).toMatchObject({ ok: true, entries: 0 });
});

test("GET /healthz answers without a signature", async () => {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    ok: true,
    store: "sqlite",
    down: [],
    changeEvents: { sent: 0, failed: 0, retried: 0 },
    reconcile: { enabled: false },
  });
});
