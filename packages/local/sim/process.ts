import { fork } from "node:child_process";
import { setPriority } from "node:os";
import { ConfigError, ValidationError } from "../../core/errors.ts";
import type { ProviderName } from "../../core/market-data.port.ts";
import type { ClockMove, ClockState } from "./clock.ts";
import type { SimulatorConfig, SimulatorConfigPatch } from "./config.ts";
import type { PrerenderRequest, PrerenderResult, RenderCacheStats } from "./render-cache.ts";
import type { SimRequestLog } from "./request-log.ts";
import type { SimulatorOptions } from "./server.ts";

/** The simulator running in its own process; the same controls as `Simulator`, asynchronous. */
export interface SimulatorProcess {
  readonly url: string;
  readonly urls: Record<ProviderName, string>;
  readonly seed: number;
  /** The anchor: the market's today when it started (`moveClock` moves today). */
  readonly asOf: string;
  readonly pid: number;
  /** Moves the market's today, like `POST /_sim/clock` (rejects with the problems of a bad move). */
  moveClock(move: ClockMove): Promise<ClockState>;
  /** Requests so far (optionally only those that arrived at or after `since`, epoch ms). */
  requests(since?: number): Promise<SimRequestLog[]>;
  clearRequests(): Promise<void>;
  configure(patch: SimulatorConfigPatch): Promise<void>;
  config(): Promise<SimulatorConfig>;
  /**
   * Renders the answers to these requests into the simulator's body cache
   * ahead of time (see `Simulator.prerender`): no rate limit, log, fault or
   * request id is touched. Resolves when all are rendered.
   */
  prerender(request: PrerenderRequest): Promise<PrerenderResult>;
  /** The body cache's size and hit counts. */
  renderCacheStats(): Promise<RenderCacheStats>;
  close(): Promise<void>;
}

/** The error the simulator process could not start with, as the type it had there. */
function startFailure(failed: { name?: string; message?: string; problems?: string[] }): Error {
  if (failed.name === "ValidationError" && failed.problems) {
    return new ValidationError("simulator config", failed.problems);
  }
  if (failed.name === "ConfigError") return new ConfigError(failed.message ?? "bad simulator config");
  return new Error(`the simulator could not start: ${failed.message ?? "unknown error"}`);
}

/**
 * Starts the market simulator in a child process. Its arrival timestamps are
 * what proves a rate limit held, so it must stamp a request when it arrives,
 * not when a thread of a busy process next gets a core: it runs apart, and at
 * a higher scheduling priority when the user may grant one (root), as a real
 * provider's clock is independent of our load.
 */
export async function startSimulatorProcess(options: SimulatorOptions = {}): Promise<SimulatorProcess> {
  const child = fork(new URL("./process-bootstrap.mjs", import.meta.url), [], {
    env: { ...process.env, TICKERFLEET_SIM_OPTIONS: JSON.stringify(options) },
    execArgv: [],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    setPriority(child.pid!, -10);
  } catch {
    // Not permitted (not root): the simulator shares the machine like everything else.
  }
  const ready = await new Promise<{
    url: string;
    urls: Record<ProviderName, string>;
    seed: number;
    asOf: string;
  }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`the simulator process exited (${code}) before it was ready`)),
    );
    child.once("message", (message: { op: string; name?: string; message?: string; problems?: string[] }) => {
      if (message.op === "ready") resolve(message as never);
      else reject(startFailure(message));
    });
  });
  child.removeAllListeners("exit");
  child.removeAllListeners("error");
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on("message", (message: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new ValidationError("simulator request", [message.error ?? "failed"]));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the simulator process exited"));
    pending.clear();
  });
  const call = <T>(op: string, extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, ...extra });
    });
  let closed = false;
  return {
    ...ready,
    pid: child.pid!,
    requests: (since) => call<SimRequestLog[]>("requests", since === undefined ? {} : { since }),
    clearRequests: () => call<void>("clearRequests"),
    configure: (patch) => call<void>("configure", { patch }),
    config: () => call<SimulatorConfig>("config"),
    prerender: (request) => call<PrerenderResult>("prerender", { request }),
    renderCacheStats: () => call<RenderCacheStats>("renderCacheStats"),
    moveClock: (move) => call<ClockState>("moveClock", { move }),
    async close() {
      if (closed) return;
      closed = true;
      await call<void>("close").catch(() => undefined);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
