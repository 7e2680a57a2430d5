import { parentPort, workerData } from "node:worker_threads";
import { startUpstashServer, type UpstashServerOptions } from "./upstash-server.ts";

const server = await startUpstashServer(workerData as UpstashServerOptions);
parentPort!.postMessage({ op: "ready", url: server.url, token: server.token });

parentPort!.on("message", async (request: { id: number; op: "stats" | "close" }) => {
  if (request.op === "stats") {
    parentPort!.postMessage({ id: request.id, value: server.stats() });
  } else if (request.op === "close") {
    await server.close();
    parentPort!.postMessage({ id: request.id, value: null });
    parentPort!.close();
  }
});
