/**
 * The webhook inbox and job schedule on both engines: the same suite over SQLite and PostgreSQL.
 */
import type { InboxDeliveryInput } from "../../src/audit/inbox-store.js";
import { harnesses, useEngine } from "./audit-harness.js";

const T0 = new Date("2026-04-01T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

function delivery(id: string, overrides: Partial<InboxDeliveryInput> = {}): InboxDeliveryInput {
  const payload = JSON.stringify({ action: "opened", n: id });
  return { id, event: "pull_request", action: "opened", payload, receivedAt: T0, ...overrides };
}

describe.each(harnesses)("inbox store on $engine", (h) => {
  const engine = useEngine(h);

  test("a stored delivery is claimed once, with its payload; its id again is a duplicate", async () => {
    const inbox = (await engine.newStore()).store.inbox();
    expect(await inbox.enqueue(delivery("d1"))).toBe("stored");
    expect(await inbox.enqueue(delivery("d1"))).toBe("duplicate");

    const claimed = await inbox.claim({ owner: "a", now: T0, leaseMs: 60_000, limit: 10 });
    expect(claimed).toEqual([
      expect.objectContaining({ id: "d1", event: "pull_request", action: "opened", attempts: 1, state: "pending" }),
    ]);
    expect(JSON.parse(claimed[0]!.payload)).toEqual({ action: "opened", n: "d1" });
    expect(await inbox.claim({ owner: "b", now: at(1000), leaseMs: 60_000, limit: 10 })).toEqual([]);

    expect(await inbox.complete("d1", "a", at(2000))).toBe(true);
    expect(await inbox.get("d1")).toMatchObject({ state: "done", payload: "", finishedAt: at(2000).toISOString() });
    expect(await inbox.enqueue(delivery("d1"))).toBe("duplicate"); // done: acknowledged, not processed again
    expect(await inbox.claim({ owner: "b", now: at(3000), leaseMs: 60_000, limit: 10 })).toEqual([]);
  });

  test("concurrent claimers on two connections never take the same delivery", async () => {
    const { url } = await engine.newStore();
    const [one, two] = [(await engine.newStore(url)).store.inbox(), (await engine.newStore(url)).store.inbox()];
    for (let i = 0; i < 40; i++) await one.enqueue(delivery(`c${i}`, { receivedAt: at(i) }));
    const taken: string[] = [];
    await Promise.all(
      ["a", "b", "c", "d"].map(async (owner, i) => {
        const inbox = i % 2 ? two : one;
        for (;;) {
          const batch = await inbox.claim({ owner, now: at(100_000), leaseMs: 60_000, limit: 3 });
          if (batch.length === 0) return;
          taken.push(...batch.map((d) => d.id));
        }
      }),
    );
    expect(taken.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`).sort());
  });

  test("a failed attempt waits for its retry time; a failure without one parks it with the error", async () => {
    const inbox = (await engine.newStore()).store.inbox();
    await inbox.enqueue(delivery("f1"));
    await inbox.claim({ owner: "a", now: T0, leaseMs: 60_000, limit: 1 });
    expect(await inbox.fail("f1", "a", "HTTP 502 from GitHub", T0, at(30_000))).toBe(true);
    expect(await inbox.claim({ owner: "a", now: at(29_999), leaseMs: 60_000, limit: 1 })).toEqual([]);
    const again = await inbox.claim({ owner: "a", now: at(30_000), leaseMs: 60_000, limit: 1 });
    expect(again).toEqual([expect.objectContaining({ id: "f1", attempts: 2, lastError: "HTTP 502 from GitHub" })]);

    expect(await inbox.fail("f1", "a", "still 502", at(31_000), null)).toBe(true);
    expect(await inbox.get("f1")).toMatchObject({ state: "parked", lastError: "still 502", finishedAt: at(31_000).toISOString() });
    expect(await inbox.claim({ owner: "a", now: at(10_000_000), leaseMs: 60_000, limit: 1 })).toEqual([]);
    expect(await inbox.list({ state: "parked" })).toEqual([expect.objectContaining({ id: "f1", attempts: 2, lastError: "still 502" })]);

    // An operator's retry (or GitHub's Redeliver of it) makes it due again with fresh attempts.
    expect(await inbox.retry("f1", at(40_000))).toBe(true);
    const retried = await inbox.claim({ owner: "a", now: at(40_000), leaseMs: 60_000, limit: 1 });
    expect(retried).toEqual([expect.objectContaining({ id: "f1", attempts: 1 })]);
    await inbox.fail("f1", "a", "again", at(41_000), null);
    expect(await inbox.enqueue(delivery("f1", { receivedAt: at(50_000) }))).toBe("requeued");
    expect(await inbox.get("f1")).toMatchObject({ state: "pending", attempts: 0 });
    expect(await inbox.retry("unknown", T0)).toBe(false);
  });

  test("retryWaiting makes deliveries waiting for a retry due now, attempts kept; new, claimed and parked ones stay", async () => {
    const inbox = (await engine.newStore()).store.inbox();
    for (const id of ["waiting", "claimed", "parked", "fresh"]) await inbox.enqueue(delivery(id));
    await inbox.claim({ owner: "a", now: T0, leaseMs: 60_000, limit: 3 });
    await inbox.fail("waiting", "a", "HTTP 502", at(1000), at(600_000));
    await inbox.fail("parked", "a", "HTTP 502", at(1000), null);

    expect(await inbox.retryWaiting(at(2000))).toBe(1);
    expect(await inbox.get("waiting")).toMatchObject({ state: "pending", attempts: 1, nextAttemptAt: at(2000).toISOString() });
    expect(await inbox.get("parked")).toMatchObject({ state: "parked" });
    const due = await inbox.claim({ owner: "b", now: at(2000), leaseMs: 60_000, limit: 10 });
    expect(due.map((d) => [d.id, d.attempts]).sort()).toEqual([
      ["fresh", 1],
      ["waiting", 2],
    ]);
    expect(await inbox.retryWaiting(at(3000))).toBe(0);
  });

  test("an expired claim is taken again by another replica; the first one can no longer finish it", async () => {
    const inbox = (await engine.newStore()).store.inbox();
    await inbox.enqueue(delivery("e1"));
    await inbox.claim({ owner: "dead", now: T0, leaseMs: 10_000, limit: 1 });
    expect(await inbox.claim({ owner: "live", now: at(9_999), leaseMs: 10_000, limit: 1 })).toEqual([]);
    expect(await inbox.renew("e1", "dead", at(20_000))).toBe(true);
    expect(await inbox.claim({ owner: "live", now: at(15_000), leaseMs: 10_000, limit: 1 })).toEqual([]);
    const taken = await inbox.claim({ owner: "live", now: at(20_000), leaseMs: 10_000, limit: 1 });
    expect(taken).toEqual([expect.objectContaining({ id: "e1", attempts: 2 })]);
    expect(await inbox.complete("e1", "dead", at(21_000))).toBe(false);
    expect(await inbox.fail("e1", "dead", "late", at(21_000), null)).toBe(false);
    expect(await inbox.complete("e1", "live", at(22_000))).toBe(true);
  });

  test("stats count pending and parked; prune deletes done rows older than the cutoff and keeps parked ones", async () => {
    const inbox = (await engine.newStore()).store.inbox();
    expect(await inbox.stats()).toEqual({ pending: 0, oldestPendingReceivedAt: null, parked: 0 });
    for (const [i, id] of ["old", "new", "parked", "waiting"].entries()) await inbox.enqueue(delivery(id, { receivedAt: at(i * 1000) }));
    const claimed = await inbox.claim({ owner: "a", now: at(10_000), leaseMs: 60_000, limit: 3 });
    expect(claimed.map((d) => d.id)).toEqual(["old", "new", "parked"]);
    await inbox.complete("old", "a", at(10_000));
    await inbox.complete("new", "a", at(90_000));
    await inbox.fail("parked", "a", "bad", at(10_000), null);
    expect(await inbox.stats()).toEqual({ pending: 1, oldestPendingReceivedAt: at(3000).toISOString(), parked: 1 });

    expect(await inbox.prune(at(50_000))).toBe(1);
    expect(await inbox.get("old")).toBeNull();
    expect(await inbox.get("new")).toMatchObject({ state: "done" });
    expect(await inbox.get("parked")).toMatchObject({ state: "parked" });
  });

  test("a job is held by one replica at a time, and not run again before its interval", async () => {
    const { url } = await engine.newStore();
    const [one, two] = [(await engine.newStore(url)).store.inbox(), (await engine.newStore(url)).store.inbox()];
    const opts = { leaseMs: 60_000, everyMs: 300_000 };
    const first = await Promise.all([one.claimJob("sweep", "a", T0, opts), two.claimJob("sweep", "b", T0, opts)]);
    expect(first.filter(Boolean)).toHaveLength(1);
    const holder = first[0] ? "a" : "b";
    await (holder === "a" ? one : two).finishJob("sweep", holder, at(5_000), '{"ok":true}');
    const done = { name: "sweep", heldBy: null, leaseUntil: null, lastRunAt: at(5_000).toISOString(), lastResult: '{"ok":true}' };
    expect(await one.jobs()).toEqual([done]);
    expect(await two.claimJob("sweep", "b", at(200_000), opts)).toBe(false); // ran 195 s ago
    expect(await two.claimJob("sweep", "b", at(305_000), opts)).toBe(true);
    // b dies holding it: after the lease anyone may run it.
    expect(await one.claimJob("sweep", "a", at(310_000), opts)).toBe(false);
    expect(await one.claimJob("sweep", "a", at(365_000), opts)).toBe(true);
  });
});
