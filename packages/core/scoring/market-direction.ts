/**
 * Market direction (CANSLIM's M), read from a scan's breadth series.
 */
import type { BreadthSeries } from "./breadth-accumulator.ts";

export type MarketState = "confirmed-uptrend" | "uptrend-under-pressure" | "correction";

export interface MarketDirection {
  state: MarketState;
  /** 0..1: the weighted breadth signals below (0.5 = neutral, when undefined). */
  score: number;
  /** One line per signal, in words, for the scan report. */
  reasons: string[];
  /** False when breadth is too short to judge (no % above SMA50 on the last date); CANSLIM then leaves M out. */
  defined: boolean;
  /** The breadth date judged, or null. */
  asOf: string | null;
}

export interface MarketDirectionOptions {
  /** Dates back over which trends (of % above SMA50, of the A/D line) are measured. @default 10 */
  lookback?: number;
}

/**
 * A breadth-based stand-in for CANSLIM's M (market direction), judged on the
 * last date of the breadth series. Five signals, each 0..1, weighted:
 *
 * | signal | value | weight |
 * | --- | --- | --- |
 * | participation | % of issues above their SMA50 / 100 | 0.30 |
 * | its trend | 0.5 + (change of that % over `lookback` dates) / 20 points, clamped (±10 points → 1 / 0) | 0.20 |
 * | momentum | ratio-adjusted McClellan oscillator > 0 → 1, < 0 → 0, = 0 → 0.5 | 0.20 |
 * | A/D line | rising over `lookback` dates → 1, falling → 0, flat → 0.5 | 0.15 |
 * | long-term | % above SMA200 / 100 | 0.15 |
 *
 * Undefined signals are left out and the weights renormalised. State:
 * `confirmed-uptrend` when score ≥ 0.6 and at least half the issues are above
 * their SMA50; `correction` when score < 0.4; otherwise
 * `uptrend-under-pressure`. Without % above SMA50 on the last date the
 * result is `defined: false`, neutral (0.5, under pressure).
 *
 * This is not O'Neil's follow-through / distribution-day count (that needs an
 * index's price and volume); it reads the same question — is the broad
 * market advancing — from the universe's own breadth.
 */
export function marketDirection(
  breadth: BreadthSeries,
  options: MarketDirectionOptions = {},
): MarketDirection {
  const lookback = options.lookback ?? 10;
  const last = breadth.dates.length - 1;
  const level50 = last >= 0 ? breadth.pctAboveSma50[last]! : Number.NaN;
  if (Number.isNaN(level50)) {
    return {
      state: "uptrend-under-pressure",
      score: 0.5,
      reasons: [
        last < 0
          ? "no breadth data"
          : `not enough history on ${breadth.dates[last]}: no issue has a 50-day SMA yet`,
      ],
      defined: false,
      asOf: last >= 0 ? breadth.dates[last]! : null,
    };
  }
  const back = last - lookback;
  const level50Before = back >= 0 ? breadth.pctAboveSma50[back]! : Number.NaN;
  const trend50 = level50 - level50Before;
  const oscillator = breadth.ratioAdjustedOscillator[last]!;
  const adChange =
    back >= 0 ? breadth.advanceDeclineLine[last]! - breadth.advanceDeclineLine[back]! : Number.NaN;
  const level200 = breadth.pctAboveSma200[last]!;

  const signals: { value: number; weight: number; reason: string }[] = [];
  signals.push({
    value: level50 / 100,
    weight: 0.3,
    reason: `${fmt(level50)}% of issues above their 50-day SMA`,
  });
  if (!Number.isNaN(trend50)) {
    signals.push({
      value: clamp01(0.5 + trend50 / 20),
      weight: 0.2,
      reason: `% above the 50-day SMA ${trend50 >= 0 ? "up" : "down"} ${fmt(Math.abs(trend50))} points over ${lookback} days`,
    });
  }
  if (!Number.isNaN(oscillator)) {
    signals.push({
      value: oscillator > 0 ? 1 : oscillator < 0 ? 0 : 0.5,
      weight: 0.2,
      reason: `ratio-adjusted McClellan oscillator ${oscillator >= 0 ? "+" : ""}${fmt(oscillator)}`,
    });
  }
  if (!Number.isNaN(adChange)) {
    signals.push({
      value: adChange > 0 ? 1 : adChange < 0 ? 0 : 0.5,
      weight: 0.15,
      reason: `advance/decline line ${adChange > 0 ? "rising" : adChange < 0 ? "falling" : "flat"} (${adChange >= 0 ? "+" : ""}${adChange} over ${lookback} days)`,
    });
  }
  if (!Number.isNaN(level200)) {
    signals.push({
      value: level200 / 100,
      weight: 0.15,
      reason: `${fmt(level200)}% above their 200-day SMA`,
    });
  }
  let weighted = 0;
  let weights = 0;
  for (const s of signals) {
    weighted += s.value * s.weight;
    weights += s.weight;
  }
  const score = weighted / weights;
  const state: MarketState =
    score >= 0.6 && level50 >= 50
      ? "confirmed-uptrend"
      : score < 0.4
        ? "correction"
        : "uptrend-under-pressure";
  return { state, score, reasons: signals.map((s) => s.reason), defined: true, asOf: breadth.dates[last]! };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function fmt(x: number): string {
  return (Math.round(x * 10) / 10).toFixed(1);
}
