import { deflateRawSync, inflateRawSync } from "node:zlib";
import { ByteReader, ByteWriter } from "./bytes.ts";
import { dayNumber, isoFromDay } from "./days.ts";
import { ValidationError } from "./errors.ts";
import type { Series } from "./series.ts";

/**
 * A compact, exact-to-the-quantum text encoding of a Series, used for the
 * response cache (Upstash) and the score queue (SQS). Both bill by size: SQS
 * counts every 64 KiB of a request as one request, so a chunk of ten tickers'
 * two years of bars must fit one 64 KiB message; JSON of the same bars is
 * about 6× larger.
 *
 * Layout (before deflate-raw and base64), every number an unsigned LEB128
 * varint, signed ones zig-zag encoded:
 *   symbol (length + UTF-8), bar count n, price exponent k, volume exponent e,
 *   first day number (days since 1970-01-01) and n-1 day gaps;
 *   adjClose as integers in units of 10^-k, delta-coded;
 *   log(close / adjClose) in units of 1e-7, delta-coded (zero between
 *   dividends and splits, so it deflates to almost nothing);
 *   open, high, low as offsets from the bar's close in units of 1e-5;
 *   volume in units of 10^e, delta-coded.
 *
 * Precision, chosen so scores are unaffected and ten tickers of two years fit
 * one SQS billing unit: adjClose keeps 6 significant digits of the series'
 * highest price (error ≤ 5e-6 of it); close, open, high and low add at most 5e-6 relative to that; volume keeps
 * 3 significant digits of the mean volume. Dates are
 * exact. The magic prefix versions the format.
 */
const MAGIC = "TFS2";
const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder();

/** Prices keep this many significant digits of the series' highest adjusted close. */
const PRICE_DIGITS = 6;
/** Open, high and low are stored relative to the bar's close in units of 1e-5 (0.1 basis point). */
const OFFSET_UNIT = 1e5;
/** close / adjClose is stored as its logarithm in units of 1e-7: constant between corporate actions. */
const FACTOR_UNIT = 1e7;
/** Volumes keep three significant digits of the series' mean volume (±0.5 % on an ordinary day). */
const VOLUME_DIGITS = 3;

function priceExponent(series: Series): number {
  let max = 0;
  for (const v of series.adjClose) if (v > max) max = v;
  if (!(max > 0)) return 0;
  return Math.max(0, Math.min(10, PRICE_DIGITS - Math.ceil(Math.log10(max + 1e-12))));
}

function volumeExponent(series: Series): number {
  // The mean stands in for the median: cheaper, and within the same power of ten for any real series.
  let sum = 0;
  for (const v of series.volume) sum += v;
  const mean = series.volume.length > 0 ? sum / series.volume.length : 0;
  if (!(mean >= 1)) return 0;
  return Math.max(0, Math.floor(Math.log10(mean)) + 1 - VOLUME_DIGITS);
}

export function encodeSeries(series: Series): string {
  const n = series.dates.length;
  const w = new ByteWriter();
  w.bytes(UTF8_ENCODER.encode(series.symbol));
  w.uint(n);
  const k = priceExponent(series);
  const e = volumeExponent(series);
  w.uint(k);
  w.uint(e);
  if (n > 0) {
    let prev = dayNumber(series.dates[0]!);
    w.uint(prev);
    for (let i = 1; i < n; i++) {
      const d = dayNumber(series.dates[i]!);
      if (d <= prev) throw new RangeError(`dates not ascending at ${series.dates[i]}`);
      w.uint(d - prev);
      prev = d;
    }
  }
  const unit = 10 ** k;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.round(series.adjClose[i]! * unit);
    w.int(q - prev);
    prev = q;
  }
  prev = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.round(Math.log(series.close[i]! / series.adjClose[i]!) * FACTOR_UNIT);
    w.int(q - prev);
    prev = q;
  }
  for (const col of ["open", "high", "low"] as const) {
    const values = series[col];
    for (let i = 0; i < n; i++) w.int(Math.round((values[i]! / series.close[i]! - 1) * OFFSET_UNIT));
  }
  const vunit = 10 ** e;
  prev = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.round(series.volume[i]! / vunit);
    w.int(q - prev);
    prev = q;
  }
  // Level 1: a few percent larger than the default level, several times faster.
  const body = deflateRawSync(w.result(), { level: 1 });
  return MAGIC + Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("base64");
}

/** Decodes what encodeSeries wrote; a damaged value is a ValidationError, never a wrong series. */
export function decodeSeries(text: string): Series {
  if (typeof text !== "string" || !text.startsWith(MAGIC)) {
    throw new ValidationError("encoded series", ["does not start with the TFS2 marker"]);
  }
  try {
    const raw = inflateRawSync(Buffer.from(text.slice(MAGIC.length), "base64"));
    const r = new ByteReader(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    const symbol = UTF8_DECODER.decode(r.bytes());
    const n = r.uint();
    const k = r.uint();
    const e = r.uint();
    if (n > 100_000 || k > 10 || e > 15) throw new Error(`implausible header (bars ${n}, scale ${k})`);
    const dates: string[] = new Array(n);
    if (n > 0) {
      let day = r.uint();
      dates[0] = isoFromDay(day);
      for (let i = 1; i < n; i++) {
        day += r.uint();
        dates[i] = isoFromDay(day);
      }
    }
    const adjClose = new Float64Array(n);
    const close = new Float64Array(n);
    const unit = 10 ** k;
    let q = 0;
    for (let i = 0; i < n; i++) {
      q += r.int();
      adjClose[i] = q / unit;
    }
    q = 0;
    // The factor changes only at dividends and splits: one exp per change, not per bar.
    let factorOf = Number.NaN;
    let factor = 1;
    for (let i = 0; i < n; i++) {
      q += r.int();
      if (q !== factorOf) {
        factorOf = q;
        factor = Math.exp(q / FACTOR_UNIT);
      }
      close[i] = adjClose[i]! * factor;
    }
    const offsets: Float64Array[] = [];
    for (let c = 0; c < 3; c++) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = close[i]! * (1 + r.int() / OFFSET_UNIT);
      offsets.push(out);
    }
    const volume = new Float64Array(n);
    const vunit = 10 ** e;
    q = 0;
    for (let i = 0; i < n; i++) {
      q += r.int();
      volume[i] = q * vunit;
    }
    if (!r.done) throw new Error("trailing bytes");
    return {
      symbol,
      dates,
      open: offsets[0]!,
      high: offsets[1]!,
      low: offsets[2]!,
      close,
      adjClose,
      volume,
    };
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError("encoded series", [(error as Error).message], { cause: error });
  }
}
