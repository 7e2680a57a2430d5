import { describe, expect, it } from "vitest";
import { encodeCommands, encodeReply, RespError, RespParser, type RespReply, RespStatus } from "./resp.ts";

function parseAll(chunks: Buffer[]): RespReply[] {
  const parser = new RespParser();
  const replies: RespReply[] = [];
  for (const chunk of chunks) parser.push(chunk, (reply) => replies.push(reply));
  return replies;
}

function bytewise(buffer: Buffer): Buffer[] {
  return [...buffer].map((byte) => Buffer.from([byte]));
}

describe("RESP2 codec", () => {
  const replies: RespReply[] = [
    new RespStatus("OK"),
    new RespError("ERR wrong number of arguments for 'get' command"),
    42n,
    -9223372036854775808n,
    Buffer.from([0, 255, 13, 10, 0xe2, 0x82]),
    Buffer.alloc(0),
    null,
    [Buffer.from("a"), 1n, null, [new RespStatus("PONG"), new RespError("ERR boom")], []],
  ];
  const wire = Buffer.concat(replies.map((reply) => encodeReply(reply)));

  it("parses every reply type from one chunk, in order", () => {
    expect(parseAll([wire])).toStrictEqual(replies);
  });

  it("parses the same bytes fed one byte at a time", () => {
    expect(parseAll(bytewise(wire))).toStrictEqual(replies);
  });

  it("assembles a large bulk string split over many chunks", () => {
    const value = Buffer.alloc(3_000_000, 7);
    const encoded = encodeReply([value, new RespStatus("OK")]);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < encoded.length; offset += 65_536) {
      chunks.push(encoded.subarray(offset, offset + 65_536));
    }
    const replies = parseAll(chunks);
    expect(replies).toHaveLength(1);
    const [bulk, status] = replies[0] as RespReply[];
    // Buffer.equals: a deep equality over 3 million elements would take seconds.
    expect(Buffer.isBuffer(bulk) && bulk.equals(value)).toBe(true);
    expect(status).toStrictEqual(new RespStatus("OK"));
  });

  it("throws on bytes that are not RESP2", () => {
    expect(() => parseAll([Buffer.from("?what\r\n")])).toThrow(/not RESP2/);
  });

  it("encodes commands as arrays of bulk strings, strings as UTF-8 and Buffers as is", () => {
    const encoded = encodeCommands([["SET", "ké", Buffer.from([0, 1])], ["PING"]]);
    expect(encoded.toString("latin1")).toBe(
      `*3\r\n$3\r\nSET\r\n$3\r\n${Buffer.from("ké").toString("latin1")}\r\n$2\r\n\u0000\u0001\r\n*1\r\n$4\r\nPING\r\n`,
    );
  });
});
