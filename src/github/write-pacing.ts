/**
 * GitHub asks integrators to leave at least a second between the requests that change something
 * (POST, PATCH, PUT, DELETE) and to keep to 80 content-creating requests a minute. Octokit's
 * throttling plugin does that with a one-at-a-time, one-per-second "write" queue, but it also puts
 * every GraphQL request in that queue (GraphQL is a POST), so reading a pull request's state waited
 * behind check-run and label writes: during a burst, or while the app catches up after an outage,
 * each re-evaluation's read took its turn in a queue of writes a second apart.
 *
 * This plugin takes over the write queue: the throttling plugin's own is replaced by a pass-through
 * (its global concurrency limit, search queue, notification queue and rate-limit retries stay), and
 * requests are paced here instead, where the request is known:
 * - GraphQL queries are reads and are not paced (a GraphQL `mutation` is);
 * - check-run writes — the required check, what a merge waits on — go ahead of the courtesy writes
 *   (owner label, team review request, reactions, replies) queued with them, and a courtesy write
 *   waits for the checks its process is still evaluating (ChecksFirst); only the recovery sweep's
 *   few requests to redeliver failed webhooks go before them;
 * - there is one queue per installation (every client of that installation waits in it: a webhook
 *   handler's and the recovery sweep's), in the process, or shared by all replicas through Redis
 *   when Probot clusters its throttle (REDIS_URL), as the throttling plugin's own queue is.
 *
 * With Redis, the plugin would also hold its concurrency limits (10 requests at once, 1 token
 * request at once) in Redis, counting each request in flight until it ends, or, when its replica
 * died mid-request, until the job's one-minute expiry: a replica killed in a burst left the others
 * without capacity for a minute (the fault bench's two-replica SIGKILL). Those two limits stay in
 * the process here (10 per replica is far below GitHub's 100 concurrent requests); only the
 * spacing of writes, a momentary job, is shared.
 */
import Bottleneck from "bottleneck";

/** GitHub's advice: at least one second between mutating requests. */
export const WRITE_SPACING_MS = 1000;

/** Bottleneck priorities: 0 is served first, 9 last; 5 is the default. */
const PRIORITY: Record<Exclude<WriteKind, "read">, number> = { redelivery: 1, "check-run": 2, write: 5 };

/**
 * "check-run": the required check; "redelivery": asking GitHub to redeliver a failed webhook (what
 * the recovery sweep cannot see by itself: reviews, comments, commands). Redeliveries are few, one per
 * failed delivery, and the sweep waits for them: they go first, then check runs, then courtesy writes.
 */
export type WriteKind = "read" | "check-run" | "write" | "redelivery";

/** writeKind of a request as an Octokit hook sees it (a GraphQL query may come as `query`). */
export function requestWriteKind(req: { method?: string; url?: string; data?: unknown; query?: unknown }): WriteKind {
  return writeKind(req.method, req.url, req.data ?? (typeof req.query === "string" ? { query: req.query } : undefined));
}

/** Whether a request is paced, and how urgently. `body` is the request body (GraphQL: `{ query }`). */
export function writeKind(method: string | undefined, url: string | undefined, body?: unknown): WriteKind {
  const verb = (method ?? "GET").toUpperCase();
  if (verb === "GET" || verb === "HEAD") return "read";
  const path = (url ?? "").replace(/^https?:\/\/[^/]+/, "").replace(/\?.*$/, "");
  if (/(^|\/)graphql$/.test(path)) return isGraphqlMutation(body) ? "write" : "read";
  if (isTokenRequest(verb, path)) return "read";
  if (/\/check-runs(\/|$)/.test(path)) return "check-run";
  if (/\/app\/hook\/deliveries\/[^/]+\/attempts$/.test(path)) return "redelivery";
  return "write";
}

function isGraphqlMutation(body: unknown): boolean {
  const query = typeof body === "string" ? body : (body as { query?: unknown } | null | undefined)?.query;
  if (typeof query !== "string") return true; // unknown: pace it, as a write would be
  // The first operation keyword after comments and whitespace; an anonymous `{ … }` is a query.
  const head = query.replace(/^(?:\s+|#[^\n]*\n?)*/, "");
  return /^mutation\b/.test(head);
}

/** Installation-token and OAuth token exchanges: the throttling plugin's "auth" requests, never paced. */
function isTokenRequest(verb: string, path: string): boolean {
  const p = path.replace(/^\/api\/v3(?=\/)/, "");
  return (
    (verb === "POST" && (/^\/app\/installations\/[^/]+\/access_tokens$/.test(p) || /^\/applications\/[^/]+\/token$/.test(p))) ||
    (verb === "PATCH" && /^\/applications\/[^/]+\/token\/scoped$/.test(p)) ||
    p === "/login/oauth/access_token"
  );
}

interface Limiter {
  schedule<T>(options: { priority?: number; expiration?: number }, fn: () => Promise<T>): Promise<T>;
}
interface LimiterGroup {
  key(id: string): Limiter;
}
interface ThrottleOptions {
  enabled?: boolean;
  Bottleneck?: new (...args: never[]) => unknown;
  connection?: object;
  id?: string;
  timeout?: number;
  write?: LimiterGroup;
  global?: LimiterGroup;
  auth?: LimiterGroup;
  [other: string]: unknown;
}

/** What the throttling plugin gets as its write queue: every request passes straight through. */
export const PASS_THROUGH: LimiterGroup = { key: () => ({ schedule: (_options, fn) => fn() }) };

/**
 * What one process throttles with, per Redis connection (Probot makes one per process), or once
 * without Redis: the write queues (shared with the other replicas through Redis) and the
 * concurrency limits (kept in the process).
 */
interface Throttles {
  writes: WriteQueues;
  global: LimiterGroup;
  auth: LimiterGroup;
}
const clusteredThrottles = new WeakMap<object, Throttles>();
let localThrottles: Throttles | null = null;

function throttlesFor(throttle: ThrottleOptions): Throttles {
  const make = (): Throttles => {
    const timeout = throttle.timeout ?? 120_000;
    const spacing = { maxConcurrent: 1, minTime: WRITE_SPACING_MS };
    const Cluster = (throttle.Bottleneck ?? Bottleneck) as typeof Bottleneck;
    const connection = throttle.connection as Bottleneck.IORedisConnection | undefined;
    return {
      writes: new WriteQueues((id) =>
        connection
          ? new Cluster({ ...spacing, id: `countersign-write-${id}`, connection })
          : new Bottleneck({ ...spacing, id: `countersign-write-${id}` }),
      ),
      global: new Bottleneck.Group({ id: "countersign-global", maxConcurrent: 10, timeout }),
      auth: new Bottleneck.Group({ id: "countersign-auth", maxConcurrent: 1, timeout }),
    };
  };
  if (!throttle.connection) return (localThrottles ??= make());
  let throttles = clusteredThrottles.get(throttle.connection);
  if (!throttles) clusteredThrottles.set(throttle.connection, (throttles = make()));
  return throttles;
}

/**
 * The write queues, one per installation (writeQueueKey), in the process or in
 * Redis. A queue is created when a write first needs it, never before: with Redis, creating one
 * talks to Redis, and a queue created while Redis is down would fail its set-up with nobody
 * listening (an unhandled rejection: the process exits). A clustered queue whose wait failed (Redis
 * down or restarted empty) is dropped, so the next write sets up a fresh one instead of failing on
 * the broken one forever.
 */
class WriteQueues {
  readonly #queues = new Map<string, Bottleneck>();
  constructor(private readonly make: (id: string) => Bottleneck) {}

  async wait(id: string, job: { priority: number; expiration?: number }, shared: boolean): Promise<void> {
    let queue = this.#queues.get(id);
    if (!queue) {
      queue = this.make(id);
      queue.ready().catch(() => {}); // its failure reaches the writes that wait on it
      this.#queues.set(id, queue);
    }
    try {
      // A clustered queue set up while Redis is down can stay unready for good (Bottleneck waits for
      // a subscription that never answers): bounded, so the write fails and is retried instead.
      if (shared) await withTimeout(queue.ready(), QUEUE_READY_MS, "the write queue in Redis is not ready");
      await queue.schedule(job, () => Promise.resolve());
    } catch (error) {
      // Dropped, not disconnected: Bottleneck's disconnect of a limiter on a shared connection leaves
      // rejected unsubscribe promises nobody can handle. Its heartbeat timer is unref'd.
      if (shared && this.#queues.get(id) === queue) this.#queues.delete(id);
      throw error;
    }
  }
}

/** How long a clustered write queue may take to set itself up in Redis. */
const QUEUE_READY_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { transient: true })), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface HookedOctokit {
  hook: {
    wrap(name: "request", fn: (request: (options: RequestOptions) => Promise<unknown>, options: RequestOptions) => Promise<unknown>): void;
  };
}
interface RequestOptions {
  method?: string;
  url?: string;
  data?: unknown;
  query?: unknown;
  [other: string]: unknown;
}

/**
 * The write queue a client's requests wait in: its installation's. Probot gives the throttle the
 * installation id only for clients made with `app.auth(id)`; the client a webhook handler gets is
 * made from the App client's options (octokit-auth-probot's "event-octokit"), whose throttle id is
 * unset, so keyed by the throttle id every installation's webhook writes shared one queue, and a
 * recovery sweep's writes to the same installation went in another, beside them: two writes a
 * second to one installation, and one a second for all installations together. The installation
 * id in the client's auth options is the same for both. Clients without one (the App's JWT calls,
 * a token) keep the throttle id.
 */
export function writeQueueKey(options: { throttle?: ThrottleOptions; auth?: unknown }): string {
  const installationId = (options.auth as { installationId?: unknown } | null | undefined)?.installationId;
  if (typeof installationId === "number" || (typeof installationId === "string" && installationId !== "")) {
    return `installation-${installationId}`;
  }
  return options.throttle?.id ?? "no-id";
}

/**
 * The Octokit plugin. Off when the throttle is (`throttle.enabled: false`, as in tests that mock
 * GitHub). Retries of a request (the retry and throttling plugins) are not paced again.
 */
export function writePacing(octokit: HookedOctokit, options: { throttle?: ThrottleOptions; auth?: unknown }): void {
  const throttle = options.throttle ?? {};
  if (throttle.enabled === false) return;
  const queue = writeQueueKey(options);
  octokit.hook.wrap("request", async (request, req) => {
    const kind = requestWriteKind(req);
    if (kind === "write") await checksFirst.giveWay(COURTESY_GIVES_WAY_MS);
    if (kind !== "read") {
      const job = {
        priority: PRIORITY[kind],
        // The job is a no-op: only a replica dying inside it leaves it registered, and only this long.
        ...(throttle.connection ? { expiration: 10_000 } : {}),
      };
      await throttlesFor(throttle).writes.wait(queue, job, Boolean(throttle.connection));
    }
    return request(req);
  });
}

/**
 * Check runs before courtesy writes, beyond the queue's priorities. A priority only orders writes
 * already queued: when a slot came free while the evaluations running beside a courtesy write were
 * still reading GitHub, the label or review request took the slot, and each check waited a second
 * more. After an outage that was a third of the writes (the fault bench: 20 checks, 9 labels and 2
 * review requests between GitHub's return and the last right check). So a courtesy write first
 * waits, up to COURTESY_GIVES_WAY_MS, until no evaluation is still to write its check
 * (`checkPending`, held by the evaluation pipeline from its start to its check write): this
 * process's, and with replicas (`shareCheckPending`) every replica's, through Redis.
 */
export interface PendingChecks {
  /** Marks `id` pending until `untilMs` at the latest (a replica that dies does not hold the others up longer). */
  add(id: string, untilMs: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** How many are pending at `nowMs`. */
  count(nowMs: number): Promise<number>;
}

/** How long a pending check counts for the other replicas at most (an evaluation's reads and retries). */
const SHARED_PENDING_MS = 30_000;
/** How often a waiting courtesy write asks the other replicas. */
const SHARED_POLL_MS = 250;

export class ChecksFirst {
  #pending = 0;
  #waiting: (() => void)[] = [];
  #next = 0;
  readonly #prefix = `${process.pid}-${Math.random().toString(36).slice(2, 10)}-`;

  constructor(public shared: PendingChecks | null = null) {}

  /** An evaluation started; call the result once its check run is written (or given up). */
  pending(): () => void {
    this.#pending++;
    const shared = this.shared;
    const id = `${this.#prefix}${++this.#next}`;
    void shared?.add(id, Date.now() + SHARED_PENDING_MS).catch(() => {});
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void shared?.remove(id).catch(() => {});
      if (--this.#pending === 0) for (const go of this.#waiting.splice(0)) go();
    };
  }

  /** Waits, at most `maxMs`, until no check is pending here (nor, shared, on any replica). */
  async giveWay(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      if (this.#pending > 0) {
        await this.#drained(left);
        continue;
      }
      if (!this.shared) return;
      // Redis unreachable: nothing to wait for (the write itself needs the shared queue anyway).
      const others = await this.shared.count(Date.now()).catch(() => 0);
      if (others === 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(SHARED_POLL_MS, left)).unref());
    }
  }

  #drained(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== go);
        resolve();
      }, maxMs);
      timer.unref();
      this.#waiting.push(go);
    });
  }
}

/**
 * The longest a courtesy write waits for the checks being evaluated beside it. Longer than the
 * checks of a typical catch-up take at one a second (20 PRs after an outage: 20 s), since with
 * replicas the shared queue has no priorities across replicas (Bottleneck's clustered queue orders
 * each replica's own jobs only): a label that stopped waiting competes with the checks as an equal.
 */
export const COURTESY_GIVES_WAY_MS = 30_000;
const checksFirst = new ChecksFirst();

/**
 * The pending checks of every replica in Redis (ioredis): a sorted set scored by when each mark
 * stops counting, so a replica that dies before removing its marks holds nobody up for long.
 */
export function redisPendingChecks(redis: {
  zadd(key: string, score: number, member: string): Promise<unknown>;
  zrem(key: string, member: string): Promise<unknown>;
  zcount(key: string, min: number | string, max: number | string): Promise<number>;
  zremrangebyscore(key: string, min: number | string, max: number | string): Promise<unknown>;
}): PendingChecks {
  const key = "countersign:checks-pending";
  return {
    add: async (id, untilMs) => {
      await redis.zadd(key, untilMs, id);
      await redis.zremrangebyscore(key, "-inf", `(${Date.now()}`); // the expired marks of dead replicas
    },
    remove: async (id) => {
      await redis.zrem(key, id);
    },
    count: (nowMs) => redis.zcount(key, nowMs, "+inf"),
  };
}

/** Marks an evaluation whose check run is still to be written; returns its release. */
export function checkPending(): () => void {
  return checksFirst.pending();
}

/** With replicas: courtesy writes also give way to the checks the other replicas are evaluating. */
export function shareCheckPending(shared: PendingChecks | null): void {
  checksFirst.shared = shared;
}

/**
 * The throttle options the throttling plugin gets: its write queue replaced by this plugin's, its
 * concurrency limits kept in the process even when the rest is clustered through Redis.
 */
export function withPacedWrites(throttle: ThrottleOptions | undefined): ThrottleOptions {
  const options = throttle ?? {};
  if (options.enabled === false) return { ...options, write: PASS_THROUGH };
  const { global, auth } = throttlesFor(options);
  return { ...options, write: PASS_THROUGH, global, auth };
}
