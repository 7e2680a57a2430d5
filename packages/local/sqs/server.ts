import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ActionHandler, RequestContext, SqsState } from "./context.ts";
import { SqsError } from "./errors.ts";
import { jsonProtocol, speaksJson } from "./json-protocol.ts";
import { MESSAGE_ACTIONS } from "./message-actions.ts";
import type { WireProtocol, WireReply } from "./protocol.ts";
import { queryProtocol } from "./query-protocol.ts";
import { QUEUE_ACTIONS } from "./queue-actions.ts";
import { QueueRegistry } from "./registry.ts";

/**
 * An in-process Amazon SQS endpoint speaking both of SQS's protocols: AWS
 * JSON 1.0 (`POST /`, `x-amz-target: AmazonSQS.<Action>`), so
 * @aws-sdk/client-sqs talks to it unchanged when pointed at `url` (`endpoint`
 * / `AWS_ENDPOINT_URL_SQS`), and Query (`Action=<Action>` form parameters, XML
 * answers), so the AWS CLI of Linux distributions and older SDKs do too.
 * Standard queues only; signatures are not checked.
 */

export interface SqsServerOptions {
  /** Port to listen on. @default 0 (a free port) */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Region in queue ARNs. @default "us-east-1" */
  region?: string;
  /** Account id in queue URLs and ARNs, and the SenderId of messages. @default "000000000000" */
  accountId?: string;
}

export interface SqsStats {
  /** Requests by action name (unknown actions included, as sent). */
  requests: Record<string, number>;
  totalRequests: number;
  /**
   * Requests as AWS bills them: each 64 KiB chunk of a request's message
   * payload (bodies and attributes sent, or received) is one request, and a
   * request with less, or none, is one.
   */
  billedRequests: number;
}

export interface SqsServer {
  /** `http://127.0.0.1:PORT` — the endpoint to give the SDK. */
  readonly url: string;
  readonly port: number;
  /** A snapshot of the request counters since start. */
  stats(): SqsStats;
  /** Ends pending long polls (empty replies), closes every connection and timer. */
  close(): Promise<void>;
}

/** Every action the server answers, by name, in both protocols. */
export const ACTIONS: Readonly<Record<string, ActionHandler>> = { ...QUEUE_ACTIONS, ...MESSAGE_ACTIONS };
/** AWS bills every 64 KiB of payload as one request. */
const BILLING_CHUNK_BYTES = 65_536;
/** Largest request body read: a 1 MiB batch, JSON-escaped or form-encoded, fits with room to spare. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How long close() lets replies to ended long polls reach their clients before cutting connections. */
const CLOSE_GRACE_MS = 250;
const CLOSE_POLL_MS = 5;

export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const host = options.host ?? "127.0.0.1";
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const stats: SqsStats = { requests: {}, totalRequests: 0, billedRequests: 0 };
  let state: SqsState | undefined;

  const server = createServer((request, response) => {
    if (state === undefined) {
      const protocol = protocolFor(request);
      send(
        response,
        protocol.replyError(new SqsError("InternalFailure", "The server is still starting."), randomUUID()),
      );
      return;
    }
    handle(state, url, accountId, stats, request, response).catch((error: unknown) => {
      // Only a failure to write the reply gets here; the connection is beyond saving.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });

  // Idle keep-alive sockets outlive the SDK's reuse of them, so a client never
  // sends on a socket the server is closing (Node's default is 5 s).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const queues = new QueueRegistry({ baseUrl: url, region, accountId });
  state = { queues };

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    stats: () => ({ ...stats, requests: { ...stats.requests } }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        queues.closeAll();
        // Ended long polls reply within a few ticks, leaving their connections
        // idle: close idle ones as they appear, and cut the rest after a grace.
        const closeIdle = setInterval(() => server.closeIdleConnections(), CLOSE_POLL_MS);
        const cutAll = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearInterval(closeIdle);
          clearTimeout(cutAll);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function handle(
  state: SqsState,
  serverUrl: string,
  accountId: string,
  stats: SqsStats,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const protocol = protocolFor(request);
  const requestId = randomUUID();
  stats.totalRequests += 1;
  let action: string | undefined;
  let counted = false;

  const abort = new AbortController();
  response.on("close", () => abort.abort());
  let context: RequestContext | undefined;
  let reply: WireReply;
  try {
    const call = protocol.readCall(request, await readBody(request), serverUrl);
    action = call.action;
    countRequest(stats, action);
    counted = true;
    if (action === undefined) {
      throw new SqsError(
        "InvalidAction",
        "The request names no action: send x-amz-target: AmazonSQS.<Action> (AWS JSON 1.0) or the parameter Action=<Action> (Query).",
      );
    }
    const handler = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (handler === undefined) {
      throw new SqsError("InvalidAction", `The action ${action} is not valid for this endpoint.`);
    }
    context = { now: Date.now(), senderId: accountId, signal: abort.signal, payloadBytes: 0 };
    reply = protocol.reply(action, await handler(state, call.input, context), requestId);
  } catch (error) {
    if (!counted) countRequest(stats, action);
    reply = protocol.replyError(error instanceof SqsError ? error : internalFailure(error), requestId);
  }
  stats.billedRequests += billedFor(context?.payloadBytes ?? 0);
  send(response, reply);
}

/** Counts a request under the action it names, as sent (unknown ones too). */
function countRequest(stats: SqsStats, action: string | undefined): void {
  const key = action ?? "(none)";
  stats.requests[key] = (stats.requests[key] ?? 0) + 1;
}

/** JSON 1.0 when the request names a target or sends JSON; otherwise Query. */
function protocolFor(request: IncomingMessage): WireProtocol {
  return speaksJson(request.headers) ? jsonProtocol : queryProtocol;
}

function billedFor(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / BILLING_CHUNK_BYTES));
}

function internalFailure(error: unknown): SqsError {
  const detail = error instanceof Error ? error.message : String(error);
  return new SqsError("InternalFailure", `The local SQS server failed: ${detail}`);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > MAX_REQUEST_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(): SqsError {
  return new SqsError("RequestEntityTooLarge", `Request bodies are limited to ${MAX_REQUEST_BYTES} bytes.`);
}

function send(response: ServerResponse, reply: WireReply): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(reply.status, { ...reply.headers, "content-length": String(reply.body.length) });
  response.end(reply.body);
}
