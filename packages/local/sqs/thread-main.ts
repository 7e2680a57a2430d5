import type { ThreadedServer } from "../threads/server-thread.ts";
import { type SqsServerOptions, type SqsStats, startSqsServer } from "./server.ts";

/** The SQS server inside its worker thread (see thread.ts). */
export async function serve(
  options: SqsServerOptions,
): Promise<ThreadedServer<{ url: string; port: number }, SqsStats>> {
  const server = await startSqsServer(options);
  return {
    info: { url: server.url, port: server.port },
    stats: () => server.stats(),
    close: () => server.close(),
  };
}
