import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import S3rver, { type S3rverMiddleware } from "s3rver";
import { AwsChunkedError, checkCrc32, decodeAwsChunked, isAwsChunked } from "./aws-chunked.ts";

export interface S3ServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Access key the clients sign with (the local cloud's). @default "local" */
  accessKeyId?: string;
  /** @default "local" */
  secretAccessKey?: string;
  /** An empty directory to keep objects in, removed by close(). @default a new temporary directory */
  directory?: string;
}

export interface S3Stats {
  requests: number;
  /** Requests by HTTP method: PUT, POST and list GETs are S3's dearer tier, other GETs and HEADs the cheaper. */
  byMethod: Record<string, number>;
}

export interface S3Server {
  /** `http://127.0.0.1:PORT`: AWS_ENDPOINT_URL_S3 (path-style addressing). */
  readonly url: string;
  readonly port: number;
  /** Where the objects are kept: a temporary directory, removed by close(). */
  readonly directory: string;
  stats(): S3Stats;
  close(): Promise<void>;
}

/** Longer than any client keeps an idle socket, as the other local servers do. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Largest aws-chunked body decoded in memory (a report is a few hundred KB). */
const MAX_CHUNKED_BYTES = 256 * 1024 * 1024;

const require = createRequire(import.meta.url);

/** s3rver's own error, rendered as S3's XML error by its error handler. */
interface S3ErrorClass {
  new (code: string, message: string, detail?: Record<string, string>): Error;
}

/**
 * s3rver knows one key pair (S3RVER / S3RVER) and refuses others with InvalidAccessKeyId; it has
 * no option for more. Its account registry is where it looks them up: the local cloud's key is
 * added there, and any other key resolves to the same account, so the AWS CLI works with any
 * credentials, as against the other local servers. (s3rver does not verify SigV4 signatures at
 * all, only that the key exists; a presigned URL's expiry it does check.)
 */
function allowKey(accessKeyId: string, secretAccessKey: string): void {
  type Account = { createKeyPair(id: string, secret: string): void };
  const accounts = require("s3rver/lib/models/account.js") as {
    DUMMY_ACCOUNT: Account;
    registry: Map<string, Account>;
  };
  accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  if (!(accounts.registry instanceof AnyKeyRegistry))
    accounts.registry = new AnyKeyRegistry(accounts.registry, accounts.DUMMY_ACCOUNT);
}

/** An account registry in which an unknown key id is the local account's. */
class AnyKeyRegistry<A> extends Map<string, A> {
  readonly #fallback: A;
  constructor(entries: Map<string, A>, fallback: A) {
    super(entries);
    this.#fallback = fallback;
  }
  override get(key: string): A | undefined {
    return super.get(key) ?? this.#fallback;
  }
}

async function readBody(stream: Readable, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of stream) {
    length += (part as Buffer).length;
    if (length > limit)
      throw new AwsChunkedError("InvalidRequest", `An aws-chunked body over ${limit} bytes.`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/**
 * Decodes aws-chunked bodies (see aws-chunked.ts) before s3rver stores them,
 * checks their CRC32 trailer, and rewrites the headers to those of a plain
 * body, so the stored object and its metadata are what S3 would keep.
 */
function awsChunkedMiddleware(S3Error: S3ErrorClass): S3rverMiddleware {
  return async (ctx, next) => {
    const request = ctx.req;
    if (!isAwsChunked(request.headers)) return next();
    let decoded: ReturnType<typeof decodeAwsChunked>;
    try {
      decoded = decodeAwsChunked(await readBody(request, MAX_CHUNKED_BYTES));
      const declared = request.headers["x-amz-decoded-content-length"];
      if (declared !== undefined && Number(declared) !== decoded.body.length) {
        throw new AwsChunkedError(
          "IncompleteBody",
          `x-amz-decoded-content-length says ${declared} bytes; the body has ${decoded.body.length}.`,
        );
      }
      const crc = decoded.trailers["x-amz-checksum-crc32"] ?? request.headers["x-amz-checksum-crc32"];
      checkCrc32(decoded.body, typeof crc === "string" ? crc : undefined);
    } catch (error) {
      if (error instanceof AwsChunkedError) throw new S3Error(error.code, error.message);
      throw error;
    }
    const headers = request.headers;
    const encodings = (headers["content-encoding"] ?? "")
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e !== "" && e !== "aws-chunked");
    if (encodings.length > 0) headers["content-encoding"] = encodings.join(", ");
    else delete headers["content-encoding"];
    headers["content-length"] = String(decoded.body.length);
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    delete headers["x-amz-decoded-content-length"];
    delete headers["x-amz-trailer"];
    // s3rver reads the object's bytes from ctx.req (a stream): give it the decoded ones.
    ctx.req = Object.assign(Readable.from([decoded.body]), {
      headers,
      method: request.method,
      url: request.url,
    }) as unknown as typeof request;
    return next();
  };
}

/** A new temporary directory for a server's objects. */
export function newDataDirectory(): Promise<string> {
  return mkdtemp(join(tmpdir(), "tickerfleet-s3-"));
}

/**
 * S3 on loopback: s3rver (npm), an S3 REST server keeping objects in a
 * temporary directory, path-style (`/bucket/key`), silent. It answers
 * @aws-sdk/client-s3 through `AWS_ENDPOINT_URL_S3` with `forcePathStyle`:
 * CreateBucket, Put/Get/Head/DeleteObject, ListObjectsV2, CopyObject,
 * multipart uploads, and presigned URLs (their signature is not checked).
 * Lifecycle configurations are refused with NotImplemented (nothing expires).
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const host = options.host ?? "127.0.0.1";
  allowKey(options.accessKeyId ?? "local", options.secretAccessKey ?? "local");
  const directory = options.directory ?? (await newDataDirectory());
  const app = new S3rver({ directory, silent: true, vhostBuckets: false, resetOnClose: false });
  const S3Error = require("s3rver/lib/models/error.js") as S3ErrorClass;
  // First in Koa's chain, ahead of s3rver's routes.
  app.middleware.unshift(awsChunkedMiddleware(S3Error));
  const handle = app.callback();
  const stats: S3Stats = { requests: 0, byMethod: {} };
  const server = createServer((request, response) => {
    stats.requests++;
    const method = request.method ?? "GET";
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    handle(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    directory,
    stats: () => ({ requests: stats.requests, byMethod: { ...stats.byMethod } }),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(() => rm(directory, { recursive: true, force: true }));
      return closed;
    },
  };
}
