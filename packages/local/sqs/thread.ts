import { startServerThread } from "../threads/server-thread.ts";
import type { SqsServerOptions, SqsStats } from "./server.ts";

/** The SQS server in a worker thread of its own (see startSqsServerThread); `stats()` is asynchronous. */
export interface SqsServerThread {
  readonly url: string;
  readonly port: number;
  stats(): Promise<SqsStats>;
  /** CPU time the server's thread has used, in ms (Linux; null elsewhere). */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * startSqsServer in a worker thread: every score message (tens of KB) is
 * parsed, hashed and serialised again by the server, work that on the main
 * thread competed with dynalite and the function runtime for one core.
 */
export async function startSqsServerThread(options: SqsServerOptions = {}): Promise<SqsServerThread> {
  const thread = await startServerThread<SqsServerOptions, { url: string; port: number }, SqsStats>(
    new URL("./thread-main.ts", import.meta.url),
    options,
    { requests: {}, totalRequests: 0, billedRequests: 0 },
  );
  return {
    ...thread.info,
    stats: () => thread.stats(),
    cpuMs: () => thread.cpuMs(),
    close: () => thread.close(),
  };
}
