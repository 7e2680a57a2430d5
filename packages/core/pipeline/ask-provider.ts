import type { FetchFailure } from "../market-data.port.ts";
import type { TokenLimiter } from "./ports.ts";

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
