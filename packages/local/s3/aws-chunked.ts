import { crc32 } from "node:zlib";

/**
 * S3's `aws-chunked` content encoding, which the AWS SDK uses for a PutObject
 * or UploadPart whose body is a stream: since early 2025 it sends such a body
 * as chunks (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n`, a last `0\r\n`)
 * followed by trailing headers that carry its checksum
 * (`x-amz-checksum-crc32:<base64>`), with `x-amz-content-sha256:
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER` and `x-amz-decoded-content-length`. S3
 * stores the decoded bytes; s3rver (2020) predates it and would store the
 * framing with them, so the local S3 server decodes such bodies first.
 */

export class AwsChunkedError extends Error {
  override readonly name = "AwsChunkedError";
  constructor(
    /** S3's error code for it. */
    readonly code: "IncompleteBody" | "InvalidRequest" | "BadDigest",
    message: string,
  ) {
    super(message);
  }
}

/** Whether a request's body is aws-chunked (by its content encoding or its payload hash). */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const sha = headers["x-amz-content-sha256"];
  if (typeof sha === "string" && sha.startsWith("STREAMING-")) return true;
  const encoding = headers["content-encoding"];
  return typeof encoding === "string" && encoding.split(",").some((e) => e.trim() === "aws-chunked");
}

export interface DecodedBody {
  body: Buffer;
  /** Trailing headers, names in lower case (`x-amz-checksum-crc32`, `x-amz-trailer-signature`). */
  trailers: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");

/** The bytes an aws-chunked body carries, and its trailers; throws AwsChunkedError on bad framing. */
export function decodeAwsChunked(raw: Buffer): DecodedBody {
  const chunks: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = raw.indexOf(CRLF, pos);
    if (lineEnd < 0)
      throw new AwsChunkedError("IncompleteBody", "The aws-chunked body ends inside a chunk header.");
    const sizeText = raw.toString("latin1", pos, lineEnd).split(";", 1)[0]!.trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText))
      throw new AwsChunkedError("InvalidRequest", `Bad aws-chunked chunk size "${sizeText}".`);
    const size = Number.parseInt(sizeText, 16);
    pos = lineEnd + CRLF.length;
    if (size === 0) break;
    if (pos + size + CRLF.length > raw.length)
      throw new AwsChunkedError("IncompleteBody", "The aws-chunked body ends inside a chunk.");
    chunks.push(raw.subarray(pos, pos + size));
    pos += size;
    if (!raw.subarray(pos, pos + CRLF.length).equals(CRLF))
      throw new AwsChunkedError("InvalidRequest", "An aws-chunked chunk is longer than its size says.");
    pos += CRLF.length;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.toString("latin1", pos).split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new AwsChunkedError("InvalidRequest", `Bad aws-chunked trailer "${line}".`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
}

/**
 * Checks the CRC32 a body was sent with (a trailer or a header), as S3 does:
 * BadDigest when it differs. Other checksum algorithms are not checked here.
 */
export function checkCrc32(body: Buffer, expected: string | undefined): void {
  if (expected === undefined) return;
  const actual = Buffer.alloc(4);
  actual.writeUInt32BE(crc32(body));
  if (actual.toString("base64") !== expected) {
    throw new AwsChunkedError(
      "BadDigest",
      `The CRC32 you specified (${expected}) did not match the calculated checksum (${actual.toString("base64")}).`,
    );
  }
}
