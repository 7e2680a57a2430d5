import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoScanStore } from "../../packages/adapters/dynamo/scan-store.ts";
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
  store: DynamoScanStore;
  lambda: LambdaClient;
  /** Starts a scan through the Lambda Invoke API, as the CLI and `aws lambda invoke` do. */
  startScan(payload: Record<string, unknown>): Promise<{ scanId: string; alreadyStarted: boolean }>;
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
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const region = stack.cloud.endpoints.region;
  const dynamo = new DynamoDBClient({ endpoint: stack.cloud.endpoints.dynamodb, region, credentials });
  const store = new DynamoScanStore(DynamoDBDocumentClient.from(dynamo), {
    scans: stack.runtime.provisioned.tables.scans,
    results: stack.runtime.provisioned.tables.results,
  });
  const lambda = new LambdaClient({ endpoint: stack.lambdaApi.url, region, credentials });
  return {
    stack,
    store,
    lambda,
    logs,
    async startScan(payload) {
      const out = await lambda.send(
        new InvokeCommand({
          FunctionName: "ScanStart",
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
      const body = JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, unknown>;
      if (out.FunctionError) throw new Error(`scan-start failed: ${String(body.errorMessage)}`);
      return body as { scanId: string; alreadyStarted: boolean };
    },
    async waitForScan(scanId, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const scan = await store.getScan(scanId);
        if (scan && (scan.status === "COMPLETE" || scan.status === "PARTIAL")) return scan;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(
        `scan ${scanId} did not finish within ${timeoutMs} ms; last log lines:\n${logs.slice(-15).join("\n")}`,
      );
    },
    async results(scanId) {
      const out: ResultRecord[] = [];
      for await (const r of store.results(scanId)) out.push(r);
      return out;
    },
    async stop() {
      lambda.destroy();
      dynamo.destroy();
      await stack.stop();
    },
  };
}
