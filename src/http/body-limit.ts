/**
 * Request bodies are bounded before anything buffers them. Probot's webhook middleware
 * (@octokit/webhooks) reads a delivery's whole body into memory before it checks the signature,
 * so one unauthenticated POST of 400 MB would take the process with it. In front of it:
 *
 * 1. any request declaring a Content-Length over the limit gets 413 at once, on every path;
 * 2. a POST to the webhook path is read here, counting as it streams (chunked bodies declare
 *    nothing): past the limit the rest is discarded unread and the answer is 413; within it, the
 *    text is handed to the middleware as `req.body`, which it then uses instead of the stream.
 *
 * Other routes of the app read their own small bodies with their own limits (dashboard forms, API
 * posts). A server whose other routes read bodies without a limit (Probot's setup page) uses
 * `limitEveryRequestBody` instead: every request's body is read here, on every path, and handed on
 * as `req.body` (Probot's handlers use a string `req.body` rather than reading the stream).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** A Node middleware as @octokit/webhooks types it (`next` is its loosely typed callback). */
// biome-ignore lint/complexity/noBannedTypes: the loose callback type of @octokit/webhooks middleware
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: Function) => Promise<unknown>;

// The decoding @octokit/webhooks applies to a body it reads itself (non-fatal UTF-8, BOM dropped).
const utf8 = new TextDecoder("utf-8", { fatal: false });

/** `middleware` (Probot's webhook middleware, serving `webhookPath`) behind the body limit. */
export function limitRequestBodies(middleware: NodeMiddleware, webhookPath: string, maxBytes = MAX_BODY_BYTES): NodeMiddleware {
  const path = withoutTrailingSlashes(webhookPath);
  const reads = (req: IncomingMessage) => req.method === "POST" && pathnameOf(req.url) === path;
  return bounded(middleware, reads, { maxBytes, why: "GitHub's webhook payload cap" });
}

/**
 * `middleware` (a Probot middleware standing before every other handler of its server) behind a
 * limit on every request's body, whatever the path and method; `why` is said in the 413 answer.
 */
export function limitEveryRequestBody(middleware: NodeMiddleware, maxBytes: number, why: string): NodeMiddleware {
  return bounded(middleware, () => true, { maxBytes, why });
}

interface Limit {
  maxBytes: number;
  /** Where the limit comes from, in the 413 message. */
  why: string;
}

function bounded(middleware: NodeMiddleware, reads: (req: IncomingMessage) => boolean, limit: Limit): NodeMiddleware {
  return async (req, res, next) => {
    if (Number(req.headers["content-length"] ?? 0) > limit.maxBytes) return tooLarge(req, res, limit);
    if (reads(req)) {
      const body = await readBounded(req, limit.maxBytes);
      if (body === null) return tooLarge(req, res, limit);
      (req as IncomingMessage & { body?: string }).body = utf8.decode(body);
    }
    return middleware(req, res, next);
  };
}

/** The body, or null as soon as it passes `maxBytes` (the rest is then discarded as it arrives). */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData).off("end", onEnd).off("error", onError);
      chunks.length = 0;
      // Keep draining into nothing: the 413 goes out while the client may still be sending.
      req.on("error", () => {});
      req.resume();
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    const onError = (error: Error) => reject(error);
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

function tooLarge(req: IncomingMessage, res: ServerResponse, { maxBytes, why }: Limit): true {
  const mb = Math.round(maxBytes / (1024 * 1024));
  const message = `request bodies are limited to ${mb} MB (${why})`;
  const answer = JSON.stringify({ error: "payload too large", message });
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(answer), connection: "close" });
  // The whole answer goes out now, but the response ends (and Node closes the connection) only
  // once the client stops sending, or after LINGER_MS: closing while it still sends would reset
  // the connection before it reads the answer. Meanwhile what arrives is discarded unread.
  res.write(answer);
  const linger = setTimeout(() => {
    res.end();
    req.socket.destroy();
  }, LINGER_MS);
  linger.unref();
  req.on("error", () => {});
  req.once("end", () => {
    clearTimeout(linger);
    res.end();
  });
  if (!req.readableFlowing) req.resume();
  return true;
}

/** How long a refused body may keep arriving (discarded) before the connection is closed. */
const LINGER_MS = 5_000;

/** The path as @octokit/webhooks compares it: trailing slashes removed, query ignored. */
function pathnameOf(url: string | undefined): string | null {
  try {
    return new URL(withoutTrailingSlashes(url ?? "/"), "http://localhost").pathname;
  } catch {
    return null;
  }
}

function withoutTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}
