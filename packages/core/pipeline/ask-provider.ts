import { type FetchFailure, TokenWaitError } from "../market-data.port.ts";
import type { TokenLimiter } from "./ports.ts";

/**
 * One provider request. When the provider refuses it for being over its limit, it counts more
 * than our plan does: every fetcher sharing the limit pauses, not only this ticker, and the
 * limiter learns from when it went out (see TokenLimiter.holdOff). A pause that cannot be set
 * (Redis unreachable) is a courtesy missed, not a failure: the refused ticker's own retry still
 * waits its Retry-After, and nothing else depends on it. Its other failures and its successes
 * are told to the provider's circuit breaker.
 */
export async function askProvider<R extends { ok: true } | FetchFailure>(
  limiter: TokenLimiter,
  request: () => Promise<R>,
): Promise<R> {
  const sentAt = Date.now();
  let result: R;
  try {
    result = await request();
  } catch (error) {
    // No token in time for a further request is ours to wait for, not the provider's failure.
    if (!(error instanceof TokenWaitError)) await limiter.failed?.().catch(() => undefined);
    throw error;
  }
  if (!result.ok && result.kind === "rate-limited") {
    await limiter.holdOff(result.retryAfterMs, sentAt).catch(() => undefined);
  } else if (!result.ok && BREAKER_FAILURES.has(result.kind)) {
    // Like the pause, the breaker is a courtesy: a Redis that cannot count it fails nothing.
    await limiter.failed?.().catch(() => undefined);
  } else if (result.ok) {
    await limiter.succeeded?.().catch(() => undefined);
  }
  return result;
}

/**
 * The failures that count toward a provider's breaker (core/breaker.ts): its own trouble
 * (5xx, timeouts, resets, bodies it should not have sent), not answers about a symbol.
 */
const BREAKER_FAILURES: ReadonlySet<FetchFailure["kind"]> = new Set(["transient", "invalid-response"]);
