/**
 * Provider body reading: Yahoo's, FMP's and Alpha Vantage's answers of a year
 * of daily bars (260), read by the adapters as the fetcher reads every body
 * of a scan (JSON.parse, the hand-written shape checks, normalising to a
 * Series), against `JSON.parse` of the same text alone in the same run: what
 * no reader can do without, so the ratio is what checking and normalising add.
 * Warm-up first, then alternating repetitions; the median of each is reported.
 * Every reading is checked to return all the bars.
 *
 * This replaces a test that asserted under 5 ms per body (a timed test fails
 * on a busy machine); the figures say whether each provider is within it.
 *
 * Run alone: `node --import tsx bench/body-validation.ts`.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  BAR_DATES,
  BARS,
  BODY_READERS,
  LONG_BODIES,
  type LongBodyProvider,
} from "../test/support/provider-bodies.ts";
import type { BenchFigures, BenchResult } from "./types.ts";

/** Bodies read per timed repetition. */
const ROUNDS = 200;
const REPETITIONS = 7;
/** The bound the former test asserted, per body. */
const FORMER_BOUND_MS = 5;

interface ProviderTiming {
  provider: LongBodyProvider;
  bodyKiB: number;
  readMicros: number;
  parseMicros: number;
}

export async function run(): Promise<BenchResult> {
  const providers = Object.keys(LONG_BODIES) as LongBodyProvider[];
  const timings = providers.map(timeProvider);
  const worst = timings.reduce((a, b) =>
    b.readMicros / b.parseMicros > a.readMicros / a.parseMicros ? b : a,
  );
  const ours: BenchFigures = {};
  const baseline: BenchFigures = {};
  for (const t of timings) {
    ours[`${t.provider}ReadMicros`] = round(t.readMicros, 1);
    ours[`${t.provider}ReadOverParse`] = round(t.readMicros / t.parseMicros, 2);
    baseline[`${t.provider}ParseMicros`] = round(t.parseMicros, 1);
    baseline[`${t.provider}BodyKiB`] = round(t.bodyKiB, 1);
  }
  const slowestMs = Math.max(...timings.map((t) => t.readMicros)) / 1000;
  ours.withinFormerTestBound = slowestMs < FORMER_BOUND_MS;
  return {
    name: "body-validation",
    description: `read + validate + normalise a ${BARS}-bar provider body (${providers.join(", ")}), median of ${REPETITIONS} × ${ROUNDS} bodies`,
    figures: ours,
    baseline: { name: "JSON.parse of the same body alone", figures: baseline },
    ratio: {
      label: `read ÷ JSON.parse, slowest relative (${worst.provider})`,
      value: round(worst.readMicros / worst.parseMicros, 2),
    },
    notes: [
      "each reading is checked to return all the bars, in order, before anything is timed",
      `withinFormerTestBound: every provider's median under ${FORMER_BOUND_MS} ms per body, the bound of the timed test this benchmark replaces (20× what was measured when it was written, to catch a quadratic path or a per-bar allocation storm)`,
      "the ratio leaves the machine's speed out: JSON.parse is timed on the same text in the same repetitions",
    ],
  };
}

function timeProvider(provider: LongBodyProvider): ProviderTiming {
  const text = LONG_BODIES[provider];
  const read = BODY_READERS[provider];
  const first = read(text);
  if (!first.ok) throw new Error(`body-validation benchmark: ${provider} body not read: ${first.message}`);
  if (first.series.dates.join() !== BAR_DATES.join())
    throw new Error(`body-validation benchmark: ${provider} body read without all its bars`);

  // Each run returns a count, consumed after timing, so the JIT cannot drop the work.
  let sink = 0;
  const readAll = () => {
    let bars = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const result = read(text);
      bars += result.ok ? result.series.dates.length : 0;
    }
    return bars;
  };
  const parseAll = () => {
    let size = 0;
    for (let i = 0; i < ROUNDS; i++) size += Object.keys(JSON.parse(text) as object).length;
    return size;
  };
  readAll();
  parseAll();

  const readMs: number[] = [];
  const parseMs: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    let t = performance.now();
    sink += readAll();
    readMs.push(performance.now() - t);
    t = performance.now();
    sink += parseAll();
    parseMs.push(performance.now() - t);
  }
  if (sink < REPETITIONS * ROUNDS * BARS) throw new Error("body-validation benchmark: readings lost bars");
  return {
    provider,
    bodyKiB: Buffer.byteLength(text) / 1024,
    readMicros: (median(readMs) * 1000) / ROUNDS,
    parseMicros: (median(parseMs) * 1000) / ROUNDS,
  };
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
