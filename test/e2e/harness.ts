import type { DynamoScanReader } from "../../packages/adapters/dynamo/scan-reader.ts";
import { invokeScanStart, type StartedScan, waitForScan } from "../../packages/cli/scan-watch.ts";
import { localTarget } from "../../packages/cli/target.ts";
import type { ResultRecord, ScanRecord } from "../../packages/core/pipeline/records.ts";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../packages/local/stack.ts";
import { type Topology, topology } from "../../stacks/topology/index.ts";

/**
 * The project's topology with short function timeouts (and visibility
 * timeouts kept at 6×), so a test that waits for a redelivery waits seconds,
 * not minutes. Everything else is as deployed.
 */
export function quickTopology(seconds = { fetcher: 5, scorer: 5, finalize: 15 }): Topology {
  const t = structuredClone(topology) as Topology;
  t.functions.fetcher.timeoutSeconds = seconds.fetcher;
  t.functions.scorer.timeoutSeconds = seconds.scorer;
  t.functions.finalize.timeoutSeconds = seconds.finalize;
  t.queues.fetch.visibilityTimeoutSeconds = 6 * seconds.fetcher;
  t.queues.score.visibilityTimeoutSeconds = 6 * seconds.scorer;
  t.queues.finalize.visibilityTimeoutSeconds = 6 * seconds.finalize;
  return t;
}

export interface TestStack {
  stack: LocalStack;
  store: DynamoScanReader;
  /** Starts a scan through the Lambda Invoke API, as the CLI and `aws lambda invoke` do. */
  startScan(payload: Record<string, unknown>): Promise<StartedScan>;
  waitForScan(scanId: string, timeoutMs: number): Promise<ScanRecord>;
  results(scanId: string): Promise<ResultRecord[]>;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const logs: string[] = [];
  const stack = await startLocalStack({
    log: (fn, id, line) => {
      if (logs.length < 20_000) logs.push(`${fn}/${id} ${line}`);
    },
    ...options,
  });
  const target = localTarget(stack.env);
  return {
    stack,
    store: target.store,
    logs,
    startScan: (payload) => invokeScanStart(target, payload),
    async waitForScan(scanId, timeoutMs) {
      try {
        return await waitForScan(target, scanId, { timeoutMs, pollMs: 250 });
      } catch (error) {
        throw new Error(`${(error as Error).message}; last log lines:\n${logs.slice(-15).join("\n")}`);
      }
    },
    async results(scanId) {
      const out: ResultRecord[] = [];
      for await (const r of target.store.results(scanId)) out.push(r);
      return out;
    },
    async stop() {
      target.close();
      await stack.stop();
    },
  };
}
