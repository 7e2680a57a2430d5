// Starts the market simulator inside a worker thread (see thread.ts): its
// request timestamps then come from an event loop that the SQS, DynamoDB and
// Upstash emulators in the main thread do not hold up.
import { register } from "tsx/esm/api";

register();
await import("./thread-main.ts");
