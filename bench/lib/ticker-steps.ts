import { dailyWindow } from "../../packages/adapters/providers/bars.ts";
import { chartPath, readYahooResponse } from "../../packages/adapters/providers/yahoo.ts";
import { DEFAULT_SCAN } from "../../packages/core/pipeline/scan-request.ts";
import { computeTickerMetrics } from "../../packages/core/scoring/ticker-metrics.ts";
import { takeLast } from "../../packages/core/series.ts";
import { decodeSeries, encodeSeries } from "../../packages/core/series-codec.ts";

/**
 * The compute steps a ticker goes through in the fetcher and the scorer, timed one by one on
 * a real simulator body in this process (warm, uncontended): what the pipeline's CPU per ticker
 * would be if moving the data between them (HTTP, SQS, DynamoDB, their emulators) cost nothing.
 */
export async function tickerSteps(yahooBaseUrl: string, symbol = "AAPL"): Promise<Record<string, number>> {
  const window = dailyWindow({ days: DEFAULT_SCAN.days });
  const path = chartPath({ pathPrefix: "" }, symbol, window);
  const text = await (await fetch(`${yahooBaseUrl}${path}`)).text();
  const ctx = { provider: "yahoo" as const, symbol, secrets: [] };
  const read = () => {
    const result = readYahooResponse(ctx, window, symbol, { status: 200, headers: {}, text });
    if (!result.ok) throw new Error(`ticker steps: ${result.message}`);
    return result.series;
  };
  const series = takeLast(read(), DEFAULT_SCAN.days);
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
    encodeMicros: micros(() => encodeSeries(series)),
    decodeMicros: micros(() => decodeSeries(encoded)),
    metricsMicros: micros(() => computeTickerMetrics(series)),
  };
}
