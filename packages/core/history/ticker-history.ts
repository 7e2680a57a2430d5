import { dayNumber, isoFromDay } from "../days.ts";
import { partitionPoint } from "../partition-point.ts";
import { type CorporateAction, mergeActions } from "./actions.ts";
import { adjustmentFactors } from "./adjust.ts";
import {
  barAt,
  concatHistories,
  emptyHistory,
  historyFromBars,
  type RawBar,
  type RawHistory,
  sliceHistory,
} from "./raw-history.ts";

/**
 * What the bars store holds for one ticker, and how a fetch updates it: which
 * sessions to ask for, how fetched bars and actions merge with stored ones,
 * and the guards on the way (late corrections, disagreeing old bars,
 * unexplained gaps). Pure: the fetcher brings the store and the provider.
 */
export interface StoredTicker {
  bars: RawHistory;
  actions: CorporateAction[];
  meta: TickerMeta;
}

export interface TickerMeta {
  /** The most sessions a whole-history request asked for; the provider had no more when fewer are stored. */
  fullDays?: number;
  /** Session dates of large overnight moves already refetched once and kept: not refetched again. */
  acceptedGaps?: string[];
}

export function emptyTicker(symbol: string): StoredTicker {
  return { bars: emptyHistory(symbol), actions: [], meta: {} };
}

/** Either the whole lookback, or the sessions from a date on. */
export type HistoryRequest = { kind: "full"; days: number } | { kind: "incremental"; from: string };

export interface HistoryPolicy {
  /** Stored sessions asked for again on every incremental fetch, for late corrections. @default 3 */
  correctionSessions: number;
  /** An overnight move larger than this (either way, as a fraction) needs an action to explain it. @default 0.3 */
  gapThreshold: number;
}

export const DEFAULT_HISTORY_POLICY: HistoryPolicy = { correctionSessions: 3, gapThreshold: 0.3 };

/**
 * The request that makes a ticker's history current: its whole lookback when nothing (or too
 * little) is stored, otherwise the sessions after the last stored one plus the last
 * `correctionSessions` again.
 */
export function historyRequest(stored: StoredTicker, days: number, policy: HistoryPolicy): HistoryRequest {
  const n = stored.bars.dates.length;
  const complete = n >= days || (stored.meta.fullDays ?? 0) >= days;
  if (n === 0 || !complete) return { kind: "full", days };
  return { kind: "incremental", from: correctionWindowStart(stored.bars, policy) };
}

/** The first session asked for again: the last `correctionSessions` stored, or the day after the last. */
function correctionWindowStart(bars: RawHistory, policy: HistoryPolicy): string {
  const n = bars.dates.length;
  if (n === 0) return "";
  if (policy.correctionSessions < 1) return isoFromDay(dayNumber(bars.dates[n - 1]!) + 1);
  return bars.dates[Math.max(0, n - policy.correctionSessions)]!;
}

export interface FetchedHistory {
  bars: RawHistory;
  actions: readonly CorporateAction[];
}

export interface MergedHistory {
  ticker: StoredTicker;
  /** The first session whose stored bar was added or changed; undefined when no bar changed. */
  changedFrom: string | undefined;
  actionsChanged: boolean;
  metaChanged: boolean;
  /** Sessions older than the correction window where the provider now reports other bars (stored kept). */
  disagreements: string[];
  /** Sessions fetched now (new or corrected) whose overnight move no known action explains. */
  unexplainedGaps: string[];
  /** Bars received from the provider. */
  sessionsFetched: number;
}

/** Relative difference under which two reports of a bar's prices are the same prices. */
const SAME_PRICE = 1e-6;
/**
 * How far two reports of a session's volume may differ and be the same volume: a provider that
 * spells volumes adjusted for a later split in whole shares loses up to half the ratio (a
 * 1-for-10 reverse split: 5 shares of the raw count) when the raw count is read back.
 */
const SAME_VOLUME = { relative: 1e-3, shares: 25 };

/**
 * Two reports of one session that say the same thing, to the precision a provider spells it:
 * the stored one is kept (it may be the more exact, fetched before a split made the provider
 * round it), and nothing is written.
 */
function sameBar(a: RawBar, b: RawBar): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) <= SAME_PRICE * Math.max(Math.abs(x), Math.abs(y));
  const volume =
    Math.abs(a.volume - b.volume) <= Math.max(SAME_VOLUME.shares, SAME_VOLUME.relative * a.volume);
  return (
    close(a.open, b.open) && close(a.high, b.high) && close(a.low, b.low) && close(a.close, b.close) && volume
  );
}

/**
 * Stored history updated with a provider's answer to `request`.
 * - Sessions in the correction window (from the request's first date, or for a whole-history
 *   fetch the last `correctionSessions` stored) take the provider's bars: late corrections.
 *   A session reported as stored, to the provider's precision, keeps the stored bar.
 * - Older stored sessions are kept; where the provider now disagrees, the session is listed in
 *   `disagreements` for the log.
 * - An answer with no bars changes no bar (a provider's empty window is not a deletion).
 * - Actions reported now are added or replace the stored report of the same event.
 */
export function mergeFetched(
  stored: StoredTicker,
  fetched: FetchedHistory,
  request: HistoryRequest,
  policy: HistoryPolicy,
): MergedHistory {
  const old = stored.bars;
  const windowStart = request.kind === "incremental" ? request.from : correctionWindowStart(old, policy);
  const { bars, changedFrom, disagreements } = mergeBars(old, fetched.bars, windowStart);
  const { actions, changed: actionsChanged } = mergeActions(stored.actions, fetched.actions);
  let meta = stored.meta;
  let metaChanged = false;
  if (request.kind === "full" && (meta.fullDays ?? 0) < request.days) {
    meta = { ...meta, fullDays: request.days };
    metaChanged = true;
  }
  const ticker: StoredTicker = { bars, actions, meta };
  const checkFrom = request.kind === "full" ? "" : request.from;
  return {
    ticker,
    changedFrom,
    actionsChanged,
    metaChanged,
    disagreements,
    unexplainedGaps: unexplainedGaps(ticker, checkFrom, policy),
    sessionsFetched: fetched.bars.dates.length,
  };
}

/**
 * The bars of a merge: stored sessions before the correction window as they were (a provider's
 * other report of one is a disagreement, logged), then the provider's sessions from the window
 * on (a stored session it reports the same, to its precision, keeps the stored bar). Sessions
 * the provider adds before the window (a longer lookback) are added. Written without per-bar
 * objects where it can be: the common daily merge touches a handful of sessions.
 */
function mergeBars(
  old: RawHistory,
  got: RawHistory,
  windowStart: string,
): { bars: RawHistory; changedFrom: string | undefined; disagreements: string[] } {
  if (got.dates.length === 0) return { bars: old, changedFrom: undefined, disagreements: [] };
  if (old.dates.length === 0) return { bars: got, changedFrom: got.dates[0], disagreements: [] };
  // A provider's window that starts later than asked leaves the stored bars before it alone.
  const firstGot = got.dates[0]!;
  const replaceFrom = windowStart < firstGot ? firstGot : windowStart;
  const oldSplit = firstIndexFrom(old, replaceFrom);
  const gotSplit = firstIndexFrom(got, replaceFrom);
  const disagreements: string[] = [];
  let changedFrom: string | undefined;
  const touch = (date: string) => {
    if (changedFrom === undefined || date < changedFrom) changedFrom = date;
  };

  // Before the window: what is stored stays; sessions only the provider has are added.
  let before = sliceByIndex(old, 0, oldSplit);
  if (gotSplit > 0) {
    const byDate = new Map<string, RawBar>();
    for (let i = 0; i < oldSplit; i++) byDate.set(old.dates[i]!, barAt(old, i));
    let added = false;
    for (let i = 0; i < gotSplit; i++) {
      const bar = barAt(got, i);
      const known = byDate.get(bar.date);
      if (!known) {
        byDate.set(bar.date, bar);
        touch(bar.date);
        added = true;
      } else if (!sameBar(known, bar)) disagreements.push(bar.date);
    }
    if (added) before = historyFromBars(old.symbol, [...byDate.values()]);
  }

  // From the window on: the provider's sessions, each kept as stored when it says the same.
  const window: RawBar[] = [];
  let o = oldSplit;
  for (let i = gotSplit; i < got.dates.length; i++) {
    const date = got.dates[i]!;
    while (o < old.dates.length && old.dates[o]! < date) touch(old.dates[o++]!); // gone
    const bar = barAt(got, i);
    if (o < old.dates.length && old.dates[o] === date) {
      const stored = barAt(old, o++);
      if (sameBar(stored, bar)) window.push(stored);
      else {
        window.push(bar);
        touch(date);
      }
    } else {
      window.push(bar);
      touch(date);
    }
  }
  while (o < old.dates.length) touch(old.dates[o++]!); // gone
  if (changedFrom === undefined) return { bars: old, changedFrom, disagreements };
  return {
    bars: concatHistories(old.symbol, [before, historyFromBars(old.symbol, window)]),
    changedFrom,
    disagreements,
  };
}

/** Index of the first session on or after `date`. */
function firstIndexFrom(history: RawHistory, date: string): number {
  return partitionPoint(history.dates.length, (i) => history.dates[i]! < date);
}

function sliceByIndex(history: RawHistory, start: number, end: number): RawHistory {
  return sliceHistory(history, history.dates[start], history.dates[end - 1] ?? "");
}

/**
 * Sessions from `from` on whose open moved more than the threshold from the previous close,
 * both adjusted for the known actions, and that were not already accepted. A split the
 * provider did not report looks like this (−50 % for 2-for-1).
 */
export function unexplainedGaps(ticker: StoredTicker, from: string, policy: HistoryPolicy): string[] {
  const { bars } = ticker;
  const f = adjustmentFactors(bars, ticker.actions);
  const accepted = new Set(ticker.meta.acceptedGaps ?? []);
  const gaps: string[] = [];
  for (let i = 1; i < bars.dates.length; i++) {
    const date = bars.dates[i]!;
    if (date < from || accepted.has(date)) continue;
    const move = (bars.open[i]! * f.price[i]!) / (bars.close[i - 1]! * f.price[i - 1]!) - 1;
    if (Math.abs(move) > policy.gapThreshold) gaps.push(date);
  }
  return gaps;
}

/** The ticker with `gaps` accepted: refetched once already, kept, and not refetched for again. */
export function acceptGaps(ticker: StoredTicker, gaps: readonly string[]): StoredTicker {
  const accepted = [...new Set([...(ticker.meta.acceptedGaps ?? []), ...gaps])].sort();
  return { ...ticker, meta: { ...ticker.meta, acceptedGaps: accepted } };
}
