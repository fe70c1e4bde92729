import { Coalescer } from "../../src/handlers/coalesce.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test("a burst for one key runs the first and then only the newest request", async () => {
  // biome-ignore lint/suspicious/noConfusingVoidType: deferred<void>() hands out this resolver
  const gates: { resolve: (v: void) => void }[] = [];
  const ran: number[] = [];
  const c = new Coalescer<number, number>(async (n) => {
    ran.push(n);
    const d = deferred<void>();
    gates.push(d);
    await d.promise;
    return n * 10;
  });
  const results = [1, 2, 3, 4].map((n) => c.submit("pr#1@abc", n));
  expect(ran).toEqual([1]);
  gates[0]!.resolve();
  await results[0];
  await new Promise((r) => setImmediate(r));
  expect(ran).toEqual([1, 4]);
  gates[1]!.resolve();
  expect(await Promise.all(results)).toEqual([10, 40, 40, 40]);
  expect(c.inFlight).toBe(0);
});

test("different keys run independently, and a failure reaches the callers it covers", async () => {
  const c = new Coalescer<string, string>(async (s) => {
    if (s === "bad") throw new Error("boom");
    return s.toUpperCase();
  });
  await expect(Promise.all([c.submit("a", "x"), c.submit("b", "y")])).resolves.toEqual(["X", "Y"]);
  await expect(c.submit("a", "bad")).rejects.toThrow("boom");
  await expect(c.submit("a", "z")).resolves.toBe("Z");
});
