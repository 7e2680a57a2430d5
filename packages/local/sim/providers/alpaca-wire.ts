import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { easternOffsetHours } from "../../../core/eastern-time.ts";
import type { SimAnswer } from "./provider.ts";

/** What every simulated Alpaca endpoint shares: the JSON type, the error body, keys, tokens, times. */

export const JSON_TYPE = "application/json; charset=UTF-8";

/** Alpaca's error body: `{"message": "..."}`. */
export function messageAnswer(status: number, message: string, outcome: SimAnswer["outcome"]): SimAnswer {
  return { status, body: JSON.stringify({ message }), contentType: JSON_TYPE, outcome };
}

/**
 * The key id when both key headers are there (`APCA-API-KEY-ID`, `APCA-API-SECRET-KEY`; any
 * non-empty pair is accepted unless the id is among the rejected keys), else undefined.
 */
export function keyIdOf(headers: IncomingHttpHeaders): string | undefined {
  const id = headers["apca-api-key-id"];
  const secret = headers["apca-api-secret-key"];
  if (typeof id !== "string" || typeof secret !== "string") return undefined;
  return id.trim() && secret.trim() ? id.trim() : undefined;
}

/** A bar's `t`: the session's 00:00 in New York, in UTC, as Alpaca spells it (`2024-03-01T05:00:00Z`). */
export function sessionTime(date: string): string {
  return `${date}T0${easternOffsetHours(date)}:00:00Z`;
}

/** An opaque page token (base64 of what the next page starts after), as Alpaca's are. */
export function encodeToken(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

export function decodeToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  return Buffer.from(token, "base64").toString("utf8");
}

/** Rounds half away from zero to `digits` decimals. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return (Math.sign(x) * Math.round(Math.abs(x) * f + 1e-9)) / f;
}

/** A stable id of an event, shaped as Alpaca's UUIDs, and a CUSIP-shaped identifier of a symbol. */
export function eventUuid(seed: number, ...parts: string[]): string {
  const hex = createHash("sha256")
    .update(`${seed}|${parts.join("|")}`)
    .digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function cusipOf(seed: number, symbol: string): string {
  return createHash("sha256").update(`${seed}|cusip|${symbol}`).digest("hex").slice(0, 9).toUpperCase();
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:\d\d)$/;
const DATE = /^\d{4}-\d\d-\d\d$/;

/**
 * A `start` or `end` as an instant: RFC-3339, or a date, which is the whole day (from its
 * start for `start`, to its end for `end`). Undefined when it is neither.
 */
export function boundMs(text: string, side: "start" | "end"): number | undefined {
  if (DATE.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
    return side === "start" ? ms : ms + 86_400_000 - 1;
  }
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * `limit` and `sort` as Alpaca's list endpoints read them (`limit` 1 to the endpoint's most,
 * `sort` asc or desc): the values, or a string saying what is wrong.
 */
export function pageOptions(
  param: (name: string) => string | null,
  limits: { byDefault: number; most: number },
): { limit: number; sort: "asc" | "desc" } | string {
  const limitText = param("limit");
  const limit = limitText === null ? limits.byDefault : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.most)
    return `invalid limit: must be between 1 and ${limits.most}, got ${limitText}`;
  const sort = param("sort") ?? "asc";
  if (sort !== "asc" && sort !== "desc") return `invalid sort: ${JSON.stringify(sort)}`;
  return { limit, sort };
}
