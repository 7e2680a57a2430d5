import { Worker } from "node:worker_threads";

/**
 * What a module run by startServerThread exports: `serve(options)` starts its
 * server inside the worker thread and returns what the parent may know of it
 * (`info`, structured-cloneable), its counters, and how to close it.
 */
export interface ThreadedServer<Info, Stats> {
  info: Info;
  stats(): Stats;
  close(): Promise<void>;
}
export type Serve<Options, Info, Stats> = (options: Options) => Promise<ThreadedServer<Info, Stats>>;

/** `serve` for a module whose server has `stats()` and `close()`: `info` picks what the parent may know. */
export function threadServe<Options, Server extends { stats(): unknown; close(): Promise<void> }, Info>(
  start: (options: Options) => Promise<Server>,
  info: (server: Server) => Info,
): Serve<Options, Info, ReturnType<Server["stats"]>> {
  return async (options) => {
    const server = await start(options);
    return {
      info: info(server),
      stats: () => server.stats() as ReturnType<Server["stats"]>,
      close: () => server.close(),
    };
  };
}

/** What the parent can ask of a server thread; its counters are read by message. */
export interface ServerControls<Stats> {
  stats(): Promise<Stats>;
  /** CPU time the thread has used, in ms (Linux; null elsewhere). */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

/** A server running in its own worker thread: its `info` (e.g. url, port) and its controls. */
export type ServerThread<Info, Stats> = Readonly<Info> & ServerControls<Stats>;

/**
 * Starts `entry` (a module exporting `serve`, see ThreadedServer) in a worker
 * thread of its own. In AWS, SQS, DynamoDB and Upstash are services of their
 * own; here each local stand-in gets its own event loop, so it answers while
 * the main thread (the function runtime, the other servers) is busy, and the
 * machine's cores share the work instead of one thread doing it all.
 */
export async function startServerThread<Options, Info, Stats>(
  entry: URL,
  options: Options,
  emptyStats: Stats,
): Promise<ServerThread<Info, Stats>> {
  const worker = new Worker(new URL("./bootstrap.mjs", import.meta.url), {
    workerData: { entry: entry.href, options },
    // TICKERFLEET_CPU_PROFILE_DIR: a V8 CPU profile of the thread, as for function containers.
    execArgv: process.env.TICKERFLEET_CPU_PROFILE_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.TICKERFLEET_CPU_PROFILE_DIR}`]
      : [],
  });
  const info = await new Promise<Info>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`the server thread of ${entry.pathname} exited (${code}) before it was ready`)),
    );
    worker.once("message", (message: { info: Info }) => resolve(message.info));
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
  const call = <T>(op: "stats" | "cpu" | "close") =>
    new Promise<T | undefined>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (v: unknown) => void);
      worker.postMessage({ id, op });
    });
  let closed = false;
  return {
    ...info,
    stats: async () => (await call<Stats>("stats")) ?? emptyStats,
    cpuMs: async () => (await call<number | null>("cpu")) ?? null,
    async close() {
      if (closed) return;
      closed = true;
      await call("close");
      await worker.terminate();
    },
  };
}
