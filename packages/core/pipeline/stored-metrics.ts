import { isMacdStage, type MacdStage } from "../scoring/macd-stage.ts";
import type { TickerMetrics } from "../scoring/ticker-metrics.ts";

/**
 * A ticker's metrics as a scan keeps them (a result's `metrics`, the scan's
 * benchmark): everything computeTickerMetrics gives but the symbol (the
 * result's key) and the breadth contribution (an attribute of its own). This
 * module is the one place they change form: to the stored form in the scorer,
 * back from a store's map, and back to TickerMetrics in finalize.
 */
export type StoredMetrics = Omit<TickerMetrics, "symbol" | "breadth">;

/**
 * Six significant digits: more than any score or indicator needs, and fewer
 * bytes per item (DynamoDB bills reads and writes per KB).
 */
export function sixSignificantDigits(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

/** The scorer's metrics in the stored form, numbers to six significant digits. */
export function toStoredMetrics(metrics: TickerMetrics): StoredMetrics {
  return storedMetrics({
    number: (key) => sixSignificantDigits(metrics[key]),
    numberOrNull: (key) => {
      const value = metrics[key];
      return value !== null && Number.isFinite(value) ? sixSignificantDigits(value) : null;
    },
    text: (key) => metrics[key],
    macdStage: (key) => metrics[key],
  });
}

/**
 * Stored metrics read back from a store's map, or undefined when it is not in
 * this form (a field missing or of another type: an item this version did not write).
 */
export function readStoredMetrics(value: unknown): StoredMetrics | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  let readable = true;
  const field = (key: string): unknown => Reflect.get(value, key);
  const metrics = storedMetrics({
    number: (key) => {
      const v = field(key);
      if (typeof v === "number") return v;
      readable = false;
      return Number.NaN;
    },
    numberOrNull: (key) => {
      const v = field(key);
      if (v === null || typeof v === "number") return v;
      readable = false;
      return null;
    },
    text: (key) => {
      const v = field(key);
      if (typeof v === "string") return v;
      readable = false;
      return "";
    },
    macdStage: (key) => {
      const v = field(key);
      if (isMacdStage(v)) return v;
      readable = false;
      return "none";
    },
  });
  return readable ? metrics : undefined;
}

/** A ticker's metrics again, for finalize: the stored ones with their key and breadth contribution. */
export function fromStoredMetrics(ticker: string, stored: StoredMetrics, breadth: Uint8Array): TickerMetrics {
  return { ...stored, symbol: ticker, breadth };
}

/** The fields of StoredMetrics whose type is exactly V. */
type FieldsOf<V> = {
  [K in keyof StoredMetrics]-?: [StoredMetrics[K]] extends [V]
    ? [V] extends [StoredMetrics[K]]
      ? K
      : never
    : never;
}[keyof StoredMetrics];

/** Where each field's value comes from, by the field's type. */
interface FieldSource {
  number(key: FieldsOf<number>): number;
  numberOrNull(key: FieldsOf<number | null>): number | null;
  text(key: FieldsOf<string>): string;
  macdStage(key: FieldsOf<MacdStage>): MacdStage;
}

/**
 * Every field of StoredMetrics, once: the compiler checks that none is missing
 * and that each is read as its type, so the conversions above need no casts.
 */
function storedMetrics(source: FieldSource): StoredMetrics {
  return {
    lastDate: source.text("lastDate"),
    bars: source.number("bars"),
    price: source.number("price"),
    close: source.number("close"),
    changePct: source.numberOrNull("changePct"),
    return63: source.numberOrNull("return63"),
    return126: source.numberOrNull("return126"),
    return189: source.numberOrNull("return189"),
    return252: source.numberOrNull("return252"),
    sma50: source.numberOrNull("sma50"),
    sma150: source.numberOrNull("sma150"),
    sma200: source.numberOrNull("sma200"),
    sma200Prior: source.numberOrNull("sma200Prior"),
    high52w: source.numberOrNull("high52w"),
    low52w: source.numberOrNull("low52w"),
    ema21: source.numberOrNull("ema21"),
    rsi14: source.numberOrNull("rsi14"),
    atr14: source.numberOrNull("atr14"),
    atrPct: source.numberOrNull("atrPct"),
    macd: source.numberOrNull("macd"),
    macdSignal: source.numberOrNull("macdSignal"),
    macdHistogram: source.numberOrNull("macdHistogram"),
    macdStage: source.macdStage("macdStage"),
    macdBarsSinceCrossover: source.numberOrNull("macdBarsSinceCrossover"),
    avgVolume50: source.numberOrNull("avgVolume50"),
    relativeVolume: source.numberOrNull("relativeVolume"),
    upDownVolumeRatio50: source.numberOrNull("upDownVolumeRatio50"),
  };
}
