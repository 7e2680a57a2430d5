/**
 * The MACD stage of the last bar, in one word plus the fields behind it.
 *
 * From MACD(12,26,9) (Appel; lines as in indicators.ts `macd`), histogram
 * h = MACD − signal:
 * - a crossover happens on bar j when the histogram changes side:
 *   bullish when h[j−1] ≤ 0 < h[j] (MACD crosses above its signal),
 *   bearish when h[j−1] ≥ 0 > h[j];
 * - the histogram is expanding when |h| grew since the previous bar, fading
 *   when it shrank (or stayed equal);
 * - zero line: the MACD line above 0 means the fast EMA is above the slow one.
 *
 * Stage: `bullish-crossover` / `bearish-crossover` when the latest crossover
 * is within the last `crossoverBars` bars (default 5, the crossover bar
 * itself counting as 0 bars ago); otherwise `bullish-expanding`,
 * `bullish-fading` (h > 0), `bearish-expanding`, `bearish-fading` (h ≤ 0);
 * `none` when the histogram of the last bar is not defined (fewer than
 * slow + signal − 1 = 34 bars).
 */
import type { MacdResult } from "../indicators.ts";

export const MACD_STAGES = [
  "bullish-crossover",
  "bearish-crossover",
  "bullish-expanding",
  "bullish-fading",
  "bearish-expanding",
  "bearish-fading",
  "none",
] as const;
export type MacdStage = (typeof MACD_STAGES)[number];

export function isMacdStage(value: unknown): value is MacdStage {
  return MACD_STAGES.some((stage) => stage === value);
}

export interface MacdStageResult {
  stage: MacdStage;
  /** Direction of the latest crossover anywhere in the defined history, or null if none. */
  crossover: "bullish" | "bearish" | null;
  /** Bars since that crossover (0 = on the last bar), or null. */
  barsSinceCrossover: number | null;
  /** MACD line above zero; null when undefined. */
  aboveZero: boolean | null;
  histogramTrend: "expanding" | "fading" | null;
  macd: number | null;
  signal: number | null;
  histogram: number | null;
}

export interface MacdStageOptions {
  /** A crossover at most this many bars ago makes the stage a crossover. @default 5 */
  crossoverBars?: number;
}

/** The stage at the last bar of `lines` (as returned by `macd`). */
export function macdStage(lines: MacdResult, options: MacdStageOptions = {}): MacdStageResult {
  const crossoverBars = options.crossoverBars ?? 5;
  const hist = lines.histogram;
  const last = hist.length - 1;
  const h = last >= 0 ? hist[last]! : Number.NaN;
  if (Number.isNaN(h)) {
    return {
      stage: "none",
      crossover: null,
      barsSinceCrossover: null,
      aboveZero: last >= 0 && !Number.isNaN(lines.macd[last]!) ? lines.macd[last]! > 0 : null,
      histogramTrend: null,
      macd: last >= 0 ? nullIfNaN(lines.macd[last]!) : null,
      signal: null,
      histogram: null,
    };
  }

  let crossover: "bullish" | "bearish" | null = null;
  let barsSinceCrossover: number | null = null;
  for (let j = last; j >= 1; j--) {
    const before = hist[j - 1]!;
    if (Number.isNaN(before)) break;
    const now = hist[j]!;
    if (before <= 0 && now > 0) crossover = "bullish";
    else if (before >= 0 && now < 0) crossover = "bearish";
    if (crossover !== null) {
      barsSinceCrossover = last - j;
      break;
    }
  }

  const previous = last >= 1 ? hist[last - 1]! : Number.NaN;
  const histogramTrend = Number.isNaN(previous)
    ? null
    : Math.abs(h) > Math.abs(previous)
      ? "expanding"
      : "fading";
  let stage: MacdStage;
  if (crossover !== null && barsSinceCrossover !== null && barsSinceCrossover <= crossoverBars) {
    stage = crossover === "bullish" ? "bullish-crossover" : "bearish-crossover";
  } else if (h > 0) {
    stage = histogramTrend === "expanding" ? "bullish-expanding" : "bullish-fading";
  } else {
    stage = histogramTrend === "expanding" ? "bearish-expanding" : "bearish-fading";
  }
  const m = lines.macd[last]!;
  return {
    stage,
    crossover,
    barsSinceCrossover,
    aboveZero: m > 0,
    histogramTrend,
    macd: m,
    signal: lines.signal[last]!,
    histogram: h,
  };
}

function nullIfNaN(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
