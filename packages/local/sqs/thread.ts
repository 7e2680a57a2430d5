import { type ServerThread, startServerThread } from "../threads/server-thread.ts";
import type { SqsServerOptions, SqsStats } from "./server.ts";

export type SqsServerThread = ServerThread<{ url: string; port: number }, SqsStats>;

/**
 * startSqsServer in a worker thread: every score message (tens of KB) is
 * parsed, hashed and serialised again by the server, work that on the main
 * thread competed with dynalite and the function runtime for one core.
 */
export function startSqsServerThread(options: SqsServerOptions = {}): Promise<SqsServerThread> {
  return startServerThread(new URL("./thread-main.ts", import.meta.url), options, {
    requests: {},
    totalRequests: 0,
    billedRequests: 0,
  });
}
