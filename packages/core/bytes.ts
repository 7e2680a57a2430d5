/**
 * Varint byte streams for the compact encodings (series-codec for the cache and
 * the score queue, history/bars-codec for the bars store): unsigned LEB128
 * integers up to 2^53, zig-zag signed ones, length-prefixed byte strings.
 */
export class ByteWriter {
  private buf = new Uint8Array(4096);
  private len = 0;
  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  uint(value: number): void {
    this.ensure(8);
    let v = value;
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }
  /** Zig-zag signed integer. */
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  bytes(data: Uint8Array): void {
    this.uint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  uint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) throw new Error("truncated varint");
      const b = this.buf[this.pos++]!;
      result += (b & 127) * mul;
      if (b < 128) return result;
      mul *= 128;
    }
    throw new Error("varint too long");
  }
  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new Error("truncated bytes");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  get done(): boolean {
    return this.pos === this.buf.length;
  }
}
