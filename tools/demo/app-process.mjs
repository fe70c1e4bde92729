/**
 * Runs the production app (`node dist/main.js`) as a child process pointed at the GitHub
 * simulator, the way `npm start` runs it: APP_ID, a PRIVATE_KEY generated on the fly,
 * WEBHOOK_SECRET, GHE_HOST/GHE_PROTOCOL=http, PORT, DATABASE_URL. Used by `npm run demo` and the
 * load bench. The child's cwd is a temp dir so a developer's .env (Probot and the CLI both load
 * ./.env) cannot leak in.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function generateAppCredentials() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privateKey, publicKey, webhookSecret: randomBytes(20).toString("hex") };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Every child started here, so an exit or signal handler can stop them all. */
export const children = new Set();

/**
 * Starts `node dist/main.js` (or `entry`, e.g. src/main.ts transpiled by a test) and waits for
 * GET /healthz. Resolves with `{ child, port, webhookUrl, log, stop(signal?, graceMs?), exited }`.
 */
export async function startAppProcess({
  sim,
  appId,
  privateKey,
  webhookSecret,
  databaseUrl,
  cwd,
  port,
  env = {},
  logLevel = "warn",
  entry = join(ROOT, "dist", "main.js"),
}) {
  port ??= await freePort();
  const childEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? cwd,
    APP_ID: String(appId),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: webhookSecret,
    ...sim.env(),
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: logLevel,
    LOG_FORMAT: "json",
    ...env,
  };
  const proc = spawnTracked(process.execPath, [entry], { cwd, env: childEnv });
  const { child, log } = proc;
  const healthz = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exited) throw new Error(`the app exited during start-up (${JSON.stringify(proc.exited)}):\n${log.slice(-20).join("\n")}`);
    try {
      const res = await fetch(healthz);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not answer ${healthz} within 20 s:\n${log.slice(-20).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    port,
    env: childEnv,
    webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    log,
    get exited() {
      return proc.exited;
    },
    stop: (signal = "SIGTERM", graceMs = 5000) => stopChild(child, signal, graceMs),
    /** Errors the app logged (pino level >= 50) and start-up failures. */
    errors: () => log.filter((l) => /"level":(50|60)/.test(l) || /^countersign:/.test(l)),
  };
}

/**
 * Spawns a child that stopAllChildren() will stop, collecting its non-empty output lines in `log`;
 * `exited` is null until it exits, then `{ code, signal }`.
 */
export function spawnTracked(command, args, options) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const proc = { child, log: [], exited: null };
  const collect = (d) => {
    for (const line of String(d).split("\n")) if (line.trim()) proc.log.push(line);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  child.on("exit", (code, signal) => {
    proc.exited = { code, signal };
    children.delete(child);
  });
  return proc;
}

export function stopChild(child, signal = "SIGTERM", graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill(signal);
  });
}

export async function stopAllChildren() {
  await Promise.all([...children].map((c) => stopChild(c, "SIGTERM", 3000)));
}

/** Runs `countersign <args>` (bin/countersign.js); resolves with its exit code and output. */
export function runCli(args, { env, cwd }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "countersign.js"), ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, out: out.trimEnd() });
    });
  });
}
