import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultKind } from "./config.ts";
import type { SimAnswer } from "./providers/provider.ts";
import { nowMs, type SimRequestLog } from "./request-log.ts";
import type { SimulatorState } from "./state.ts";

/**
 * Sends `answer` after `delayMs` (the drawn latency), shaped by the faults that
 * change how it is sent, and keeps the request's log entry up to date:
 * - `timeout`: nothing is sent; the socket is dropped after `timeoutHoldMs`;
 * - `reset`: half the body, then the socket is destroyed (Content-Length promised it all);
 * - `truncated`: half the body, and the response ends cleanly (chunked).
 * Every wait is in `state.inFlight`, so that closing the simulator drops it.
 */
export function deliver(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  entry: SimRequestLog,
  answer: SimAnswer,
  delayMs: number,
  fault: FaultKind | undefined,
): void {
  const { inFlight } = state;
  res.on("close", () => {
    entry.endMs ??= nowMs();
  });
  entry.outcome = fault && fault !== "status5xx" ? `fault:${fault}` : answer.outcome;
  const send = () => {
    const socket = req.socket;
    if (socket.destroyed) return;
    if (fault === "timeout") {
      const drop = () => socket.destroy();
      const timer = setTimeout(drop, state.config.timeoutHoldMs);
      const release = () => {
        clearTimeout(timer);
        drop();
      };
      inFlight.add(release);
      res.on("close", () => {
        clearTimeout(timer);
        inFlight.delete(release);
      });
      return;
    }
    entry.status = answer.status;
    const headers: Record<string, string | number> = {
      "content-type": answer.contentType,
      ...answer.headers,
    };
    if (fault === "reset") {
      const body = typeof answer.body === "string" ? Buffer.from(answer.body, "utf8") : answer.body;
      headers["content-length"] = body.length;
      res.writeHead(answer.status, headers);
      entry.bytes = Math.floor(body.length / 2);
      res.write(body.subarray(0, entry.bytes), () => socket.destroy());
      return;
    }
    if (fault === "truncated") {
      const body = typeof answer.body === "string" ? Buffer.from(answer.body, "utf8") : answer.body;
      res.writeHead(answer.status, headers);
      entry.bytes = Math.max(1, Math.floor(body.length / 2));
      res.end(body.subarray(0, entry.bytes));
      return;
    }
    headers["content-length"] = Buffer.byteLength(answer.body, "utf8");
    entry.bytes = headers["content-length"];
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };
  if (delayMs <= 0) {
    send();
    return;
  }
  const drop = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(() => {
    inFlight.delete(drop);
    send();
  }, delayMs);
  inFlight.add(drop);
}
