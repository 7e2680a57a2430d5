import type { BreadthSeries } from "../scoring/breadth-accumulator.ts";
import { sixSignificantDigits } from "./stored-metrics.ts";

type BreadthColumn = Exclude<keyof BreadthSeries, "dates">;

/**
 * A scan's breadth series as stored and printed: the typed arrays as plain
 * arrays (JSON- and DynamoDB-safe), NaN as null, numbers to six significant digits.
 */
export type StoredBreadth = { dates: string[] } & Record<BreadthColumn, (number | null)[]>;

/** Finalize's breadth series in the stored form. */
export function toStoredBreadth(series: BreadthSeries): StoredBreadth {
  return {
    dates: series.dates,
    ...breadthColumns((key) =>
      Array.from(series[key], (v) => (Number.isFinite(v) ? sixSignificantDigits(v) : null)),
    ),
  };
}

/** A stored breadth series read back from a store's map, or undefined when it has no dates. */
export function readStoredBreadth(value: unknown): StoredBreadth | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const dates: unknown = Reflect.get(value, "dates");
  if (!Array.isArray(dates)) return undefined;
  return {
    dates: dates.map(String),
    ...breadthColumns((key) => {
      const column: unknown = Reflect.get(value, key);
      return Array.isArray(column) ? column.map((v) => (typeof v === "number" ? v : null)) : [];
    }),
  };
}

/** Every column of the series, once (the compiler checks that none is missing). */
function breadthColumns(
  column: (key: BreadthColumn) => (number | null)[],
): Record<BreadthColumn, (number | null)[]> {
  return {
    issues: column("issues"),
    advances: column("advances"),
    declines: column("declines"),
    unchanged: column("unchanged"),
    netAdvances: column("netAdvances"),
    advanceDeclineLine: column("advanceDeclineLine"),
    aboveSma50: column("aboveSma50"),
    sma50Defined: column("sma50Defined"),
    pctAboveSma50: column("pctAboveSma50"),
    aboveSma200: column("aboveSma200"),
    sma200Defined: column("sma200Defined"),
    pctAboveSma200: column("pctAboveSma200"),
    newHighs: column("newHighs"),
    newLows: column("newLows"),
    mcClellanOscillator: column("mcClellanOscillator"),
    summationIndex: column("summationIndex"),
    ratioAdjustedOscillator: column("ratioAdjustedOscillator"),
    ratioAdjustedSummationIndex: column("ratioAdjustedSummationIndex"),
  };
}
