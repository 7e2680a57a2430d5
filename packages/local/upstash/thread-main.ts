import type { ThreadedServer } from "../threads/server-thread.ts";
import { startUpstashServer, type UpstashServerOptions, type UpstashStats } from "./upstash-server.ts";

/** The Upstash REST server inside its worker thread (see thread.ts). */
export async function serve(
  options: UpstashServerOptions,
): Promise<ThreadedServer<{ url: string; token: string }, UpstashStats>> {
  const server = await startUpstashServer(options);
  return {
    info: { url: server.url, token: server.token },
    stats: () => server.stats(),
    close: () => server.close(),
  };
}
