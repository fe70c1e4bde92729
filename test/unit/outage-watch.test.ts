/**
 * Recovery starts when a failing dependency answers again (src/handlers/outage-watch.ts and
 * Reconciler.dependencyRecovered): not at each delivery's backoff, not at the next timed sweep.
 */
import type { Probot } from "probot";
import { OutageWatch } from "../../src/handlers/outage-watch.js";
import { createReconciler } from "../../src/handlers/reconcile.js";
import type { PipelineDeps } from "../../src/handlers/pipeline-deps.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out");
    await sleep(10);
  }
}

describe("OutageWatch", () => {
  test("a failure then a success is one outage, reported once with how long it lasted", () => {
    let now = 1_000;
    const recovered: [string, number][] = [];
    const watch = new OutageWatch((d, ms) => recovered.push([d, ms]), { now: () => now });
    watch.succeeded("GitHub reads"); // nothing was down
    watch.failed("GitHub reads");
    now = 4_000;
    watch.failed("GitHub reads"); // still the same outage
    expect(watch.down()).toEqual([{ dependency: "GitHub reads", since: new Date(1_000).toISOString() }]);
    now = 9_000;
    watch.succeeded("GitHub writes"); // the other side of GitHub was never down
    expect(recovered).toEqual([]);
    watch.succeeded("GitHub reads");
    watch.succeeded("GitHub reads");
    expect(recovered).toEqual([["GitHub reads", 8_000]]);
    expect(watch.down()).toEqual([]);
    watch.failed("GitHub reads"); // a new outage
    watch.succeeded("GitHub reads");
    expect(recovered).toHaveLength(2);
  });

  test("one route failing for good while the rest answers is not an outage; two routes failing together are", () => {
    const recovered: string[] = [];
    const watch = new OutageWatch((d) => recovered.push(d));
    // A PR whose files GitHub cannot list: the same route fails again and again, other reads answer.
    for (let i = 0; i < 5; i++) {
      watch.failed("GitHub reads", "GET /repos/{owner}/{repo}/pulls/{id}/files");
      watch.succeeded("GitHub reads");
    }
    expect(watch.down()).toEqual([]);
    expect(recovered).toEqual([]);
    // An outage: different routes fail with no answer in between.
    watch.failed("GitHub reads", "GET /repos/{owner}/{repo}/pulls/{id}/files");
    watch.failed("GitHub reads", "POST /graphql");
    expect(watch.down().map((d) => d.dependency)).toEqual(["GitHub reads"]);
    watch.succeeded("GitHub reads");
    expect(recovered).toEqual(["GitHub reads"]);
  });

  test("a dependency with a probe is probed while it is down, and the probe's success ends the outage", async () => {
    const recovered: string[] = [];
    const watch = new OutageWatch((d) => recovered.push(d), { probeEveryMs: 20 });
    let up = false;
    let probes = 0;
    watch.probe("GitHub reads", async () => {
      probes++;
      if (!up) throw new Error("502");
    });
    await sleep(60);
    expect(probes).toBe(0); // never probed while it is up
    watch.failed("GitHub reads");
    await waitFor(() => probes >= 2);
    expect(recovered).toEqual([]);
    up = true;
    await waitFor(() => recovered.length === 1);
    const after = probes;
    await sleep(80);
    expect(probes).toBe(after); // no probing once it is back
    watch.stop();
  });
});

function world(options: { leaseTaken?: number } = {}) {
  const sweeps: number[] = [];
  const expedited: number[] = [];
  const log = { child: () => log, info: () => {}, warn: () => {}, error: () => {} };
  const app = { log } as unknown as Probot;
  let taken = options.leaseTaken ?? 0;
  const store = {
    // Each sweep starts by reading its state; failing there ends it ("failed") without GitHub.
    readReconcileState: async () => {
      sweeps.push(Date.now());
      throw new Error("no store in this test");
    },
    writeReconcileState: async () => {},
    inbox: () => ({
      retryWaiting: async () => {
        expedited.push(Date.now());
        return 3;
      },
    }),
  };
  // Another replica holds the sweep lease for the first `leaseTaken` tries.
  const leases = {
    tryAcquire: async () => (taken-- > 0 ? null : { renew: async () => {}, release: async () => {} }),
  };
  const deps = { store, leases: options.leaseTaken === undefined ? null : leases, now: Date.now } as unknown as PipelineDeps;
  return { app, deps, sweeps, expedited };
}

describe("Reconciler.dependencyRecovered", () => {
  test("makes the inbox's waiting retries due, wakes the inbox and sweeps now: once for signals that come together", async () => {
    const w = world();
    let woken = 0;
    const reconciler = createReconciler({ intervalMs: 3600_000, startDelayMs: 3600_000, onRetriesDue: () => woken++ });
    reconciler.attach(w.app, w.deps);
    reconciler.dependencyRecovered("GitHub reads");
    reconciler.dependencyRecovered("Redis");
    await waitFor(() => w.sweeps.length === 1);
    expect(w.expedited).toHaveLength(1);
    expect(woken).toBe(1);
    // A dependency flapping: the next recovery waits out the gap between recovery sweeps.
    reconciler.dependencyRecovered("GitHub reads");
    await sleep(1_000);
    expect(w.sweeps).toHaveLength(1);
    reconciler.stop();
    await sleep(50);
    expect(w.sweeps).toHaveLength(1); // stopped: the pending one never runs
  });

  test("with the sweep turned off (interval 0) the retries are still made due, but nothing sweeps", async () => {
    const w = world();
    const reconciler = createReconciler({ intervalMs: 0 });
    reconciler.attach(w.app, w.deps);
    reconciler.dependencyRecovered("the audit store");
    await waitFor(() => w.expedited.length === 1);
    await sleep(100);
    expect(w.sweeps).toHaveLength(0);
  });

  test("a recovery sweep that finds another replica sweeping tries again shortly, not at the next interval", async () => {
    const w = world({ leaseTaken: 1 });
    const reconciler = createReconciler({ intervalMs: 3600_000, startDelayMs: 3600_000 });
    reconciler.attach(w.app, w.deps);
    reconciler.dependencyRecovered("GitHub reads");
    await waitFor(() => w.sweeps.length === 1); // skipped once (the lease taken), then run
    expect(reconciler.last).toMatchObject({ outcome: "failed" });
    reconciler.stop();
  });
});
