import { historyWindow } from "../../packages/adapters/providers/history-window.ts";
import { chartPath } from "../../packages/adapters/providers/yahoo.ts";
import { invokeScanStart, waitForScan } from "../../packages/cli/scan-watch.ts";
import { localTarget } from "../../packages/cli/target.ts";
import type { ScanRecord } from "../../packages/core/pipeline/records.ts";
import { DEFAULT_SCAN } from "../../packages/core/pipeline/scan-request.ts";
import type { LocalStack } from "../../packages/local/stack.ts";
import { SEED_SCANNER_PATH } from "../baselines/seed-scanner.ts";

export interface TimedScan {
  scanId: string;
  scan: ScanRecord;
  /** From the Invoke call to the scan's final status being readable. */
  wallMs: number;
  startedAtMs: number;
}

/** Starts a scan through the Lambda Invoke API (as the CLI does) and waits for its final status. */
export async function timedScan(
  stack: LocalStack,
  payload: Record<string, unknown>,
  timeoutMs = 600_000,
): Promise<TimedScan> {
  const target = localTarget(stack.env);
  try {
    const startedAtMs = Date.now();
    const t0 = performance.now();
    const { scanId } = await invokeScanStart(target, payload);
    const scan = await waitForScan(target, scanId, { timeoutMs, pollMs: 50 });
    const wallMs = performance.now() - t0;
    // The scan's time ends at finalize; its cost ends when notify has published its report (the
    // local stack always has a bucket), so what the counters say next is this scan's whole bill and
    // none of it bleeds into the next scan's.
    const until = Date.now() + 120_000;
    while (!(await target.store.getScan(scanId))?.report && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    return { scanId, scan, wallMs, startedAtMs };
  } finally {
    target.close();
  }
}

/** Samples the process's resident memory (all threads: emulators, simulator, function containers). */
export function memorySampler(everyMs = 100): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * Renders the simulator's answers to the requests a scan (and the seeds' scanner) will make,
 * before the clock starts. The simulator stands in for a provider's servers, whose CPU is not
 * ours; on this 2-core machine, rendering ~50 KB of JSON per ticker (1–2 ms each) would
 * otherwise compete with the pipeline and be counted as its time. Serving a rendered answer
 * still goes through the simulator's rate limit, latency, faults and request log.
 */
export async function warmSimulator(
  stack: LocalStack,
  symbols: readonly string[],
  options: { days?: number; seedScanner?: boolean } = {},
): Promise<{ rendered: number; seconds: number }> {
  // What a fetcher asks for a ticker seen for the first time: its whole lookback.
  const window = historyWindow({ kind: "full", days: options.days ?? DEFAULT_SCAN.days });
  const pipelinePath = chartPath({ pathPrefix: "" }, "{symbol}", window);
  const withBenchmark = [...new Set([...symbols, DEFAULT_SCAN.benchmark])];
  const t0 = performance.now();
  let rendered = 0;
  const paths = [pipelinePath, ...(options.seedScanner ? [SEED_SCANNER_PATH] : [])];
  for (const path of paths) {
    const result = await stack.sim.prerender({ provider: "yahoo", path, symbols: withBenchmark });
    rendered += result.rendered + result.alreadyCached;
  }
  return { rendered, seconds: round((performance.now() - t0) / 1000) };
}
