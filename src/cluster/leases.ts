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
  /** Expiry of a lease whose holder died; renewed every third of it while the work runs. */
  ttlMs?: number;
  /** Longest wait for another holder before running anyway (a possible duplicate beats no check). */
  maxWaitMs?: number;
  /** Longest pause between attempts. */
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` while holding `key`, waiting for the current holder first. Fails open: when the
 * lease store is unreachable, or another holder keeps it past `maxWaitMs`, the work runs anyway,
 * because an evaluation that never happens would leave the PR without its check.
 */
export async function runExclusive<T>(leases: Leases, key: string, work: () => Promise<T>, options: ExclusiveOptions): Promise<T> {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxWaitMs = options.maxWaitMs ?? 10 * 60_000;
  const maxPollMs = options.maxPollMs ?? 1_000;
  const sleep = options.sleep ?? defaultSleep;
  const started = Date.now();
  let pause = Math.min(50, maxPollMs);
  let lease: Lease | null = null;
  for (;;) {
    try {
      lease = await leases.tryAcquire(key, ttlMs);
    } catch (error) {
      options.log.warn({ err: error, lease: key }, "could not take the evaluation lease (is Redis reachable?): evaluating without it; another replica may create a second check run");
      return work();
    }
    if (lease) break;
    if (Date.now() - started >= maxWaitMs) {
      options.log.warn({ lease: key, waitedMs: Date.now() - started }, "another replica held the evaluation lease too long: evaluating without it");
      return work();
    }
    // Jittered, growing pauses: waiters on one head do not retry in lockstep.
    await sleep(Math.round(pause * (0.5 + Math.random())));
    pause = Math.min(pause * 2, maxPollMs);
  }

  const held = lease;
  // Under load the write queue can hold an evaluation for minutes: keep the lease while it runs.
  const renewal = setInterval(() => {
    held.renew().then(
      (ok) => {
        if (!ok) options.log.warn({ lease: key }, "the evaluation lease expired before it was renewed: another replica may evaluate this head at the same time");
      },
      (error: unknown) => options.log.warn({ err: error, lease: key }, "could not renew the evaluation lease"),
    );
  }, Math.max(1, Math.floor(ttlMs / 3)));
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    // A lease we cannot release expires after ttlMs; the next holder only waits that long.
    await held.release().catch((error: unknown) => options.log.warn({ err: error, lease: key }, "could not release the evaluation lease"));
  }
}
