/**
 * RESP2, the Redis wire protocol, as raw values. A reply keeps what the wire
 * said: a status line (`+OK`) is not a bulk string (`$2 OK`), bulk strings stay
 * bytes, integers keep every digit. The local Upstash server needs exactly
 * that to answer as Upstash does, which is why it does not go through a client
 * library that maps replies to friendlier shapes (ioredis 6 turns HGETALL into
 * an object and speaks RESP3 by default).
 */

/** A `+` status reply such as `OK`, `PONG`, `QUEUED`. */
export class RespStatus {
  constructor(readonly value: string) {}
}

/** A `-` error reply, e.g. `ERR wrong number of arguments...` or `NOSCRIPT ...`. */
export class RespError {
  constructor(readonly message: string) {}
}

/** Any RESP2 reply: bulk strings are Buffers, integers bigints, nil is null. */
export type RespReply = RespStatus | RespError | bigint | Buffer | null | RespReply[];

/** One argument of a command: strings are sent as UTF-8, Buffers byte for byte. */
export type RespArgument = string | Buffer;

/** Encodes commands (each an array of arguments, name first) as one RESP2 buffer. */
export function encodeCommands(commands: readonly (readonly RespArgument[])[]): Buffer {
  const parts: Buffer[] = [];
  for (const command of commands) {
    parts.push(Buffer.from(`*${command.length}\r\n`));
    for (const argument of command) {
      const bytes = typeof argument === "string" ? Buffer.from(argument, "utf8") : argument;
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
    }
  }
  return Buffer.concat(parts);
}

/** Encodes a reply back to RESP2 bytes (Upstash's `Upstash-Response-Format: resp2`). */
export function encodeReply(reply: RespReply): Buffer {
  const parts: Buffer[] = [];
  const write = (value: RespReply): void => {
    if (value === null) parts.push(Buffer.from("$-1\r\n"));
    else if (typeof value === "bigint") parts.push(Buffer.from(`:${value}\r\n`));
    else if (Buffer.isBuffer(value)) parts.push(Buffer.from(`$${value.length}\r\n`), value, CRLF);
    else if (value instanceof RespStatus) parts.push(Buffer.from(`+${value.value}\r\n`));
    else if (value instanceof RespError) parts.push(Buffer.from(`-${value.message}\r\n`));
    else {
      parts.push(Buffer.from(`*${value.length}\r\n`));
      for (const item of value) write(item);
    }
  };
  write(reply);
  return Buffer.concat(parts);
}

const CRLF = Buffer.from("\r\n");
const INCOMPLETE = Symbol("incomplete");

/**
 * Incremental RESP2 parser: feed it socket chunks, it emits whole replies in
 * order. While a large bulk string is arriving it only collects chunks (it
 * knows how many bytes it needs) instead of re-parsing on every chunk.
 */
export class RespParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before a parse attempt can succeed. */
  private needed = 1;
  // Scratch state of one parse attempt.
  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;

  /** Adds a chunk; calls `onReply` for every reply it completes. Throws on bytes that are not RESP2. */
  push(chunk: Buffer, onReply: (reply: RespReply) => void): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.needed) return;

    this.buffer = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.buffered);
    let consumed = 0;
    this.needed = 1;
    while (consumed < this.buffer.length) {
      this.position = consumed;
      const reply = this.read();
      if (reply === INCOMPLETE) break;
      consumed = this.position;
      onReply(reply);
    }
    const rest = consumed === this.buffer.length ? undefined : this.buffer.subarray(consumed);
    this.chunks = rest ? [rest] : [];
    this.buffered = rest ? rest.length : 0;
    // `needed` was set relative to the whole buffer by the failed attempt.
    this.needed = Math.max(1, this.needed - consumed);
    this.buffer = Buffer.alloc(0);
  }

  private read(): RespReply | typeof INCOMPLETE {
    const buffer = this.buffer;
    const start = this.position;
    const lineEnd = buffer.indexOf(CRLF, start + 1);
    if (lineEnd === -1) {
      this.needed = buffer.length + 1;
      return INCOMPLETE;
    }
    const line = buffer.toString("utf8", start + 1, lineEnd);
    this.position = lineEnd + 2;
    switch (buffer[start]) {
      case 0x2b /* + */:
        return new RespStatus(line);
      case 0x2d /* - */:
        return new RespError(line);
      case 0x3a /* : */:
        return BigInt(line);
      case 0x24 /* $ */:
        {
          const length = Number(line);
          if (length < 0) return null;
          const end = this.position + length;
          if (buffer.length < end + 2) {
            this.needed = end + 2;
            return INCOMPLETE;
          }
          const value = Buffer.from(buffer.subarray(this.position, end));
          this.position = end + 2;
          return value;
        }
      case 0x2a /* * */:
        {
          const count = Number(line);
          if (count < 0) return null;
          const items: RespReply[] = [];
          for (let i = 0; i < count; i++) {
            const item = this.read();
            if (item === INCOMPLETE) return INCOMPLETE;
            items.push(item);
          }
          return items;
        }
      default:
        throw new Error(
          `redis sent a reply that is not RESP2 (type byte 0x${(buffer[start] ?? 0).toString(16)} at offset ${start})`,
        );
    }
  }
}
