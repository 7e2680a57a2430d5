import { ByteReader, ByteWriter } from "../../core/bytes.ts";
import { dayNumber, isoFromDay } from "../../core/days.ts";
import { ValidationError } from "../../core/errors.ts";
import { decodeBars, encodeBars } from "../../core/history/bars-codec.ts";
import type { RawHistory } from "../../core/history/raw-history.ts";

/**
 * One ticker's bars in one item of the bars store, with when they were written and the span of
 * sessions they speak for. A ticker's history is read back by laying its blobs over each other
 * in the order they were written: each replaces every stored session in its span with its own.
 * So a whole-history write (one blob, the shard's `base` item) and the daily writes after it
 * (the quarter items) need no compaction and never disagree: the later one wins where both speak.
 *
 * Layout: version (1), written-at epoch ms, span from and to (day numbers), then the bars as
 * history/bars-codec encodes them; varints.
 */
const VERSION = 1;

export interface BarsBlob {
  writtenAt: number;
  /** The sessions the blob speaks for, ISO dates, both inclusive: any not in it did not trade. */
  from: string;
  to: string;
  bars: RawHistory;
}

export function encodeBlob(blob: BarsBlob): Uint8Array {
  const w = new ByteWriter();
  w.uint(VERSION);
  w.uint(blob.writtenAt);
  w.uint(dayNumber(blob.from));
  w.uint(dayNumber(blob.to));
  w.bytes(encodeBars(blob.bars));
  return w.result().slice();
}

export function decodeBlob(symbol: string, bytes: Uint8Array): BarsBlob {
  try {
    const r = new ByteReader(bytes);
    const version = r.uint();
    if (version !== VERSION) throw new Error(`unknown blob version ${version}`);
    const writtenAt = r.uint();
    const from = isoFromDay(r.uint());
    const to = isoFromDay(r.uint());
    const bars = decodeBars(symbol, r.bytes());
    if (!r.done) throw new Error("bytes after the bars");
    return { writtenAt, from, to, bars };
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(`stored bars of ${symbol}`, [(error as Error).message], { cause: error });
  }
}

/** A ticker's bars from its blobs, later writes replacing earlier ones over their spans. */
export function layBlobs(symbol: string, blobs: readonly BarsBlob[]): RawHistory {
  if (blobs.length === 1) return blobs[0]!.bars;
  // Latest first: each blob keeps its sessions that no later blob's span covers.
  const latestFirst = [...blobs].sort((a, b) => b.writtenAt - a.writtenAt);
  const covered: [string, string][] = [];
  const kept: { blob: BarsBlob; index: number }[] = [];
  for (const blob of latestFirst) {
    const { dates } = blob.bars;
    for (let i = 0; i < dates.length; i++) {
      const date = dates[i]!;
      if (!covered.some(([from, to]) => date >= from && date <= to)) kept.push({ blob, index: i });
    }
    covered.push([blob.from, blob.to]);
  }
  kept.sort((a, b) => (a.blob.bars.dates[a.index]! < b.blob.bars.dates[b.index]! ? -1 : 1));
  const n = kept.length;
  const columns = new Float64Array(5 * n);
  const out = {
    symbol,
    dates: new Array<string>(n),
    open: columns.subarray(0, n),
    high: columns.subarray(n, 2 * n),
    low: columns.subarray(2 * n, 3 * n),
    close: columns.subarray(3 * n, 4 * n),
    volume: columns.subarray(4 * n, 5 * n),
    provider: new Array<RawHistory["provider"][number]>(n),
  };
  kept.forEach(({ blob, index }, k) => {
    const bars = blob.bars;
    out.dates[k] = bars.dates[index]!;
    out.provider[k] = bars.provider[index]!;
    for (const c of ["open", "high", "low", "close", "volume"] as const) out[c][k] = bars[c][index]!;
  });
  return out;
}
