/** Types for prng.mjs (mulberry32), shared by the benches and the dashboard's seeded test trail. */
export declare function prng(seed: number): () => number;
