/**
 * Taking turns across replicas. In one process, the Coalescer (handlers/coalesce.ts) runs one
 * evaluation per PR head at a time. Replicas behind a load balancer each have their own, so two of
 * them can evaluate one head at once; both then find no `countersign` check run and both create
 * one. A lease per repository + head SHA, held from reading the head to writing its check and
 * record, makes them take turns: the replica that finds it taken waits, then runs its own
 * (trailing, newer) request against what the first one wrote, so the newest payload still wins.
 */

/** A lease this process holds. */
export interface Lease {
  /** Extends it by its ttl; false when it had already expired and another holder may have it. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** The port: Redis in production (redis-leases.ts); any store with an atomic "set if absent, with expiry". */
export interface Leases {
  /** Takes `key` for `ttlMs` if nobody holds it; null when someone does. Rejects when the store is unreachable. */
  tryAcquire(key: string, ttlMs: number): Promise<Lease | null>;
  close(): Promise<void>;
}

export interface ExclusiveOptions {
  log: { warn: (obj: object, msg: string) => void };
  /** Expiry of a lease whose holder died (default 10 s); renewed every third of it while the work runs. */
  ttlMs?: number;
  /**
   * Longest a holder keeps renewing (default 60 min). Waiters never run beside a live holder, however
   * long its writes wait in the throttle queue; a holder stuck past this lets its lease lapse (ttl
   * later) so the others go on: a possible duplicate beats no check.
   */
  maxHoldMs?: number;
  /** Longest pause between attempts. */
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The lease store did not answer: the work did not run. Callers let it fail like any other outage
 * (the inbox retries the delivery with backoff; the recovery sweep records the error and tries again).
 */
export class LeaseUnavailableError extends Error {
  readonly transient = true;
  constructor(key: string, cause: unknown) {
    super(
      `could not take the lease ${key} (is Redis reachable?): ${cause instanceof Error ? cause.message : String(cause)}; ` +
        "not evaluated now, retried later",
      { cause },
    );
    this.name = "LeaseUnavailableError";
  }
}

/**
 * Runs `work` while holding `key`, waiting for the current holder first, for as long as that holder
 * is alive (it renews). When the lease store is unreachable the work does not run: it throws
 * LeaseUnavailableError, and the caller's retry runs it once the store is back. (Running without the
 * lease made two replicas create two check runs for one head while Redis was down; the Redis fault
 * of the fault bench did exactly that.) A holder stuck past `maxHoldMs` stops renewing, because an
 * evaluation that never happens would leave the PR without its check. (Waiters must not give up on a live holder: under a burst, its
 * check-run write can sit in Probot's 1-write-per-second queue for many minutes, and a waiter that
 * ran anyway would create a second check run; the 500-PR two-replica load bench did exactly that
 * with a 10-minute give-up.)
 */
export async function runExclusive<T>(leases: Leases, key: string, work: () => Promise<T>, options: ExclusiveOptions): Promise<T> {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxHoldMs = options.maxHoldMs ?? 60 * 60_000;
  const maxPollMs = options.maxPollMs ?? 1_000;
  const sleep = options.sleep ?? defaultSleep;
  let pause = Math.min(50, maxPollMs);
  let lease: Lease | null = null;
  for (;;) {
    try {
      lease = await leases.tryAcquire(key, ttlMs);
    } catch (error) {
      throw new LeaseUnavailableError(key, error);
    }
    if (lease) break;
    // Jittered, growing pauses: waiters on one head do not retry in lockstep.
    await sleep(Math.round(pause * (0.5 + Math.random())));
    pause = Math.min(pause * 2, maxPollMs);
  }

  const held = lease;
  // Under load the write queue can hold an evaluation for minutes: keep the lease while it runs.
  const heldSince = Date.now();
  const renewal = setInterval(
    () => {
      if (Date.now() - heldSince >= maxHoldMs) {
        clearInterval(renewal);
        options.log.warn(
          { lease: key, heldMs: Date.now() - heldSince },
          "an evaluation held its lease past maxHoldMs: letting it lapse so other replicas go on (a second check run is possible)",
        );
        return;
      }
      held.renew().then(
        (ok) => {
          if (!ok)
            options.log.warn(
              { lease: key },
              "the evaluation lease expired before it was renewed: another replica may evaluate this head at the same time",
            );
        },
        (error: unknown) => options.log.warn({ err: error, lease: key }, "could not renew the evaluation lease"),
      );
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    // A lease we cannot release expires after ttlMs; the next holder only waits that long.
    await held.release().catch((error: unknown) => options.log.warn({ err: error, lease: key }, "could not release the evaluation lease"));
  }
}
