/**
 * Probot's clustered throttle (Bottleneck in Redis, REDIS_URL) after Redis restarts empty: with the
 * connection healed as the app's Octokit heals it, the next GitHub call re-creates the limiter's
 * state instead of failing with "ERR SETTINGS_KEY_NOT_FOUND" until the process restarts.
 */
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import { healClusteredThrottle } from "../../src/github/octokit.js";
import { findRedisServer, startRedisServer, type TestRedis } from "../../tools/demo/redis-server.mjs";

const haveRedis = findRedisServer() !== null;
const maybe = haveRedis ? test : test.skip;

let redis: TestRedis | null = null;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  await redis?.stop();
  redis = null;
});

async function limiterOn(url: string, heal: boolean) {
  const connection = new Bottleneck.IORedisConnection({ client: new Redis(url) });
  connection.on("error", () => {});
  if (heal) healClusteredThrottle(connection);
  const limiter = new Bottleneck({ id: `throttle-${heal}`, datastore: "ioredis", connection, minTime: 1, clearDatastore: false });
  closers.push(() => connection.disconnect(false) as Promise<unknown>);
  return limiter;
}

async function emptyRedis(url: string) {
  const admin = new Redis(url);
  await admin.flushall();
  admin.disconnect();
}

maybe("without healing, a limiter fails once Redis has lost its state (the Bottleneck + Redis 7 bug)", async () => {
  redis = await startRedisServer();
  const limiter = await limiterOn(redis.url, false);
  expect(await limiter.schedule(async () => "before")).toBe("before");
  await emptyRedis(redis.url);
  await expect(limiter.schedule(async () => "after")).rejects.toThrow(/SETTINGS_KEY_NOT_FOUND/);
});

maybe("healed, the limiter re-creates its state and the call goes through", async () => {
  redis = await startRedisServer();
  const limiter = await limiterOn(redis.url, true);
  expect(await limiter.schedule(async () => "before")).toBe("before");
  await emptyRedis(redis.url);
  expect(await limiter.schedule(async () => "after")).toBe("after");
  expect(await limiter.schedule(async () => "again")).toBe("again");
});

test("healing ignores what is not a Bottleneck Redis connection, and wraps a connection once", () => {
  expect(() => healClusteredThrottle(undefined)).not.toThrow();
  expect(() => healClusteredThrottle({})).not.toThrow();
  const connection = {
    __scriptFn__:
      (name: string) =>
      (...args: unknown[]) => [name, args.length],
  };
  healClusteredThrottle(connection);
  const once = connection.__scriptFn__;
  healClusteredThrottle(connection);
  expect(connection.__scriptFn__).toBe(once);
  expect(connection.__scriptFn__("init")(1, 2)).toEqual(["init", 2]);
});
