import { isCalendarDate } from "../../../core/days.ts";

/** Number spellings the providers use on the wire. */

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/** Rounds half away from zero to `digits` decimals (as a number). */
export function roundTo(x: number, digits: number): number {
  const f = POW10[digits]!;
  return (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f;
}

/** A price rounded the way quote vendors show it: cents from $1, four decimals below. */
export function roundQuote(x: number): number {
  return Math.abs(x) >= 1 ? roundTo(x, 2) : roundTo(x, 4);
}

/** Python's float repr for ordinary magnitudes: `165.0`, `166.61` (Alpha Vantage's newer strings). */
export function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * A body being written as bytes: one growing scratch buffer, reused by every
 * render (rendering is synchronous), copied out once at the end into the
 * Buffer that is sent (and cached) as it is. Spares the ropes of a 50 KB
 * string built by concatenation, their flattening and the UTF-8 encoding of
 * the whole at every sending. (Columns of number spellings are best joined
 * natively first: per value, `join` beats a JavaScript byte loop.)
 */
export class ByteWriter {
  buf: Buffer = Buffer.allocUnsafe(1 << 17);
  pos = 0;

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A string known to be ASCII (number spellings, fixed JSON punctuation and keys). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** A string of one-byte characters, copied natively (long ones: joined columns). */
  latin1(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, "latin1");
  }

  /** Any string, UTF-8 encoded. */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A number as String() spells it, without making the string for non-negative safe integers. */
  int(n: number): void {
    if (!(n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n))) {
      this.ascii(String(n));
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    this.ensure(digits);
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    let t = n;
    do {
      const q = Math.floor(t / 10);
      b[--p] = 48 + (t - q * 10);
      t = q;
    } while (t > 0);
  }

  /** The bytes written so far, in a buffer of their own; the writer starts over. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }
}

/** Spellings of cent prices from $1 to $5000, and of 1/10000 prices below $1, filled as met. */
const CENT_LIMIT = 500_000;
// Preallocated: an array filled at scattered indexes would fall back to a slow dictionary.
const centSpelling = new Array<string | undefined>(CENT_LIMIT);
const subDollarSpelling = new Array<string | undefined>(10_001);

/**
 * Yahoo's prices are single-precision floats widened to double: 74.06 is sent
 * as 74.05999755859375. Turning a widened float into its shortest double
 * spelling costs about 300 ns, which would dominate a two-year chart body, so
 * the spellings of traded prices (whole cents, or 1/10000 below $1) are
 * remembered in arrays indexed by that integer (a few MB at most); other
 * values (split- or dividend-adjusted) are spelled each time.
 */
export function float32Text(x: number): string {
  if (x >= 1) {
    const cents = x * 100;
    const k = Math.round(cents);
    if (k < CENT_LIMIT && Math.abs(cents - k) < 1e-7) {
      let text = centSpelling[k];
      if (text === undefined) {
        text = String(Math.fround(k / 100));
        centSpelling[k] = text;
      }
      return text;
    }
  } else if (x > 0) {
    const units = x * 10_000;
    const k = Math.round(units);
    if (Math.abs(units - k) < 1e-7) {
      let text = subDollarSpelling[k];
      if (text === undefined) {
        text = String(Math.fround(k / 10_000));
        subDollarSpelling[k] = text;
      }
      return text;
    }
  }
  return String(Math.fround(x));
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** FMP v3's `label`: "October 06, 23". */
export function fmpLabel(iso: string): string {
  return `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(8, 10)}, ${iso.slice(2, 4)}`;
}

/** True for `YYYY-MM-DD` that is a real calendar date. */
export const isIsoDate = isCalendarDate;
