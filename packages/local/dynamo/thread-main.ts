import type { ThreadedServer } from "../threads/server-thread.ts";
import { type DynamoServerOptions, type DynamoStats, startDynamoServer } from "./index.ts";

/** dynalite inside its worker thread (see startDynamoServerThread). */
export async function serve(
  options: DynamoServerOptions,
): Promise<ThreadedServer<{ url: string; port: number }, DynamoStats>> {
  const server = await startDynamoServer(options);
  return {
    info: { url: server.url, port: server.port },
    stats: () => server.stats(),
    close: () => server.close(),
  };
}
