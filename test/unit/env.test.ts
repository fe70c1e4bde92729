import { parseEnv } from "../../src/env.js";

test.each([
  ["redis://127.0.0.1:6379", true],
  ["rediss://user:pw@redis.internal:6380/2", true],
  ["redis://redis", true],
  ["http://redis:6379", false],
  ["127.0.0.1:6379", false],
  ["redis", false],
])("REDIS_URL=%s is accepted: %s", (url, ok) => {
  const parsed = parseEnv({ REDIS_URL: url });
  expect(parsed.ok).toBe(ok);
  if (!parsed.ok) expect(parsed.errors).toEqual([expect.stringMatching(/^REDIS_URL: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/)]);
});

test("an empty REDIS_URL is the same as unset: one process, no Redis", () => {
  expect(parseEnv({ REDIS_URL: "" })).toEqual({ ok: true, env: {} });
});
