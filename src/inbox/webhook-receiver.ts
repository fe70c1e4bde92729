/**
 * The webhook route: verify the delivery, store it in the inbox, and only then answer 202.
 * GitHub does not retry a delivery on its own, so a delivery that could not be stored is answered
 * 503: GitHub lists it as failed, and it can be redelivered (by hand, or by the reconcile sweep).
 * Answers otherwise follow @octokit/webhooks' middleware (the one Probot serves): 404 for another
 * method, 415 for a body that is not JSON, 400 for missing headers or a signature that does not
 * match. The body is read with the HTTP surfaces' one reader (http/request-body.ts) and a size cap:
 * GitHub caps payloads at 25 MB, so more is refused (413) without buffering it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "probot";
import type { EnqueueOutcome, InboxDeliveryInput } from "../audit/inbox-store.js";
import { readRequestBody, TOO_LARGE_HEADERS, tooLargeMessage } from "../http/request-body.js";

export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

const REQUIRED_HEADERS = ["x-github-event", "x-hub-signature-256", "x-github-delivery"] as const;

export interface WebhookReceiverOptions {
  /** The webhook path (Probot's, default /api/github/webhooks). */
  path: string;
  /** Checks `x-hub-signature-256` against the body with the webhook secret. */
  verify: (body: string, signature: string) => Promise<boolean>;
  store: (delivery: InboxDeliveryInput) => Promise<EnqueueOutcome>;
  log: Logger;
  now?: () => Date;
  maxBytes?: number;
}

/** A Probot `addHandler`-style handler: true when it answered. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createWebhookReceiver(options: WebhookReceiverOptions): NodeHandler {
  const path = withoutTrailingSlash(options.path);
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const now = options.now ?? (() => new Date());

  return async (req, res) => {
    let pathname: string;
    try {
      pathname = withoutTrailingSlash(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return false;
    }
    if (pathname !== path) return false;
    if (req.method !== "POST") return answer(res, 404, { error: `Unknown route: ${req.method} ${pathname}` });
    if (!/^\s*application\/json\s*(?:;|$)/i.test(req.headers["content-type"] ?? "")) {
      return answer(res, 415, { error: 'Unsupported "Content-Type" header value. Must be "application/json"' });
    }
    const missing = REQUIRED_HEADERS.filter((h) => typeof req.headers[h] !== "string");
    if (missing.length > 0) return answer(res, 400, { error: `Required headers missing: ${missing.join(", ")}` });
    const event = req.headers["x-github-event"] as string;
    const id = req.headers["x-github-delivery"] as string;
    const signature = req.headers["x-hub-signature-256"] as string;

    // A guard in front (the server's body limit) may have read the body already, within the cap.
    const preread = (req as IncomingMessage & { body?: unknown }).body;
    const read =
      typeof preread === "string" ? ({ ok: true, body: Buffer.from(preread, "utf8") } as const) : await readRequestBody(req, maxBytes);
    if (!read.ok && read.reason === "aborted") return true;
    if (!read.ok) {
      options.log.warn({ delivery: id, event }, `webhook refused: body over ${maxBytes} bytes`);
      return answer(res, 413, { error: tooLargeMessage(maxBytes) }, TOO_LARGE_HEADERS);
    }
    const body = read.body.toString("utf8");
    if (!(await options.verify(body, signature).catch(() => false))) {
      options.log.warn({ delivery: id, event }, "webhook refused: signature does not match (check WEBHOOK_SECRET)");
      return answer(res, 400, { error: "[@octokit/webhooks] signature does not match event payload and secret" });
    }
    let action: string | null = null;
    try {
      const parsed = JSON.parse(body) as { action?: unknown };
      if (typeof parsed?.action === "string") action = parsed.action;
    } catch {
      return answer(res, 400, { error: "Invalid JSON payload" });
    }

    let outcome: EnqueueOutcome;
    try {
      outcome = await options.store({ id, event, action, payload: body, receivedAt: now() });
    } catch (error) {
      const why = "webhook not stored in the inbox: answered 503 so GitHub marks it failed (redeliver it)";
      options.log.error({ delivery: id, event, err: error }, why);
      return answer(res, 503, { error: "The delivery could not be stored; redeliver it." });
    }
    return answer(res, 202, { delivery: id, outcome });
  };
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers }).end(text);
  return true;
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
