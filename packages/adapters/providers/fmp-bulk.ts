import type { FetchFailure, HistoryOptions, MarketDayResult } from "../../core/market-data.port.ts";
import { classifyStatus, type FailureContext, failure, quote } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { fmpBody, PROVIDER } from "./fmp.ts";
import { HistoryRequests } from "./history-requests.ts";
import { buildPath, type HttpResponse } from "./http.ts";
import { MarketDayBars, marketContext, requireDate } from "./market-wide.ts";
import { typeName } from "./shape.ts";

/**
 * FMP's end-of-day bulk, `GET /stable/eod-bulk?date=YYYY-MM-DD`: one session of every symbol
 * FMP covers, worldwide, as CSV, one request:
 *
 *   "symbol","date","open","low","high","close","adjClose","volume"
 *   "AAPL","2025-10-22",262.65,255.43,262.85,258.45,258.45,45015300
 *
 * (the columns as FMP's stable docs and public clients show them; read by name, in any order).
 * open, high, low, close and volume are read as the session traded, the raw bar a history
 * stores; `adjClose` (split- and dividend-adjusted) is not read. FMP's documentation does not
 * say whether the bulk prices are raw; they are taken as one date's file, as traded, which is
 * what the local simulator answers: check a date before a split against
 * `/stable/historical-price-eod/non-split-adjusted` before trusting a backfill across splits.
 * Symbols are FMP's spellings (`BRK-B`); listings elsewhere (`VOD.L`, `SHOP.TO`) have no
 * canonical form and are counted as unmapped.
 *
 * FMP throttles its bulk endpoints with a 200 carrying JSON, `{"Error Message": "Limit Reach…"}`
 * (and, like its other endpoints, a 429): rate-limited, never an empty day. A CSV that does not
 * end with a newline ends mid-row: a truncated answer, `transient`. No row for a trading session
 * is an answer not published yet (`transient`); for a day without trading, no bars.
 */
export async function fetchFmpMarketDay(
  config: ResolvedProviderConfig,
  date: string,
  options: HistoryOptions | undefined,
): Promise<MarketDayResult> {
  requireDate("eod-bulk date", date);
  const ctx = marketContext(PROVIDER, config.apiKey);
  const requests = new HistoryRequests(config, ctx, options);
  const response = await requests.get(buildPath(config, "/stable/eod-bulk", { date, apikey: config.apiKey }));
  if ("kind" in response) return response;
  const day = new MarketDayBars(PROVIDER, date);
  const failed = readBulkCsv(ctx, response, day);
  if (failed) return failed;
  return day.result(ctx, requests.bytes);
}

/** The columns read, as FMP names them in the header. */
const COLUMNS = ["symbol", "date", "open", "high", "low", "close", "volume"] as const;

/** Reads an eod-bulk answer's rows into `day`; the failure it means, or undefined. */
export function readBulkCsv(
  ctx: FailureContext,
  response: HttpResponse,
  day: MarketDayBars,
): FetchFailure | undefined {
  const text = response.text.charCodeAt(0) === 0xfeff ? response.text.slice(1) : response.text;
  const opening = text.trimStart()[0];
  if (opening === "{" || opening === "[") {
    // JSON where CSV was asked for: FMP's error body (quota, key, plan), or an empty answer.
    const read = fmpBody(ctx, response);
    if (!read.ok) return read;
    const body = read.body;
    const empty =
      (Array.isArray(body) && body.length === 0) ||
      (typeof body === "object" && body !== null && Object.keys(body).length === 0);
    return empty ? undefined : failure(ctx, "invalid-response", `expected CSV, got JSON ${typeName(body)}`);
  }
  const byStatus = classifyStatus(ctx, response.status, response.headers["retry-after"], text);
  if (byStatus) return byStatus;
  if (text.trim() === "") return undefined;
  if (!text.endsWith("\n"))
    return failure(ctx, "transient", "CSV ends mid-row, without its last newline (truncated)", {
      status: response.status,
    });
  const lines = text.split("\n");
  const header = splitRow(lines[0]!);
  const at = COLUMNS.map((name) => header.indexOf(name));
  const missing = COLUMNS.filter((_, k) => at[k]! < 0);
  if (missing.length > 0)
    return failure(
      ctx,
      "invalid-response",
      `CSV header has no ${missing.join(", ")} column: ${quote(lines[0]!)}`,
    );
  const [symbolAt, dateAt, openAt, highAt, lowAt, closeAt, volumeAt] = at as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "" || line === "\r") continue;
    const fields = splitRow(line);
    // A row that does not fit the header cannot be told apart from another listing's: not kept.
    if (fields.length !== header.length) {
      day.unmapped++;
      continue;
    }
    // A row of another session (one FMP repeats on a holiday) is no bar of this one.
    if (fields[dateAt] !== day.date) continue;
    day.add(
      fields[symbolAt]!,
      numberOf(fields[openAt]!),
      numberOf(fields[highAt]!),
      numberOf(fields[lowAt]!),
      numberOf(fields[closeAt]!),
      numberOf(fields[volumeAt]!),
    );
  }
  return undefined;
}

/** A CSV row's fields, quotes taken off (FMP quotes strings; no field it sends holds a comma). */
function splitRow(line: string): string[] {
  const fields = (line.endsWith("\r") ? line.slice(0, -1) : line).split(",");
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    if (f.length >= 2 && f.charCodeAt(0) === 34 && f.charCodeAt(f.length - 1) === 34)
      fields[k] = f.slice(1, -1);
  }
  return fields;
}

/** A CSV number; an empty field is no number (Number("") would be 0). */
function numberOf(field: string): number {
  return field === "" ? Number.NaN : Number(field);
}
