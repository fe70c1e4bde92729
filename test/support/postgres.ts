/**
 * A PostgreSQL server for the contract suite, and fresh databases on it.
 *   1. COUNTERSIGN_TEST_POSTGRES_URL set (CI runs `.ci/postgres.sh start`): use that server.
 *   2. Else, PostgreSQL binaries installed: start a throwaway server (initdb into a temp dir
 *      owned by the `postgres` user when we are root, 127.0.0.1 on a free port) and remove it after.
 *   3. Else: unavailable, with the reason, so the suite can skip its Postgres half visibly.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export type PostgresAvailability = { kind: "external"; url: string } | { kind: "local"; binDir: string } | { kind: "none"; reason: string };

export interface TestPostgres {
  /** Where it came from, for the test log. */
  description: string;
  /** A new empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /**
   * A new empty schema in one shared database, as a URL whose connections use it as their
   * search_path. Much faster than a database (CREATE DATABASE copies a template: ~0.3 s).
   */
  createSchema(): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Drops what this harness created; stops and removes a server it started. */
  stop(): Promise<void>;
}

/** Synchronous, so `describe.each` can decide which engines to run at collection time. */
export function postgresAvailability(): PostgresAvailability {
  const url = process.env.COUNTERSIGN_TEST_POSTGRES_URL?.trim();
  if (url) return { kind: "external", url };
  const binDir = findBinDir();
  if (!binDir) {
    return {
      kind: "none",
      reason:
        'COUNTERSIGN_TEST_POSTGRES_URL is unset and no PostgreSQL binaries (initdb) were found; run `eval "$(.ci/postgres.sh start)"`',
    };
  }
  if (process.getuid?.() === 0 && !userExists("postgres")) {
    return { kind: "none", reason: `running as root and there is no "postgres" user to run ${binDir}/initdb` };
  }
  return { kind: "local", binDir };
}

function findBinDir(): string | null {
  const fromEnv = process.env.COUNTERSIGN_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  if (existsSync("/usr/lib/postgresql/15/bin/initdb")) return "/usr/lib/postgresql/15/bin";
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function userExists(name: string): boolean {
  try {
    execFileSync("id", ["-u", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export async function startTestPostgres(availability: PostgresAvailability): Promise<TestPostgres> {
  if (availability.kind === "none") throw new Error(availability.reason);
  if (availability.kind === "external") return databasesOn(availability.url, "COUNTERSIGN_TEST_POSTGRES_URL", async () => {});
  const server = await startServer(availability.binDir);
  return databasesOn(server.url, `throwaway server ${availability.binDir} on ${server.url}`, server.stop);
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root). */
async function pgCommand(binDir: string, tool: string, args: string[], cwd: string): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(binDir, tool), ...args]] : [join(binDir, tool), args];
  try {
    await run(file, argv, { cwd, timeout: 90_000, env: { ...process.env, LC_ALL: "C" } });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${tool} failed: ${e.stderr?.trim() || e.message}`, { cause: error });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function startServer(binDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "countersign-pg-"));
  const data = join(dir, "data");
  const sockets = join(dir, "run");
  const log = join(dir, "postgres.log");
  mkdirSync(sockets);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    for (const p of [dir, sockets]) chownSync(p, uid, gid);
  }
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  const pgCtl = (args: string[]) => pgCommand(binDir, "pg_ctl", ["-D", data, ...args], dir);
  let started = false;
  // If the jest worker exits without afterAll (crash, timeout), do not leave a server behind.
  const onExit = () => {
    if (!started) return;
    try {
      const argv = ["-D", data, "-m", "immediate", "-w", "stop"];
      if (process.getuid?.() === 0) execFileSync("runuser", ["-u", "postgres", "--", join(binDir, "pg_ctl"), ...argv], { stdio: "ignore" });
      else execFileSync(join(binDir, "pg_ctl"), argv, { stdio: "ignore" });
    } catch {
      // Already stopped.
    }
    remove();
  };
  process.once("exit", onExit);
  try {
    await pgCommand(binDir, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], dir);
    await pgCtl([
      "-l",
      log,
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      "start",
    ]);
    started = true;
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-15).join("\n") : "(no log)";
    process.removeListener("exit", onExit);
    remove();
    throw new Error(`could not start a throwaway PostgreSQL from ${binDir}: ${(error as Error).message}\n${tail}`, { cause: error });
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url);
  return {
    url,
    stop: async () => {
      process.removeListener("exit", onExit);
      try {
        await pgCtl(["-m", "immediate", "-w", "-t", "30", "stop"]);
      } finally {
        started = false;
        remove();
      }
    },
  };
}

async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL at ${url} not ready after ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function databasesOn(adminUrl: string, description: string, stopServer: () => Promise<void>): TestPostgres {
  const created = new Set<string>();
  let schemaDatabase: Promise<string> | null = null;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const drop = async (name: string) => {
    await admin(async (c) => {
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } catch {
        await c.query(`DROP DATABASE IF EXISTS "${name}"`); // before PostgreSQL 13
      }
    });
    created.delete(name);
  };
  return {
    description,
    async createDatabase() {
      const name = `countersign_test_${process.pid}_${randomBytes(4).toString("hex")}`;
      await admin((c) => c.query(`CREATE DATABASE "${name}"`));
      created.add(name);
      return withDatabase(adminUrl, name);
    },
    async createSchema() {
      schemaDatabase ??= this.createDatabase();
      const url = new URL(await schemaDatabase);
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await client.end();
      }
      url.searchParams.set("options", `-c search_path=${schema}`);
      return url.toString();
    },
    async dropDatabase(url: string) {
      await drop(decodeURIComponent(new URL(url).pathname.slice(1)));
    },
    async stop() {
      try {
        for (const name of [...created]) await drop(name);
      } finally {
        await stopServer();
      }
    },
  };
}
