import { ByteReader, ByteWriter } from "../bytes.ts";
import { dayNumber, isoFromDay } from "../days.ts";
import { ValidationError } from "../errors.ts";
import { PROVIDERS, type ProviderName } from "../market-data.port.ts";
import type { RawHistory } from "./raw-history.ts";

/**
 * The bars store's encoding of raw bars (a month of one ticker's, usually),
 * exact to the price's quantum: prices are integers in units of 10^-k, with k
 * the smallest exponent that holds every price of the block to within 1e-7
 * (so a provider's float32-widened 12.340000152587891 is stored as 12.34, and
 * reads back as the very double `Math.round(x * 100) / 100` gives); volumes are
 * whole shares. About 9 bytes a bar, against ~100 as provider JSON.
 *
 * Layout, every number an unsigned LEB128 varint, signed ones zig-zag:
 *   version (1), bar count n, first day number and n-1 day gaps, price exponent k,
 *   close delta-coded, open/high/low as offsets from the bar's close, volume,
 *   then the providers as runs: run count, then (index in PROVIDERS, length) each.
 */
const VERSION = 1;
const MAX_EXPONENT = 10;
/** How far a price may be from its quantum to count as on it: float32 noise, not information. */
const QUANTUM_TOLERANCE = 1e-7;

/**
 * A price on its quantum: the nearest multiple of 10^-k for the smallest k within the
 * tolerance (12.340000152587891 → 12.34), as the double `q / 10^k` gives. Fetched bars are
 * quantized before anything reads them, so a series scored straight from a provider's answer
 * and one read back from the store are the same to the last bit.
 */
export function quantizePrice(p: number): number {
  for (let k = 0; k < MAX_EXPONENT; k++) {
    const unit = 10 ** k;
    const scaled = p * unit;
    const q = Math.round(scaled);
    if (Math.abs(scaled - q) <= QUANTUM_TOLERANCE * Math.abs(scaled)) return q / unit;
  }
  return Math.round(p * 10 ** MAX_EXPONENT) / 10 ** MAX_EXPONENT;
}

/** Bars as the store will keep them: prices on their quanta, whole shares. */
export function quantizeHistory(history: RawHistory): RawHistory {
  const q = (column: Float64Array) => column.map(quantizePrice);
  return {
    ...history,
    open: q(history.open),
    high: q(history.high),
    low: q(history.low),
    close: q(history.close),
    volume: history.volume.map(Math.round),
  };
}

function priceExponent(history: RawHistory): number {
  const columns = [history.open, history.high, history.low, history.close];
  search: for (let k = 0; k < MAX_EXPONENT; k++) {
    const unit = 10 ** k;
    for (const column of columns) {
      for (const p of column) {
        const scaled = p * unit;
        if (Math.abs(scaled - Math.round(scaled)) > QUANTUM_TOLERANCE * scaled) continue search;
      }
    }
    return k;
  }
  return MAX_EXPONENT;
}

export function encodeBars(history: RawHistory): Uint8Array {
  const n = history.dates.length;
  const w = new ByteWriter();
  w.uint(VERSION);
  w.uint(n);
  let prevDay = 0;
  for (let i = 0; i < n; i++) {
    const day = dayNumber(history.dates[i]!);
    if (i > 0 && day <= prevDay)
      throw new RangeError(`bars of ${history.symbol} not ascending at ${history.dates[i]}`);
    w.uint(i === 0 ? day : day - prevDay);
    prevDay = day;
  }
  const k = priceExponent(history);
  w.uint(k);
  const unit = 10 ** k;
  const closes = new Float64Array(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.round(history.close[i]! * unit);
    closes[i] = q;
    w.int(q - prev);
    prev = q;
  }
  for (const column of [history.open, history.high, history.low]) {
    for (let i = 0; i < n; i++) w.int(Math.round(column[i]! * unit) - closes[i]!);
  }
  for (let i = 0; i < n; i++) w.uint(Math.round(history.volume[i]!));
  const runs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const index = PROVIDERS.indexOf(history.provider[i]!);
    const last = runs[runs.length - 1];
    if (last && last[0] === index) last[1]++;
    else runs.push([index, 1]);
  }
  w.uint(runs.length);
  for (const [index, length] of runs) {
    w.uint(index);
    w.uint(length);
  }
  return w.result().slice();
}

/** Decodes what encodeBars wrote; damaged bytes are a ValidationError naming the symbol, never wrong bars. */
export function decodeBars(symbol: string, bytes: Uint8Array): RawHistory {
  try {
    const r = new ByteReader(bytes);
    const version = r.uint();
    if (version !== VERSION) throw new Error(`unknown version ${version}`);
    const n = r.uint();
    if (n > 100_000) throw new Error(`implausible bar count ${n}`);
    const dates: string[] = new Array(n);
    let day = 0;
    for (let i = 0; i < n; i++) {
      day = i === 0 ? r.uint() : day + r.uint();
      dates[i] = isoFromDay(day);
    }
    const k = r.uint();
    if (k > MAX_EXPONENT) throw new Error(`implausible price exponent ${k}`);
    const unit = 10 ** k;
    const columns = new Float64Array(5 * n);
    const open = columns.subarray(0, n);
    const high = columns.subarray(n, 2 * n);
    const low = columns.subarray(2 * n, 3 * n);
    const close = columns.subarray(3 * n, 4 * n);
    const volume = columns.subarray(4 * n, 5 * n);
    const closeUnits = new Float64Array(n);
    let q = 0;
    for (let i = 0; i < n; i++) {
      q += r.int();
      closeUnits[i] = q;
      close[i] = q / unit;
    }
    for (const column of [open, high, low]) {
      for (let i = 0; i < n; i++) column[i] = (closeUnits[i]! + r.int()) / unit;
    }
    for (let i = 0; i < n; i++) volume[i] = r.uint();
    const provider: ProviderName[] = [];
    const runCount = r.uint();
    for (let j = 0; j < runCount; j++) {
      const name = PROVIDERS[r.uint()];
      const length = r.uint();
      if (!name) throw new Error("unknown provider index");
      for (let i = 0; i < length; i++) provider.push(name);
    }
    if (provider.length !== n) throw new Error(`providers for ${provider.length} of ${n} bars`);
    if (!r.done) throw new Error("bytes after the last field");
    return { symbol, dates, open, high, low, close, volume, provider };
  } catch (error) {
    throw new ValidationError(`stored bars of ${symbol}`, [(error as Error).message], { cause: error });
  }
}
