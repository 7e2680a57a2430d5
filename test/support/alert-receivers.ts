import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got, as it arrived, and what it answered. */
export interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  /** The raw body, exactly as sent (a webhook's signature is over these bytes). */
  body: string;
  status: number;
}

/**
 * A loopback server that answers as each alert channel does: Slack's incoming webhook (200
 * `ok`), Discord's webhook (204, no body), Telegram's Bot API `sendMessage`
 * (`{"ok":true,"result":{…}}`) under `/bot<token>/`, and a generic webhook (200). A path can
 * be told to fail its next N requests or all of them (an answer of `status`), as a channel that
 * is down does.
 */
export interface AlertReceivers {
  url: string;
  received: Received[];
  /** Requests to a path that were answered 2xx. */
  accepted(path: string): Received[];
  failNext(path: string, count: number, status?: number): void;
  failAlways(path: string, status?: number): void;
  heal(path: string): void;
  close(): Promise<void>;
}

export async function startAlertReceivers(): Promise<AlertReceivers> {
  const received: Received[] = [];
  const failures = new Map<string, { left: number; status: number }>();
  let messageId = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "/").split("?")[0]!;
      const failure = failures.get(path);
      let status: number;
      if (failure && failure.left !== 0) {
        failure.left--;
        status = failure.status;
        res.writeHead(status, { "content-type": "text/plain" }).end("receiver told to fail");
      } else if (path.startsWith("/bot") && path.endsWith("/sendMessage")) {
        const sent = JSON.parse(body) as { chat_id: string; text: string };
        status = 200;
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            ok: true,
            result: {
              message_id: ++messageId,
              chat: { id: sent.chat_id },
              date: Math.floor(Date.now() / 1000),
              text: sent.text,
            },
          }),
        );
      } else if (path === "/discord") {
        status = 204;
        res.writeHead(204).end();
      } else if (path === "/slack") {
        status = 200;
        res.writeHead(200, { "content-type": "text/html" }).end("ok");
      } else if (path === "/webhook") {
        status = 200;
        res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
      } else {
        status = 404;
        res.writeHead(404, { "content-type": "text/plain" }).end("no_service");
      }
      received.push({ path, headers: req.headers, body, status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    accepted: (path) => received.filter((r) => r.path === path && r.status >= 200 && r.status < 300),
    failNext: (path, count, status = 500) => failures.set(path, { left: count, status }),
    failAlways: (path, status = 500) => failures.set(path, { left: -1, status }),
    heal: (path) => failures.delete(path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
