import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A real HTTP server on 127.0.0.1:0 that answers provider requests from
 * recorded-shape fixtures. Each test sets `handler`; the server logs every
 * request (path with query) and counts TCP connections, so tests can check
 * what the adapter sent and that it reused its sockets.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface FixtureServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  handler: Handler;
  /** Path + query of every request, in arrival order. */
  readonly requests: string[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const FIXTURES = new URL("../fixtures/providers/", import.meta.url);

/** A fixture file's text; `{{BASE}}` is replaced by `base` when given. */
export function fixtureText(name: string, base?: string): string {
  const text = readFileSync(new URL(name, FIXTURES), "utf8");
  return base === undefined ? text : text.split("{{BASE}}").join(base);
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "text/plain",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const state = {
    handler: ((_req, res) => sendText(res, 500, "no handler set")) as Handler,
  };
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    state.handler(req, res, new URL(req.url ?? "/", "http://fixture.invalid"));
  });
  server.on("connection", (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
