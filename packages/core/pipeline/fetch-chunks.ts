import type { StoredChange } from "../history/bars-store.port.ts";
import {
  acceptGaps,
  emptyTicker,
  historyRequest,
  type MergedHistory,
  mergeFetched,
} from "../history/ticker-history.ts";
import type { ProviderName } from "../market-data.port.ts";
import { historyCacheKey } from "./cache-key.ts";
import { chainFailure, fallbackRetry, tickerProvider } from "./fallback.ts";
import { readCache, writeCache } from "./fetch-cache.ts";
import { addFundamentals } from "./fetch-fundamentals.ts";
import { handOff } from "./fetch-handoff.ts";
import {
  askHistory,
  covers,
  type HistoryWork,
  historyOutcome,
  historySince,
  readFetched,
} from "./fetch-history.ts";
import { useSupplies } from "./fetch-supplied.ts";
import {
  DEFAULT_FETCH_CONFIG,
  type FetchConfig,
  type FetchDeps,
  type FetchInput,
  type FetchReport,
  type Retry,
} from "./fetch-types.ts";
import type { GatherInput } from "./gather.ts";
import { type AssembleMessage, parseFetchQueueMessage, type TickerOutcome } from "./messages.ts";
import { byProvider, countingGate, type DrainClock, drainWithTokens, sleepFor } from "./token-drain.ts";

export { FUNDAMENTALS_TTL_SECONDS } from "./fetch-fundamentals.ts";
export {
  DEFAULT_FETCH_CONFIG,
  type FetchConfig,
  type FetchDeps,
  type FetchInput,
  type FetchReport,
} from "./fetch-types.ts";

/**
 * The fetcher's work for one SQS batch of chunks: the stored history of every ticker (one read
 * per shard), one cache round trip, tokens from the provider's shared limit for the rest
 * (several per call), each asking only for the sessions it lacks, the answers merged and written
 * back to the store, then the series (adjusted here) to the score queue and whatever is left
 * back to the fetch queue with a delay. One ticker's failure never fails its neighbours; a
 * message fails only when its outcomes could not be handed on.
 */
export async function fetchChunks(
  inputs: readonly FetchInput[],
  deps: FetchDeps,
  config: FetchConfig = DEFAULT_FETCH_CONFIG,
): Promise<FetchReport> {
  const clock: DrainClock = { remainingMs: deps.remainingMs, sleep: deps.sleep ?? sleepFor };
  const random = deps.random ?? Math.random;
  const policy = config.history;
  const outcomes = new Map<FetchInput, TickerOutcome[]>(inputs.map((i) => [i, []]));
  const retries = new Map<FetchInput, Retry[]>(inputs.map((i) => [i, []]));
  const toCache: [string, string][] = [];
  const changes: StoredChange[] = [];
  const report = {
    cacheHits: 0,
    providerRequests: 0,
    providerBytes: 0,
    history: { full: 0, incremental: 0, sessionsFetched: 0, refetchedForGaps: 0 },
    disagreements: [] as string[],
    storeErrors: [] as string[],
    supplyErrors: [] as string[],
    fallbacks: 0,
  };

  const days = Math.max(0, ...inputs.map((i) => i.message.days));
  const symbols = inputs.flatMap((i) => i.message.tickers.map((t) => t.s));
  const stored = symbols.length > 0 ? await deps.bars.read(symbols, historySince(days)) : new Map();
  const works: HistoryWork[] = inputs.flatMap((input) =>
    input.message.tickers.map((ticker) => {
      const held = stored.get(ticker.s) ?? emptyTicker(ticker.s);
      return {
        input,
        ticker,
        key: historyCacheKey(tickerProvider(input.message, ticker), input.message.session, ticker.s),
        stored: held,
        request: historyRequest(held, input.message.days, policy),
      };
    }),
  );

  /** A ticker's outcome: on to the scorer, or, failed with a chain left, to the next provider. */
  const deliver = (work: HistoryWork, outcome: TickerOutcome) => {
    if (outcome.kind === "failed") {
      const next = fallbackRetry(work.input.message, work.ticker, outcome);
      if (next) {
        report.fallbacks++;
        return void retries.get(work.input)!.push(next);
      }
      outcome = chainFailure(work.input.message, work.ticker, outcome);
    }
    outcomes.get(work.input)!.push(outcome);
  };

  /** A ticker whose history is current: stored if it changed, and on to the scorer. */
  const finish = (
    work: HistoryWork,
    merged: MergedHistory,
    source: "cache" | "provider",
    flags: "suspect-gap"[] = [],
    provider = tickerProvider(work.input.message, work.ticker),
  ) => {
    const { ticker } = merged;
    const { s } = work.ticker;
    if (merged.changedFrom !== undefined || merged.actionsChanged || merged.metaChanged) {
      changes.push({
        ticker,
        barsFrom: merged.changedFrom,
        whole: work.request.kind === "full",
        actions: merged.actionsChanged,
        meta: merged.metaChanged,
      });
    }
    for (const date of merged.disagreements.slice(0, 5)) report.disagreements.push(`${s} ${date}`);
    const mode = work.request.kind;
    report.history[mode]++;
    if (source === "cache") report.cacheHits++;
    const sessions = source === "provider" ? merged.sessionsFetched : 0;
    report.history.sessionsFetched += sessions;
    deliver(
      work,
      historyOutcome(ticker, work.input.message.days, {
        source,
        provider,
        history: { mode, sessions },
        flags,
        attempts: work.ticker.attempts,
      }),
    );
  };

  // Incremental answers with a move no action explains: their whole history is asked for once more.
  const refetch: HistoryWork[] = [];
  /** The provider's answer (asked now, or by the scan's plan) merged: finished, or refetched whole. */
  const settle = (work: HistoryWork, merged: MergedHistory, provider?: ProviderName) => {
    if (merged.unexplainedGaps.length === 0) return finish(work, merged, "provider", [], provider);
    if (work.request.kind === "incremental")
      return void refetch.push({ ...work, request: { kind: "full", days: work.input.message.days } });
    // Refetched (or fetched whole for the first time) and still unexplained: kept, and said.
    finish(
      work,
      { ...merged, ticker: acceptGaps(merged.ticker, merged.unexplainedGaps), metaChanged: true },
      "provider",
      ["suspect-gap"],
      provider,
    );
  };
  // A ticker the chain has moved on from is its next provider's alone: the plan's supply was not.
  const perTicker = [
    ...useSupplies(
      inputs,
      works.filter((w) => !w.ticker.p),
      policy,
      report.supplyErrors,
      {
        // The plan's bars are its units' providers': the newest bar names the one that served it.
        merged: (work, merged) => settle(work, merged, merged.ticker.bars.provider.at(-1)),
        failed: deliver,
      },
    ),
    ...works.filter((w) => w.ticker.p),
  ];

  const { hits, misses } = await readCache(perTicker, deps.cache, readFetched);
  for (const { item, value } of hits) {
    if (covers(value.request, item.request))
      finish(item, mergeFetched(item.stored, value.fetched, item.request, policy), "cache");
    else misses.push(item);
  }

  const drain = (queue: HistoryWork[]) =>
    Promise.all(
      [...byProvider(queue, (work) => tickerProvider(work.input.message, work.ticker))].map(
        async ([name, group]) => {
          const access = deps.providers[name];
          const left = await drainWithTokens(group, access.limiter, clock, config, async (work) => {
            report.providerRequests++;
            // Each further request of the history (splits, dividends, another page) counts too.
            const gate = countingGate(access.limiter, clock, config, () => report.providerRequests++);
            const asked = await askHistory(work, access, gate, config, policy, random);
            if (asked.kind === "retry") return void retries.get(work.input)!.push(asked.retry);
            if (asked.kind === "outcome") return deliver(work, asked.outcome);
            report.providerBytes += asked.bytes;
            toCache.push(asked.cacheEntry);
            settle(work, asked.merged);
          });
          // Whatever was not started (limit says "not yet", or time is short) goes back untouched;
          // with the provider's breaker open, to the chain's next provider where there is one.
          const open = `${name}'s circuit breaker is open: it failed repeatedly`;
          for (const work of group) {
            const next =
              left.breakerOpen &&
              fallbackRetry(work.input.message, work.ticker, {
                kind: "failed",
                s: work.ticker.s,
                reason: "breaker-open",
                message: open,
                attempts: work.ticker.attempts,
              });
            if (next) report.fallbacks++;
            retries.get(work.input)!.push(next || { ticker: work.ticker, delayMs: left.handBackMs });
          }
        },
      ),
    );
  await drain(misses);
  report.history.refetchedForGaps = refetch.length;
  if (refetch.length > 0) await drain(refetch);

  const wantFundamentals = inputs.filter((input) => input.message.fundamentals);
  const fundamentals =
    wantFundamentals.length > 0
      ? await addFundamentals(wantFundamentals, outcomes, deps, clock, config)
      : undefined;

  try {
    await deps.bars.write(changes);
  } catch (error) {
    report.storeErrors.push((error as Error).message);
  }
  await writeCache(deps.cache, toCache, config.cacheTtlSeconds);
  const handed = await handOff(inputs, outcomes, retries, deps);
  return {
    failedIds: handed.failedIds,
    handoffErrors: handed.handoffErrors,
    ...report,
    requeued: handed.requeued,
    outcomes: handed.outcomes,
    ...(fundamentals ? { fundamentals } : {}),
  };
}

/**
 * A batch's records read by kind: chunks, plan units, and scans to assemble. A body that does
 * not parse can never succeed: it is rejected, with why, and fails until redrive moves it to
 * the DLQ.
 */
/** An assemble message read off the fetch queue: the group of the scan's chunks to assemble. */
export type AssembleInput = { id: string } & Pick<AssembleMessage, "scanId" | "group">;

export function readFetchRecords(records: readonly { messageId: string; body: string }[]): {
  inputs: FetchInput[];
  gathers: GatherInput[];
  assembles: AssembleInput[];
  rejected: { id: string; error: string }[];
} {
  const inputs: FetchInput[] = [];
  const gathers: GatherInput[] = [];
  const assembles: AssembleInput[] = [];
  const rejected: { id: string; error: string }[] = [];
  for (const record of records) {
    try {
      const message = parseFetchQueueMessage(record.body);
      if (message.kind === "gather") gathers.push({ id: record.messageId, message });
      else if (message.kind === "assemble")
        assembles.push({ id: record.messageId, scanId: message.scanId, group: message.group });
      else inputs.push({ id: record.messageId, message });
    } catch (error) {
      rejected.push({ id: record.messageId, error: (error as Error).message });
    }
  }
  return { inputs, gathers, assembles, rejected };
}
