/**
 * The engines the audit-store contract runs on, and its fixtures: SQLite always, PostgreSQL when a
 * server is available (COUNTERSIGN_TEST_POSTGRES_URL, or a throwaway server from local binaries;
 * see test/support/postgres.ts). Shared by the contract's test files.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { AuditStore, EvaluationRecordInput, ExceptionRecordInput, MergeRecordInput } from "../../src/audit/audit-store.js";
import { sha256Hex } from "../../src/audit/hash-chain.js";
import { openAuditStore } from "../../src/audit/open-audit-store.js";
import { PostgresAuditStore } from "../../src/audit/postgres-audit-store.js";
import type { Statement } from "../../src/audit/sql-builder.js";
import { SqliteAuditStore } from "../../src/audit/sqlite-audit-store.js";
import { postgresAvailability, startTestPostgres, type TestPostgres } from "../support/postgres.js";

/** Raw SQL on the same database, bypassing the store (to tamper, as a DB admin could). */
export interface RawConnection {
  exec(sql: string): Promise<void>;
  rows<T>(sql: string): Promise<T[]>;
  /** A parameterised statement built by the store's SqlBuilder. */
  run(stmt: Statement): Promise<void>;
  /** The query plan of a store statement, as text (Postgres: with sequential scans discouraged). */
  explain(stmt: Statement): Promise<string>;
  close(): Promise<void>;
}

export interface EngineHarness {
  engine: "sqlite" | "postgres";
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** DATABASE_URL of a new, empty database. */
  freshDatabase(): Promise<string>;
  /** Postgres: a new database with its default (public) schema, as deployed. */
  wholeDatabase?: () => Promise<string>;
  /** A store on `url` that has NOT been migrated yet. */
  unmigrated(url: string): AuditStore;
  raw(url: string): Promise<RawConnection>;
  /** SQL that lifts the append-only guard on audit_log (a superuser can; verify() must still catch it). */
  disableGuard: string;
}

const sqliteHarness = (): EngineHarness => {
  let dir = "";
  let n = 0;
  return {
    engine: "sqlite",
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "countersign-sqlite-"));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
    async freshDatabase() {
      n += 1;
      return `sqlite://${join(dir, `audit-${n}`, "countersign.db")}`;
    },
    unmigrated: (url) => new SqliteAuditStore(url.slice("sqlite://".length)),
    async raw(url) {
      const file = url.slice("sqlite://".length);
      mkdirSync(dirname(file), { recursive: true });
      const db = new Database(file);
      return {
        exec: async (sql) => {
          try {
            db.exec(sql);
          } catch (error) {
            // better-sqlite3's native addon keeps the SqliteError class of the first test file that
            // loaded it in this jest worker: from another file's realm, jest does not see an Error.
            throw new Error((error as { message: string }).message);
          }
        },
        rows: async <T>(sql: string) => db.prepare(sql).all() as T[],
        run: async (stmt) => void db.prepare(stmt.text).run(Object.fromEntries(stmt.values.map((v, i) => [`p${i + 1}`, v]))),
        explain: async (stmt) =>
          (
            db.prepare(`EXPLAIN QUERY PLAN ${stmt.text}`).all(Object.fromEntries(stmt.values.map((v, i) => [`p${i + 1}`, v]))) as {
              detail: string;
            }[]
          )
            .map((r) => r.detail)
            .join("\n"),
        close: async () => void db.close(),
      };
    },
    disableGuard: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
  };
};

const postgresHarness = (): EngineHarness => {
  let server: TestPostgres | null = null;
  return {
    engine: "postgres",
    async setup() {
      const started = Date.now();
      server = await startTestPostgres(postgresAvailability());
      console.info(`PostgreSQL contract tests on ${server.description} (ready in ${Date.now() - started} ms)`);
    },
    async teardown() {
      await server?.stop();
    },
    // An empty schema of a shared database per test; the migration tests also use whole databases.
    freshDatabase: () => server!.createSchema(),
    wholeDatabase: () => server!.createDatabase(),
    unmigrated: (url) => new PostgresAuditStore(url),
    async raw(url) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return {
        exec: async (sql) => void (await client.query(sql)),
        rows: async <T>(sql: string) => (await client.query(sql)).rows as T[],
        run: async (stmt) => void (await client.query(stmt.text, stmt.values)),
        explain: async (stmt) => {
          // A handful of rows would always be seq-scanned; this asks whether an index *can* serve the query.
          await client.query("SET enable_seqscan = off");
          const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${stmt.text}`, stmt.values);
          return plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
        },
        close: () => client.end(),
      };
    },
    disableGuard: "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
  };
};

const availability = postgresAvailability();
export const harnesses: EngineHarness[] = [sqliteHarness()];
if (availability.kind === "none") {
  console.warn(`Skipping the PostgreSQL half of the audit-store contract: ${availability.reason}`);
} else {
  harnesses.push(postgresHarness());
}

// ---- fixtures ---------------------------------------------------------------------------------

export const sha = (seed: string) => sha256Hex(seed).slice(0, 40);
export const FIXED_NOW = new Date("2026-04-01T12:00:00.000Z");

export function mergeInput(overrides: Partial<MergeRecordInput> = {}): MergeRecordInput {
  const prNumber = overrides.prNumber ?? 42;
  const repo = overrides.repo ?? "acme/pay";
  return {
    repo,
    prNumber,
    title: `Add refunds — «ünïcode» ✓ #${prNumber}`,
    author: "dev-alice",
    headSha: sha(`${repo}#${prNumber} head`),
    baseRef: "main",
    baseSha: sha(`${repo}#${prNumber} base`),
    mergeCommitSha: sha(`${repo}#${prNumber} merge`),
    mergedBy: "lead-bob",
    mergedAt: "2026-03-01T10:00:00Z",
    aiLevel: "generated",
    aiTools: ["claude", "copilot"],
    disclosureSources: [
      { tool: "claude", where: "trailer", sha: sha(`${repo}#${prNumber} c1`), detail: "Co-authored-by: Claude <noreply@anthropic.com>" },
      { tool: null, where: "body", detail: "AI-Assisted: generated" },
    ],
    agent: null,
    sponsor: null,
    reviewers: [
      {
        reviewer: "rev-carol",
        reviewId: 3_000_000_001, // GitHub review ids exceed 2^31
        state: "APPROVED",
        reviewedSha: sha(`${repo}#${prNumber} head`),
        submittedAt: "2026-03-01T09:00:00Z",
        counted: true,
        reason: null,
        checklist: ["I can explain what this change does and why"],
        verified: 'Verified: ran the refund flow against the sandbox, including partial refunds.\nLine 2 "quoted".',
      },
      {
        reviewer: "rev-dan",
        reviewId: 17,
        state: "APPROVED",
        reviewedSha: null,
        submittedAt: null,
        counted: false,
        reason: "stale",
        checklist: [],
        verified: null,
      },
    ],
    owningTeam: "@acme/payments",
    teams: [
      { team: "@acme/payments", files: 2 },
      { team: "@acme/platform", files: 1 },
    ],
    paths: [
      { path: "src/payments/refund.ts", previousPath: null, status: "added" },
      { path: "src/payments/index.ts", previousPath: null, status: "modified" },
    ],
    boundaries: [{ name: "billing", action: "block", outcome: "exception" }],
    exceptions: [
      {
        boundary: "billing",
        grantedBy: "sec-erin",
        reason: "reviewed by security",
        sha: sha(`${repo}#${prNumber} head`),
        commentId: 9_000_000_000,
        grantedAt: "2026-03-01T08:00:00Z",
      },
    ],
    checkConclusion: "success",
    bypassed: false,
    commitShas: [sha(`${repo}#${prNumber} c1`), sha(`${repo}#${prNumber} c2`), sha(`${repo}#${prNumber} head`)],
    configHash: sha256Hex("config"),
    source: "webhook",
    ...overrides,
  };
}

export function evaluationInput(overrides: Partial<EvaluationRecordInput> = {}): EvaluationRecordInput {
  return {
    repo: "acme/pay",
    prNumber: 7,
    headSha: sha("eval head"),
    event: "pull_request.opened",
    conclusion: "failure",
    title: "Blocked: 1 of 5 gates unmet",
    gates: [
      { id: "disclosure", status: "unmet" },
      { id: "review", status: "passed" },
    ],
    aiLevel: "assisted",
    aiTools: ["copilot"],
    ...overrides,
  };
}

export const exceptionInput = (overrides: Partial<ExceptionRecordInput> = {}): ExceptionRecordInput => ({
  repo: "acme/pay",
  prNumber: 42,
  boundary: "billing",
  grantedBy: "sec-erin",
  reason: "hotfix reviewed by security",
  sha: sha("acme/pay#42 head"),
  commentId: 555,
  action: "grant",
  ...overrides,
});

export interface EngineSession {
  /** A migrated store on a new empty database (or on `url`), with the clock pinned unless `now` is given. */
  newStore(url?: string, options?: { now?: () => Date; pathIndexMaxRows?: number }): Promise<{ store: AuditStore; url: string }>;
  rawOn(url: string): Promise<RawConnection>;
}

/** Registers the engine's setup and teardown hooks in the current describe; closes what each test opened. */
export function useEngine(h: EngineHarness): EngineSession {
  const open: AuditStore[] = [];
  const raws: RawConnection[] = [];
  beforeAll(() => h.setup(), 120_000);
  afterAll(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    for (const r of raws.splice(0)) await r.close().catch(() => {});
    await h.teardown();
  }, 60_000);
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => {});
    for (const r of raws.splice(0)) await r.close().catch(() => {});
  });
  return {
    async newStore(url, options = {}) {
      const dbUrl = url ?? (await h.freshDatabase());
      const store = await openAuditStore(dbUrl, { now: options.now ?? (() => FIXED_NOW), pathIndexMaxRows: options.pathIndexMaxRows });
      open.push(store);
      return { store, url: dbUrl };
    },
    async rawOn(url) {
      const r = await h.raw(url);
      raws.push(r);
      return r;
    },
  };
}

/** `repo#prNumber` of a merge, and of a list of them. */
export const key = (m: { repo: string; prNumber: number }) => `${m.repo}#${m.prNumber}`;
export const keys = (ms: { repo: string; prNumber: number }[]) => ms.map(key);

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
