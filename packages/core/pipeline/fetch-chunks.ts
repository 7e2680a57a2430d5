import type { FetchFailure, MarketDataProvider, ProviderName } from "../market-data.port.ts";
import type { Fundamentals } from "../scoring/canslim.ts";
import { takeLast } from "../series.ts";
import { decodeSeries, encodeSeries } from "../series-codec.ts";
import { retryDelayMs, toDelaySeconds } from "./backoff.ts";
import { cacheKey, fundamentalsCacheKey } from "./cache-key.ts";
import {
  type FetchMessage,
  type FetchTicker,
  fundamentals,
  type ScoreMessage,
  type TickerOutcome,
} from "./messages.ts";
import type { MessageSender, ResponseCache, TokenLimiter } from "./ports.ts";

export interface FetchConfig {
  /** How long a fetched series stays in the response cache. @default 300 */
  cacheTtlSeconds: number;
  /** Provider attempts per ticker before it is failed with the last reason. @default 5 */
  maxAttempts: number;
  /** Longest wait for rate-limit tokens inside the function; longer waits hand the work back with a delay. @default 2000 */
  maxInlineWaitMs: number;
  /** Stop taking new tickers when the invocation has less than this left (a provider request's timeout plus margin). @default 15000 */
  reserveMs: number;
  /** Backoff after transient failures. @default { baseMs: 2000, maxMs: 300000 } */
  backoff: { baseMs: number; maxMs: number };
  /** Most provider requests in flight in one invocation. @default 64 */
  maxInFlight: number;
}

export const DEFAULT_FETCH_CONFIG: FetchConfig = {
  cacheTtlSeconds: 300,
  maxAttempts: 5,
  maxInlineWaitMs: 2000,
  reserveMs: 15_000,
  backoff: { baseMs: 2000, maxMs: 300_000 },
  maxInFlight: 64,
};

export interface ProviderAccess {
  provider: MarketDataProvider;
  limiter: TokenLimiter;
}

export interface FetchDeps {
  providers: (name: ProviderName) => ProviderAccess;
  cache: ResponseCache;
  scoreQueue: MessageSender<ScoreMessage>;
  fetchQueue: MessageSender<FetchMessage>;
  remainingMs: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface FetchInput {
  /** The SQS messageId, reported back when this input could not be handled. */
  id: string;
  message: FetchMessage;
}

export interface FetchReport {
  /** Inputs to report as batchItemFailures. */
  failedIds: string[];
  /** Why outcomes could not be handed on (queue errors), for the log. */
  handoffErrors: string[];
  cacheHits: number;
  providerRequests: number;
  /** Tickers handed back to the fetch queue (rate limit, transient failure, time running out). */
  requeued: number;
  outcomes: { series: number; failed: number };
  /** When a chunk asked for earnings growth: from the cache, from the provider, and left without (failure, or no time or tokens). */
  fundamentals?: { cached: number; fetched: number; missing: number };
}

/** How long earnings growth stays cached: statements change once a quarter. */
export const FUNDAMENTALS_TTL_SECONDS = 86_400;

interface Work {
  input: FetchInput;
  ticker: FetchTicker;
  key: string;
}

interface Retry {
  ticker: FetchTicker;
  delayMs: number;
}

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
  const sleep = deps.sleep ?? sleepFor;
  const random = deps.random ?? Math.random;
  const report: FetchReport = {
    failedIds: [],
    handoffErrors: [],
    cacheHits: 0,
    providerRequests: 0,
    requeued: 0,
    outcomes: { series: 0, failed: 0 },
  };
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

  const cached = works.length > 0 ? await deps.cache.getMany(works.map((w) => w.key)) : [];
  const misses: Work[] = [];
  works.forEach((work, i) => {
    const value = cached[i];
    if (value) {
      try {
        decodeSeries(value);
        outcomes.get(work.input)!.push({ kind: "series", s: work.ticker.s, data: value, source: "cache" });
        report.cacheHits++;
        return;
      } catch {
        // A value we cannot read is a miss; it will be overwritten by a fresh one.
      }
    }
    misses.push(work);
  });

  const fetchOne = async (work: Work, { provider, limiter }: ProviderAccess): Promise<void> => {
    const { message } = work.input;
    report.providerRequests++;
    const result = await askProvider(limiter, () =>
      provider.fetchDaily(work.ticker.s, { days: message.days }),
    );
    if (result.ok) {
      if (result.series.dates.length === 0) {
        outcomes.get(work.input)!.push({
          kind: "failed",
          s: work.ticker.s,
          reason: "no-data",
          message: `${provider.name} returned no bars for ${work.ticker.s}`,
          attempts: work.ticker.attempts + 1,
        });
        return;
      }
      const data = encodeSeries(takeLast(result.series, message.days));
      toCache.push([work.key, data]);
      outcomes.get(work.input)!.push({ kind: "series", s: work.ticker.s, data, source: "provider" });
      return;
    }
    const attempts = work.ticker.attempts + 1;
    const retryable = result.kind === "rate-limited" || result.kind === "transient";
    if (retryable && attempts < config.maxAttempts) {
      retries.get(work.input)!.push({
        ticker: { s: work.ticker.s, attempts, lastReason: `${result.kind}: ${result.message}`.slice(0, 500) },
        delayMs: retryDelayMs(attempts, result.retryAfterMs, config.backoff, random),
      });
      return;
    }
    outcomes.get(work.input)!.push({
      kind: "failed",
      s: work.ticker.s,
      reason: result.kind,
      message: (retryable ? `after ${attempts} attempts: ${result.message}` : result.message).slice(0, 500),
      attempts,
    });
  };

  await Promise.all(
    [...byProvider(misses, (work) => work.input.message.provider)].map(async ([name, queue]) => {
      const access = deps.providers(name);
      const handBackMs = await drainWithTokens(queue, access.limiter, deps, config, sleep, (work) =>
        fetchOne(work, access).catch((error: unknown) => {
          // An adapter must return failures as values; if one throws, treat it as transient.
          retries.get(work.input)!.push({
            ticker: {
              s: work.ticker.s,
              attempts: work.ticker.attempts + 1,
              lastReason: `transient: ${(error as Error).message}`,
            },
            delayMs: retryDelayMs(work.ticker.attempts + 1, undefined, config.backoff, random),
          });
        }),
      );
      // Whatever was not started (limit says "not yet", or time is short) goes back untouched.
      for (const work of queue) retries.get(work.input)!.push({ ticker: work.ticker, delayMs: handBackMs });
    }),
  );

  const wantFundamentals = inputs.filter((input) => input.message.fundamentals);
  if (wantFundamentals.length > 0) {
    report.fundamentals = await addFundamentals(wantFundamentals, outcomes, deps, config, sleep);
  }

  if (toCache.length > 0) await deps.cache.setMany(toCache, config.cacheTtlSeconds);

  const scoreMessages: { input: FetchInput; body: ScoreMessage }[] = [];
  const retryMessages: { input: FetchInput; body: FetchMessage; delaySeconds: number }[] = [];
  for (const input of inputs) {
    const list = outcomes.get(input)!;
    for (const o of list) o.kind === "series" ? report.outcomes.series++ : report.outcomes.failed++;
    if (list.length > 0) {
      scoreMessages.push({
        input,
        body: {
          v: 1,
          kind: "score",
          scanId: input.message.scanId,
          chunk: input.message.chunk,
          role: input.message.role,
          chunkSize: input.message.chunkSize,
          chunkCount: input.message.chunkCount,
          outcomes: list,
        },
      });
    }
    const byDelay = new Map<number, FetchTicker[]>();
    for (const r of retries.get(input)!) {
      const seconds = toDelaySeconds(r.delayMs);
      byDelay.set(seconds, [...(byDelay.get(seconds) ?? []), r.ticker]);
      report.requeued++;
    }
    for (const [delaySeconds, tickers] of byDelay) {
      retryMessages.push({ input, body: { ...input.message, tickers }, delaySeconds });
    }
  }

  const failed = new Set<FetchInput>();
  const handOff = async (send: Promise<void>, messages: readonly { input: FetchInput }[]) => {
    try {
      await send;
    } catch (error) {
      report.handoffErrors.push((error as Error).message);
      for (const m of messages) failed.add(m.input);
    }
  };
  await Promise.all([
    handOff(deps.scoreQueue.send(scoreMessages.map((m) => ({ body: m.body }))), scoreMessages),
    handOff(
      deps.fetchQueue.send(retryMessages.map((m) => ({ body: m.body, delaySeconds: m.delaySeconds }))),
      retryMessages,
    ),
  ]);
  report.failedIds = inputs.filter((i) => failed.has(i)).map((i) => i.id);
  return report;
}

/**
 * Starts `start(item)` for queued items as the provider's limit grants tokens, at most
 * `maxInFlight` at once, and waits for them. Items not started (the limit says "not yet" for
 * longer than an inline wait, or the invocation is running out of time) stay in `queue`; the
 * answer is how long to hand them back for.
 */
async function drainWithTokens<T>(
  queue: T[],
  limiter: TokenLimiter,
  deps: Pick<FetchDeps, "remainingMs">,
  config: FetchConfig,
  sleep: (ms: number) => Promise<void>,
  start: (item: T) => Promise<void>,
): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  let handBackMs = 0;
  while (queue.length > 0) {
    if (deps.remainingMs() < config.reserveMs) break;
    while (inFlight.size >= config.maxInFlight) await Promise.race(inFlight);
    const n = Math.min(queue.length, limiter.maxTake, config.maxInFlight - inFlight.size);
    const grant = await limiter.take(n);
    if (!grant.granted) {
      const wait = grant.retryAfterMs;
      if (wait > config.maxInlineWaitMs || deps.remainingMs() - wait < config.reserveMs) {
        handBackMs = wait;
        break;
      }
      await sleep(wait);
      continue;
    }
    for (const item of queue.splice(0, Math.min(n, grant.tokens))) {
      const running: Promise<void> = start(item).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
  }
  await Promise.all(inFlight);
  return handBackMs;
}

type SeriesOutcome = Extract<TickerOutcome, { kind: "series" }>;

/**
 * Earnings growth for the series outcomes of chunks that asked for it: one cache round trip,
 * then one provider request (one token) per miss, cached for a day. Fundamentals never hold a
 * ticker back: one that fails, or that finds no token or time, is scored without them (its
 * score's confidence says so).
 */
async function addFundamentals(
  inputs: readonly FetchInput[],
  outcomes: ReadonlyMap<FetchInput, TickerOutcome[]>,
  deps: FetchDeps,
  config: FetchConfig,
  sleep: (ms: number) => Promise<void>,
): Promise<NonNullable<FetchReport["fundamentals"]>> {
  const works = inputs.flatMap((input) =>
    outcomes
      .get(input)!
      .filter((o): o is SeriesOutcome => o.kind === "series")
      .map((outcome) => ({
        outcome,
        provider: input.message.provider,
        key: fundamentalsCacheKey(input.message.provider, outcome.s),
      })),
  );
  const counts = { cached: 0, fetched: 0, missing: 0 };
  if (works.length === 0) return counts;
  const cached = await deps.cache.getMany(works.map((w) => w.key));
  const misses = works.filter((work, i) => {
    const value = cached[i] ? readCachedFundamentals(cached[i]!) : undefined;
    if (value) {
      work.outcome.fundamentals = value;
      counts.cached++;
    }
    return !value;
  });
  const toCache: [string, string][] = [];
  await Promise.all(
    [...byProvider(misses, (work) => work.provider)].map(async ([name, queue]) => {
      const { provider, limiter } = deps.providers(name);
      const fetch = provider.fetchFundamentals?.bind(provider);
      if (!fetch) return;
      await drainWithTokens(queue, limiter, deps, config, sleep, async (work) => {
        const result = await askProvider(limiter, () => fetch(work.outcome.s)).catch(() => undefined);
        if (!result?.ok) return;
        work.outcome.fundamentals = result.fundamentals;
        toCache.push([work.key, JSON.stringify(result.fundamentals)]);
        counts.fetched++;
      });
    }),
  );
  counts.missing = works.length - counts.cached - counts.fetched;
  if (toCache.length > 0) await deps.cache.setMany(toCache, FUNDAMENTALS_TTL_SECONDS);
  return counts;
}

/**
 * One provider request. When the provider refuses it for being over its limit, it counts more
 * than our plan does: every fetcher sharing the limit pauses, not only this ticker, and the
 * limiter learns from when it went out (see TokenLimiter.holdOff). A pause that cannot be set
 * (Redis unreachable) is a courtesy missed, not a failure: the refused ticker's own retry still
 * waits its Retry-After, and nothing else depends on it.
 */
async function askProvider<R extends { ok: true } | FetchFailure>(
  limiter: TokenLimiter,
  request: () => Promise<R>,
): Promise<R> {
  const sentAt = Date.now();
  const result = await request();
  if (!result.ok && result.kind === "rate-limited") {
    await limiter.holdOff(result.retryAfterMs, sentAt).catch(() => undefined);
  }
  return result;
}

/** Items grouped by provider, each group in the items' order. */
function byProvider<T>(items: readonly T[], providerOf: (item: T) => ProviderName): Map<ProviderName, T[]> {
  const groups = new Map<ProviderName, T[]>();
  for (const item of items) {
    const group = groups.get(providerOf(item));
    if (group) group.push(item);
    else groups.set(providerOf(item), [item]);
  }
  return groups;
}

/**
 * A cached value read back, or undefined when it is not what addFundamentals wrote (then it is
 * refetched): the score message's shape, with no other field.
 */
function readCachedFundamentals(text: string): Fundamentals | undefined {
  try {
    const parsed = fundamentals.strict().safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
