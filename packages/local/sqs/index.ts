export { type SqsServer, type SqsServerOptions, type SqsStats, startSqsServer } from "./server.ts";
export { type SqsServerThread, startSqsServerThread } from "./thread.ts";
