export { REDIS_INSTALL_HINT, RedisServerNotFoundError, RedisServerStartError } from "./errors.ts";
export { findRedisServer } from "./find-redis-server.ts";
export { findFreePort } from "./free-port.ts";
export { type RedisProcess, type StartRedisServerOptions, startRedisServer } from "./redis-server.ts";
export { type RespArgument, RespError, type RespReply, RespStatus } from "./resp.ts";
export { RespConnection, type RespConnectionOptions } from "./resp-connection.ts";
