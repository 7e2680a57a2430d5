/**
 * Everything the scorer computes and stores for one ticker, and the step
 * finalize applies once the cross-sectional parts (RS rating, market
 * direction) are known.
 *
 * `computeTickerMetrics` reads only the ticker's own bars: indicators on
 * adjusted prices (adjusted close; highs and lows scaled by adjClose/close, so
 * splits leave no trace), period returns for relative strength, the trend
 * template's inputs, MACD stage, volume measures and the breadth
 * contribution. It reuses module-level scratch buffers: no per-bar
 * allocation, a few small objects per call.
 *
 * `finalizeTicker` combines stored metrics with the RS rating and market
 * direction into the CANSLIM-style score and the trend template.
 */
import { atr, ema, macd, rsi } from "../indicators.ts";
import { scratchColumns } from "../scratch.ts";
import type { Series } from "../series.ts";
import { adjustedHighLow } from "./adjusted-prices.ts";
import { breadthContribution, DEFAULT_BREADTH_WINDOW } from "./breadth-contribution.ts";
import { type CanslimLetter, canslimScore, type Fundamentals } from "./canslim.ts";
import { type MacdStage, macdStage } from "./macd-stage.ts";
import type { MarketDirection } from "./market-direction.ts";
import { type PeriodReturnFields, periodReturnFields, periodReturns } from "./relative-strength.ts";
import {
  evaluateTrendTemplate,
  SMA200_RISING_BARS,
  type TrendInputs,
  type TrendTemplate,
} from "./trend-template.ts";

/** Bars in a year of trading: the 52-week range looks back this far. */
export const BARS_PER_YEAR = 252;
/** Bars the volume measures look back. */
export const VOLUME_LOOKBACK = 50;
/** Upper bound of the up/down volume ratio (reached when a 50-day span has no down-volume). */
export const MAX_UP_DOWN_VOLUME_RATIO = 10;

/**
 * One ticker's stored metrics. Every field is a number, null (not enough
 * history), boolean or short string — JSON- and DynamoDB-safe, no NaN —
 * except `breadth`, a Uint8Array (≈ 213 bytes; DynamoDB stores it as Binary;
 * base64 it for JSON).
 */
export interface TickerMetrics extends PeriodReturnFields, TrendInputs {
  symbol: string;
  /** Date of the last bar. */
  lastDate: string;
  /** Number of bars the metrics were computed from. */
  bars: number;
  /** Last adjusted close (also the trend template's price). */
  price: number;
  /** Last close as traded. */
  close: number;
  /** % change of the adjusted close over the last bar. */
  changePct: number | null;
  ema21: number | null;
  /** RSI(14), Wilder. */
  rsi14: number | null;
  /** ATR(14) on adjusted prices. */
  atr14: number | null;
  /** ATR(14) as % of price. */
  atrPct: number | null;
  /** MACD(12,26,9) line, signal and histogram at the last bar. */
  macd: number | null;
  macdSignal: number | null;
  macdHistogram: number | null;
  macdStage: MacdStage;
  macdBarsSinceCrossover: number | null;
  /** Mean volume of the 50 bars before the last. */
  avgVolume50: number | null;
  /** Last bar's volume / avgVolume50. */
  relativeVolume: number | null;
  /** Σ volume on up days / Σ volume on down days over the last 50 bars, capped at 10. */
  upDownVolumeRatio50: number | null;
  /** Breadth contribution (see breadth-contribution.ts). */
  breadth: Uint8Array;
}

/** A ticker whose history is too short (or unusable) to score; it can still count in breadth. */
export interface InsufficientHistory {
  insufficient: string;
  breadth: Uint8Array;
}

export interface TickerMetricsOptions {
  /**
   * Fewest bars to score a ticker: the 63-day RS period needs 64 closes.
   * Longer-term fields (SMA200, 52-week range, longer RS periods) are null
   * until the ticker has enough bars for them. @default 64
   */
  minBars?: number;
  /** Trading days the breadth contribution covers. @default 200 */
  breadthWindow?: number;
  /** A MACD crossover at most this many bars ago sets a crossover stage. @default 5 */
  macdCrossoverBars?: number;
}

/** Scratch columns reused across calls. */
const scratchFor = scratchColumns(["high", "low", "a", "b", "c"]);

/**
 * The metrics of one ticker, or why it cannot be scored. Throws a
 * ValidationError if the series has non-finite prices or unordered dates
 * (adapters never produce those).
 */
export function computeTickerMetrics(
  series: Series,
  options: TickerMetricsOptions = {},
): TickerMetrics | InsufficientHistory {
  const minBars = options.minBars ?? 64;
  const n = series.dates.length;
  const scratch = scratchFor(n);
  // Adjusted once, for the breadth contribution and the metrics alike.
  const { high, low } = adjustedHighLow(series, scratch);
  const breadth = breadthContribution(series, options.breadthWindow ?? DEFAULT_BREADTH_WINDOW, { high, low });
  if (n < minBars) {
    return { insufficient: `${n} bars; scoring needs at least ${minBars}`, breadth };
  }
  const adj = series.adjClose;
  const price = adj[n - 1]!;
  if (!(price > 0)) return { insufficient: `last adjusted close is ${price}, not a positive price`, breadth };

  const ema21 = ema(adj, 21, scratch.a.subarray(0, n))[n - 1]!;
  const rsi14 = rsi(adj, 14, scratch.a.subarray(0, n))[n - 1]!;
  const atr14 = atr(high, low, adj, 14, scratch.a.subarray(0, n))[n - 1]!;
  const stage = macdStage(
    macd(adj, 12, 26, 9, {
      macd: scratch.a.subarray(0, n),
      signal: scratch.b.subarray(0, n),
      histogram: scratch.c.subarray(0, n),
    }),
    { crossoverBars: options.macdCrossoverBars ?? 5 },
  );

  let high52w = Number.NEGATIVE_INFINITY;
  let low52w = Number.POSITIVE_INFINITY;
  for (let i = Math.max(0, n - BARS_PER_YEAR); i < n; i++) {
    if (high[i]! > high52w) high52w = high[i]!;
    if (low[i]! < low52w) low52w = low[i]!;
  }

  const volume = series.volume;
  let avgVolume50 = Number.NaN;
  let relativeVolume = Number.NaN;
  let upDownVolumeRatio50 = Number.NaN;
  if (n > VOLUME_LOOKBACK) {
    let sum = 0;
    for (let i = n - 1 - VOLUME_LOOKBACK; i < n - 1; i++) sum += volume[i]!;
    avgVolume50 = sum / VOLUME_LOOKBACK;
    relativeVolume = avgVolume50 > 0 ? volume[n - 1]! / avgVolume50 : Number.NaN;
    let up = 0;
    let down = 0;
    for (let i = n - VOLUME_LOOKBACK; i < n; i++) {
      if (adj[i]! > adj[i - 1]!) up += volume[i]!;
      else if (adj[i]! < adj[i - 1]!) down += volume[i]!;
    }
    upDownVolumeRatio50 =
      down > 0
        ? Math.min(MAX_UP_DOWN_VOLUME_RATIO, up / down)
        : up > 0
          ? MAX_UP_DOWN_VOLUME_RATIO
          : Number.NaN;
  }

  return {
    symbol: series.symbol,
    lastDate: series.dates[n - 1]!,
    bars: n,
    price,
    close: series.close[n - 1]!,
    changePct: n >= 2 && adj[n - 2]! > 0 ? (price / adj[n - 2]! - 1) * 100 : null,
    ...periodReturnFields(periodReturns(adj)),
    sma50: meanOfLast(adj, 50, n - 1),
    sma150: meanOfLast(adj, 150, n - 1),
    sma200: meanOfLast(adj, 200, n - 1),
    sma200Prior: meanOfLast(adj, 200, n - 1 - SMA200_RISING_BARS),
    high52w: orNull(high52w),
    low52w: orNull(low52w),
    ema21: orNull(ema21),
    rsi14: orNull(rsi14),
    atr14: orNull(atr14),
    atrPct: Number.isFinite(atr14) ? (atr14 / price) * 100 : null,
    macd: stage.macd,
    macdSignal: stage.signal,
    macdHistogram: stage.histogram,
    macdStage: stage.stage,
    macdBarsSinceCrossover: stage.barsSinceCrossover,
    avgVolume50: orNull(avgVolume50),
    relativeVolume: orNull(relativeVolume),
    upDownVolumeRatio50: orNull(upDownVolumeRatio50),
    breadth,
  };
}

/** What finalize knows about the universe when it finishes a ticker. */
export interface FinalizeContext {
  /** The ticker's RS rating, 1..99, or 0 = none. */
  rsRating: number;
  /** The ticker's RS raw score (kept on the result for ranking and display). @default null */
  rsRaw?: number | null;
  /** Market direction from the scan's breadth; null leaves M out of the score. */
  market: MarketDirection | null;
  /** Earnings growth, when a fundamentals source supplied it (C and A of CANSLIM). */
  fundamentals?: Fundamentals;
}

/** One ticker's final result. */
export interface TickerScore {
  symbol: string;
  /** CANSLIM-style composite 0..100 (see canslim.ts); null if no component could be computed. */
  score: number | null;
  /** Share (0..1) of the composite's weight that had inputs. */
  confidence: number;
  components: Record<CanslimLetter, number | null>;
  rsRating: number;
  rsRaw: number | null;
  trend: TrendTemplate;
  macdStage: MacdStage;
}

/** Finishes one ticker with the cross-sectional inputs. */
export function finalizeTicker(metrics: TickerMetrics, context: FinalizeContext): TickerScore {
  const canslim = canslimScore({
    price: metrics.price,
    high52w: metrics.high52w,
    upDownVolumeRatio50: metrics.upDownVolumeRatio50,
    relativeVolume: metrics.relativeVolume,
    changePct: metrics.changePct,
    rsRating: context.rsRating,
    market: context.market,
    fundamentals: context.fundamentals,
  });
  const rsRaw = context.rsRaw ?? null;
  return {
    symbol: metrics.symbol,
    score: canslim.score,
    confidence: canslim.confidence,
    components: canslim.components,
    rsRating: context.rsRating,
    rsRaw: rsRaw !== null && Number.isFinite(rsRaw) ? rsRaw : null,
    trend: evaluateTrendTemplate(metrics, context.rsRating),
    macdStage: metrics.macdStage,
  };
}

/** Mean of the `period` values ending at `end` (inclusive), or null when they do not all exist. */
function meanOfLast(values: ArrayLike<number>, period: number, end: number): number | null {
  if (end - period + 1 < 0) return null;
  let sum = 0;
  for (let i = end - period + 1; i <= end; i++) sum += values[i]!;
  return sum / period;
}

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
