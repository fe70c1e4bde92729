/**
 * Before registration and without App credentials: the app's setup mode (no APP_ID, as the
 * Docker image starts) answers /healthz and says why nothing else is served; `countersign serve`
 * serves the audit API and the dashboard over an existing store with no App credentials.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { startReadOnlyServer } from "../../src/serve/read-only-server.js";
import { mergeInput } from "../contract/audit-harness.js";
import { freePort } from "../../tools/demo/app-process.mjs";
import { PROJECT_ROOT } from "../cli/cli-harness.js";
import { killListeningProcesses, startListeningProcess } from "../support/listening-process.js";
import { transpileForChild, type TranspiledEntry } from "../support/transpile-for-child.js";

const TOKEN = "read-only-token-0123456789";
const dirs: string[] = [];
const builds: TranspiledEntry[] = [];
afterAll(() => {
  killListeningProcesses();
  for (const b of builds) b.remove();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "countersign-serve-"));
  dirs.push(dir);
  return dir;
}

describe("setup mode (no APP_ID)", () => {
  test("as the Docker image starts it (NODE_ENV=production, no credentials): /healthz 200 awaiting registration, the setup page, a log " +
    "line saying why the API and dashboard are not served", async () => {
    const build = transpileForChild(join(PROJECT_ROOT, "src/main.ts"), PROJECT_ROOT);
    builds.push(build);
    const cwd = tempDir();
    const { url, output } = await startListeningProcess(
      [build.entry],
      // Not PORT=0: Probot's server takes 0 for "unset" and listens on 3000.
      { NODE_ENV: "production", PORT: String(await freePort()), HOST: "127.0.0.1", AUDIT_API_TOKEN: TOKEN, LOG_LEVEL: "info" },
      cwd,
    );

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      ok: true,
      status: "awaiting-registration",
      message: expect.stringContaining("awaiting registration"),
    });
    const page = await fetch(`${url}/probot`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Register GitHub App");
    // Not served before registration, even with a token set.
    expect((await fetch(`${url}/countersign/api/merges`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect(output()).toContain("Setup mode (no APP_ID): only the registration page and /healthz are served. The audit API, the dashboard");
    expect(output()).toContain("countersign serve");
  }, 90_000);
});

describe("countersign serve", () => {
  test("the read-only server: /healthz, the audit API with the token, the dashboard; no webhook route", async () => {
    const dir = tempDir();
    const store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`);
    await store.recordMerge(mergeInput(), null);
    const server = await startReadOnlyServer({
      store,
      auditApiToken: TOKEN,
      githubOAuth: null,
      log: { error: () => undefined },
      host: "127.0.0.1",
      port: 0,
    });
    try {
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, mode: "read-only", store: "sqlite" });
      expect((await fetch(`${server.url}/countersign/api/merges`)).status).toBe(401);
      const merges = (await (
        await fetch(`${server.url}/countersign/api/merges`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as { merges: { repo: string }[] };
      expect(merges.merges.map((m) => m.repo)).toEqual(["acme/pay"]);
      expect((await fetch(`${server.url}/countersign/login`)).status).toBe(200);
      expect((await fetch(`${server.url}/api/github/webhooks`)).status).toBe(404);
    } finally {
      await server.close();
      await store.close();
    }
  });

  test("as a process: refuses without a sign-in (exit 2); with AUDIT_API_TOKEN it serves an existing store and stops on SIGTERM (exit " +
    "0)", async () => {
    const build = transpileForChild(join(PROJECT_ROOT, "src/cli/main.ts"), PROJECT_ROOT);
    builds.push(build);
    const dir = tempDir();
    const dbUrl = `sqlite://${join(dir, "audit.db")}`;
    const store = await openAuditStore(dbUrl);
    await store.recordMerge(mergeInput({ repo: "acme/web" }), null);
    await store.close();
    const script =
      `import(${JSON.stringify(pathToFileURL(build.entry).href)}).then((m) => m.main(["node", "countersign", ` +
      `...process.argv.slice(1)])).then((c) => process.exit(c))`;
    const args = ["--input-type=module", "-e", script, "serve", "--host", "127.0.0.1", "--port", "0"];

    const refused = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH ?? "", DATABASE_URL: dbUrl } });
    let err = "";
    refused.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    expect(await new Promise((r) => refused.once("exit", r))).toBe(2);
    expect(err).toContain("nothing to serve: set AUDIT_API_TOKEN");

    const { url, child } = await startListeningProcess(args, { DATABASE_URL: dbUrl, AUDIT_API_TOKEN: TOKEN }, dir);
    const merges = (await (await fetch(`${url}/countersign/api/merges`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      merges: { repo: string }[];
    };
    expect(merges.merges.map((m) => m.repo)).toEqual(["acme/web"]);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
