import { AI_LEVELS } from "../../src/policy/snapshot.js";
test("levels are ordered", () => {
  expect(AI_LEVELS).toEqual(["none", "assisted", "generated", "agent"]);
});
