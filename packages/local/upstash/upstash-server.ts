import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeReply, RespError, type RespReply } from "../redis/resp.ts";
import {
  commandName,
  parseJsonCommand,
  parseJsonCommandList,
  parsePathCommand,
  type RedisCommand,
  unsupportedReason,
} from "./commands.ts";
import { UpstashRequestError } from "./errors.ts";
import { type PreparedCommand, ScriptShaMap } from "./lua-scripts.ts";
import { RedisPool } from "./redis-pool.ts";
import { resultEnvelope } from "./reply-json.ts";

export interface UpstashServerOptions {
  /** Port of the redis-server the commands go to. */
  redisPort: number;
  /**
   * Host of that redis-server.
   * @default "127.0.0.1"
   */
  redisHost?: string;
  /**
   * The bearer token clients must send (`Authorization: Bearer <token>` or `?_token=`).
   * @default a random token (read it from `server.token`)
   */
  token?: string;
  /**
   * HTTP port.
   * @default 0 (a free port picked by the OS; read it from `server.url`)
   */
  port?: number;
  /**
   * Interface to listen on.
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * Redis connections shared by all requests.
   * @default 4
   */
  redisConnections?: number;
  /**
   * Largest request body accepted; larger ones get 413.
   * @default 10 MiB (10 * 1024 * 1024)
   */
  maxBodyBytes?: number;
}

/** Counters since the server started. */
export interface UpstashStats {
  /** Redis commands as Upstash bills them: every command of a pipeline or transaction counts. */
  commands: number;
  /** HTTP requests received, refused ones included. */
  requests: number;
  /** Commands sent to Redis by name (EVALSHA, MGET, SET, SADD…), for seeing where a scan's commands go. */
  byCommand: Record<string, number>;
}

export interface UpstashServer {
  /** Base URL for UPSTASH_REDIS_REST_URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Token for UPSTASH_REDIS_REST_TOKEN. */
  readonly token: string;
  stats(): UpstashStats;
  /** Stops accepting requests, ends open connections and closes the Redis connections. */
  close(): Promise<void>;
}

const ALLOWED_METHODS = new Set(["GET", "HEAD", "POST", "PUT"]);
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const CLOSE_GRACE_MS = 2_000;

/** A response to send: status, body, content type. */
interface Reply {
  status: number;
  body: string | Buffer;
  contentType?: string;
}

const json = (status: number, body: string): Reply => ({ status, body, contentType: "application/json" });
const errorReply = (status: number, message: string): Reply =>
  json(status, JSON.stringify({ error: message }));

/**
 * Starts an HTTP server that speaks Upstash Redis's REST protocol in front of
 * a real redis-server, so @upstash/redis and @upstash/ratelimit work unchanged
 * with `url`/`token` pointing at it:
 * - `POST /` with `["SET","k","v"]` → `{"result":"OK"}`; a Redis error → 400 `{"error":"ERR ..."}`;
 *   path-style commands `/set/k/v` (GET or POST; a POST body is the last argument).
 * - `POST /pipeline` `[[...],[...]]` → `[{"result":...},{"error":...}]`, each command on its own.
 * - `POST /multi-exec` → the same shape from MULTI/EXEC; a command that cannot be
 *   queued discards the transaction: 400 `{"error":"EXECABORT ..."}`.
 * - `Authorization: Bearer <token>` or `?_token=`; otherwise 401 `{"error":"Unauthorized"}`.
 * - `Upstash-Encoding: base64` → strings base64-encoded (see replyToJson);
 *   `Upstash-Response-Format: resp2` → raw RESP2 bytes.
 * - `upstash-sync-token` (read-your-writes) is answered with a counter; one
 *   Redis is always consistent, so the token the client sends is accepted as is.
 * - Lua shebang flags Redis does not know (`allow-key-locking`) are stripped,
 *   and EVALSHA keeps working with the SHA of the original text (see ScriptShaMap).
 * Rejects when redis-server does not answer PING at `redisHost:redisPort`.
 */
export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const host = options.host ?? "127.0.0.1";
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const tokenDigest = digest(token);
  const pool = new RedisPool({
    host: options.redisHost ?? "127.0.0.1",
    port: options.redisPort,
    size: options.redisConnections ?? 4,
  });
  // Fail fast on a wrong redisPort, instead of answering 500 to every request later.
  try {
    await pool.send([["PING"]]);
  } catch (error) {
    await pool.close();
    throw error;
  }
  const scripts = new ScriptShaMap();
  const counters: UpstashStats = { commands: 0, requests: 0, byCommand: {} };
  let syncToken = 0;

  /** Sends commands to Redis as one batch, counting them as Upstash bills them. */
  const execute = (commands: readonly RedisCommand[], billed: number): Promise<RespReply[]> => {
    counters.commands += billed;
    for (const command of commands) {
      const name = commandName(command);
      counters.byCommand[name] = (counters.byCommand[name] ?? 0) + 1;
    }
    return pool.send(commands);
  };

  const runSingle = async (command: RedisCommand, format: ResponseFormat): Promise<Reply> => {
    const reason = unsupportedReason(command);
    if (reason) return format.error(reason);
    const prepared = scripts.prepare(command);
    const [reply] = await execute([prepared.command], 1);
    return format.single(prepared.mapReply(reply ?? null));
  };

  const runPipeline = async (commands: RedisCommand[], format: ResponseFormat): Promise<Reply> => {
    const results: RespReply[] = new Array(commands.length).fill(null);
    const toRun: { index: number; prepared: PreparedCommand }[] = [];
    commands.forEach((command, index) => {
      const reason = unsupportedReason(command);
      if (reason) results[index] = new RespError(reason);
      else toRun.push({ index, prepared: scripts.prepare(command) });
    });
    const replies = await execute(
      toRun.map(({ prepared }) => prepared.command),
      toRun.length,
    );
    toRun.forEach(({ index, prepared }, i) => {
      results[index] = prepared.mapReply(replies[i] ?? null);
    });
    return format.list(results);
  };

  const runTransaction = async (commands: RedisCommand[], format: ResponseFormat): Promise<Reply> => {
    commands.forEach((command, index) => {
      const reason = unsupportedReason(command);
      if (reason) {
        throw new UpstashRequestError(
          400,
          `${reason} (command ${index + 1} [${commandName(command)}] of /multi-exec; the transaction was not run)`,
        );
      }
    });
    if (commands.length === 0) return format.list([]);
    const prepared = commands.map((command) => scripts.prepare(command));
    const replies = await execute([["MULTI"], ...prepared.map((p) => p.command), ["EXEC"]], commands.length);
    const exec = replies.at(-1) ?? null;
    if (Array.isArray(exec))
      return format.list(exec.map((reply, i) => prepared[i]?.mapReply(reply) ?? reply));
    // EXEC failed: say which command could not be queued (replies[0] is MULTI's OK).
    const failedAt = replies.slice(1, -1).findIndex((reply) => reply instanceof RespError);
    const queueError = replies[failedAt + 1];
    const detail =
      failedAt >= 0 && queueError instanceof RespError
        ? `: command ${failedAt + 1} [${commandName(commands[failedAt] ?? [])}] could not be queued: ${queueError.message}`
        : "";
    const base = exec instanceof RespError ? exec.message : "ERR the transaction was aborted";
    return format.error(`${base}${detail}`);
  };

  const route = async (request: IncomingMessage, url: URL): Promise<Reply> => {
    const format = responseFormat(request, url);
    const body = await readBody(request, maxBodyBytes);
    switch (url.pathname) {
      case "/":
        return runSingle(parseJsonCommand(parseJsonBody(body, "/"), "the command"), format);
      case "/pipeline":
        return runPipeline(parseJsonCommandList(parseJsonBody(body, "/pipeline"), "/pipeline"), format);
      case "/multi-exec":
        return runTransaction(
          parseJsonCommandList(parseJsonBody(body, "/multi-exec"), "/multi-exec"),
          format.json,
        );
      default:
        if (url.pathname === "/monitor" || /^\/p?subscribe(\/|$)/i.test(url.pathname)) {
          return errorReply(
            400,
            "ERR MONITOR and SUBSCRIBE stream server-sent events, which the local Upstash REST server does not implement",
          );
        }
        return runSingle(parsePathCommand(url, body), format);
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    counters.requests += 1;
    let reply: Reply;
    try {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (!ALLOWED_METHODS.has(request.method ?? "")) {
        response.setHeader("Allow", [...ALLOWED_METHODS].join(", "));
        reply = errorReply(405, `ERR method ${request.method} is not allowed: use GET, POST, PUT or HEAD`);
      } else if (!isAuthorized(request, url, tokenDigest)) {
        reply = errorReply(401, "Unauthorized");
      } else {
        reply = await route(request, url);
        syncToken += 1;
        response.setHeader("upstash-sync-token", String(syncToken));
      }
    } catch (error) {
      reply =
        error instanceof UpstashRequestError
          ? errorReply(error.status, error.message)
          : errorReply(
              500,
              `ERR local Upstash server: ${error instanceof Error ? error.message : String(error)}`,
            );
    }
    if (!request.complete) request.resume();
    response.writeHead(reply.status, { "Content-Type": reply.contentType ?? "application/json" });
    response.end(reply.body);
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  // Idle keep-alive sockets outlive any client's reuse of them (Node's default is 5 s).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([closed, grace]);
    server.closeAllConnections();
    await closed;
    await pool.close();
  };

  return {
    url,
    token,
    stats: () => ({ ...counters }),
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function isAuthorized(request: IncomingMessage, url: URL, tokenDigest: Buffer): boolean {
  const header = request.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  const given = bearer ?? url.searchParams.get("_token");
  // Compare digests in constant time: equal lengths, and no early exit on the first differing byte.
  return given !== null && given !== undefined && timingSafeEqual(digest(given), tokenDigest);
}

/** How results are written: JSON (optionally base64 strings) or raw RESP2. */
interface ResponseFormat {
  single(reply: RespReply): Reply;
  list(replies: RespReply[]): Reply;
  error(message: string): Reply;
  /** The JSON form, for /multi-exec (Upstash answers transactions in JSON only). */
  json: ResponseFormat;
}

function jsonFormat(base64: boolean): ResponseFormat {
  const format: ResponseFormat = {
    single: (reply) =>
      reply instanceof RespError ? errorReply(400, reply.message) : json(200, resultEnvelope(reply, base64)),
    list: (replies) => json(200, `[${replies.map((reply) => resultEnvelope(reply, base64)).join(",")}]`),
    error: (message) => errorReply(400, message),
    get json() {
      return format;
    },
  };
  return format;
}

function resp2Format(jsonForm: ResponseFormat): ResponseFormat {
  const octets = (status: number, body: Buffer): Reply => ({
    status,
    body,
    contentType: "application/octet-stream",
  });
  return {
    single: (reply) => octets(reply instanceof RespError ? 400 : 200, encodeReply(reply)),
    list: (replies) => octets(200, Buffer.concat(replies.map((reply) => encodeReply(reply)))),
    error: (message) => octets(400, encodeReply(new RespError(message))),
    json: jsonForm,
  };
}

function responseFormat(request: IncomingMessage, url: URL): ResponseFormat {
  const encoding = String(request.headers["upstash-encoding"] ?? "").toLowerCase();
  const base64 = encoding === "base64";
  const wanted = String(request.headers["upstash-response-format"] ?? "json").toLowerCase();
  if (wanted === "json") return jsonFormat(base64);
  if (wanted !== "resp2") {
    throw new UpstashRequestError(400, `ERR Upstash-Response-Format must be json or resp2, got ${wanted}`);
  }
  if (base64 && url.pathname !== "/multi-exec") {
    throw new UpstashRequestError(
      400,
      "ERR Upstash-Encoding: base64 cannot be combined with Upstash-Response-Format: resp2",
    );
  }
  return resp2Format(jsonFormat(base64));
}

/** Reads the whole body; past `limit` bytes it keeps draining but answers 413. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
    });
    request.once("error", reject);
    request.once("end", () => {
      if (received > limit) {
        reject(
          new UpstashRequestError(
            413,
            `ERR max request size exceeded: the body has ${received} bytes, the limit is ${limit} bytes`,
          ),
        );
      } else {
        resolve(Buffer.concat(chunks, received));
      }
    });
  });
}

function parseJsonBody(body: Buffer, endpoint: string): unknown {
  if (body.length === 0) {
    throw new UpstashRequestError(
      400,
      `ERR ${endpoint} needs a JSON body, e.g. ${endpoint === "/" ? '["GET","key"]' : '[["GET","key"]]'}`,
    );
  }
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new UpstashRequestError(
      400,
      `ERR the body of ${endpoint} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
