/**
 * Per-test isolation for integration tests: a fresh SQLite audit store in a temp directory and
 * nock with real network disabled (loopback allowed when asked). Call at the top of a file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { AuditStore } from "../../src/audit/audit-store.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";

export interface TempStore {
  store: AuditStore;
  /** `sqlite:///…` URL of this test's database (for the CLI). */
  url: string;
}

export function useTempStore(options: { allowLoopback?: boolean } = {}): TempStore {
  const ref = {} as TempStore;
  let dir = "";
  beforeEach(async () => {
    nock.disableNetConnect();
    if (options.allowLoopback) nock.enableNetConnect("127.0.0.1");
    dir = mkdtempSync(join(tmpdir(), "countersign-test-"));
    ref.url = `sqlite://${join(dir, "audit.db")}`.replace("sqlite:///", "sqlite:////").replace("sqlite:////", "sqlite:///");
    ref.store = await openAuditStore(ref.url);
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await ref.store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return ref;
}
