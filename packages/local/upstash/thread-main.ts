import { threadServe } from "../threads/server-thread.ts";
import { startUpstashServer } from "./upstash-server.ts";

/** The server inside its worker thread (see startServerThread). */
export const serve = threadServe(startUpstashServer, (s) => ({ url: s.url, token: s.token }));
