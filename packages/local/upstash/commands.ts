import type { RespArgument } from "../redis/resp.ts";
import { UpstashRequestError } from "./errors.ts";

/** A Redis command as sent to redis-server: the name first, then its arguments. */
export type RedisCommand = RespArgument[];

/** The upper-case name of a command, for matching. */
export function commandName(command: readonly RespArgument[]): string {
  return String(command[0] ?? "").toUpperCase();
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * One command from a JSON body (`["SET", "k", "v", "EX", 10]`). Numbers and
 * booleans become their text, as Redis would receive them from redis-cli.
 * @throws UpstashRequestError (400) naming the bad element
 */
export function parseJsonCommand(value: unknown, where = "the command"): RedisCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw new UpstashRequestError(
      400,
      `ERR ${where} must be a non-empty JSON array such as ["SET","key","value"], got ${describe(value)}`,
    );
  }
  return value.map((element, index) => {
    if (typeof element === "string") return element;
    if ((typeof element === "number" && Number.isFinite(element)) || typeof element === "boolean") {
      return String(element);
    }
    throw new UpstashRequestError(
      400,
      `ERR element ${index + 1} of ${where} is ${describe(element)}; elements must be strings, finite numbers or booleans`,
    );
  });
}

/**
 * The commands of a `/pipeline` or `/multi-exec` body (`[["SET","a","1"],["GET","a"]]`).
 * @throws UpstashRequestError (400) naming the bad command
 */
export function parseJsonCommandList(value: unknown, endpoint: string): RedisCommand[] {
  if (!Array.isArray(value)) {
    throw new UpstashRequestError(
      400,
      `ERR the body of ${endpoint} must be a JSON array of commands such as [["SET","a","1"],["GET","a"]], got ${describe(value)}`,
    );
  }
  return value.map((command, index) => parseJsonCommand(command, `command ${index + 1} of ${endpoint}`));
}

/**
 * A command written in the URL, Upstash's curl-friendly form:
 * `/set/foo/bar` is `SET foo bar`; a POST body is appended as one more argument
 * (byte for byte, for JSON or binary values); query parameters other than
 * `_token` follow as `name value` (`/set/foo?EX=100` with a body is
 * `SET foo <body> EX 100`).
 * @throws UpstashRequestError (400) when the path names no command or is not valid percent-encoding
 */
export function parsePathCommand(url: URL, body: Buffer): RedisCommand {
  const segments = url.pathname.split("/").slice(1);
  if (segments.at(-1) === "") segments.pop();
  let command: RedisCommand;
  try {
    command = segments.map((segment) => decodeURIComponent(segment));
  } catch (error) {
    throw new UpstashRequestError(400, `ERR the path ${url.pathname} is not valid percent-encoding`, {
      cause: error,
    });
  }
  if (command.length === 0 || command[0] === "") {
    throw new UpstashRequestError(
      400,
      'ERR no command: POST a JSON array such as ["PING"] to /, or name the command in the path (/ping, /set/key/value)',
    );
  }
  if (body.length > 0) command.push(body);
  for (const [name, value] of url.searchParams) {
    if (name === "_token") continue;
    command.push(name);
    if (value !== "") command.push(value);
  }
  return command;
}

const BLOCKING = new Set([
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BLMOVE",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "WAIT",
  "WAITAOF",
]);
const TRANSACTION_CONTROL = new Set(["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"]);
const SUBSCRIPTIONS = new Set([
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
]);
const CONNECTION_STATE = new Set(["SELECT", "QUIT", "RESET", "HELLO", "AUTH"]);
const ADMINISTRATIVE = new Set(["SHUTDOWN", "REPLICAOF", "SLAVEOF", "SYNC", "PSYNC", "REPLCONF", "FAILOVER"]);

/**
 * Why this server will not run a command, or undefined when it will. Every
 * request shares a few Redis connections, so nothing may block a connection
 * or change its state; Upstash refuses the same kinds of commands over REST.
 */
export function unsupportedReason(command: readonly RespArgument[]): string | undefined {
  const name = commandName(command);
  const isBlockingRead =
    (name === "XREAD" || name === "XREADGROUP") &&
    command.some((arg) => String(arg).toUpperCase() === "BLOCK");
  if (BLOCKING.has(name) || isBlockingRead) {
    return (
      `ERR ${name} ${isBlockingRead ? "with BLOCK " : ""}is a blocking command, which the local Upstash REST server ` +
      "does not run (its Redis connections are shared by every request): poll with a non-blocking command instead"
    );
  }
  if (TRANSACTION_CONTROL.has(name)) {
    return `ERR ${name} is not supported as a REST command: send the commands of a transaction to /multi-exec`;
  }
  if (SUBSCRIPTIONS.has(name)) {
    return `ERR ${name} is not supported by the local Upstash REST server (it streams server-sent events, which this emulator does not implement)`;
  }
  if (
    CONNECTION_STATE.has(name) ||
    (name === "CLIENT" && String(command[1] ?? "").toUpperCase() === "REPLY")
  ) {
    return `ERR ${name} changes the state of a connection, which a stateless REST request cannot keep: not supported by the local Upstash REST server`;
  }
  if (ADMINISTRATIVE.has(name)) {
    return `ERR ${name} is an administrative command that Upstash does not offer over REST`;
  }
  return undefined;
}
