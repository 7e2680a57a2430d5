/** Types of scripts/ensure-redis.mjs (plain JavaScript so it runs before `npm install`). */
export function findRedisServer(): string | undefined;
export function ensureRedisServer(options?: { log?: (line: string) => void }): Promise<string>;
