// Runs a local server module inside a worker thread (see server-thread.ts): loads TypeScript
// through tsx, starts the module's `serve(options)`, then answers `stats` and `close`.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";
import { threadCpuMs } from "./thread-cpu.mjs";

register();
const { serve } = await import(workerData.entry);
const server = await serve(workerData.options);
parentPort.postMessage({ info: server.info });
parentPort.on("message", async (request) => {
  if (request.op === "stats") {
    parentPort.postMessage({ id: request.id, value: server.stats() });
  } else if (request.op === "cpu") {
    parentPort.postMessage({ id: request.id, value: threadCpuMs() });
  } else if (request.op === "close") {
    await server.close();
    parentPort.postMessage({ id: request.id, value: null });
    parentPort.close();
  }
});
