/**
 * The one reader of request bodies for the app's HTTP surfaces (the audit API's JSON writes, the
 * dashboard's forms, the webhook inbox): the body is buffered up to a per-route limit and never
 * past it. A body declared or found larger is refused without keeping what was read; the rest is
 * discarded as it arrives, and the caller answers 413 with `tooLargeMessage` and
 * `Connection: close`, so the socket ends with that answer.
 */
import type { IncomingMessage } from "node:http";

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: "too-large" | "aborted" };

/** Headers for a 413: the unread rest of the body is dropped with the connection. */
export const TOO_LARGE_HEADERS = { connection: "close" } as const;

/** What every surface says when a body is over its limit. */
export function tooLargeMessage(maxBytes: number): string {
  return `the request body is larger than ${maxBytes} bytes (${humanBytes(maxBytes)}), the most this route accepts`;
}

function humanBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/**
 * The body, or why there is none: `too-large` past `maxBytes` (by Content-Length before reading,
 * or counted while reading), `aborted` when the client went away (nothing can be answered then).
 * Listeners rather than `for await`: leaving that loop early destroys the socket before the 413
 * is written.
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(req);
    return Promise.resolve({ ok: false, reason: "too-large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      req.off("data", onData).off("end", onEnd).off("error", onAbort).off("aborted", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      finish({ ok: false, reason: "too-large" });
      discardRest(req);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks) });
    const onAbort = () => finish({ ok: false, reason: "aborted" });
    req.on("data", onData).on("end", onEnd).on("error", onAbort).on("aborted", onAbort);
  });
}

/** Reads and drops whatever else arrives until the answer closes the connection; a reset then is expected. */
function discardRest(req: IncomingMessage): void {
  req.on("error", () => {});
  req.resume();
}
