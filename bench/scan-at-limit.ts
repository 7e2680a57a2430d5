/**
 * At the limit: the S&P 500 on the local stack against the market simulator
 * with a binding limit (100 requests per 1 s sliding window) and a realistic
 * latency distribution (lognormal, median 80 ms, p99 400 ms). Against the
 * ideal `requests ÷ rate`, and against the seeds' scanner (bench/baselines)
 * asking the same simulator under the same limit, in the same run.
 *
 * Run alone: `node --import tsx bench/scan-at-limit.ts`.
 */
import { pathToFileURL } from "node:url";
import { Redis } from "@upstash/redis";
import { toProviderSymbol } from "../packages/core/symbols.ts";
import { loadUniverse } from "../packages/core/universes.ts";
import { maxRequestsInAnyWindow } from "../packages/local/sim/index.ts";
import { type LocalStack, startLocalStack } from "../packages/local/stack.ts";
import { seedScan } from "./baselines/seed-scanner.ts";
import { round, timedScan, warmSimulator } from "./lib/local-scan.ts";
import type { BenchResult } from "./types.ts";

const LIMIT = { limit: 100, windowMs: 1000 };
const LATENCY = { kind: "lognormal" as const, medianMs: 80, p99Ms: 400 };

const RUNS = 3;
const RATE = LIMIT.limit / (LIMIT.windowMs / 1000);

interface OurRun {
  status: string;
  scored: number;
  wallMs: number;
  requests: number;
  idealMs: number;
  fetchSpanMs: number;
  worstWindow: number;
  http429: number;
}

/** One scan of the S&P 500 and what the simulator saw of it. */
async function ourScan(stack: LocalStack, scanId: string): Promise<OurRun> {
  const since = Date.now();
  const scan = await timedScan(stack, { universe: "sp500", provider: "yahoo", scanId });
  const log = (await stack.sim.requests(since)).filter((r) => r.startMs >= since);
  const accepted = log.filter((r) => r.status === 200);
  return {
    status: scan.scan.status,
    scored: scan.scan.summary?.scored ?? 0,
    wallMs: scan.wallMs,
    requests: log.length,
    idealMs: (log.length / RATE) * 1000,
    fetchSpanMs: accepted.length > 1 ? accepted[accepted.length - 1]!.startMs - accepted[0]!.startMs : 0,
    worstWindow: maxRequestsInAnyWindow(log, LIMIT.windowMs),
    http429: log.filter((r) => r.status === 429).length,
  };
}

export async function run(): Promise<BenchResult> {
  const stack = await startLocalStack({ rateLimit: LIMIT, latency: LATENCY, schedules: "none", seed: 42 });
  try {
    // Warm containers, as provisioned concurrency would keep them: the figure is the pipeline at the
    // limit, not Node's module loading (a cold start adds ~0.5 s, once, to a scan).
    await stack.runtime.prewarm();
    const sp500 = loadUniverse("sp500").map((l) => l.symbol);
    // The provider stand-in renders its answers ahead (see warmSimulator): rendering on demand
    // held up its event loop and so the arrival times it records.
    await warmSimulator(stack, sp500, { seedScanner: true });
    const redis = new Redis({
      url: stack.env.UPSTASH_REDIS_REST_URL!,
      token: stack.env.UPSTASH_REDIS_REST_TOKEN!,
      enableTelemetry: false,
    });

    // Three scans, each from a cold response cache and an empty limiter log: "never over" is a
    // claim about every window of every run, and one run's wall time is noisy on this machine.
    const runs: OurRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      await redis.flushdb();
      await new Promise((r) => setTimeout(r, 2 * LIMIT.windowMs));
      runs.push(await ourScan(stack, `bench-at-limit-${i + 1}`));
    }
    const byWall = [...runs].sort((a, b) => a.wallMs - b.wallMs);
    const median = byWall[Math.floor(RUNS / 2)]!;
    const worst = Math.max(...runs.map((r) => r.worstWindow));
    const counters = await stack.stats();

    // The seeds' scanner against the same simulator, limit and latency, after the window has emptied.
    await new Promise((r) => setTimeout(r, 2 * LIMIT.windowMs));
    const baselineSince = Date.now();
    const baseline = await seedScan({
      baseUrl: stack.sim.urls.yahoo,
      symbols: sp500.map((s) => toProviderSymbol(s, "yahoo")),
    });
    const baselineLog = (await stack.sim.requests(baselineSince)).filter((r) => r.startMs >= baselineSince);

    return {
      name: "scan-at-limit",
      description: `S&P 500 (${sp500.length} tickers) under ${LIMIT.limit} requests/${LIMIT.windowMs} ms, latency lognormal median ${LATENCY.medianMs} ms p99 ${LATENCY.p99Ms} ms`,
      figures: {
        runs: RUNS,
        status: runs.map((r) => r.status).join(" "),
        scored: Math.min(...runs.map((r) => r.scored)),
        wallSeconds: round(median.wallMs / 1000),
        wallSecondsEachRun: runs.map((r) => round(r.wallMs / 1000)).join(" "),
        providerRequests: median.requests,
        idealSeconds: round(median.idealMs / 1000),
        wallOverIdeal: round(median.wallMs / median.idealMs, 3),
        wallOverIdealBest: round(byWall[0]!.wallMs / byWall[0]!.idealMs, 3),
        fetchPhaseSeconds: round(median.fetchSpanMs / 1000),
        fetchPhaseOverIdeal: round(median.fetchSpanMs / (((median.requests - 1) / RATE) * 1000), 3),
        maxRequestsInAnyWindow: worst,
        maxRequestsInAnyWindowEachRun: runs.map((r) => r.worstWindow).join(" "),
        limit: LIMIT.limit,
        http429: runs.reduce((n, r) => n + r.http429, 0),
        redisCommandsPerTicker: round(counters.redisCommands / (RUNS * sp500.length), 3),
      },
      baseline: {
        name: "seed scanner (semaphore 10, batches of 50, 0.5 s pause, 30 s timeout, retry on error)",
        figures: {
          wallSeconds: round(baseline.wallMs / 1000),
          scored: baseline.scored,
          failed: baseline.failed,
          providerRequests: baselineLog.length,
          http429: baselineLog.filter((r) => r.status === 429).length,
          maxRequestsInAnyWindow: maxRequestsInAnyWindow(baselineLog, LIMIT.windowMs),
        },
      },
      ratio: {
        label: "speedup vs the seed scanner (wall time)",
        value: round(baseline.wallMs / median.wallMs),
        target: "wall ≤ 1.05 × ideal, never over the limit",
        met: worst <= LIMIT.limit && median.wallMs / median.idealMs <= 1.05,
      },
      notes: [
        `ours: ${RUNS} scans, each from an empty response cache and limiter log; wall figures are the median run's (wallOverIdealBest: the fastest), the worst window and the 429s are over every run.`,
        "wallSeconds: from the scan-start invoke to the COMPLETE status (fetch, score, write, finalize), containers pre-warmed.",
        "fetchPhase: first to last provider request as the simulator saw them; ideal = requests ÷ rate.",
        "maxRequestsInAnyWindow: most arrivals in any sliding window, from the simulator's request log.",
        "The limiter (an exact sliding log, paced in tenths of the window) allows for a 100 ms grant-to-arrival jitter (TICKERFLEET_RATE_JITTER_MS, the default): it grants 100 per 1.101 s, so the fetch phase alone is ≥ 5 × 1.101 s for 504 requests, 1.09 × ideal, before the first request's start and the last one's latency, scoring and finalize. Measured on this 2-core machine running every part, that spread is real: requests arrive up to 60–120 ms after their grant's stamp (grants whose reply comes over 50 ms later than the fetcher's usual round trip are left unused), most of it the sending container or the simulator waiting for a core; with less allowed, windows of 102–104 were seen.",
      ],
    };
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
  process.exit(0);
}
