/**
 * `countersign inbox` and `countersign inbox retry`, in process, on a SQLite file with deliveries
 * in every state.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { main } from "../../src/cli/main.js";

let dir: string;
let store: AuditStore;
let savedUrl: string | undefined;
const cwd = process.cwd();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "countersign-cli-inbox-"));
  savedUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = `sqlite://${join(dir, "audit.db")}`;
  process.chdir(dir); // no .env here
  store = await openAuditStore(process.env.DATABASE_URL);
  const inbox = store.inbox();
  const t0 = new Date("2026-04-01T12:00:00.000Z");
  for (const id of ["d-pending", "d-parked", "d-done"]) {
    await inbox.enqueue({ id, event: "pull_request", action: "closed", payload: "{}", receivedAt: t0 });
  }
  await inbox.claim({ owner: "test", now: t0, leaseMs: 1000, limit: 10 });
  const retryAt = new Date("2026-04-01T12:01:00.000Z");
  await inbox.fail("d-pending", "test", "HTTP 502: Bad Gateway (GET /repos/acme/pay/pulls/7/files)", t0, retryAt);
  await inbox.fail("d-parked", "test", "HTTP 502: Bad Gateway (POST /graphql)", t0, null);
  await inbox.complete("d-done", "test", t0);
});

afterEach(async () => {
  process.chdir(cwd);
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "countersign", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("lists what waits and what is parked, with the last error; --parked and --json narrow and shape it", async () => {
  const all = await run(["inbox"]);
  expect(all.code).toBe(0);
  expect(all.out).toMatch(/^pending: 1 \(oldest received 2026-04-01T12:00:00.000Z\); parked: 1$/m);
  expect(all.out).toMatch(/d-pending\s+pull_request\.closed\s+pending\s+1 .*2026-04-01T12:01:00.000Z\s+HTTP 502/);
  expect(all.out).toMatch(/d-parked\s+pull_request\.closed\s+parked\s+1 .*POST \/graphql/);
  expect(all.out).not.toContain("d-done");
  expect(all.out).toContain("countersign inbox retry <delivery-id>");

  const parked = JSON.parse((await run(["inbox", "--parked", "--json"])).out);
  const only = { id: "d-parked", state: "parked", lastError: "HTTP 502: Bad Gateway (POST /graphql)" };
  expect(parked).toMatchObject({ pending: 1, parked: 1, deliveries: [only] });
  expect(parked.deliveries).toHaveLength(1);
});

test("retry makes a parked delivery due again; a done or unknown one is refused with exit 1", async () => {
  const ok = await run(["inbox", "retry", "d-parked"]);
  expect(ok).toMatchObject({ code: 0, out: "d-parked: queued; a running app processes it within seconds." });
  expect(await store.inbox().get("d-parked")).toMatchObject({ state: "pending", attempts: 0 });

  expect(await run(["inbox", "retry", "d-done"])).toMatchObject({ code: 1, err: expect.stringMatching(/already processed/) });
  expect(await run(["inbox", "retry", "nope"])).toMatchObject({ code: 1, err: expect.stringMatching(/no delivery nope in the inbox/) });
  expect(await run(["inbox", "--limit", "0"])).toMatchObject({ code: 2, err: expect.stringMatching(/--limit must be/) });
});
