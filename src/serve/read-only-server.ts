/**
 * The audit API and the dashboard on their own HTTP server (`countersign serve`): no webhooks,
 * no GitHub App credentials, only a store to read (a replica is enough) and a sign-in.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { healthzHandler, readRoutes, type ReadRoutesOptions } from "./read-routes.js";

export interface ReadOnlyServer {
  url: string;
  close(): Promise<void>;
}

export async function startReadOnlyServer(options: ReadRoutesOptions & { host: string; port: number }): Promise<ReadOnlyServer> {
  const routes = [healthzHandler(() => ({ ok: true, mode: "read-only", store: options.store.engine })), ...readRoutes(options)];
  const server: Server = createServer((req, res) => {
    void (async () => {
      for (const route of routes) if (await route(req, res)) return;
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("Not found: this server has /healthz, /countersign/api and /countersign " + "only\n");
    })().catch((error: unknown) => {
      options.log.error({ err: error instanceof Error ? error.message : String(error) }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
