export { prng } from "../tools/demo/prng.mjs";
