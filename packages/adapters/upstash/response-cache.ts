import type { Redis } from "@upstash/redis";
import type { ResponseCache } from "../../core/pipeline/ports.ts";

/**
 * Sets every key of a chunk with its TTL in one script call: Upstash bills a
 * script as one command, where a pipeline of SETs would bill one per key.
 * ARGV[1] is the TTL in seconds, then one value per key.
 */
const SET_MANY = `
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call("SET", key, ARGV[i + 1], "EX", ttl)
end
return #KEYS
`;

/** The response cache on Upstash: one MGET to read a chunk, one script call to write it. */
export class UpstashResponseCache implements ResponseCache {
  private readonly setMany_: ReturnType<Redis["createScript"]>;

  constructor(private readonly redis: Pick<Redis, "mget" | "createScript">) {
    this.setMany_ = redis.createScript(SET_MANY);
  }

  async getMany(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget<(string | null)[]>(...keys);
    return values.map((v) => (typeof v === "string" ? v : null));
  }

  async setMany(entries: readonly (readonly [string, string])[], ttlSeconds: number): Promise<void> {
    if (entries.length === 0) return;
    const ttl = Math.max(1, Math.round(ttlSeconds));
    await this.setMany_.exec(
      entries.map(([k]) => k),
      [String(ttl), ...entries.map(([, v]) => v)],
    );
  }
}
