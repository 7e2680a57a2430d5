/**
 * Cost per scan, counted from real local scans: Redis commands (as Upstash
 * bills them), SQS requests (64 KiB billing units, the event-source mappings'
 * polls included), DynamoDB write and read units (as the responses report
 * them), Lambda invocations and GB-seconds (measured durations × configured
 * memory), per ticker and per scan, in dollars at the list prices in
 * packages/core/cost.ts. Ours: the us-all scan of the scan-unlimited benchmark.
 * Baseline, in the same run: the same pipeline without its batching — one
 * ticker per message, one rate-limit token per Redis call — on the S&P 500.
 *
 * Run alone: `node --import tsx bench/cost.ts` (runs the us-all scan too).
 */
import { pathToFileURL } from "node:url";
import { dollars, PRICES, type UsageCounts } from "../packages/core/cost.ts";
import { startLocalStack } from "../packages/local/stack.ts";
import { usageBetween } from "../packages/local/usage.ts";
import { round, timedScan } from "./lib/local-scan.ts";
import { measure, type UnlimitedRun } from "./scan-unlimited.ts";
import type { BenchFigures, BenchResult } from "./types.ts";

const SCAN_TICKERS = 7_480;

function usage(counters: UnlimitedRun["counters"]): UsageCounts {
  const fns = Object.entries(counters.functions);
  return {
    sqsBilledRequests: counters.sqsBilledRequests,
    dynamoWriteUnits: counters.dynamoWriteUnits,
    dynamoReadUnits: counters.dynamoReadUnits,
    lambdaInvocations: fns.reduce((n, [, s]) => n + s.invocations, 0),
    lambdaGbSeconds: fns.reduce((n, [, s]) => n + s.gbSeconds, 0),
    redisCommands: counters.redisCommands,
  };
}

function figures(u: UsageCounts, tickers: number): BenchFigures {
  const d = dollars(u);
  const perTicker = (x: number) => round(x / tickers, 3);
  return {
    tickers,
    redisCommandsPerTicker: perTicker(u.redisCommands),
    sqsRequestsPerTicker: perTicker(u.sqsBilledRequests),
    dynamoWriteUnitsPerTicker: perTicker(u.dynamoWriteUnits),
    dynamoReadUnitsPerTicker: perTicker(u.dynamoReadUnits),
    lambdaInvocationsPerTicker: perTicker(u.lambdaInvocations),
    lambdaGbSecondsPerTicker: round(u.lambdaGbSeconds / tickers, 4),
    dollarsPerThousandTickers: round((d.total / tickers) * 1000, 5),
    [`dollarsPer${SCAN_TICKERS}TickerScan`]: round((d.total / tickers) * SCAN_TICKERS, 4),
    upstashShare: round(d.upstash / d.total, 2),
    sqsShare: round(d.sqs / d.total, 2),
    dynamoShare: round(d.dynamo / d.total, 2),
    lambdaShare: round(d.lambda / d.total, 2),
  };
}

/** The same pipeline with its batching switched off, on the S&P 500. */
async function unbatchedBaseline(): Promise<{ usage: UsageCounts; tickers: number }> {
  const stack = await startLocalStack({
    rateLimit: null,
    latency: { kind: "lognormal", medianMs: 5, p99Ms: 40 },
    schedules: "none",
    env: { TICKERFLEET_CHUNK_SIZE: "1", TICKERFLEET_MAX_TAKE: "1" },
  });
  try {
    await stack.runtime.prewarm();
    const before = await stack.stats();
    const scan = await timedScan(stack, {
      universe: "sp500",
      provider: "yahoo",
      scanId: "bench-cost-unbatched",
    });
    return { tickers: scan.scan.total, usage: usageBetween(before, await stack.stats()) };
  } finally {
    await stack.stop();
  }
}

export async function run(unlimited?: UnlimitedRun): Promise<BenchResult> {
  const ours = unlimited ?? (await measure({ baseline: false }));
  const oursUsage = usage(ours.counters);
  const oursFigures = figures(oursUsage, ours.counters.tickers);
  const baseline = await unbatchedBaseline();
  const baselineFigures = figures(baseline.usage, baseline.tickers);
  const perTicker = (f: BenchFigures) => Number(f.dollarsPerThousandTickers);
  const scanDollars = Number(oursFigures[`dollarsPer${SCAN_TICKERS}TickerScan`]);
  const met =
    Number(oursFigures.redisCommandsPerTicker) <= 0.5 &&
    Number(oursFigures.sqsRequestsPerTicker) <= 0.3 &&
    Number(oursFigures.dynamoWriteUnitsPerTicker) <= 1.2 &&
    scanDollars <= 0.02;
  return {
    name: "cost",
    description: `requests and dollars per ticker, counted on a ${ours.counters.tickers}-ticker local scan (us-all), at list prices of ${PRICES.checked}`,
    figures: { ...oursFigures },
    baseline: {
      name: "the same pipeline unbatched: 1 ticker per message, 1 token per Redis call (S&P 500)",
      figures: baselineFigures,
    },
    ratio: {
      label: "dollars per ticker, unbatched ÷ ours",
      value: round(perTicker(baselineFigures) / perTicker(oursFigures), 2),
      target: "per ticker: Redis ≤ 0.5, SQS ≤ 0.3, DynamoDB writes ≤ 1.2; a 7,480-ticker scan ≤ $0.02",
      met,
    },
    notes: [
      "Lambda GB-seconds are the local runtime's measured durations × the topology's memory, priced as Arm; locally every part shares two cores, so durations (and this line) run higher than in AWS.",
      "SQS requests include the event-source mappings' receives and deletes; an idle mapping's long polls (a few per minute per queue, billed in AWS between scans) are not part of a scan.",
      "Not counted: CloudWatch Logs, EventBridge Scheduler, data transfer, storage.",
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
  process.exit(0);
}
