/**
 * RedisLeases against a real redis-server (started here; skipped, saying so, when it is not
 * installed: CI installs Debian's redis-server). Two clients stand for two replicas.
 */
import { openRedisLeases, type RedisLeases } from "../../src/cluster/redis-leases.js";
import { redactUrl } from "../../src/redact-url.js";
import { runExclusive } from "../../src/cluster/leases.js";
import { findRedisServer, startRedisServer, type TestRedis } from "../../tools/demo/redis-server.mjs";

const bin = findRedisServer();
if (!bin) console.warn("redis-leases.test.ts: skipped: redis-server is not installed (apt-get install redis-server, or set REDIS_SERVER)");
const describeRedis = bin ? describe : describe.skip;

describeRedis("RedisLeases on redis-server", () => {
  let redis: TestRedis;
  let a: RedisLeases;
  let b: RedisLeases;
  beforeAll(async () => {
    redis = await startRedisServer({ bin });
    [a, b] = await Promise.all([openRedisLeases(redis.url), openRedisLeases(redis.url)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  test("courtesy writes on one replica give way to the checks another is evaluating, not to a dead one's for long", async () => {
    const { ChecksFirst, redisPendingChecks } = await import("../../src/github/write-pacing.js");
    const replicaA = new ChecksFirst(redisPendingChecks(a.redis));
    const replicaB = new ChecksFirst(redisPendingChecks(b.redis));
    const evaluating = replicaA.pending();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the mark reaches Redis
    let labelWent = false;
    const label = replicaB.giveWay(10_000).then(() => (labelWent = true));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(labelWent).toBe(false); // replica A's check is still to be written
    evaluating();
    await label;
    expect(labelWent).toBe(true);
    // A replica that died with a check pending: its mark counts until it expires, then not.
    const shared = redisPendingChecks(a.redis);
    await shared.add("dead-replica-1", Date.now() + 300);
    expect(await shared.count(Date.now())).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await shared.count(Date.now())).toBe(0);
  });

  test("one holder at a time; only the holder renews or releases", async () => {
    const held = await a.tryAcquire("check:acme/pay@abc", 10_000);
    expect(held).not.toBeNull();
    expect(await b.tryAcquire("check:acme/pay@abc", 10_000)).toBeNull();
    expect(await held!.renew()).toBe(true);
    await held!.release();
    const next = await b.tryAcquire("check:acme/pay@abc", 10_000);
    expect(next).not.toBeNull();
    await held!.release(); // a stale release must not free b's lease
    expect(await a.tryAcquire("check:acme/pay@abc", 10_000)).toBeNull();
    await next!.release();
  });

  test("a lease whose holder died expires after its ttl, and the old holder cannot renew it", async () => {
    const dead = await a.tryAcquire("check:acme/pay@def", 150);
    expect(dead).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    const taken = await b.tryAcquire("check:acme/pay@def", 10_000);
    expect(taken).not.toBeNull();
    expect(await dead!.renew()).toBe(false);
    await taken!.release();
  });

  test("two replicas running the same head take turns", async () => {
    const warnings: string[] = [];
    const log = { warn: (_: object, msg: string) => void warnings.push(msg) };
    let inside = 0;
    let maxInside = 0;
    const work = async () => {
      maxInside = Math.max(maxInside, ++inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => runExclusive(i % 2 ? a : b, "check:acme/pay@ghi", work, { log })));
    expect(maxInside).toBe(1);
    expect(warnings).toEqual([]);
  });
});

test("a Redis that does not answer stops start-up with the URL (password hidden) and the cause", async () => {
  await expect(openRedisLeases("redis://:s3cret@127.0.0.1:1")).rejects.toThrow(
    /^REDIS_URL redis:\/\/:\*\*\*@127\.0\.0\.1:1: cannot connect \(connect ECONNREFUSED/,
  );
  expect(redactUrl("rediss://user:pw@redis.internal:6380/2")).toBe("rediss://user:***@redis.internal:6380/2");
});
