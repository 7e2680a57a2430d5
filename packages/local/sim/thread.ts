import { Worker } from "node:worker_threads";
import { ValidationError } from "../../core/errors.ts";
import type { ProviderName } from "../../core/market-data.port.ts";
import type { SimulatorConfig, SimulatorConfigPatch } from "./config.ts";
import type { SimRequestLog } from "./request-log.ts";
import type { SimulatorOptions } from "./server.ts";

/** The simulator running in its own thread; the same controls as `Simulator`, asynchronous. */
export interface SimulatorThread {
  readonly url: string;
  readonly urls: Record<ProviderName, string>;
  readonly seed: number;
  readonly asOf: string;
  /** Requests so far (optionally only those that arrived at or after `since`, epoch ms). */
  requests(since?: number): Promise<SimRequestLog[]>;
  clearRequests(): Promise<void>;
  configure(patch: SimulatorConfigPatch): Promise<void>;
  config(): Promise<SimulatorConfig>;
  close(): Promise<void>;
}

/**
 * Starts the market simulator in a worker thread. Its arrival timestamps are
 * what proves a rate limit held, so it gets an event loop of its own rather
 * than sharing the local cloud's (whose pauses would bunch arrivals together).
 */
export async function startMarketSimulatorThread(options: SimulatorOptions = {}): Promise<SimulatorThread> {
  const worker = new Worker(new URL("./thread-bootstrap.mjs", import.meta.url), {
    workerData: options,
    execArgv: [],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = await new Promise<{
    url: string;
    urls: Record<ProviderName, string>;
    seed: number;
    asOf: string;
  }>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once("error", onError);
    worker.once("message", (message) => {
      worker.off("error", onError);
      resolve(message);
    });
  });
  worker.on("message", (message: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new ValidationError("simulator request", [message.error ?? "failed"]));
  });
  worker.on("exit", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the simulator thread exited"));
    pending.clear();
  });
  const call = <T>(op: string, extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, ...extra });
    });
  let closed = false;
  return {
    ...ready,
    requests: (since) => call<SimRequestLog[]>("requests", since === undefined ? {} : { since }),
    clearRequests: () => call<void>("clearRequests"),
    configure: (patch) => call<void>("configure", { patch }),
    config: () => call<SimulatorConfig>("config"),
    async close() {
      if (closed) return;
      closed = true;
      await call<void>("close").catch(() => undefined);
      await worker.terminate();
    },
  };
}
