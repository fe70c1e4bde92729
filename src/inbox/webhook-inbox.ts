/**
 * The durable inbox as the app uses it: created in `main` (or a test harness) and handed to
 * `createApp`, which attaches it to the Probot instance. Attaching takes over the webhook route:
 * Probot's Server puts its own webhook middleware before every `addHandler` route, and both the
 * Server and `createNodeMiddleware` get that middleware from `probot.getNodeMiddleware()` after the
 * app is loaded, so the instance's `getNodeMiddleware` is replaced by the inbox's receiver.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import type { InboxStore } from "../audit/inbox-store.js";
import type { AppMetrics } from "../metrics/app-metrics.js";
import { InboxWorker, type InboxTuning, type InboxWorkerOptions } from "./inbox-worker.js";
import { createWebhookReceiver } from "./webhook-receiver.js";

export interface WebhookInboxOptions extends InboxTuning {
  store: InboxStore;
  metrics?: AppMetrics | null;
  now?: () => Date;
  /** This replica's name in claims. */
  owner?: string;
  /** Largest body accepted (default 25 MB, GitHub's cap). */
  maxBytes?: number;
  /**
   * Wraps the receiver before the server mounts it (main: the request body limit, which answers
   * 413 on every path and may read the webhook body first, handing it on as `req.body`).
   */
  guard?: (receiver: InboxMiddleware, path: string) => InboxMiddleware;
  /** Told when the store fails and answers again (see InboxWorkerOptions). */
  outageSignals?: InboxWorkerOptions["outageSignals"];
}

/** The receiver as the server mounts it (Probot's webhook middleware signature). */
// biome-ignore lint/complexity/noBannedTypes: the loose callback type of @octokit/webhooks middleware
export type InboxMiddleware = (req: IncomingMessage, res: ServerResponse, next?: Function) => Promise<unknown>;

export interface InboxHealth {
  pending: number;
  oldestPendingAgeSeconds: number | null;
  parked: number;
}

export class WebhookInbox {
  private worker: InboxWorker | null = null;

  constructor(private readonly options: WebhookInboxOptions) {}

  get store(): InboxStore {
    return this.options.store;
  }

  /** Whether a delivery being processed now would be tried again if it failed (not its last attempt). */
  willRetry(deliveryId: string): boolean {
    return this.worker?.willRetry(deliveryId) ?? false;
  }

  /** Wakes the worker: deliveries became due (a recovery made waiting retries due now). */
  wake(): void {
    this.worker?.wake();
  }

  /** Serves the webhook route of `app` from the inbox and starts processing it. */
  attach(app: Probot): void {
    const { store, metrics } = this.options;
    const now = this.options.now ?? (() => new Date());
    const log = app.log.child({ name: "inbox" });
    const worker = new InboxWorker({
      ...this.options,
      log,
      dispatch: (event) => app.receive(event as Parameters<Probot["receive"]>[0]),
    });
    this.worker = worker;
    const receiver = (path: string) =>
      createWebhookReceiver({
        path,
        log,
        now,
        ...(this.options.maxBytes ? { maxBytes: this.options.maxBytes } : {}),
        verify: (body, signature) => app.webhooks.verify(body, signature),
        store: async (delivery) => {
          const outcome = await store.enqueue(delivery);
          metrics?.deliveriesReceived.inc({ event: delivery.event });
          if (outcome !== "duplicate") worker.wake();
          return outcome;
        },
      });
    const guard = this.options.guard ?? ((mw: InboxMiddleware) => mw);
    (app as { getNodeMiddleware: Probot["getNodeMiddleware"] }).getNodeMiddleware = async ({ path } = {}) => {
      const at = path ?? app.webhookPath;
      return guard(receiver(at), at) as unknown as Awaited<ReturnType<Probot["getNodeMiddleware"]>>;
    };
    metrics?.watchInbox(() => this.health());
    worker.start();
  }

  /** What /healthz and the metrics show. */
  async health(): Promise<InboxHealth> {
    const stats = await this.options.store.stats();
    const now = (this.options.now ?? (() => new Date()))().getTime();
    const oldest = stats.oldestPendingReceivedAt ? Math.max(0, Math.round((now - Date.parse(stats.oldestPendingReceivedAt)) / 1000)) : null;
    return { pending: stats.pending, oldestPendingAgeSeconds: oldest, parked: stats.parked };
  }

  /** Resolves once nothing is in flight and nothing is due (tests, the bench). */
  whenIdle(): Promise<void> {
    return this.worker?.whenIdle() ?? Promise.resolve();
  }

  /** Stops claiming; waits for the deliveries in flight. Pending ones stay for the next start. */
  async stop(): Promise<void> {
    await this.worker?.stop();
  }
}
