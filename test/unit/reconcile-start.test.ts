/**
 * When the recovery sweep first runs: `start()` (called by main once the server listens) runs it at
 * once, instead of after the start-up delay; a second start, or the delayed one, adds no other timer.
 */
import type { Probot } from "probot";
import { createReconciler } from "../../src/handlers/reconcile.js";
import type { PipelineDeps } from "../../src/handlers/pipeline-deps.js";

function world() {
  const sweeps: number[] = [];
  const log = { child: () => log, info: () => {}, warn: () => {}, error: () => {} };
  const app = { log } as unknown as Probot;
  // Each sweep starts by reading its state; failing there ends it ("failed") without GitHub.
  const store = {
    readReconcileState: async () => {
      sweeps.push(Date.now());
      throw new Error("no store in this test");
    },
  };
  const deps = { store, leases: null, now: Date.now } as unknown as PipelineDeps;
  return { app, deps, sweeps };
}

const tick = () => new Promise((r) => setImmediate(r));

test("start() runs the first sweep now, not after the start-up delay, and only once", async () => {
  const { app, deps, sweeps } = world();
  const reconciler = createReconciler({ intervalMs: 60_000, startDelayMs: 60_000 });
  reconciler.attach(app, deps);
  await tick();
  expect(sweeps).toHaveLength(0); // attached: waiting for the delay or start()

  reconciler.start();
  reconciler.start();
  await tick();
  expect(sweeps).toHaveLength(1);
  expect(reconciler.last).toMatchObject({ outcome: "failed" });
  reconciler.stop();
});

test("without start(), the first sweep runs after the start-up delay; after stop() it never starts", async () => {
  const a = world();
  const delayed = createReconciler({ intervalMs: 60_000, startDelayMs: 20 });
  delayed.attach(a.app, a.deps);
  await new Promise((r) => setTimeout(r, 100));
  expect(a.sweeps).toHaveLength(1);
  delayed.stop();

  const b = world();
  const stopped = createReconciler({ intervalMs: 60_000, startDelayMs: 20 });
  stopped.attach(b.app, b.deps);
  stopped.stop();
  stopped.start();
  await new Promise((r) => setTimeout(r, 100));
  expect(b.sweeps).toHaveLength(0);
});

test("an interval of 0 turns the sweep off: start() does nothing", async () => {
  const { app, deps, sweeps } = world();
  const off = createReconciler({ intervalMs: 0 });
  off.attach(app, deps);
  off.start();
  await tick();
  expect(sweeps).toHaveLength(0);
});
