/** Which failures make the inbox retry a delivery later (transient) rather than fail it for good. */
import { isRedisOutage, isTransient } from "../../src/github/errors.js";

test.each([
  [
    "ioredis gave up on a command while Redis was down",
    new Error('Reached the max retries per request limit (which is 3). Refer to "maxRetriesPerRequest" option for details.'),
  ],
  ["ioredis connection closed during a Redis restart", new Error("Connection is closed.")],
  ["a fetch that could not connect", Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } })],
  ["GitHub 502", Object.assign(new Error("Bad Gateway"), { status: 502 })],
])("transient: %s", (_what, error) => {
  expect(isTransient(error)).toBe(true);
});

test.each([
  ["GitHub 404", Object.assign(new Error("Not Found"), { status: 404 })],
  ["a bug", new TypeError("Cannot read properties of undefined (reading 'sha')")],
])("not transient: %s", (_what, error) => {
  expect(isTransient(error)).toBe(false);
});

test("a Redis outage is told apart from other failures (main keeps running through its stray rejections only)", () => {
  expect(
    isRedisOutage(
      new Error('Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.'),
    ),
  ).toBe(true);
  expect(isRedisOutage(new Error("Connection is closed."))).toBe(true);
  expect(isRedisOutage(new TypeError("Cannot read properties of undefined (reading 'sha')"))).toBe(false);
  expect(isRedisOutage(undefined)).toBe(false);
});
