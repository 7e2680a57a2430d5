import type { TickerMetrics, TickerScore } from "../scoring/ticker-metrics.ts";

/**
 * The fields a screen filters on: a scored ticker's stored metrics and the scores finalize
 * gives it (RS rating, trend template count, composite), in snake_case as people type them.
 * Prices are split- and dividend-adjusted as the averages are, so `close > sma50` compares like
 * with like; `close_raw` is the last close as traded. A field a ticker has no value for (a
 * 200-day average on a young listing) is null: a ticker missing a field its screen needs does
 * not match it.
 */
export const SCREEN_FIELDS = {
  rs: "RS rating, 1–99 (relative strength against the benchmark, percentile in the scan)",
  composite: "CANSLIM-style composite score, 0–100",
  confidence: "share (0–1) of the composite's weight that had inputs",
  trend: "trend-template criteria met, 0–8",
  trend_template: "true when all eight trend-template criteria are met",
  close: "last close, adjusted for splits and dividends",
  close_raw: "last close as traded",
  change_pct: "% change over the last session",
  sma50: "50-day simple moving average (adjusted)",
  sma150: "150-day simple moving average",
  sma200: "200-day simple moving average",
  ema21: "21-day exponential moving average",
  high52w: "52-week high (adjusted)",
  low52w: "52-week low (adjusted)",
  new_high: "true when the last close is the 52-week high (intraday highs included)",
  pct_from_high: "% below the 52-week high (0 at the high)",
  rsi14: "RSI(14), Wilder",
  atr_pct: "ATR(14) as % of the close",
  macd: "MACD(12,26,9) line",
  macd_signal: "MACD signal line",
  macd_histogram: "MACD histogram (line − signal)",
  macd_stage:
    'MACD stage: "bullish-crossover", "bearish-crossover", "bullish-expanding", "bullish-fading", "bearish-expanding", "bearish-fading" or "none"',
  macd_bars_since_cross: "sessions since the last MACD crossover",
  volume: "last session's volume (shares)",
  avg_volume50: "mean volume of the 50 sessions before the last",
  volume_ratio: "last session's volume ÷ avg_volume50",
  up_down_volume50: "up-day ÷ down-day volume over 50 sessions (capped at 10)",
  return63: "% return over 63 sessions",
  return126: "% return over 126 sessions",
  return252: "% return over 252 sessions",
} as const;

export type ScreenField = keyof typeof SCREEN_FIELDS;
export type ScreenValues = Record<ScreenField, number | string | boolean | null>;

const pct = (x: number | null) => (x === null ? null : x * 100);

/** A scored ticker's screen fields. */
export function screenValues(metrics: TickerMetrics, score: TickerScore): ScreenValues {
  const { price, high52w } = metrics;
  const volume =
    metrics.relativeVolume !== null && metrics.avgVolume50 !== null
      ? metrics.relativeVolume * metrics.avgVolume50
      : null;
  return {
    rs: score.rsRating,
    composite: score.score,
    confidence: score.confidence,
    trend: score.trend.count,
    trend_template: score.trend.count === 8,
    close: price,
    close_raw: metrics.close,
    change_pct: metrics.changePct,
    sma50: metrics.sma50,
    sma150: metrics.sma150,
    sma200: metrics.sma200,
    ema21: metrics.ema21,
    high52w,
    low52w: metrics.low52w,
    new_high: high52w !== null && price >= high52w,
    pct_from_high: high52w !== null && high52w > 0 ? (1 - price / high52w) * 100 : null,
    rsi14: metrics.rsi14,
    atr_pct: metrics.atrPct,
    macd: metrics.macd,
    macd_signal: metrics.macdSignal,
    macd_histogram: metrics.macdHistogram,
    macd_stage: metrics.macdStage,
    macd_bars_since_cross: metrics.macdBarsSinceCrossover,
    volume,
    avg_volume50: metrics.avgVolume50,
    volume_ratio: metrics.relativeVolume,
    up_down_volume50: metrics.upDownVolumeRatio50,
    return63: pct(metrics.return63),
    return126: pct(metrics.return126),
    return252: pct(metrics.return252),
  };
}

/** Best composite score first (a ticker without one last), ties by symbol: the order screens and changes list tickers in. */
export function byComposite(
  a: { ticker: string; values: ScreenValues },
  b: { ticker: string; values: ScreenValues },
): number {
  return (
    ((b.values.composite as number | null) ?? -1) - ((a.values.composite as number | null) ?? -1) ||
    (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0)
  );
}
