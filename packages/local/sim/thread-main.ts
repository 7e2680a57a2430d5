import { parentPort, workerData } from "node:worker_threads";
import type { SimulatorConfigPatch } from "./config.ts";
import { type SimulatorOptions, startMarketSimulator } from "./server.ts";

type Request =
  | { id: number; op: "requests"; since?: number }
  | { id: number; op: "clearRequests" }
  | { id: number; op: "configure"; patch: SimulatorConfigPatch }
  | { id: number; op: "config" }
  | { id: number; op: "close" };

const sim = await startMarketSimulator(workerData as SimulatorOptions);
parentPort!.postMessage({ op: "ready", url: sim.url, urls: sim.urls, seed: sim.seed, asOf: sim.asOf });

parentPort!.on("message", async (request: Request) => {
  try {
    let value: unknown;
    if (request.op === "requests") {
      const all = sim.requests();
      value = request.since === undefined ? all : all.filter((r) => r.startMs >= request.since!);
    } else if (request.op === "clearRequests") sim.clearRequests();
    else if (request.op === "configure") sim.configure(request.patch);
    else if (request.op === "config") value = sim.config;
    else if (request.op === "close") {
      await sim.close();
      parentPort!.postMessage({ id: request.id, ok: true });
      parentPort!.close();
      return;
    }
    parentPort!.postMessage({ id: request.id, ok: true, value });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, ok: false, error: (error as Error).message });
  }
});
