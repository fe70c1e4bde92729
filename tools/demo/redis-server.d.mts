/** Types for redis-server.mjs (a throwaway redis-server). Development only. */
export declare function findRedisServer(): string | null;
export interface TestRedis {
  url: string;
  port: number;
  log: string[];
  stop(): Promise<void>;
}
export declare function startRedisServer(options?: { bin?: string | null; port?: number }): Promise<TestRedis>;
