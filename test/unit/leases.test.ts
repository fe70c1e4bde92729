/**
 * runExclusive: replicas take turns per key, the waiter runs after the holder, and the lease
 * store being down or a holder that never lets go delays work but never drops it, and a waiter
 * never runs beside a holder that is still renewing.
 */
import { LeaseUnavailableError, runExclusive, type Lease, type Leases } from "../../src/cluster/leases.js";
import { isTransient } from "../../src/github/errors.js";

/** Leases in a Map with a fake clock: what Redis' SET NX PX does, without Redis. */
class MemoryLeases implements Leases {
  readonly held = new Map<string, { token: number; until: number }>();
  now = 0;
  #next = 0;
  async tryAcquire(key: string, ttlMs: number): Promise<Lease | null> {
    const cur = this.held.get(key);
    if (cur && cur.until > this.now) return null;
    const token = ++this.#next;
    this.held.set(key, { token, until: this.now + ttlMs });
    return {
      renew: async () => {
        const c = this.held.get(key);
        if (c?.token !== token) return false;
        c.until = this.now + ttlMs;
        return true;
      },
      release: async () => {
        if (this.held.get(key)?.token === token) this.held.delete(key);
      },
    };
  }
  async close(): Promise<void> {}
}

const silent = () => {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_: object, msg: string) => void warnings.push(msg) } };
};
const tick = () => new Promise<void>((r) => setImmediate(r));

test("a second replica waits for the holder, then runs its own request", async () => {
  const leases = new MemoryLeases();
  const { log, warnings } = silent();
  const order: string[] = [];
  let finishFirst!: () => void;
  const first = runExclusive(
    leases,
    "check:acme/pay@abc",
    async () => {
      order.push("A starts");
      await new Promise<void>((r) => (finishFirst = r));
      order.push("A ends");
      return "A";
    },
    { log },
  );
  await tick();
  const second = runExclusive(
    leases,
    "check:acme/pay@abc",
    async () => {
      order.push("B runs");
      return "B";
    },
    { log, sleep: tick },
  );
  for (let i = 0; i < 5; i++) await tick();
  expect(order).toEqual(["A starts"]);
  finishFirst();
  expect(await Promise.all([first, second])).toEqual(["A", "B"]);
  expect(order).toEqual(["A starts", "A ends", "B runs"]);
  expect(leases.held.size).toBe(0);
  expect(warnings).toEqual([]);
});

test("other keys do not wait, and the lease is released when the work throws", async () => {
  const leases = new MemoryLeases();
  const { log } = silent();
  let release!: () => void;
  const slow = runExclusive(leases, "k1", () => new Promise<void>((r) => (release = r)), { log });
  await tick();
  await expect(runExclusive(leases, "k2", async () => "other", { log })).resolves.toBe("other");
  release();
  await slow;
  await expect(
    runExclusive(
      leases,
      "k1",
      async () => {
        throw new Error("boom");
      },
      { log },
    ),
  ).rejects.toThrow("boom");
  expect(leases.held.size).toBe(0);
});

test("an unreachable lease store: the work does not run (two replicas could both write), and the error is transient", async () => {
  const down: Leases = { tryAcquire: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")), close: async () => {} };
  const { log } = silent();
  let ran = false;
  const outcome = runExclusive(down, "check:acme/pay@abc", async () => void (ran = true), { log });
  await expect(outcome).rejects.toThrow(LeaseUnavailableError);
  await expect(outcome).rejects.toThrow(/could not take the lease check:acme\/pay@abc \(is Redis reachable\?\): connect ECONNREFUSED/);
  expect(ran).toBe(false);
  expect(isTransient(await outcome.catch((e: unknown) => e))).toBe(true);
});

test("a waiter never runs beside a live holder, however long it works; a holder stuck past maxHoldMs lets its lease lapse", async () => {
  const leases = new MemoryLeases();
  const t0 = Date.now();
  const clock = setInterval(() => (leases.now = Date.now() - t0), 2);
  try {
    const { log, warnings } = silent();
    void runExclusive(leases, "k", () => new Promise<never>(() => {}), { log, ttlMs: 40, maxHoldMs: 250 }); // stuck for good, renewing
    await new Promise((r) => setTimeout(r, 10));
    let ranAt = -1;
    const waiter = runExclusive(leases, "k", async () => void (ranAt = Date.now() - t0), { log, ttlMs: 40, maxPollMs: 5 });
    await new Promise((r) => setTimeout(r, 150)); // well past the 40 ms ttl: renewals keep the holder's lease
    expect(ranAt).toBe(-1);
    await waiter;
    expect(ranAt).toBeGreaterThanOrEqual(250); // only once the holder stopped renewing (and its ttl ran out)
    expect(ranAt).toBeLessThan(2_000);
    expect(warnings).toEqual([expect.stringContaining("held its lease past maxHoldMs")]);
  } finally {
    clearInterval(clock);
  }
});

test("a long evaluation keeps its lease renewed, so nobody else takes it after the ttl", async () => {
  const leases = new MemoryLeases();
  const { log } = silent();
  let release!: () => void;
  const long = runExclusive(leases, "k", () => new Promise<void>((r) => (release = r)), { log, ttlMs: 30 });
  for (let t = 0; t < 5; t++) {
    leases.now += 20; // past the original ttl, but renewed every 10 ms of real time
    await new Promise((r) => setTimeout(r, 15));
    expect(await leases.tryAcquire("k", 30)).toBeNull();
  }
  release();
  await long;
  expect(leases.held.size).toBe(0);
});
