// The first code a local Lambda "container" (a worker thread) runs. Plain
// JavaScript so it needs no loader itself: it imports the handler module once (module state then lives as long as the container, as
// in Lambda), and answers invocations from the runtime one at a time.
import { parentPort, workerData } from "node:worker_threads";
// This thread's CPU time, reported with each result: the runtime's per-function CPU figures.
import { threadCpuMs } from "../threads/thread-cpu.mjs";

const { modulePath, exportName } = workerData;

// Bundled handlers (the default, as in Lambda) are plain JavaScript; TypeScript
// sources (the runtime's `bundle: false` mode) need tsx's loader first.
if (modulePath.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}

function describeError(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || "Error",
      errorMessage: error.message,
      stackTrace: String(error.stack ?? "").split("\n"),
    };
  }
  return { errorType: "Error", errorMessage: String(error), stackTrace: [] };
}

let handler;
try {
  const mod = await import(modulePath);
  handler = mod[exportName];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${modulePath} does not export a function named "${exportName}"`), {
      name: "Runtime.HandlerNotFound",
    });
  }
  parentPort.postMessage({ type: "ready", cpuMs: threadCpuMs() });
} catch (error) {
  const described = describeError(error);
  if (described.errorType === "Error") described.errorType = "Runtime.ImportModuleError";
  parentPort.postMessage({ type: "init-error", error: described });
}

parentPort.on("message", async (message) => {
  if (message.type !== "invoke" || !handler) return;
  const { id, event, context: ctx } = message;
  const context = {
    ...ctx,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, ctx.deadlineMs - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const value = await handler(event, context);
    parentPort.postMessage({
      type: "result",
      id,
      ok: true,
      value: value === undefined ? null : value,
      cpuMs: threadCpuMs(),
    });
  } catch (error) {
    parentPort.postMessage({
      type: "result",
      id,
      ok: false,
      error: describeError(error),
      cpuMs: threadCpuMs(),
    });
  }
});
