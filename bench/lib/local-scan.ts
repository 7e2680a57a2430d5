import { invokeScanStart, waitForScan } from "../../packages/cli/scan-watch.ts";
import { localTarget } from "../../packages/cli/target.ts";
import type { ScanRecord } from "../../packages/core/pipeline/records.ts";
import type { LocalStack } from "../../packages/local/stack.ts";

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
    return { scanId, scan, wallMs: performance.now() - t0, startedAtMs };
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
