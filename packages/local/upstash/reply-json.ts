import { RespError, type RespReply, RespStatus } from "../redis/resp.ts";

/**
 * How Upstash's REST API writes Redis replies as JSON: integers are numbers,
 * nil is null, arrays are arrays, strings are strings. Without
 * `Upstash-Encoding: base64` strings are UTF-8 text (bytes that are not valid
 * UTF-8 become U+FFFD, as Upstash documents). With it, every string is the
 * base64 of its bytes except a top-level `OK` status, which stays plain: that
 * is what @upstash/redis's decoder expects (it keeps a top-level "OK" and
 * base64-decodes every other string, including strings inside arrays).
 */
export function replyToJson(reply: RespReply, base64: boolean): string {
  if (reply instanceof RespStatus && reply.value === "OK") return '"OK"';
  return valueToJson(reply, base64);
}

function valueToJson(reply: RespReply, base64: boolean): string {
  if (reply === null) return "null";
  // Written as digits, so a 64-bit integer keeps every digit (JSON has no integer limit).
  if (typeof reply === "bigint") return reply.toString();
  if (Buffer.isBuffer(reply)) return JSON.stringify(reply.toString(base64 ? "base64" : "utf8"));
  if (Array.isArray(reply)) return `[${reply.map((item) => valueToJson(item, base64)).join(",")}]`;
  // A status (or an error nested in an array, e.g. from a Lua table) is text too.
  const text = reply instanceof RespStatus ? reply.value : reply.message;
  return JSON.stringify(base64 ? Buffer.from(text, "utf8").toString("base64") : text);
}

/** `{"result": ...}`, or `{"error": "..."}` for an error reply (error text is never base64-encoded). */
export function resultEnvelope(reply: RespReply, base64: boolean): string {
  if (reply instanceof RespError) return `{"error":${JSON.stringify(reply.message)}}`;
  return `{"result":${replyToJson(reply, base64)}}`;
}
