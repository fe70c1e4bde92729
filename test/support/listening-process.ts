/**
 * A server process started by a test (`node <entry> args…`): resolves once it prints the URL it
 * listens on, with everything it has written so far. The app's own configuration is taken out of
 * the inherited environment, so only what the test passes applies.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface ListeningProcess {
  url: string;
  child: ChildProcess;
  /** Its stdout and stderr so far. */
  output: () => string;
}

const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every process started here that is still running. */
export function killListeningProcesses(): void {
  for (const child of started) child.kill("SIGKILL");
  started.clear();
}

export function startListeningProcess(args: string[], env: Record<string, string>, cwd: string): Promise<ListeningProcess> {
  const configured = /^(APP_ID|PRIVATE_KEY|WEBHOOK_SECRET|GITHUB_|GHE_|AUDIT_API_TOKEN|DATABASE_URL|NODE_ENV|PORT|HOST|LOG_)/;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !configured.test(k)));
  const child = spawn(process.execPath, args, { cwd, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${text}`)), 60_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const m = /(?:Listening on|dashboard at) (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, output: () => text });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      started.delete(child);
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${text}`));
    });
  });
}
