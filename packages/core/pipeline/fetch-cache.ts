import type { Fundamentals } from "../scoring/canslim.ts";
import { fundamentals } from "./messages.ts";
import type { ResponseCache } from "./ports.ts";

/**
 * One cache round trip for every item: the values `read` accepts, each with its item, and the
 * items to fetch. A value `read` refuses (an older format, a damaged write) is a miss, so the
 * provider's fresh answer replaces it.
 */
export async function readCache<W extends { key: string }, V>(
  items: readonly W[],
  cache: ResponseCache,
  read: (text: string) => V | undefined,
): Promise<{ hits: { item: W; value: V }[]; misses: W[] }> {
  const hits: { item: W; value: V }[] = [];
  const misses: W[] = [];
  if (items.length === 0) return { hits, misses };
  const values = await cache.getMany(items.map((item) => item.key));
  items.forEach((item, i) => {
    const text = values[i];
    const value = text ? read(text) : undefined;
    if (value === undefined) misses.push(item);
    else hits.push({ item, value });
  });
  return { hits, misses };
}

/** One cache round trip for what was fetched, unless nothing was. */
export async function writeCache(
  cache: ResponseCache,
  entries: readonly (readonly [key: string, value: string])[],
  ttlSeconds: number,
): Promise<void> {
  if (entries.length > 0) await cache.setMany(entries, ttlSeconds);
}

/**
 * Cached earnings growth read back, or undefined when it is not what the fetcher wrote (then it
 * is refetched): the score message's shape, with no other field.
 */
export function readableFundamentals(text: string): Fundamentals | undefined {
  try {
    const parsed = fundamentals.strict().safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
