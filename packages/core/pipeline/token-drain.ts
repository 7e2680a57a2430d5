import { type ProviderName, type RequestGate, TokenWaitError } from "../market-data.port.ts";
import type { FetchConfig } from "./fetch-types.ts";
import type { TokenLimiter } from "./ports.ts";

/** Waits `ms` on the timer: a drain's `sleep` in a real invocation. */
export const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a drain needs of the invocation: its time left, and a way to wait. */
export interface DrainClock {
  remainingMs: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Starts `start(item)` for queued items as the provider's limit grants tokens, at most
 * `maxInFlight` at once, and waits for them. Items not started (the limit says "not yet" for
 * longer than an inline wait, or the invocation has less time left than the reserve plus the
 * slowest item so far took) stay in `queue`; the
 * answer is how long to hand them back for, and whether it is the provider's breaker that is
 * open (then work that can go elsewhere should: see fallback.ts).
 */
export async function drainWithTokens<T>(
  queue: T[],
  limiter: TokenLimiter,
  clock: DrainClock,
  config: Pick<FetchConfig, "reserveMs" | "maxInFlight" | "maxInlineWaitMs">,
  start: (item: T) => Promise<void>,
): Promise<{ handBackMs: number; breakerOpen: boolean }> {
  const inFlight = new Set<Promise<void>>();
  let handBackMs = 0;
  let breakerOpen = false;
  // The longest a started item has taken: one started with less time left than that (and the
  // reserve) would not finish before the invocation ends, so it is handed back instead.
  let slowestMs = 0;
  while (queue.length > 0) {
    if (clock.remainingMs() < config.reserveMs + slowestMs) break;
    while (inFlight.size >= config.maxInFlight) await Promise.race(inFlight);
    const n = Math.min(queue.length, limiter.maxTake, config.maxInFlight - inFlight.size);
    const grant = await limiter.take(n);
    if (!grant.granted) {
      const wait = grant.retryAfterMs;
      // An open breaker is not waited out inline: its cool-down is long, and the work may have another provider.
      if (
        grant.breakerOpen ||
        wait > config.maxInlineWaitMs ||
        clock.remainingMs() - wait < config.reserveMs
      ) {
        handBackMs = wait;
        breakerOpen = grant.breakerOpen === true;
        break;
      }
      await clock.sleep(wait);
      continue;
    }
    for (const item of queue.splice(0, Math.min(n, grant.tokens))) {
      const startedAt = Date.now();
      const running: Promise<void> = start(item).finally(() => {
        inFlight.delete(running);
        slowestMs = Math.max(slowestMs, Date.now() - startedAt);
      });
      inFlight.add(running);
    }
  }
  await Promise.all(inFlight);
  return { handBackMs, breakerOpen };
}

/**
 * A gate that takes one token for a further request of the same ticker, waiting inside the
 * function as a drain does (up to the inline wait, and never into the reserve); otherwise it
 * throws TokenWaitError with how long to hand the ticker back for. The token is used at once,
 * so the request goes out when its grant says it does.
 */
export function tokenGate(
  limiter: TokenLimiter,
  clock: DrainClock,
  config: Pick<FetchConfig, "reserveMs" | "maxInlineWaitMs">,
): RequestGate {
  return async () => {
    // A further request follows an answer that came back well: that is a success for the
    // provider's breaker (the probe's, when the breaker is half-open, which closes it so this
    // ticker's next request may go).
    await limiter.succeeded?.().catch(() => undefined);
    let waited = 0;
    for (;;) {
      const grant = await limiter.take(1);
      if (grant.granted) return;
      const wait = grant.retryAfterMs;
      if (waited + wait > config.maxInlineWaitMs || clock.remainingMs() - wait < config.reserveMs)
        throw new TokenWaitError(wait);
      await clock.sleep(wait);
      waited += wait;
    }
  };
}

/** A tokenGate that also counts each further request it lets out (the first is the drain's). */
export function countingGate(
  limiter: TokenLimiter,
  clock: DrainClock,
  config: Pick<FetchConfig, "reserveMs" | "maxInlineWaitMs">,
  count: () => void,
): RequestGate {
  const takeToken = tokenGate(limiter, clock, config);
  return async () => {
    await takeToken();
    count();
  };
}

/** Items grouped by provider, each group in the items' order: each provider drains its own limit. */
export function byProvider<T>(
  items: readonly T[],
  providerOf: (item: T) => ProviderName,
): Map<ProviderName, T[]> {
  const groups = new Map<ProviderName, T[]>();
  for (const item of items) {
    const group = groups.get(providerOf(item));
    if (group) group.push(item);
    else groups.set(providerOf(item), [item]);
  }
  return groups;
}
