/** DATABASE_URL → store (docs/audit-trail.md, "Storage"). */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditStore, parseDatabaseUrl } from "../../src/audit/open-audit-store.js";
import { redactUrl as redact } from "../../src/redact-url.js";

describe("parseDatabaseUrl", () => {
  const cwd = "/srv/app";
  test.each([
    [undefined, { engine: "sqlite", filename: "/srv/app/data/countersign.db" }],
    ["", { engine: "sqlite", filename: "/srv/app/data/countersign.db" }],
    ["  ", { engine: "sqlite", filename: "/srv/app/data/countersign.db" }],
    ["sqlite://var/audit.db", { engine: "sqlite", filename: "/srv/app/var/audit.db" }],
    ["sqlite://./audit.db", { engine: "sqlite", filename: "/srv/app/audit.db" }],
    ["sqlite:///var/lib/countersign/audit.db", { engine: "sqlite", filename: "/var/lib/countersign/audit.db" }],
    ["sqlite://:memory:", { engine: "sqlite", filename: ":memory:" }],
    ["postgres://u:p@db:5432/countersign", { engine: "postgres", url: "postgres://u:p@db:5432/countersign" }],
    ["postgresql://db/countersign?sslmode=require", { engine: "postgres", url: "postgresql://db/countersign?sslmode=require" }],
  ])("%j", (url, expected) => {
    expect(parseDatabaseUrl(url, cwd)).toEqual(expected);
  });

  test.each(["mysql://root:hunter2@db/x", "sqlite:audit.db", "sqlite://", "./data/countersign.db", "file:///x.db"])(
    "%s is refused with the accepted forms, never echoing secrets",
    (url) => {
      let message = "";
      try {
        parseDatabaseUrl(url, cwd);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/sqlite:\/\/relative\/path, sqlite:\/\/\/absolute\/path, postgres:\/\//);
      expect(message).not.toContain("hunter2");
    },
  );

  test("redact hides the password", () => {
    expect(redact("postgres://u:secret@db/x")).toBe("postgres://u:***@db/x");
  });
});

describe("openAuditStore", () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "countersign-open-"));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  test("unset DATABASE_URL creates and migrates ./data/countersign.db under cwd", async () => {
    const store = await openAuditStore(undefined, { cwd });
    try {
      expect(store.engine).toBe("sqlite");
      expect(existsSync(join(cwd, "data", "countersign.db"))).toBe(true);
      expect(await store.verify()).toEqual({ ok: true, entries: 0, headHash: null });
    } finally {
      await store.close();
    }
  });

  test("sqlite://relative/path creates parent directories", async () => {
    const store = await openAuditStore("sqlite://nested/dir/audit.db", { cwd });
    await store.close();
    expect(existsSync(join(cwd, "nested", "dir", "audit.db"))).toBe(true);
  });

  test("an unopenable SQLite path fails with the file named", async () => {
    await expect(openAuditStore(`sqlite://${cwd}`, { cwd })).rejects.toThrow(new RegExp(`audit store \\(SQLite file ${cwd}\\)`));
  });

  test("an unreachable PostgreSQL fails with the URL, password redacted", async () => {
    const error = (await openAuditStore("postgres://u:hunter2@127.0.0.1:1/db").catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/could not migrate the audit store \(PostgreSQL postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db\)/);
    expect(error.message).not.toContain("hunter2");
  });
});
