import { type ServerThread, startServerThread } from "../threads/server-thread.ts";
import type { UpstashServerOptions, UpstashStats } from "./upstash-server.ts";

export type UpstashServerThread = ServerThread<{ url: string; token: string }, UpstashStats>;

/**
 * Starts the Upstash REST server in a worker thread. In AWS, Upstash is its own
 * service; here it gets its own event loop, so a rate-limit reply is not held
 * back while the main thread is busy — a held reply would release several
 * grants at once and bunch their requests.
 */
export function startUpstashServerThread(options: UpstashServerOptions): Promise<UpstashServerThread> {
  return startServerThread(new URL("./thread-main.ts", import.meta.url), options, {
    commands: 0,
    requests: 0,
    byCommand: {},
  });
}
