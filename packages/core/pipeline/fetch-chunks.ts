import { fetchBars } from "./ask-provider.ts";
import { cacheKey } from "./cache-key.ts";
import { readableSeries, readCache, writeCache } from "./fetch-cache.ts";
import { addFundamentals } from "./fetch-fundamentals.ts";
import { handOff } from "./fetch-handoff.ts";
import {
  DEFAULT_FETCH_CONFIG,
  type FetchConfig,
  type FetchDeps,
  type FetchInput,
  type FetchReport,
  type Retry,
  type Work,
} from "./fetch-types.ts";
import { parseFetchMessage, type TickerOutcome } from "./messages.ts";
import { byProvider, type DrainClock, drainWithTokens } from "./token-drain.ts";

export { FUNDAMENTALS_TTL_SECONDS } from "./fetch-fundamentals.ts";
export {
  DEFAULT_FETCH_CONFIG,
  type FetchConfig,
  type FetchDeps,
  type FetchInput,
  type FetchReport,
} from "./fetch-types.ts";

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The fetcher's work for one SQS batch of chunks: one cache round trip for
 * every ticker, tokens from the provider's shared limit for the misses (several
 * per call), provider requests, one cache write, then the outcomes to the score
 * queue and whatever is left back to the fetch queue with a delay. One
 * ticker's failure never fails its neighbours; a message fails only when its
 * outcomes could not be handed on.
 */
export async function fetchChunks(
  inputs: readonly FetchInput[],
  deps: FetchDeps,
  config: FetchConfig = DEFAULT_FETCH_CONFIG,
): Promise<FetchReport> {
  const clock: DrainClock = { remainingMs: deps.remainingMs, sleep: deps.sleep ?? sleepFor };
  const random = deps.random ?? Math.random;
  const outcomes = new Map<FetchInput, TickerOutcome[]>(inputs.map((i) => [i, []]));
  const retries = new Map<FetchInput, Retry[]>(inputs.map((i) => [i, []]));
  const toCache: [string, string][] = [];

  const works: Work[] = inputs.flatMap((input) =>
    input.message.tickers.map((ticker) => ({
      input,
      ticker,
      key: cacheKey(input.message.provider, input.message.days, ticker.s),
    })),
  );
  const { hits, misses } = await readCache(works, deps.cache, readableSeries);
  for (const { item, value } of hits) {
    outcomes.get(item.input)!.push({ kind: "series", s: item.ticker.s, data: value, source: "cache" });
  }

  let providerRequests = 0;
  await Promise.all(
    [...byProvider(misses, (work) => work.input.message.provider)].map(async ([name, queue]) => {
      const access = deps.providers[name];
      const handBackMs = await drainWithTokens(queue, access.limiter, clock, config, async (work) => {
        providerRequests++;
        const asked = await fetchBars(work, access, config, random);
        if (asked.kind === "retry") {
          retries.get(work.input)!.push(asked.retry);
          return;
        }
        outcomes.get(work.input)!.push(asked.outcome);
        if (asked.cacheEntry) toCache.push(asked.cacheEntry);
      });
      // Whatever was not started (limit says "not yet", or time is short) goes back untouched.
      for (const work of queue) retries.get(work.input)!.push({ ticker: work.ticker, delayMs: handBackMs });
    }),
  );

  const wantFundamentals = inputs.filter((input) => input.message.fundamentals);
  const fundamentals =
    wantFundamentals.length > 0
      ? await addFundamentals(wantFundamentals, outcomes, deps, clock, config)
      : undefined;

  await writeCache(deps.cache, toCache, config.cacheTtlSeconds);
  const handed = await handOff(inputs, outcomes, retries, deps);
  return {
    failedIds: handed.failedIds,
    handoffErrors: handed.handoffErrors,
    cacheHits: hits.length,
    providerRequests,
    requeued: handed.requeued,
    outcomes: handed.outcomes,
    ...(fundamentals ? { fundamentals } : {}),
  };
}

/**
 * A batch's records read as fetch inputs. A body that does not parse can never succeed: it is
 * rejected, with why, and fails until redrive moves it to the DLQ.
 */
export function readFetchRecords(records: readonly { messageId: string; body: string }[]): {
  inputs: FetchInput[];
  rejected: { id: string; error: string }[];
} {
  const inputs: FetchInput[] = [];
  const rejected: { id: string; error: string }[] = [];
  for (const record of records) {
    try {
      inputs.push({ id: record.messageId, message: parseFetchMessage(record.body) });
    } catch (error) {
      rejected.push({ id: record.messageId, error: (error as Error).message });
    }
  }
  return { inputs, rejected };
}
