/**
 * The dashboard on a plain node:http server (127.0.0.1, a free port) over a temp SQLite store,
 * seeded once. The same handler Probot's server would call through addHandler; a request no
 * handler answers gets 404, as Probot's notFound handler does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditStore } from "../../../src/audit/audit-store.js";
import { openAuditStore } from "../../../src/audit/open-audit-store.js";
import { createDashboardHandler, type DashboardOptions } from "../../../src/dashboard/dashboard-handler.js";
import { SEED_NOW, seedAuditTrail, type SeededTrail } from "./seed-audit.js";

export const TEST_TOKEN = "dashboard-test-token-0123456789abcdef";

export interface DashboardServer {
  baseUrl: string;
  store: AuditStore;
  seeded: SeededTrail | null;
  logs: { level: string; details: Record<string, unknown>; message: string }[];
  close(): Promise<void>;
}

export async function startDashboardServer(
  options: { seed?: boolean; token?: string | undefined; handler?: Partial<DashboardOptions> } = {},
): Promise<DashboardServer> {
  const dir = mkdtempSync(join(tmpdir(), "countersign-dashboard-"));
  let clock = SEED_NOW;
  const store = await openAuditStore(`sqlite://${join(dir, "audit.db")}`, { now: () => clock });
  const seeded = options.seed === false ? null : await seedAuditTrail(store, (t) => (clock = t));
  clock = SEED_NOW;
  const logs: DashboardServer["logs"] = [];
  const logger = (level: string) => (details: Record<string, unknown>, message: string) => void logs.push({ level, details, message });
  const handler = createDashboardHandler({
    store,
    token: "token" in options ? options.token : TEST_TOKEN,
    log: { info: logger("info"), warn: logger("warn"), error: logger("error") },
    now: () => SEED_NOW,
    ...options.handler,
  });
  const server: Server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not found"}');
      },
      (error: unknown) => {
        logs.push({ level: "error", details: { err: error }, message: "unhandled" });
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    store,
    seeded,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
