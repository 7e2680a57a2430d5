import { threadServe } from "../threads/server-thread.ts";
import { startSqsServer } from "./server.ts";

/** The server inside its worker thread (see startServerThread). */
export const serve = threadServe(startSqsServer, (s) => ({ url: s.url, port: s.port }));
