import type { HistoryOptions, MarketDayResult } from "../../core/market-data.port.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { HistoryRequests } from "./history-requests.ts";
import { buildPath } from "./http.ts";
import { MarketDayBars, marketContext, requireDate } from "./market-wide.ts";
import { PROVIDER, readAllPages } from "./polygon.ts";
import { isRecord } from "./shape.ts";

/**
 * Polygon's (Massive's) grouped daily,
 * `GET /v2/aggs/grouped/locale/us/market/stocks/{date}?adjusted=false`: every US stock's bar of
 * one session in one request, as traded (`adjusted=false`: the raw bars a history stores), the
 * ticker in Polygon's spelling (`results[].T`: `BRK.B`, `ABRpD`, `ACHR.WS`). A ticker without a
 * canonical form (the when-issued `w` suffix) is counted as unmapped; a row without prices is no
 * bar; everything else is kept (test issues such as ZVZZT too: the caller keeps its universe's).
 * A day without trading answers `resultsCount: 0`: no bars. The same answer for a trading day
 * means the session is not published yet: `transient`. A `next_url`, should one come, is
 * followed behind the caller's gate. Failures carry `symbol: "*"`.
 */
export async function fetchPolygonMarketDay(
  config: ResolvedProviderConfig,
  date: string,
  options: HistoryOptions | undefined,
): Promise<MarketDayResult> {
  requireDate("grouped daily date", date);
  const ctx = marketContext(PROVIDER, config.apiKey);
  const requests = new HistoryRequests(config, ctx, options);
  const day = new MarketDayBars(PROVIDER, date);
  const path = buildPath(config, `/v2/aggs/grouped/locale/us/market/stocks/${date}`, {
    adjusted: "false",
    apiKey: config.apiKey,
  });
  const failed = await readAllPages(config, ctx, requests, path, "grouped daily", (results) => {
    for (let i = 0; i < results.length; i++) {
      const row = results[i];
      if (!isRecord(row) || typeof row.T !== "string") return `results[${i}] is not a bar with a ticker T`;
      day.add(row.T, row.o, row.h, row.l, row.c, row.v);
    }
    return undefined;
  });
  if (failed) return failed;
  return day.result(ctx, requests.bytes);
}
