/**
 * A throwaway Redis for the two-replica load bench and E2E test: Debian's `redis-server` (`.ci/run`
 * installs it when missing) on 127.0.0.1 and a free port, in a temp working directory, with
 * persistence off (`--save '' --appendonly no`). Nothing outlives `stop()`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnTracked, stopChild } from "./app-process.mjs";

/** The redis-server binary: $REDIS_SERVER, /usr/bin/redis-server, else the first on PATH; null when absent. */
export function findRedisServer() {
  const fromEnv = process.env.REDIS_SERVER;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  if (existsSync("/usr/bin/redis-server")) return "/usr/bin/redis-server";
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** Starts redis-server (on `port`, else a free one) and waits for PONG. Resolves with `{ url, port, log, stop() }`. */
export async function startRedisServer({ bin = findRedisServer(), port: wanted } = {}) {
  if (!bin) throw new Error("redis-server is not installed (Debian: apt-get install redis-server; or set REDIS_SERVER)");
  const dir = mkdtempSync(join(tmpdir(), "countersign-redis-"));
  const port = wanted ?? (await freePort());
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "yes",
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
  ];
  const proc = spawnTracked(bin, args, { cwd: dir });
  const { child, log } = proc;
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (proc.exited || Date.now() > deadline) {
      child.kill("SIGKILL");
      remove();
      throw new Error(
        `redis-server did not start on 127.0.0.1:${port} ` +
          `(${proc.exited ? JSON.stringify(proc.exited) : "no PONG within 10 s"}):\n${log.slice(-10).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    log,
    async stop() {
      await stopChild(child, "SIGTERM", 3000);
      remove();
    },
  };
}

/** True when a Redis on 127.0.0.1:`port` answers PING. */
function ping(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => done(String(d).startsWith("+PONG")));
  });
}
