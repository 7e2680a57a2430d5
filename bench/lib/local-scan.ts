import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoScanStore } from "../../packages/adapters/dynamo/scan-store.ts";
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
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const region = stack.cloud.endpoints.region;
  const lambda = new LambdaClient({ endpoint: stack.lambdaApi.url, region, credentials });
  const dynamo = new DynamoDBClient({ endpoint: stack.cloud.endpoints.dynamodb, region, credentials });
  const store = new DynamoScanStore(DynamoDBDocumentClient.from(dynamo), {
    scans: stack.runtime.provisioned.tables.scans,
    results: stack.runtime.provisioned.tables.results,
  });
  try {
    const startedAtMs = Date.now();
    const t0 = performance.now();
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: stack.runtime.functionNames.scanStart,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const body = JSON.parse(new TextDecoder().decode(out.Payload)) as {
      scanId?: string;
      errorMessage?: string;
    };
    if (out.FunctionError || !body.scanId)
      throw new Error(`scan-start failed: ${body.errorMessage ?? "no scanId"}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const scan = await store.getScan(body.scanId);
      if (scan && (scan.status === "COMPLETE" || scan.status === "PARTIAL")) {
        return { scanId: body.scanId, scan, wallMs: performance.now() - t0, startedAtMs };
      }
      if (Date.now() > deadline) throw new Error(`scan ${body.scanId} did not finish in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    lambda.destroy();
    dynamo.destroy();
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
