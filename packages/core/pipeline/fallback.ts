import type { ProviderName } from "../market-data.port.ts";
import type { Retry } from "./fetch-types.ts";
import type { FetchTicker, ParsedFetchMessage, TickerOutcome } from "./messages.ts";

/**
 * A scan's fallback chain, ticker by ticker: each ticker of a fetch message is asked of the
 * provider at its place in the chain (`p`, the first when absent). One that its provider cannot
 * serve — not found, unauthorized, not on the plan, its breaker open, no data, attempts spent on
 * transient failures — goes back to the fetch queue for the next provider, its attempts
 * counted afresh; at the chain's end it fails with the last provider's reason. A chain of one
 * behaves as a single provider always has.
 */

type ChainMessage = Pick<ParsedFetchMessage, "provider" | "chain">;

/** The message's chain: its `chain`, or its one provider. */
export function chainOf(message: ChainMessage): readonly ProviderName[] {
  return message.chain ?? [message.provider];
}

/** The provider a ticker is asked of now. */
export function tickerProvider(message: ChainMessage, ticker: Pick<FetchTicker, "p">): ProviderName {
  return chainOf(message)[ticker.p ?? 0] ?? message.provider;
}

/**
 * The retry that hands a failed ticker to the next provider of its chain, at once, or
 * undefined when its provider was the chain's last.
 */
export function fallbackRetry(
  message: ChainMessage,
  ticker: FetchTicker,
  failure: Extract<TickerOutcome, { kind: "failed" }>,
): Retry | undefined {
  const chain = chainOf(message);
  const next = (ticker.p ?? 0) + 1;
  if (next >= chain.length) return undefined;
  const from = chain[next - 1]!;
  const lastReason = `${from} ${failure.reason}: ${failure.message}`.slice(0, 500);
  return { ticker: { s: ticker.s, attempts: 0, p: next, lastReason }, delayMs: 0 };
}

/** A failure at the chain's end, naming its provider when the chain had others before it. */
export function chainFailure(
  message: ChainMessage,
  ticker: FetchTicker,
  failure: Extract<TickerOutcome, { kind: "failed" }>,
): TickerOutcome {
  if (chainOf(message).length < 2) return failure;
  const provider = tickerProvider(message, ticker);
  return { ...failure, message: `${provider}: ${failure.message}`.slice(0, 500) };
}
