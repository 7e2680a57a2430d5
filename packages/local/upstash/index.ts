export { UpstashRequestError } from "./errors.ts";
export { type LocalUpstash, type StartLocalUpstashOptions, startLocalUpstash } from "./local-upstash.ts";
export { ScriptShaMap, withoutUnsupportedShebangFlags } from "./lua-scripts.ts";
export { startUpstashServerThread, type UpstashServerThread } from "./thread.ts";
export {
  startUpstashServer,
  type UpstashServer,
  type UpstashServerOptions,
  type UpstashStats,
} from "./upstash-server.ts";
