import { createServer } from "node:net";

/**
 * A TCP port on `host` that was free a moment ago (the OS picks it). Another
 * process may take it before the caller binds it, so callers that bind it in a
 * child process retry with a new port when the bind fails.
 */
export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error(`no free port found on ${host}`))));
    });
  });
}
