import { Worker } from "node:worker_threads";
import type { UpstashServerOptions, UpstashStats } from "./upstash-server.ts";

/** The Upstash REST server running in its own thread; `stats()` is asynchronous. */
export interface UpstashServerThread {
  readonly url: string;
  readonly token: string;
  stats(): Promise<UpstashStats>;
  close(): Promise<void>;
}

/**
 * Starts the Upstash REST server in a worker thread. In AWS, Upstash is its own
 * service; here it gets its own event loop, so a rate-limit reply is not held
 * back while the main thread (SQS server, dynalite) is busy — a held reply
 * would release several grants at once and bunch their requests.
 */
export async function startUpstashServerThread(options: UpstashServerOptions): Promise<UpstashServerThread> {
  const worker = new Worker(new URL("./thread-bootstrap.mjs", import.meta.url), {
    workerData: options,
    execArgv: [],
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`the Upstash server thread exited (${code}) before it was ready`)),
    );
    worker.once("message", (message: { url: string; token: string }) => resolve(message));
  });
  worker.removeAllListeners("exit");
  worker.removeAllListeners("error");
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  worker.on("message", (message: { id?: number; value?: unknown }) => {
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.value);
    pending.delete(message.id);
  });
  worker.on("exit", () => {
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
  });
  const call = <T>(op: string) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (v: unknown) => void);
      worker.postMessage({ id, op });
    });
  let closed = false;
  return {
    url: ready.url,
    token: ready.token,
    stats: async () => (await call<UpstashStats>("stats")) ?? { commands: 0, requests: 0 },
    async close() {
      if (closed) return;
      closed = true;
      await call("close");
      await worker.terminate();
    },
  };
}
