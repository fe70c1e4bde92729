/**
 * Two replicas sharing Redis (REDIS_URL): one dies with requests to GitHub in flight. Octokit's
 * throttling plugin kept its "10 requests at once" limit in Redis, where a dead replica's requests
 * count until their one-minute expiry, so the survivor could not call GitHub for a minute. The
 * app's Octokit keeps that limit per process (src/github/write-pacing.ts).
 */
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import nock from "nock";
import { CountersignOctokit } from "../../src/github/octokit.js";
import { findRedisServer, startRedisServer, type TestRedis } from "../../tools/demo/redis-server.mjs";

const maybe = findRedisServer() !== null ? test : test.skip;

let redis: TestRedis | null = null;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => {});
  nock.cleanAll();
  await redis?.stop();
  redis = null;
});

function replica(url: string) {
  const connection = new Bottleneck.IORedisConnection({ client: new Redis(url) });
  connection.on("error", () => {});
  const octokit = new CountersignOctokit({
    auth: "test-token",
    retry: { enabled: false },
    throttle: { Bottleneck, connection, id: "replica-death" },
  });
  return { octokit, connection };
}

maybe(
  "a replica dies with ten requests in flight: the other one still reaches GitHub at once",
  async () => {
    redis = await startRedisServer();
    const slow = new AbortController();
    nock("https://api.github.com").persist().get("/repos/o/r/pulls/1").delay(12_000).reply(200, { number: 1 });
    nock("https://api.github.com").get("/repos/o/r/pulls/2").reply(200, { number: 2 });

    const dying = replica(redis.url);
    const inFlight = Array.from({ length: 10 }, () =>
      dying.octokit
        .request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
          owner: "o",
          repo: "r",
          pull_number: 1,
          request: { signal: slow.signal },
        })
        .catch(() => null),
    );
    closers.push(() => {
      slow.abort();
      return Promise.all(inFlight);
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // all ten sent and waiting on GitHub
    await dying.connection.disconnect(false); // killed: it never tells Redis its requests ended

    const survivor = replica(redis.url);
    closers.push(() => survivor.connection.disconnect(false));
    const answered = survivor.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "o", repo: "r", pull_number: 2 });
    const verdict = await Promise.race([
      answered.then((res) => res.data),
      new Promise((resolve) => setTimeout(() => resolve("still waiting after 8 s"), 8_000)),
    ]);
    expect(verdict).toEqual({ number: 2 });
  },
  30_000,
);

maybe(
  "Redis down when a client is made: no unhandled rejection (the process would exit), and writes go again once Redis is back",
  async () => {
    redis = await startRedisServer();
    const port = redis.port;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    closers.push(async () => void process.off("unhandledRejection", onUnhandled));
    // Probot's Redis client, failing fast: its queued commands are dropped after one retry.
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    const connection = new Bottleneck.IORedisConnection({ client });
    connection.on("error", () => {});
    closers.push(() => connection.disconnect(false));
    await redis.stop();
    redis = null;

    const octokit = new CountersignOctokit({
      auth: "test-token",
      retry: { enabled: false },
      throttle: { Bottleneck, connection, id: "down" },
    });
    nock("https://api.github.com").persist().post("/repos/o/r/issues/1/labels").reply(200, []);
    const label = () =>
      octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner: "o", repo: "r", issue_number: 1, labels: ["t"] });
    await expect(label()).rejects.toThrow(); // no write spacing without Redis: the write fails (the inbox retries it)
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(unhandled).toEqual([]);

    redis = await startRedisServer({ port });
    await expect(label()).resolves.toMatchObject({ status: 200 });
  },
  30_000,
);
