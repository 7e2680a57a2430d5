import type { FetchFailure } from "../market-data.port.ts";
import { takeLast } from "../series.ts";
import { encodeSeries } from "../series-codec.ts";
import { retryDelayMs } from "./backoff.ts";
import type { FetchConfig, Retry, Work } from "./fetch-types.ts";
import type { TickerOutcome } from "./messages.ts";
import type { ProviderAccess, TokenLimiter } from "./ports.ts";

/**
 * One provider request. When the provider refuses it for being over its limit, it counts more
 * than our plan does: every fetcher sharing the limit pauses, not only this ticker, and the
 * limiter learns from when it went out (see TokenLimiter.holdOff). A pause that cannot be set
 * (Redis unreachable) is a courtesy missed, not a failure: the refused ticker's own retry still
 * waits its Retry-After, and nothing else depends on it.
 */
export async function askProvider<R extends { ok: true } | FetchFailure>(
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

/** What one ticker's request came to: an outcome to score (and a series to cache), or a retry later. */
export type AskedBars =
  | { kind: "outcome"; outcome: TickerOutcome; cacheEntry?: [key: string, value: string] }
  | { kind: "retry"; retry: Retry };

/**
 * Asks the provider for one ticker's bars (its token already taken) and decides what follows:
 * a series trimmed to the days asked for; a permanent failure at once; a rate-limited or
 * transient one back to the queue with backoff, until its last attempt fails it with the
 * reason. An adapter must return failures as values; one that throws counts as transient.
 */
export async function fetchBars(
  work: Work,
  { provider, limiter }: ProviderAccess,
  config: Pick<FetchConfig, "maxAttempts" | "backoff">,
  random: () => number,
): Promise<AskedBars> {
  const { message } = work.input;
  const { s } = work.ticker;
  const attempts = work.ticker.attempts + 1;
  try {
    const result = await askProvider(limiter, () => provider.fetchDaily(s, { days: message.days }));
    if (result.ok) {
      if (result.series.dates.length === 0) {
        const reason = `${provider.name} returned no bars for ${s}`;
        return {
          kind: "outcome",
          outcome: { kind: "failed", s, reason: "no-data", message: reason, attempts },
        };
      }
      const data = encodeSeries(takeLast(result.series, message.days));
      return {
        kind: "outcome",
        outcome: { kind: "series", s, data, source: "provider" },
        cacheEntry: [work.key, data],
      };
    }
    const retryable = result.kind === "rate-limited" || result.kind === "transient";
    if (retryable && attempts < config.maxAttempts) {
      const lastReason = `${result.kind}: ${result.message}`.slice(0, 500);
      const delayMs = retryDelayMs(attempts, result.retryAfterMs, config.backoff, random);
      return { kind: "retry", retry: { ticker: { s, attempts, lastReason }, delayMs } };
    }
    const why = retryable ? `after ${attempts} attempts: ${result.message}` : result.message;
    return {
      kind: "outcome",
      outcome: { kind: "failed", s, reason: result.kind, message: why.slice(0, 500), attempts },
    };
  } catch (error) {
    const lastReason = `transient: ${(error as Error).message}`;
    const delayMs = retryDelayMs(attempts, undefined, config.backoff, random);
    return { kind: "retry", retry: { ticker: { s, attempts, lastReason }, delayMs } };
  }
}
