/** Types for prng.mjs (mulberry32), shared by the benches, the demo's history and the tests' seeded trails. */
export declare function prng(seed: number): () => number;
