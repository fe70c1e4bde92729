/**
 * mulberry32: a small, fast, seeded PRNG, so runs are deterministic: benchmark runs comparable, the
 * demo's history and the tests' seeded trails the same every time. Shared by the benches, the demo and tests.
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
