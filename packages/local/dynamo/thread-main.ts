import { threadServe } from "../threads/server-thread.ts";
import { startDynamoServer } from "./index.ts";

/** The server inside its worker thread (see startServerThread). */
export const serve = threadServe(startDynamoServer, (s) => ({ url: s.url, port: s.port }));
