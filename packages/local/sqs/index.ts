export { type SqsServer, type SqsServerOptions, type SqsStats, startSqsServer } from "./server.ts";
