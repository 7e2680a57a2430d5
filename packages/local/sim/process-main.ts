import type { ClockMove } from "./clock.ts";
import type { SimulatorConfigPatch } from "./config.ts";
import type { PrerenderRequest } from "./render-cache.ts";
import { type SimulatorOptions, startMarketSimulator } from "./server.ts";

/**
 * The simulator as a child process (see process.ts): started by the parent
 * with IPC, answering control messages, and gone as soon as the parent is
 * (its IPC channel closes even when the parent is killed).
 */
type Request =
  | { id: number; op: "requests"; since?: number }
  | { id: number; op: "clearRequests" }
  | { id: number; op: "configure"; patch: SimulatorConfigPatch }
  | { id: number; op: "config" }
  | { id: number; op: "prerender"; request: PrerenderRequest }
  | { id: number; op: "renderCacheStats" }
  | { id: number; op: "moveClock"; move: ClockMove }
  | { id: number; op: "close" };

const send = (message: unknown) => process.send?.(message);
process.on("disconnect", () => process.exit(0));

const options = JSON.parse(process.env.TICKERFLEET_SIM_OPTIONS ?? "{}") as SimulatorOptions;
const sim = await startMarketSimulator(options).catch((error: Error) => {
  // Told to the parent, which rethrows it as what it is (a bad config is the user's to fix, not a crash).
  const problems = (error as { problems?: readonly string[] }).problems;
  send({ op: "failed", name: error.name, message: error.message, problems });
  process.exit(1);
});
send({ op: "ready", url: sim.url, urls: sim.urls, seed: sim.seed, asOf: sim.asOf });

process.on("message", async (request: Request) => {
  try {
    let value: unknown;
    if (request.op === "requests") {
      const all = sim.requests();
      value = request.since === undefined ? all : all.filter((r) => r.startMs >= request.since!);
    } else if (request.op === "clearRequests") sim.clearRequests();
    else if (request.op === "configure") sim.configure(request.patch);
    else if (request.op === "config") value = sim.config;
    else if (request.op === "prerender") value = await sim.prerender(request.request);
    else if (request.op === "renderCacheStats") value = sim.renderCacheStats();
    else if (request.op === "moveClock") value = sim.moveClock(request.move);
    else if (request.op === "close") {
      await sim.close();
      send({ id: request.id, ok: true });
      process.disconnect?.();
      return;
    }
    send({ id: request.id, ok: true, value });
  } catch (error) {
    send({ id: request.id, ok: false, error: (error as Error).message });
  }
});
