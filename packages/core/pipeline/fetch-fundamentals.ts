import { askProvider } from "./ask-provider.ts";
import { fundamentalsCacheKey } from "./cache-key.ts";
import { readableFundamentals, readCache, writeCache } from "./fetch-cache.ts";
import type { FetchConfig, FetchDeps, FetchInput, FetchReport } from "./fetch-types.ts";
import type { TickerOutcome } from "./messages.ts";
import { byProvider, type DrainClock, drainWithTokens } from "./token-drain.ts";

/** How long earnings growth stays cached: statements change once a quarter. */
export const FUNDAMENTALS_TTL_SECONDS = 86_400;

type SeriesOutcome = Extract<TickerOutcome, { kind: "series" }>;

/**
 * Earnings growth for the series outcomes of chunks that asked for it: one cache round trip,
 * then one provider request (one token) per miss, cached for a day. Fundamentals never hold a
 * ticker back: one that fails, or that finds no token or time, is scored without them (its
 * score's confidence says so).
 */
export async function addFundamentals(
  inputs: readonly FetchInput[],
  outcomes: ReadonlyMap<FetchInput, readonly TickerOutcome[]>,
  deps: Pick<FetchDeps, "providers" | "cache">,
  clock: DrainClock,
  config: FetchConfig,
): Promise<NonNullable<FetchReport["fundamentals"]>> {
  const works = inputs.flatMap((input) =>
    (outcomes.get(input) ?? [])
      .filter((o): o is SeriesOutcome => o.kind === "series")
      .map((outcome) => ({
        outcome,
        provider: input.message.provider,
        key: fundamentalsCacheKey(input.message.provider, outcome.s),
      })),
  );
  const counts = { cached: 0, fetched: 0, missing: 0 };
  if (works.length === 0) return counts;
  const { hits, misses } = await readCache(works, deps.cache, readableFundamentals);
  for (const { item, value } of hits) item.outcome.fundamentals = value;
  counts.cached = hits.length;
  const toCache: [string, string][] = [];
  await Promise.all(
    [...byProvider(misses, (work) => work.provider)].map(async ([name, queue]) => {
      const { provider, limiter } = deps.providers[name];
      const fetch = provider.fetchFundamentals?.bind(provider);
      if (!fetch) return;
      await drainWithTokens(queue, limiter, clock, config, async (work) => {
        const result = await askProvider(limiter, () => fetch(work.outcome.s)).catch(() => undefined);
        if (!result?.ok) return;
        work.outcome.fundamentals = result.fundamentals;
        toCache.push([work.key, JSON.stringify(result.fundamentals)]);
        counts.fetched++;
      });
    }),
  );
  counts.missing = works.length - counts.cached - counts.fetched;
  await writeCache(deps.cache, toCache, FUNDAMENTALS_TTL_SECONDS);
  return counts;
}
