/**
 * Leases in Redis (REDIS_URL: the server Probot's throttle already coordinates through). Taken with
 * `SET key token NX PX ttl`; renewed and released by scripts that compare the token first, so a
 * replica only ever extends or deletes its own lease, never one another replica took after expiry.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Lease, Leases } from "./leases.js";
import { redactUrl } from "../redact-url.js";

const PREFIX = "countersign:lease:";
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RedisLeases implements Leases {
  /** The connection, also used for the ETag cache replicas share. */
  constructor(readonly redis: Redis) {}

  async tryAcquire(key: string, ttlMs: number): Promise<Lease | null> {
    const name = PREFIX + key;
    const token = randomUUID();
    if ((await this.redis.set(name, token, "PX", ttlMs, "NX")) !== "OK") return null;
    return {
      renew: async () => (await this.redis.eval(RENEW, 1, name, token, ttlMs)) === 1,
      release: async () => {
        await this.redis.eval(RELEASE, 1, name, token);
      },
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Connects (and PINGs) at start-up, so a wrong REDIS_URL stops the process instead of every evaluation. */
export async function openRedisLeases(url: string): Promise<RedisLeases> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: "countersign-leases",
    // A lease that cannot be taken quickly fails the evaluation (retried later), rather than holding it.
    commandTimeout: 5_000,
    maxRetriesPerRequest: 2,
    // How long disconnect() waits for a socket still connecting (ioredis: 2 s, which would hold a
    // failed start-up open); normal shutdown uses quit().
    disconnectTimeout: 100,
  });
  // Connection errors also fail the commands that hit them, and those are logged with the PR they
  // were for; Probot's own Redis connection logs the outage itself.
  let lastError: Error | null = null;
  redis.on("error", (error: Error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    // ioredis rejects with "Connection is closed."; the cause (ECONNREFUSED, auth…) came as an event.
    const reason = (lastError ?? (error as Error)).message;
    throw new Error(
      `REDIS_URL ${redactUrl(url)}: cannot connect (${reason}). Start Redis or correct REDIS_URL; a single replica runs without ` +
        `it (unset REDIS_URL).`,
      { cause: error },
    );
  }
  return new RedisLeases(redis);
}
