import { dayNumber, isoFromDay } from "../../core/days.ts";
import { easternDateOf } from "../../core/eastern-time.ts";
import type { FetchFailure } from "../../core/market-data.port.ts";
import { classifyStatus, type FailureContext, failure, parseRetryAfter, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import type { HistoryRequests } from "./history-requests.ts";
import { type HttpResponse, parseJson } from "./http.ts";
import { isRecord, type JsonRecord, stringField, typeName } from "./shape.ts";

/**
 * What every Alpaca request shares (market data API, `https://data.alpaca.markets`): the two
 * key headers, the failure context that keeps both keys out of every message, and how an
 * answer is read.
 *
 * - Auth: `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY` headers (keys never travel in a URL).
 * - Errors are `{"message": "..."}`: 401 missing or invalid credentials, 403 "forbidden." or
 *   "subscription does not permit querying recent SIP data" (the free plan asking SIP data of
 *   the last 15 minutes), 400/422 a bad parameter, 429 "too many requests." with
 *   `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds when the
 *   window frees) and no `Retry-After`.
 * - Lists page through `next_page_token` (null on the last page), passed back as `page_token`
 *   with every other parameter unchanged.
 */

export const PROVIDER = "alpaca";

/** The config with Alpaca's key headers added: what every request is sent with. */
export function withKeyHeaders(config: ResolvedProviderConfig): ResolvedProviderConfig {
  const headers: Record<string, string> = {};
  if (config.apiKey) headers["APCA-API-KEY-ID"] = config.apiKey;
  if (config.apiSecret) headers["APCA-API-SECRET-KEY"] = config.apiSecret;
  return { ...config, headers };
}

/** The failure context of a request about `symbol` (`*` for many): both keys are secrets. */
export function alpacaContext(config: ResolvedProviderConfig, symbol: string): FailureContext {
  return {
    provider: PROVIDER,
    symbol,
    secrets: [config.apiKey, config.apiSecret].filter((s): s is string => !!s),
  };
}

/**
 * How long until the window frees: `X-RateLimit-Reset` (epoch seconds), else a `Retry-After`
 * (which Alpaca does not send, a proxy might).
 */
export function rateLimitWaitMs(
  headers: HttpResponse["headers"],
  now: number = Date.now(),
): number | undefined {
  const raw = headers["x-ratelimit-reset"];
  const reset = Array.isArray(raw) ? raw[0] : raw;
  if (reset !== undefined && /^\d{9,11}$/.test(reset.trim()))
    return Math.max(0, Number(reset.trim()) * 1000 - now);
  return parseRetryAfter(headers["retry-after"], now);
}

export type AnswerRead = { ok: true; body: JsonRecord } | { ok: false; failure: FetchFailure };

/** An Alpaca answer as its JSON object, or the failure it means. Only Alpaca's `message` is read for meaning. */
export function readAnswer(ctx: FailureContext, response: HttpResponse): AnswerRead {
  const { status } = response;
  const json = parseJson(response.text);
  const body = json.ok && isRecord(json.value) ? json.value : undefined;
  const message = (body && stringField(body, "message")) ?? "";
  const said = message || response.text;
  const fail = (f: FetchFailure): AnswerRead => ({ ok: false, failure: f });
  if (status === 429) {
    const retryAfterMs = rateLimitWaitMs(response.headers);
    const extra = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
    return fail(failure(ctx, "rate-limited", `Alpaca rate limit${said ? `: ${quote(said)}` : ""}`, extra));
  }
  if (status === 401 || status === 403) {
    const hint = /recent SIP/i.test(message)
      ? " (the plan serves SIP data older than 15 minutes only; TICKERFLEET_ALPACA_FEED=iex avoids it)"
      : "";
    return fail(
      failure(ctx, "unauthorized", `Alpaca refused the keys${said ? `: ${quote(said)}` : ""}${hint}`, {
        status,
      }),
    );
  }
  if (status === 400 || status === 422)
    return fail(
      failure(ctx, "invalid-response", `Alpaca refused the request${said ? `: ${quote(said)}` : ""}`, {
        status,
      }),
    );
  const byStatus = classifyStatus(ctx, status, response.headers["retry-after"], said);
  if (byStatus) return fail(byStatus);
  if (!json.ok)
    return fail(failure(ctx, "transient", "body is not JSON (truncated or an error page)", { status }));
  if (!body) return fail(failure(ctx, "invalid-response", `expected an object, got ${typeName(json.value)}`));
  return { ok: true, body };
}

/** The page token of the next page; undefined on the last; null for one that is not a token. */
export function nextPageToken(body: JsonRecord): string | undefined | null {
  const token = body.next_page_token;
  if (token === undefined || token === null || token === "") return undefined;
  return typeof token === "string" ? token : null;
}

/**
 * Requests `path` and every page after it by `next_page_token` (each after the first behind the
 * caller's gate, `requests`), handing each page's body to `readPage`, which answers a failure
 * to stop at. Undefined when every page was read; otherwise the failure. More than
 * `limit.pages` pages is a loop: `limit.message` says so.
 */
export async function readTokenPages(
  ctx: FailureContext,
  requests: HistoryRequests,
  path: string,
  limit: { pages: number; message: string },
  readPage: (body: JsonRecord) => FetchFailure | undefined,
): Promise<FetchFailure | undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page === 0 || token !== undefined; page++) {
    if (page === limit.pages) return failure(ctx, "invalid-response", limit.message);
    const response = await requests.get(
      token === undefined ? path : `${path}&page_token=${encodeURIComponent(token)}`,
    );
    if ("kind" in response) return response;
    const read = readAnswer(ctx, response);
    if (!read.ok) return read.failure;
    const stop = readPage(read.body);
    if (stop) return stop;
    const next = nextPageToken(read.body);
    if (next === null) return failure(ctx, "invalid-response", "next_page_token is not a string");
    if (next !== undefined && seen.has(next))
      return failure(ctx, "invalid-response", "next_page_token repeats an earlier page's; stopped");
    if (next !== undefined) seen.add(next);
    token = next;
  }
  return undefined;
}

/** The query parameter list of a request, values encoded (commas in a symbol list kept: the URL budget counts them). */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text = String(value);
    const encoded =
      name === "symbols" || name === "types"
        ? text.split(",").map(encodeURIComponent).join(",")
        : encodeURIComponent(text);
    parts.push(`${name}=${encoded}`);
  }
  return parts.join("&");
}

/** The date in New York today: the session dates are New York's. */
export function easternToday(now: number = Date.now()): string {
  return easternDateOf(now);
}

/**
 * The `end` of a range ending on `to`: the date itself (Alpaca reads a date as the whole day),
 * or nothing when `to` is today or later. A range reaching into the last 15 minutes is refused
 * to the free plan for SIP data (403); without an end Alpaca stops at what the plan may see.
 */
export function endOf(to: string, now: number = Date.now()): string | undefined {
  return to < easternToday(now) ? to : undefined;
}

/** `days` calendar days after an ISO date. */
export function daysAfter(iso: string, days: number): string {
  return isoFromDay(dayNumber(iso) + days);
}

/** A bar's `t` (RFC-3339, the session's 00:00 New York time in UTC: `2024-03-01T05:00:00Z`) as its date. */
export function sessionDateOf(t: unknown): string | undefined {
  if (typeof t !== "string") return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? easternDateOf(ms) : undefined;
}
