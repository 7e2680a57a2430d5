import { type RedisProcess, type StartRedisServerOptions, startRedisServer } from "../redis/redis-server.ts";
import { startUpstashServer, type UpstashServer, type UpstashServerOptions } from "./upstash-server.ts";

/** A redis-server and the Upstash REST server in front of it, started together. */
export interface LocalUpstash {
  readonly redis: RedisProcess;
  readonly upstash: UpstashServer;
  /** What @upstash/redis's `Redis.fromEnv()` reads: `UPSTASH_REDIS_REST_URL`, `UPSTASH_REDIS_REST_TOKEN`. */
  readonly env: { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string };
  /** Closes the REST server, then stops redis-server. */
  stop(): Promise<void>;
}

export interface StartLocalUpstashOptions {
  /** Options for redis-server. @default a free port, the redis-server found on PATH */
  redis?: StartRedisServerOptions;
  /** Options for the REST server (its Redis port is filled in). @default a free port, a random token */
  upstash?: Omit<UpstashServerOptions, "redisPort" | "redisHost">;
}

/** Starts redis-server and the Upstash REST server in front of it; stops redis again if the REST server fails. */
export async function startLocalUpstash(options: StartLocalUpstashOptions = {}): Promise<LocalUpstash> {
  const redis = await startRedisServer(options.redis);
  let upstash: UpstashServer;
  try {
    upstash = await startUpstashServer({ ...options.upstash, redisPort: redis.port, redisHost: redis.host });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return {
    redis,
    upstash,
    env: { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
    stop: async () => {
      await upstash.close();
      await redis.stop();
    },
  };
}
