import { historyWindow } from "../../packages/adapters/providers/history-window.ts";
import { chartPath } from "../../packages/adapters/providers/yahoo.ts";
import { readYahooHistory } from "../../packages/adapters/providers/yahoo-history.ts";
import { scoringSeries } from "../../packages/core/history/adjust.ts";
import { decodeBars, encodeBars } from "../../packages/core/history/bars-codec.ts";
import type { HistoryRequest } from "../../packages/core/history/ticker-history.ts";
import { DEFAULT_SCAN } from "../../packages/core/pipeline/scan-request.ts";
import { computeTickerMetrics } from "../../packages/core/scoring/ticker-metrics.ts";
import { takeLast } from "../../packages/core/series.ts";
import { decodeSeries, encodeSeries } from "../../packages/core/series-codec.ts";

/**
 * The compute steps a ticker goes through in the fetcher and the scorer, timed one by one on
 * a real simulator body in this process (warm, uncontended): what the pipeline's CPU per ticker
 * would be if moving the data between them (HTTP, SQS, DynamoDB, their emulators) cost nothing.
 * A first scan reads the whole lookback's body; the bars store's codec and the adjustment run on
 * every scan.
 */
export async function tickerSteps(yahooBaseUrl: string, symbol = "AAPL"): Promise<Record<string, number>> {
  const request: HistoryRequest = { kind: "full", days: DEFAULT_SCAN.days };
  const path = chartPath({ pathPrefix: "" }, symbol, historyWindow(request));
  const text = await (await fetch(`${yahooBaseUrl}${path}`)).text();
  const ctx = { provider: "yahoo" as const, symbol, secrets: [] };
  const read = () => {
    const result = readYahooHistory(ctx, request, symbol, { status: 200, headers: {}, text });
    if (!result.ok) throw new Error(`ticker steps: ${result.message}`);
    return result;
  };
  const history = read();
  const stored = encodeBars(history.bars);
  const series = takeLast(scoringSeries(history.bars, history.actions), DEFAULT_SCAN.days);
  const encoded = encodeSeries(series);
  const micros = (step: () => unknown, rounds = 1000) => {
    for (let i = 0; i < 100; i++) step();
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) step();
    return Math.round(((performance.now() - t0) / rounds) * 1000);
  };
  return {
    bodyBytes: text.length,
    jsonParseMicros: micros(() => JSON.parse(text)),
    readAndValidateMicros: micros(read),
    storeCodecMicros: micros(() => decodeBars(symbol, encodeBars(history.bars))),
    storedBytes: stored.length,
    adjustMicros: micros(() => scoringSeries(history.bars, history.actions)),
    encodeMicros: micros(() => encodeSeries(series)),
    decodeMicros: micros(() => decodeSeries(encoded)),
    metricsMicros: micros(() => computeTickerMetrics(series)),
  };
}
