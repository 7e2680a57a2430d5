import { startServerThread } from "../threads/server-thread.ts";
import type { UpstashServerOptions, UpstashStats } from "./upstash-server.ts";

/** The Upstash REST server running in its own thread; `stats()` is asynchronous. */
export interface UpstashServerThread {
  readonly url: string;
  readonly token: string;
  stats(): Promise<UpstashStats>;
  /** CPU time the server's thread has used, in ms (Linux; null elsewhere). */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * Starts the Upstash REST server in a worker thread. In AWS, Upstash is its own
 * service; here it gets its own event loop, so a rate-limit reply is not held
 * back while the main thread is busy — a held reply would release several
 * grants at once and bunch their requests.
 */
export async function startUpstashServerThread(options: UpstashServerOptions): Promise<UpstashServerThread> {
  const thread = await startServerThread<UpstashServerOptions, { url: string; token: string }, UpstashStats>(
    new URL("./thread-main.ts", import.meta.url),
    options,
    { commands: 0, requests: 0 },
  );
  return {
    ...thread.info,
    stats: () => thread.stats(),
    cpuMs: () => thread.cpuMs(),
    close: () => thread.close(),
  };
}
