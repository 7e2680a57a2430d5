import { dayNumber, isoFromDay } from "../days.ts";
import type { CorporateAction } from "../history/actions.ts";
import { actionProblem } from "../history/actions.ts";
import { scoringSeries } from "../history/adjust.ts";
import { decodeBars, encodeBars } from "../history/bars-codec.ts";
import {
  type FetchedHistory,
  type HistoryPolicy,
  type HistoryRequest,
  type MergedHistory,
  mergeFetched,
  type StoredTicker,
} from "../history/ticker-history.ts";
import { type ProviderName, type RequestGate, TokenWaitError } from "../market-data.port.ts";
import { takeLast } from "../series.ts";
import { encodeSeries } from "../series-codec.ts";
import { askProvider } from "./ask-provider.ts";
import { afterFailure, retryDelayMs } from "./backoff.ts";
import type { FetchConfig, Retry, Work } from "./fetch-types.ts";
import type { TickerOutcome } from "./messages.ts";
import type { ProviderAccess } from "./ports.ts";

/**
 * One ticker's history made current: the request its stored history calls for, the provider's
 * answer merged in (history/ticker-history), the response cache's copy of that answer, and the
 * series the scorer reads, adjusted here as of the last session.
 */

/** A ticker of a fetch message, with what the store holds for it and what to ask for. */
export interface HistoryWork extends Work {
  stored: StoredTicker;
  request: HistoryRequest;
}

/** What asking for one ticker's history came to. */
export type AskedHistory =
  | { kind: "merged"; merged: MergedHistory; bytes: number; cacheEntry: [key: string, value: string] }
  | { kind: "outcome"; outcome: TickerOutcome }
  | { kind: "retry"; retry: Retry };

/**
 * The first date of stored bars a fetch reads: the scan's lookback in calendar days, plus a
 * year, so a market clock that runs behind this one (the simulator's, moved back by a test)
 * still finds its history. Reading the extra year costs about half a read unit per ticker.
 */
export function historySince(days: number, now: number = Date.now()): string {
  const today = Math.floor(now / 86_400_000);
  return isoFromDay(today - Math.ceil((days * 365) / 250) - 7 - 366);
}

/**
 * Asks the provider for one ticker's history (its token already taken): merged with what is
 * stored on success; a permanent failure at once; a rate-limited or transient one back to the
 * queue with backoff until its last attempt fails it with the reason. An adapter must return
 * failures as values; one that throws counts as transient. A provider that does not know the
 * symbol any more fails it, and its stored history stays as it is.
 */
export async function askHistory(
  work: HistoryWork,
  { provider, limiter }: ProviderAccess,
  nextRequest: RequestGate,
  config: Pick<FetchConfig, "maxAttempts" | "backoff">,
  policy: HistoryPolicy,
  random: () => number,
): Promise<AskedHistory> {
  const { s } = work.ticker;
  const attempts = work.ticker.attempts + 1;
  try {
    const result = await askProvider(limiter, () => provider.fetchHistory(s, work.request, { nextRequest }));
    if (result.ok) {
      const fetched = { bars: result.bars, actions: usableActions(result.actions) };
      return {
        kind: "merged",
        merged: mergeFetched(work.stored, fetched, work.request, policy),
        bytes: result.bytes,
        cacheEntry: [work.key, encodeFetched(work.request, fetched)],
      };
    }
    const verdict = afterFailure(result, attempts, config, random);
    if (verdict.retry) {
      const { delayMs, lastReason } = verdict;
      return { kind: "retry", retry: { ticker: { s, attempts, lastReason }, delayMs } };
    }
    const { reason, message } = verdict;
    return { kind: "outcome", outcome: { kind: "failed", s, reason, message, attempts } };
  } catch (error) {
    // No token for a further request in time: back to the queue for that long, no attempt spent.
    if (error instanceof TokenWaitError)
      return { kind: "retry", retry: { ticker: work.ticker, delayMs: error.retryAfterMs } };
    const lastReason = `transient: ${(error as Error).message}`;
    const delayMs = retryDelayMs(attempts, undefined, config.backoff, random);
    return { kind: "retry", retry: { ticker: { s, attempts, lastReason }, delayMs } };
  }
}

/** Actions a provider reported that can be used; one that cannot (a zero ratio) is left out. */
function usableActions(actions: readonly CorporateAction[]): CorporateAction[] {
  return actions.filter((a) => actionProblem(a) === undefined);
}

/** The scorer's input for a ticker whose history is current: its series, adjusted here. */
export function historyOutcome(
  ticker: StoredTicker,
  days: number,
  served: {
    source: "cache" | "provider";
    provider: ProviderName;
    history: { mode: HistoryRequest["kind"]; sessions: number };
    flags: readonly "suspect-gap"[];
    attempts: number;
  },
): TickerOutcome {
  const { source, provider, history, flags, attempts } = served;
  const s = ticker.bars.symbol;
  if (ticker.bars.dates.length === 0) {
    const message = `no bars for ${s}: the provider has none since ${history.mode === "full" ? "its lookback" : "the last stored session"}`;
    return { kind: "failed", s, reason: "no-data", message, attempts };
  }
  const data = encodeSeries(takeLast(scoringSeries(ticker.bars, ticker.actions), days));
  return {
    kind: "series",
    s,
    data,
    source,
    provider,
    history,
    ...(flags.length > 0 ? { flags: [...flags] } : {}),
  };
}

/** A provider's answer as the response cache keeps it: the request, the raw bars, the actions. */
export function encodeFetched(request: HistoryRequest, fetched: FetchedHistory): string {
  return JSON.stringify({
    request,
    actions: fetched.actions,
    bars: Buffer.from(encodeBars(fetched.bars)).toString("base64"),
    symbol: fetched.bars.symbol,
  });
}

/** A cached answer read back, or undefined when it is not what encodeFetched wrote (then it is refetched). */
export function readFetched(text: string): { request: HistoryRequest; fetched: FetchedHistory } | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const request = value.request as HistoryRequest;
    const valid =
      (request?.kind === "full" && Number.isInteger(request.days)) ||
      (request?.kind === "incremental" && typeof request.from === "string" && dayNumber(request.from) >= 0);
    if (!valid || typeof value.symbol !== "string" || typeof value.bars !== "string") return undefined;
    if (!Array.isArray(value.actions)) return undefined;
    const actions = value.actions as CorporateAction[];
    if (actions.some((a) => typeof a !== "object" || a === null || actionProblem(a) !== undefined))
      return undefined;
    const bars = decodeBars(value.symbol, new Uint8Array(Buffer.from(value.bars, "base64")));
    return { request, fetched: { bars, actions } };
  } catch {
    return undefined;
  }
}

/** Whether an answer to `cached` holds every session `needed` asks for. */
export function covers(cached: HistoryRequest, needed: HistoryRequest): boolean {
  if (cached.kind === "full") return needed.kind === "incremental" || cached.days >= needed.days;
  return needed.kind === "incremental" && cached.from <= needed.from;
}
