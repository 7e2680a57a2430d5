import { ValidationError } from "../../core/errors.ts";
import type { FetchFailure } from "../../core/market-data.port.ts";
import type { Bar } from "../../core/series.ts";
import { fromProviderSymbol } from "../../core/symbols.ts";
import { isIsoDate } from "./bars.ts";
import { type FailureContext, failure } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";
import { buildPath } from "./http.ts";
import { getPage, PROVIDER, resultsOf } from "./polygon.ts";
import { isRecord } from "./shape.ts";

export type GroupedDailyResult = { ok: true; date: string; bars: Map<string, Bar> } | FetchFailure;

/**
 * Polygon grouped daily, `GET /v2/aggs/grouped/locale/us/market/stocks/{date}?adjusted=true`:
 * every US stock's bar for one date in one request (`results[].T` is the
 * ticker in Polygon's spelling). Tickers without a canonical form (e.g. the
 * when-issued `w` suffix) and bars without prices are left out; everything
 * else is kept (test issues such as ZVZZT too: filter by universe). A market
 * holiday answers `resultsCount: 0`: that is `ok` with no bars.
 * Failures carry `symbol: "*"`.
 */
export function createPolygonGroupedDailyFromResolved(config: ResolvedProviderConfig) {
  const secrets = config.apiKey ? [config.apiKey] : [];
  return {
    async fetchGroupedDaily(date: string, options?: { signal?: AbortSignal }): Promise<GroupedDailyResult> {
      if (!isIsoDate(date))
        throw new ValidationError("grouped daily date", [`expected YYYY-MM-DD, got ${JSON.stringify(date)}`]);
      const ctx: FailureContext = { provider: PROVIDER, symbol: "*", secrets };
      const path = buildPath(config, `/v2/aggs/grouped/locale/us/market/stocks/${date}`, {
        adjusted: "true",
        apiKey: config.apiKey,
      });
      const got = await getPage(config, ctx, path, options?.signal);
      if (!got.ok) return got.failure;
      const results = resultsOf(ctx, got.body);
      if (!Array.isArray(results)) return results;
      const bars = new Map<string, Bar>();
      for (let i = 0; i < results.length; i++) {
        const row = results[i];
        if (!isRecord(row) || typeof row.T !== "string") {
          return failure(ctx, "invalid-response", `results[${i}] is not a bar with a ticker T`);
        }
        const canonical = fromProviderSymbol(row.T, PROVIDER);
        const { o, h, l, c, v } = row;
        if (canonical === undefined) continue;
        if (typeof o !== "number" || typeof h !== "number" || typeof l !== "number" || typeof c !== "number")
          continue;
        if (!Number.isFinite(o + h + l + c)) continue;
        const volume = typeof v === "number" && Number.isFinite(v) ? v : 0;
        bars.set(canonical, { date, open: o, high: h, low: l, close: c, adjClose: c, volume });
      }
      return { ok: true, date, bars };
    },
  };
}
