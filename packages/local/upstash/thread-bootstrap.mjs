// Runs the Upstash REST server inside a worker thread (see thread.ts), so rate-limit
// replies are not held up by whatever else the main thread is doing.
import { register } from "tsx/esm/api";

register();
await import("./thread-main.ts");
