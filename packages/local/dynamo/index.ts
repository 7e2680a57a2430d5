import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { type ServerThread, startServerThread } from "../threads/server-thread.ts";

export interface DynamoServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
}

export interface DynamoStats {
  requests: number;
  /** Write capacity units the responses reported (tickerfleet's clients ask for ReturnConsumedCapacity). */
  writeUnits: number;
  readUnits: number;
  byOperation: Record<string, number>;
  /** The units by table, as the responses name them. */
  byTable: Record<string, { readUnits: number; writeUnits: number }>;
}

export interface DynamoServer {
  readonly url: string;
  readonly port: number;
  stats(): DynamoStats;
  close(): Promise<void>;
}

export type DynamoServerThread = ServerThread<{ url: string; port: number }, DynamoStats>;

const EMPTY_STATS: DynamoStats = { requests: 0, writeUnits: 0, readUnits: 0, byOperation: {}, byTable: {} };

/**
 * startDynamoServer in a worker thread: dynalite validates and stores every
 * item in JavaScript (LevelDB in memory, big.js numbers), which on the main
 * thread competed with the SQS server and the function runtime for one core.
 */
export function startDynamoServerThread(options: DynamoServerOptions = {}): Promise<DynamoServerThread> {
  return startServerThread(new URL("./thread-main.ts", import.meta.url), options, EMPTY_STATS);
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);

/** The capacity a response reports consumed, by table (one entry per table a batch touched). */
function consumedUnits(body: string): { table: string; units: number }[] {
  if (!body.includes("ConsumedCapacity")) return [];
  try {
    const parsed = JSON.parse(body) as {
      ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[];
    };
    const consumed = parsed.ConsumedCapacity;
    const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    return list.map((c) => ({ table: c.TableName ?? "", units: c.CapacityUnits ?? 0 }));
  } catch {
    return [];
  }
}

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
}

/**
 * Counts requests and the capacity units dynalite reports in its responses,
 * for the cost figures of a local scan. It reads responses only; requests
 * reach dynalite untouched.
 */
function instrument(server: Server, stats: DynamoStats): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const operation =
      String(req.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";
    stats.requests++;
    stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (typeof chunk === "string" || Buffer.isBuffer(chunk)) {
        for (const { table, units } of consumedUnits(chunk.toString())) {
          const byTable = stats.byTable[table] ?? { readUnits: 0, writeUnits: 0 };
          stats.byTable[table] = byTable;
          if (WRITES.has(operation)) {
            stats.writeUnits += units;
            byTable.writeUnits += units;
          } else {
            stats.readUnits += units;
            byTable.readUnits += units;
          }
        }
      }
      return end(...args);
    }) as ServerResponse["end"];
    for (const listener of listeners) listener(req, res);
  });
}

/**
 * DynamoDB on loopback: dynalite, in this process, in memory. It speaks the
 * real DynamoDB JSON protocol, so @aws-sdk/client-dynamodb reaches it through
 * `AWS_ENDPOINT_URL_DYNAMODB` alone. It lacks TransactWriteItems and PartiQL,
 * which tickerfleet's data model does not use. Tables become ACTIVE at once.
 */
/** Longer than any client keeps an idle socket (the AWS SDK's agents, undici's 4 s). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function startDynamoServer(options: DynamoServerOptions = {}): Promise<DynamoServer> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Idle keep-alive sockets must outlive the SDK's reuse of them: with Node's default (5 s) the
  // server closed sockets the SDK was sending on, and a fetcher met ECONNRESET on every retry
  // (its batch then came back only after the queue's visibility timeout). As the SQS server does.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  const stats: DynamoStats = { ...EMPTY_STATS, byOperation: {}, byTable: {} };
  instrument(server, stats);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    stats: () => ({
      ...stats,
      byOperation: { ...stats.byOperation },
      byTable: structuredClone(stats.byTable),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
