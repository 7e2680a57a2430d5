import { threadServe } from "../threads/server-thread.ts";
import { startS3Server } from "./server.ts";

/** The server inside its worker thread (see startServerThread). */
export const serve = threadServe(startS3Server, (s) => ({ url: s.url, port: s.port }));
