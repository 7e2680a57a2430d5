import { createHash } from "node:crypto";
import type { RespArgument, RespReply } from "../redis/resp.ts";
import { commandName, type RedisCommand } from "./commands.ts";

/**
 * Script flags open-source Redis understands in a `#!lua flags=...` shebang
 * (Redis 7.0 to 7.4). Upstash adds its own, notably `allow-key-locking`, which
 * every @upstash/ratelimit script carries and Redis 7.0 rejects with
 * "ERR Unexpected flag in script shebang: allow-key-locking".
 */
const REDIS_SCRIPT_FLAGS = new Set([
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
]);

function toBuffer(argument: RespArgument): Buffer {
  return typeof argument === "string" ? Buffer.from(argument, "utf8") : argument;
}

/** Lower-case hex SHA1, as Redis names scripts. */
export function scriptSha(script: RespArgument): string {
  return createHash("sha1").update(toBuffer(script)).digest("hex");
}

/**
 * The script with the shebang flags Redis does not know removed, or undefined
 * when it needs no change. `#!lua flags=allow-key-locking` becomes `#!lua`,
 * which Redis reads as "a script that declares its flags, none of them": the
 * same contract minus Upstash's locking hint. The line stays where it was, so
 * line numbers in Lua errors still match the original.
 */
export function withoutUnsupportedShebangFlags(script: RespArgument): Buffer | undefined {
  const bytes = toBuffer(script);
  if (bytes[0] !== 0x23 /* # */ || bytes[1] !== 0x21 /* ! */) return undefined;
  const lineEnd = bytes.indexOf(0x0a);
  const line = bytes.subarray(0, lineEnd === -1 ? bytes.length : lineEnd).toString("utf8");
  // Redis splits the line on any whitespace (a CRLF script leaves "\r" at its end): keep that tail as it was.
  const [, shebang = "", trailing = ""] = line.match(/^(.*?)(\s*)$/s) ?? [];
  let changed = false;
  const parts = shebang
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((part) => {
      if (!part.startsWith("flags=")) return [part];
      const flags = part.slice("flags=".length).split(",");
      const known = flags.filter((flag) => REDIS_SCRIPT_FLAGS.has(flag));
      if (known.length === flags.length) return [part];
      changed = true;
      return known.length > 0 ? [`flags=${known.join(",")}`] : [];
    });
  if (!changed) return undefined;
  const rest = lineEnd === -1 ? Buffer.alloc(0) : bytes.subarray(lineEnd);
  return Buffer.concat([Buffer.from(parts.join(" ") + trailing, "utf8"), rest]);
}

/** A command ready for Redis, and how to turn Redis's reply into the one the client expects. */
export interface PreparedCommand {
  command: RedisCommand;
  mapReply(reply: RespReply): RespReply;
}

const unchanged = (reply: RespReply): RespReply => reply;

/**
 * Keeps Lua scripts working when their shebang has to be rewritten for Redis.
 * Clients name a script by the SHA1 of the text they hold (@upstash/ratelimit
 * ships precomputed SHAs and calls EVALSHA first, falling back to EVAL on
 * NOSCRIPT), but Redis caches the rewritten text under another SHA. This maps
 * the client's SHA to Redis's one whenever a rewritten script passes through
 * EVAL or SCRIPT LOAD, and translates EVALSHA, SCRIPT EXISTS and the reply of
 * SCRIPT LOAD. An EVALSHA of a SHA never seen goes to Redis as is and gets
 * Redis's own NOSCRIPT error, which is what the client falls back on.
 */
export class ScriptShaMap {
  private readonly redisShaByClientSha = new Map<string, string>();

  prepare(command: RedisCommand): PreparedCommand {
    const name = commandName(command);
    switch (name) {
      case "EVAL":
      case "EVAL_RO":
        return { command: this.rewriteScriptAt(command, 1).command, mapReply: unchanged };
      case "EVALSHA":
      case "EVALSHA_RO":
        return { command: this.translateShasFrom(command, 1, 2), mapReply: unchanged };
      case "SCRIPT":
        return this.prepareScriptSubcommand(command);
      default:
        return { command, mapReply: unchanged };
    }
  }

  private prepareScriptSubcommand(command: RedisCommand): PreparedCommand {
    const subcommand = String(command[1] ?? "").toUpperCase();
    if (subcommand === "LOAD") {
      const { command: rewritten, clientSha } = this.rewriteScriptAt(command, 2);
      // Redis answers with the SHA of what it stored; the client expects the SHA of what it sent.
      const mapReply = (reply: RespReply): RespReply =>
        clientSha && Buffer.isBuffer(reply) ? Buffer.from(clientSha) : reply;
      return { command: rewritten, mapReply };
    }
    if (subcommand === "EXISTS") return { command: this.translateShasFrom(command, 2), mapReply: unchanged };
    if (subcommand === "FLUSH") this.redisShaByClientSha.clear();
    return { command, mapReply: unchanged };
  }

  private rewriteScriptAt(
    command: RedisCommand,
    index: number,
  ): { command: RedisCommand; clientSha?: string } {
    const script = command[index];
    if (script === undefined) return { command };
    const rewritten = withoutUnsupportedShebangFlags(script);
    if (!rewritten) return { command };
    const clientSha = scriptSha(script);
    this.redisShaByClientSha.set(clientSha, scriptSha(rewritten));
    const copy = [...command];
    copy[index] = rewritten;
    return { command: copy, clientSha };
  }

  private translateShasFrom(command: RedisCommand, from: number, to = command.length): RedisCommand {
    const copy = [...command];
    for (let i = from; i < Math.min(to, copy.length); i++) {
      const mapped = this.redisShaByClientSha.get(String(copy[i]).toLowerCase());
      if (mapped) copy[i] = mapped;
    }
    return copy;
  }
}
