/**
 * The daily scan: `us-all` (7,480 tickers) with its history stored and one new session, against
 * a full-history scan of the same day (the bars store emptied first) in the same run. Both on
 * the local stack with no provider limit and low latency (lognormal, median 5 ms, p99 40 ms), so
 * what differs is what the pipeline asks for and moves: provider requests and bytes, CPU per
 * ticker, wall time, bars-store reads and writes, and dollars at the list prices in
 * packages/core/cost.ts. A first scan from an empty store fills it before the clock moves.
 *
 * Run alone: `node --import tsx bench/scan-daily.ts`, or `npm run bench -- scan-daily`.
 */

import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { dollars, PRICES } from "../packages/core/cost.ts";
import { loadUniverse } from "../packages/core/universes.ts";
import { type LocalCounters, type LocalStack, startLocalStack } from "../packages/local/stack.ts";
import { usageBetween } from "../packages/local/usage.ts";
import { round, timedScan, warmSimulator } from "./lib/local-scan.ts";
import type { BenchFigures, BenchResult } from "./types.ts";

const LATENCY = { kind: "lognormal" as const, medianMs: 5, p99Ms: 40 };
const BARS_TABLE = "BarsTable";

interface Measured {
  figures: BenchFigures;
  bytesPerTicker: number;
  storageDollars: number;
  totalDollars: number;
}

async function measureScan(stack: LocalStack, scanId: string, tickers: number): Promise<Measured> {
  const before = await stack.counters();
  const cpuBefore = await stack.cpuMs();
  const processCpu = process.cpuUsage();
  const since = Date.now();
  const run = await timedScan(stack, { universe: "us-all", provider: "yahoo", scanId }, 1_800_000);
  const after = await stack.counters();
  const cpuAfter = await stack.cpuMs();
  const processUsed = process.cpuUsage(processCpu);
  const requests = await stack.sim.requests(since);
  const bytes = requests.reduce((sum, r) => sum + r.bytes, 0);
  const usage = usageBetween(before, after);
  const cost = dollars(usage);
  const bars = barsUnits(before, after);
  const storageDollars =
    (bars.readUnits / 1e6) * PRICES.dynamoPerMillionReadUnits +
    (bars.writeUnits / 1e6) * PRICES.dynamoPerMillionWriteUnits;
  const functionsCpu = ["scanStart", "fetcher", "scorer", "finalize"].reduce(
    (sum, name) => sum + ((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)),
    0,
  );
  const history = run.scan.summary?.history;
  return {
    figures: {
      status: run.scan.status,
      scored: run.scan.summary?.scored ?? 0,
      failed: run.scan.summary?.failed ?? 0,
      tickersFull: history?.tickersFull ?? null,
      tickersIncremental: history?.tickersIncremental ?? null,
      sessionsFetched: history?.sessionsFetched ?? null,
      providerRequests: requests.length,
      providerMB: round(bytes / 2 ** 20, 2),
      providerBytesPerTicker: Math.round(bytes / tickers),
      wallSeconds: round(run.wallMs / 1000, 1),
      functionsCpuMsPerTicker: round(functionsCpu / tickers, 2),
      // Every thread of this process: functions, emulators, runtime (the simulator is its own process).
      processCpuMsPerTicker: round((processUsed.user + processUsed.system) / 1e3 / tickers, 2),
      barsReadUnits: round(bars.readUnits, 1),
      barsWriteUnits: round(bars.writeUnits, 1),
      storageDollars: round(storageDollars, 5),
      dynamoReadUnits: round(usage.dynamoReadUnits, 1),
      dynamoWriteUnits: round(usage.dynamoWriteUnits, 1),
      sqsBilledRequests: usage.sqsBilledRequests,
      redisCommands: usage.redisCommands,
      redisByCommand: Object.entries(after.redisByCommand)
        .map(([name, n]) => [name, n - (before.redisByCommand[name] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name} ${n}`)
        .join(", "),
      lambdaGbSeconds: round(usage.lambdaGbSeconds, 1),
      dollarsLambda: round(cost.lambda, 5),
      dollarsDynamo: round(cost.dynamo, 5),
      dollarsSqs: round(cost.sqs, 5),
      dollarsUpstash: round(cost.upstash, 5),
      dollarsPerScan: round(cost.total, 4),
    },
    bytesPerTicker: bytes / tickers,
    storageDollars,
    totalDollars: cost.total,
  };
}

function barsUnits(before: LocalCounters, after: LocalCounters): { readUnits: number; writeUnits: number } {
  const b = before.dynamoByTable[BARS_TABLE] ?? { readUnits: 0, writeUnits: 0 };
  const a = after.dynamoByTable[BARS_TABLE] ?? { readUnits: 0, writeUnits: 0 };
  return { readUnits: a.readUnits - b.readUnits, writeUnits: a.writeUnits - b.writeUnits };
}

/** Every item of the bars table deleted: the next scan fetches every ticker's whole lookback. */
async function emptyBarsTable(stack: LocalStack): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const docs = DynamoDBDocumentClient.from(client);
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await docs.send(
        new ScanCommand({
          TableName: BARS_TABLE,
          ProjectionExpression: "#s, #i",
          ExpressionAttributeNames: { "#s": "shard", "#i": "item" },
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ shard: item.shard, item: item.item }));
      for (let i = 0; i < keys.length; i += 25) {
        await docs.send(
          new BatchWriteCommand({
            RequestItems: { [BARS_TABLE]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
          }),
        );
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
}

export async function run(): Promise<BenchResult> {
  const universe = loadUniverse("us-all").map((l) => l.symbol);
  const tickers = universe.length;
  const stack = await startLocalStack({
    rateLimit: null,
    latency: LATENCY,
    schedules: "none",
    simRenderCacheBytes: 2 * 2 ** 30,
  });
  try {
    await stack.runtime.prewarm();
    await warmSimulator(stack, universe);
    const first = await measureScan(stack, "bench-daily-first", tickers);
    const clock = await stack.sim.moveClock({ advanceSessions: 1 });
    const daily = await measureScan(stack, "bench-daily", tickers);
    await emptyBarsTable(stack);
    await warmSimulator(stack, universe);
    const full = await measureScan(stack, "bench-daily-full", tickers);
    const bytesRatio = round(full.bytesPerTicker / daily.bytesPerTicker, 1);
    return {
      name: "scan-daily",
      description: `us-all (${tickers} tickers) one session after a scan that stored its history (${clock.asOf}), against a full-history scan of the same day from an empty store; no provider limit, latency lognormal median ${LATENCY.medianMs} ms p99 ${LATENCY.p99Ms} ms`,
      figures: {
        ...daily.figures,
        firstScanDollars: round(first.totalDollars, 4),
        firstScanStorageDollars: round(first.storageDollars, 5),
        firstScanBarsWriteUnits: first.figures.barsWriteUnits ?? null,
      },
      baseline: {
        name: "the same day from an empty bars store (whole lookback per ticker)",
        figures: full.figures,
      },
      ratio: {
        label: "provider bytes per ticker, full ÷ daily",
        value: bytesRatio,
        target: `>= 20; storage <= $0.005 and scan <= $0.01 a daily us-all scan`,
        met: bytesRatio >= 20 && daily.storageDollars <= 0.005 && daily.totalDollars <= 0.01,
      },
      notes: [
        `daily storage $${round(daily.storageDollars, 5)}, whole scan $${round(daily.totalDollars, 4)} (Lambda GB-seconds are local durations × memory: high on a busy 2-core machine)`,
        `first scan from an empty store: storage $${round(first.storageDollars, 5)}, whole scan $${round(first.totalDollars, 4)}`,
      ],
    };
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await run();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
