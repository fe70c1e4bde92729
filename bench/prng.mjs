// The benches' seeded PRNG: tools/demo/prng.mjs (shared with the demo and tests).
export { prng } from "../tools/demo/prng.mjs";
