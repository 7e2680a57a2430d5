import type { ScanChanges } from "../changes/changes.ts";
import type { StoredBreadth } from "../pipeline/stored-breadth.ts";
import type { ReportData, ReportPriceChart, ReportRow } from "./report-data.ts";

/**
 * A synthetic, deterministic ReportData for the renderer's tests and for looking at the page:
 * `rows` scored tickers (best composite first) with screens, a breadth series, price charts of the
 * top tickers and the changes since a previous scan. The same options give the same data.
 */
export interface ReportFixtureOptions {
  /** @default 300 */
  rows?: number;
  /** Price charts of the top tickers. @default 20 */
  charts?: number;
  /** Sessions in the breadth series and in each price chart. @default 250 */
  days?: number;
  /** `"first"`: changes of a universe's first scan (previousScanId null); `false`: none. @default true */
  changes?: boolean | "first";
  /** @default 19 */
  seed?: number;
}

/** The fixture's screens; the last is an expression (with a `<` to escape), not a preset. */
export const FIXTURE_SCREENS = [
  { name: "trend-template", expression: "trend_template", test: (r: ReportRow) => r.trend === 8 },
  { name: "rs-leaders", expression: "rs >= 90", test: (r: ReportRow) => (r.rs ?? 0) >= 90 },
  {
    name: "canslim",
    expression: "composite >= 80 and trend >= 7",
    test: (r: ReportRow) => (r.composite ?? 0) >= 80 && (r.trend ?? 0) >= 7,
  },
  { name: "new-highs", expression: "new_high", test: (r: ReportRow) => (r.pctFromHigh ?? 99) < 1 },
  {
    name: "close < 50 and rs >= 70",
    expression: "close < 50 and rs >= 70",
    test: (r: ReportRow) => (r.close ?? 0) < 50 && (r.rs ?? 0) >= 70,
  },
] as const;

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct tickers in bijective base 26: A … Z, AA … ZZ, AAA …, in a shuffled order. */
function fixtureTicker(i: number): string {
  let n = i + 1;
  let s = "";
  while (n > 0) {
    n -= 1;
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26);
  }
  return s;
}

/** `n` weekdays ending on 2026-03-13, as ISO dates. */
function weekdays(n: number): string[] {
  const dates: string[] = [];
  const day = new Date(Date.UTC(2026, 2, 13));
  while (dates.length < n) {
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) dates.push(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() - 1);
  }
  return dates.reverse();
}

const round = (v: number, decimals: number) => Number(v.toFixed(decimals));

function sma(values: readonly number[], period: number): (number | null)[] {
  let sum = 0;
  return values.map((v, i) => {
    sum += v;
    if (i >= period) sum -= values[i - period]!;
    return i >= period - 1 ? round(sum / period, 2) : null;
  });
}

const MACD = ["bullish-crossover", "bullish", "bearish-crossover", "bearish", null] as const;

function fixtureRows(n: number, random: () => number): ReportRow[] {
  // Shuffle the ticker names so rank order is not alphabetical order.
  const names = Array.from({ length: n }, (_, i) => fixtureTicker(i));
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  const composites = Array.from({ length: n }, () => round(random() * 100, 2)).sort((a, b) => b - a);
  return names.map((ticker, i) => {
    const maybe = <T>(value: T): T | null => (random() < 0.03 ? null : value);
    const row: ReportRow = {
      rank: i + 1,
      ticker,
      composite: composites[i]!,
      rs: maybe(1 + Math.floor(random() * 99)),
      trend: Math.floor(random() * 9),
      close: round(5 + random() * 495, 2),
      changePct: maybe(round((random() - 0.5) * 10, 3)),
      volumeRatio: maybe(round(0.2 + random() * 3.8, 3)),
      rsi14: maybe(round(10 + random() * 80, 2)),
      pctFromHigh: maybe(round(random() < 0.1 ? random() : random() * 60, 3)),
      macdStage: MACD[Math.floor(random() * MACD.length)]!,
      provider: random() < 0.9 ? "yahoo" : "fmp",
      screens: [],
    };
    row.screens = FIXTURE_SCREENS.flatMap((s, index) => (s.test(row) ? [index] : []));
    return row;
  });
}

/** `length` values, each `next` of the one before (the first is `next(start)`). */
function walk(length: number, start: number, next: (previous: number) => number): number[] {
  const values: number[] = [];
  let value = start;
  for (let i = 0; i < length; i++) {
    value = next(value);
    values.push(value);
  }
  return values;
}

function cumulative(values: readonly number[]): number[] {
  let sum = 0;
  return values.map((v) => {
    sum += v;
    return sum;
  });
}

/** The values with the first `count` as null (a series not yet defined there). */
const undefinedFor = (values: readonly number[], count: number) =>
  values.map((v, i) => (i < count ? null : v));

function fixtureBreadth(dates: string[], issues: number, random: () => number): StoredBreadth {
  const n = dates.length;
  const column = (f: (i: number) => number) => dates.map((_, i) => f(i));
  const advances = column(() => Math.floor(random() * issues * 0.8));
  const declines = advances.map((a) => Math.floor(random() * (issues - a)));
  const net = advances.map((a, i) => a - declines[i]!);
  const bounded = (step: number) => (v: number) => Math.min(100, Math.max(0, v + (random() - 0.5) * step));
  const pct50 = undefinedFor(
    walk(n, 55, bounded(8)).map((v) => round(v, 2)),
    49,
  );
  const pct200 = undefinedFor(
    walk(n, 60, bounded(4)).map((v) => round(v, 2)),
    199,
  );
  const oscillator = walk(n, 0, (v) => v * 0.8 + (random() - 0.5) * 60).map((v) => round(v, 2));
  const mcClellan = undefinedFor(oscillator, 38);
  const share = (p: number | null) => (p === null ? null : Math.round((p / 100) * issues));
  return {
    dates,
    issues: column(() => issues),
    advances,
    declines,
    unchanged: advances.map((a, i) => issues - a - declines[i]!),
    netAdvances: net,
    advanceDeclineLine: cumulative(net),
    aboveSma50: pct50.map(share),
    sma50Defined: column((i) => (i < 49 ? 0 : issues)),
    pctAboveSma50: pct50,
    aboveSma200: pct200.map(share),
    sma200Defined: column((i) => (i < 199 ? 0 : issues)),
    pctAboveSma200: pct200,
    newHighs: column(() => Math.floor(random() * random() * issues * 0.08)),
    newLows: column(() => Math.floor(random() * random() * issues * 0.06)),
    mcClellanOscillator: mcClellan,
    summationIndex: undefinedFor(
      cumulative(oscillator).map((v) => round(v, 2)),
      38,
    ),
    ratioAdjustedOscillator: mcClellan.map((m) => (m === null ? null : round(m / 10, 3))),
    ratioAdjustedSummationIndex: mcClellan.map((m) => (m === null ? null : round(m / 5, 3))),
  };
}

function fixtureChart(row: ReportRow, dates: string[], random: () => number): ReportPriceChart {
  // Walked back from the last close, so the chart ends near the row's price.
  const close = walk(dates.length, row.close ?? 100, (p) =>
    round(p * (1 + (random() - 0.52) * 0.04), 2),
  ).reverse();
  return {
    ticker: row.ticker,
    rank: row.rank,
    dates,
    close,
    sma50: sma(close, 50),
    sma150: sma(close, 150),
    sma200: sma(close, 200),
  };
}

function pick(from: readonly string[], k: number, random: () => number): string[] {
  return [...new Set(Array.from({ length: k }, () => from[Math.floor(random() * from.length)]!))].sort();
}

function fixtureChanges(rows: ReportRow[], first: boolean, random: () => number): ScanChanges {
  const all = rows.map((r) => r.ticker);
  const screens = Object.fromEntries(
    FIXTURE_SCREENS.map((s) => [
      s.name,
      first ? { entered: [], left: [] } : { entered: pick(all, 6, random), left: pick(all, 4, random) },
    ]),
  );
  if (first) {
    return {
      previousScanId: null,
      screens,
      top: { size: 20, entered: [], left: [] },
      rs: { "80": { crossedAbove: [], crossedBelow: [] }, "90": { crossedAbove: [], crossedBelow: [] } },
      market: null,
    };
  }
  return {
    previousScanId: "scan-2026-03-12",
    screens,
    top: { size: 20, entered: pick(all.slice(0, 20), 3, random), left: pick(all.slice(20), 3, random) },
    rs: {
      "80": { crossedAbove: pick(all, 8, random), crossedBelow: pick(all, 5, random) },
      "90": { crossedAbove: pick(all, 4, random), crossedBelow: pick(all, 2, random) },
    },
    market: { from: "uptrend-under-pressure", to: "correction" },
  };
}

export function reportFixture(options: ReportFixtureOptions = {}): ReportData {
  const { rows: n = 300, charts = 20, days = 250, changes = true, seed = 19 } = options;
  const random = prng(seed);
  const rows = fixtureRows(n, random);
  const dates = weekdays(days);
  const failed = Math.ceil(n / 100);
  const unaccounted = Math.ceil(n / 300);
  return {
    scan: {
      scanId: "scan-2026-03-13",
      universe: "us-all",
      provider: "yahoo",
      providers: ["yahoo", "fmp"],
      plan: { requests: 42, seconds: 95 },
      status: "PARTIAL",
      session: dates.at(-1)!,
      createdAt: "2026-03-13T21:30:00.000Z",
      finishedAt: "2026-03-13T21:36:41.000Z",
      durationMs: 401_000,
      total: n + failed + unaccounted,
      scored: n,
      failed,
      unaccounted,
      providerRequests: 57,
      costUsd: 0.0123,
      byProvider: { yahoo: Math.round(n * 0.9), fmp: n - Math.round(n * 0.9) },
      cacheHits: Math.floor(n / 3),
      market: {
        state: "correction",
        score: -2,
        reasons: ["5 distribution days in 25 sessions", "index closed below its 50-day average"],
      },
      failures: Array.from({ length: failed + unaccounted }, (_, i) => ({
        ticker: `ZZ${fixtureTicker(i)}`,
        reason: i < failed ? "provider returned no bars for 30 sessions" : "unaccounted: no result recorded",
      })),
    },
    rows,
    screens: FIXTURE_SCREENS.map(({ name, expression }) => ({ name, expression })),
    changes: changes === false ? undefined : fixtureChanges(rows, changes === "first", random),
    breadth: fixtureBreadth(dates, n, random),
    charts: rows.slice(0, charts).map((row) => fixtureChart(row, dates, random)),
    generatedAt: "2026-03-13T21:40:00.000Z",
  };
}
