/**
 * Indicator throughput: EMA(21) + RSI(14) + MACD(12,26,9) over 5,000 series of
 * 260 closes (deterministic random walks), ours (reusing output buffers)
 * against the `technicalindicators` package in the same run. Warm-up first,
 * then alternating repetitions; the median of each is reported. A sample of
 * results is checked for agreement and the benchmark throws if they differ.
 *
 * Run alone: `node --import tsx bench/indicators.ts`.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import * as ti from "technicalindicators";
import { ema, type MacdResult, macd, rsi } from "../packages/core/indicators.ts";
import { computeTickerMetrics } from "../packages/core/scoring/ticker-metrics.ts";
import { mulberry32, randomWalk, syntheticSeries } from "../test/support/synthetic-series.ts";
import type { BenchResult } from "./types.ts";

const SERIES = 5_000;
const LENGTH = 260;
const REPETITIONS = 5;
const SAMPLE_EVERY = 97;

export async function run(): Promise<BenchResult> {
  const random = mulberry32(20240601);
  const typed: Float64Array[] = [];
  const plain: number[][] = [];
  for (let s = 0; s < SERIES; s++) {
    const closes = randomWalk(random, LENGTH, {
      start: 5 + random() * 300,
      volatility: 0.01 + random() * 0.03,
    });
    typed.push(closes);
    plain.push(Array.from(closes));
  }

  const buffers = {
    ema: new Float64Array(LENGTH),
    rsi: new Float64Array(LENGTH),
    macd: {
      macd: new Float64Array(LENGTH),
      signal: new Float64Array(LENGTH),
      histogram: new Float64Array(LENGTH),
    } satisfies MacdResult,
  };
  // Each run returns a checksum, consumed after timing, so the JIT cannot drop
  // the work (a local: a captured variable would box a number per addition).
  let sink = 0;
  const ours = () => {
    let sum = 0;
    for (let s = 0; s < SERIES; s++) {
      const closes = typed[s]!;
      ema(closes, 21, buffers.ema);
      rsi(closes, 14, buffers.rsi);
      macd(closes, 12, 26, 9, buffers.macd);
      sum += buffers.ema[LENGTH - 1]! + buffers.rsi[LENGTH - 1]! + buffers.macd.histogram[LENGTH - 1]!;
    }
    return sum;
  };
  const theirs = () => {
    let sum = 0;
    for (let s = 0; s < SERIES; s++) {
      const { ema: e, rsi: r, macd: m } = theirIndicators(plain[s]!);
      sum += e[e.length - 1]! + r[r.length - 1]! + (m[m.length - 1]?.histogram ?? 0);
    }
    return sum;
  };

  checkAgreement(typed, plain);

  // Warm-up: let both reach optimised code before anything is timed.
  ours();
  ours();
  theirs();

  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    let t = performance.now();
    sink += ours();
    oursMs.push(performance.now() - t);
    t = performance.now();
    sink += theirs();
    theirsMs.push(performance.now() - t);
  }
  // Allocation: heap growth over one whole run of ours, from a collected heap.
  // (Taken apart from the timed runs so the baseline's garbage is not in it.)
  const gc = exposeGc();
  const heapDeltas: number[] = [];
  for (let rep = 0; gc && rep < REPETITIONS; rep++) {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    sink += ours();
    heapDeltas.push(process.memoryUsage().heapUsed - heapBefore);
  }
  const metricsMicros = tickerMetricsMicros();

  if (!Number.isFinite(sink)) throw new Error("indicator benchmark: checksum is not finite");

  const oursMedian = median(oursMs);
  const theirsMedian = median(theirsMs);
  const speedup = theirsMedian / oursMedian;
  // The minimum is what the work itself allocates; single runs also catch
  // V8's own bookkeeping (compiled code, feedback), up to ~150 KB here.
  const heapDelta = gc ? Math.min(...heapDeltas) : 0;
  const heapDeltaMax = gc ? Math.max(...heapDeltas) : 0;
  return {
    name: "indicators",
    description: `EMA(21) + RSI(14) + MACD(12,26,9) over ${SERIES} series × ${LENGTH} closes, median of ${REPETITIONS}`,
    figures: {
      medianMs: round(oursMedian, 2),
      minMs: round(Math.min(...oursMs), 2),
      perSeriesMicros: round((oursMedian * 1000) / SERIES, 3),
      heapUsedDeltaBytesPerRun: gc ? Math.round(heapDelta) : null,
      heapUsedDeltaBytesPerRunMax: gc ? Math.round(heapDeltaMax) : null,
      heapUsedDeltaBytesPerSeries: gc ? round(heapDelta / SERIES, 2) : null,
      computeTickerMetricsMicrosPer500Bars: round(metricsMicros, 1),
    },
    baseline: {
      name: "technicalindicators 3.1.0",
      figures: {
        medianMs: round(theirsMedian, 2),
        minMs: round(Math.min(...theirsMs), 2),
        perSeriesMicros: round((theirsMedian * 1000) / SERIES, 3),
      },
    },
    ratio: {
      label: "speedup vs technicalindicators",
      value: round(speedup, 1),
      target: ">= 20",
      met: speedup >= 20,
    },
    notes: [
      `agreement checked on every ${SAMPLE_EVERY}th series: EMA and MACD to 1e-9 relative, RSI within technicalindicators' 2-decimal rounding`,
      "ours reuses one set of output buffers for all series (no allocation per series); technicalindicators allocates arrays, generator state and (MACD) an object per value",
      gc
        ? `heap delta: heapUsed after one full run of ours minus before it, from a collected heap; min (and max) of ${REPETITIONS} runs`
        : "heap delta not measured: could not expose gc",
      "limits: one pass per indicator over 260 values stays in L1 cache; what remains is each EMA's loop-carried dependency (subtract, multiply, add per value) and the finiteness check on every input value",
      "computeTickerMetricsMicrosPer500Bars: the scorer's whole per-ticker step (indicators, trend/RS/CANSLIM inputs, MACD stage, breadth contribution) per 500-bar series",
    ],
  };
}

/**
 * Side figure: the scorer's whole per-ticker step (all indicators, scores'
 * inputs, breadth contribution) on 500-bar series, median of 3 runs over 1,000.
 */
function tickerMetricsMicros(): number {
  const series = Array.from({ length: 1000 }, (_, i) => syntheticSeries(`S${i}`, i + 1, 500));
  let bars = 0;
  const runOnce = () => {
    const t = performance.now();
    for (const s of series) {
      const m = computeTickerMetrics(s);
      bars += "insufficient" in m ? 0 : m.bars;
    }
    return ((performance.now() - t) * 1000) / series.length;
  };
  runOnce();
  const times = [runOnce(), runOnce(), runOnce()];
  if (bars !== 4 * 1000 * 500) throw new Error("indicator benchmark: computeTickerMetrics skipped series");
  return median(times);
}

/** EMA(21), RSI(14) and MACD(12, 26, 9) by technicalindicators, configured as ours (EMA-based MACD). */
function theirIndicators(values: number[]) {
  return {
    ema: ti.ema({ period: 21, values }),
    rsi: ti.rsi({ period: 14, values }),
    macd: ti.macd({
      values,
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    }),
  };
}

function checkAgreement(typed: readonly Float64Array[], plain: readonly number[][]): void {
  for (let s = 0; s < typed.length; s += SAMPLE_EVERY) {
    const e = ema(typed[s]!, 21);
    const r = rsi(typed[s]!, 14);
    const m = macd(typed[s]!, 12, 26, 9);
    const { ema: te, rsi: tr, macd: tm } = theirIndicators(plain[s]!);
    compare(`ema series ${s}`, e, te, 1e-9, 0);
    compare(`rsi series ${s}`, r, tr, 0, 0.005 + 1e-9);
    compare(
      `macd series ${s}`,
      m.macd,
      tm.map((x) => x.MACD),
      1e-9,
      0,
    );
    compare(
      `macd signal series ${s}`,
      m.signal,
      tm.map((x) => x.signal),
      1e-9,
      0,
    );
  }
}

/** Theirs is aligned to the end of ours; entries theirs leaves undefined must be NaN in ours. */
function compare(
  what: string,
  ours: Float64Array,
  theirs: readonly (number | undefined)[],
  rel: number,
  abs: number,
): void {
  const offset = ours.length - theirs.length;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = i < offset ? undefined : theirs[i - offset];
    const ok =
      b === undefined
        ? Number.isNaN(a)
        : Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));
    if (!ok)
      throw new Error(`indicator benchmark: results disagree, ${what} index ${i}: ours ${a}, theirs ${b}`);
  }
}

/** `gc()` without requiring `--expose-gc` on the command line. */
function exposeGc(): (() => void) | undefined {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
