import type { StoredTicker } from "./ticker-history.ts";

/**
 * Where raw bars, corporate actions and their bookkeeping are kept between
 * scans (packages/adapters/dynamo/bars-store.ts). A fetcher reads the
 * histories of its tickers, merges what the provider answered, and writes back
 * only what changed.
 */
export interface BarsStore {
  /** The stored history of each symbol (an empty one when none), sessions from `since` on at least. */
  read(symbols: readonly string[], since: string): Promise<Map<string, StoredTicker>>;
  /** Writes what each change says changed; a change that changed nothing costs nothing. */
  write(changes: readonly StoredChange[]): Promise<void>;
}

export interface StoredChange {
  /** The ticker as it is now, whole. */
  ticker: StoredTicker;
  /** The first session whose bar was added or changed; nothing is written for the bars when undefined. */
  barsFrom: string | undefined;
  /** The bars came from a whole-lookback fetch: written as the ticker's whole history at once. */
  whole: boolean;
  actions: boolean;
  meta: boolean;
}
