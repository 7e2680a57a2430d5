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
import { toProviderSymbol } from "../packages/core/symbols.ts";
import { loadUniverse } from "../packages/core/universes.ts";
import { maxRequestsInAnyWindow } from "../packages/local/sim/index.ts";
import { startLocalStack } from "../packages/local/stack.ts";
import { seedScan } from "./baselines/seed-scanner.ts";
import { round, timedScan, warmSimulator } from "./lib/local-scan.ts";
import type { BenchResult } from "./types.ts";

const LIMIT = { limit: 100, windowMs: 1000 };
const LATENCY = { kind: "lognormal" as const, medianMs: 80, p99Ms: 400 };

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

    const since = Date.now();
    const ours = await timedScan(stack, { universe: "sp500", provider: "yahoo", scanId: "bench-at-limit" });
    const log = (await stack.sim.requests(since)).filter((r) => r.startMs >= since);
    const accepted = log.filter((r) => r.status === 200);
    const requests = log.length;
    const rate = LIMIT.limit / (LIMIT.windowMs / 1000);
    const idealMs = (requests / rate) * 1000;
    const fetchSpanMs =
      accepted.length > 1 ? accepted[accepted.length - 1]!.startMs - accepted[0]!.startMs : 0;
    const counters = await stack.stats();

    // The seeds' scanner against the same simulator, limit and latency, after the window has emptied.
    await new Promise((r) => setTimeout(r, 2 * LIMIT.windowMs));
    const baselineSince = Date.now();
    const baseline = await seedScan({
      baseUrl: stack.sim.urls.yahoo,
      symbols: sp500.map((s) => toProviderSymbol(s, "yahoo")),
    });
    const baselineLog = (await stack.sim.requests(baselineSince)).filter((r) => r.startMs >= baselineSince);

    const worst = maxRequestsInAnyWindow(log, LIMIT.windowMs);
    return {
      name: "scan-at-limit",
      description: `S&P 500 (${sp500.length} tickers) under ${LIMIT.limit} requests/${LIMIT.windowMs} ms, latency lognormal median ${LATENCY.medianMs} ms p99 ${LATENCY.p99Ms} ms`,
      figures: {
        status: ours.scan.status,
        scored: ours.scan.summary?.scored ?? 0,
        wallSeconds: round(ours.wallMs / 1000),
        providerRequests: requests,
        idealSeconds: round(idealMs / 1000),
        wallOverIdeal: round(ours.wallMs / idealMs, 3),
        fetchPhaseSeconds: round(fetchSpanMs / 1000),
        fetchPhaseOverIdeal: round(fetchSpanMs / (((requests - 1) / rate) * 1000), 3),
        maxRequestsInAnyWindow: worst,
        limit: LIMIT.limit,
        http429: log.filter((r) => r.status === 429).length,
        redisCommandsPerTicker: round(counters.redisCommands / sp500.length, 3),
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
        value: round(baseline.wallMs / ours.wallMs),
        target: "wall ≤ 1.05 × ideal, never over the limit",
        met: worst <= LIMIT.limit && ours.wallMs / idealMs <= 1.05,
      },
      notes: [
        "wallSeconds: from the scan-start invoke to the COMPLETE status (fetch, score, write, finalize), containers pre-warmed.",
        "fetchPhase: first to last provider request as the simulator saw them; ideal = requests ÷ rate.",
        "maxRequestsInAnyWindow: most arrivals in any sliding window, from the simulator's request log.",
        "The limiter (an exact sliding log, paced in tenths of the window) allows for a 100 ms grant-to-arrival jitter (TICKERFLEET_RATE_JITTER_MS, the default): it grants 100 per 1.101 s, so the fetch phase alone is ≥ 5 × 1.101 s for 504 requests, 1.09 × ideal, before the first request's start and the last one's latency, scoring and finalize. Measured on this 2-core machine running every part, that spread is real: requests arrive up to ~85 ms after their grant is asked for (grants whose reply takes over 50 ms are left unused), and with less allowed, windows of 102–103 were seen.",
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
