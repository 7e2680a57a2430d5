/**
 * DynamoDB batch calls on one attempt budget: throttled requests and
 * unprocessed items count against the same attempts, and the SDK client the
 * functions use for batch calls does not retry underneath them.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchDocumentClient } from "../../packages/adapters/aws-clients.ts";
import { batchPut, isRetryable, untilProcessed } from "../../packages/adapters/dynamo/batch-retry.ts";
import { StoreError } from "../../packages/adapters/dynamo/errors.ts";

const throttled = () =>
  Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" });

/** A `sleep` that records the delays asked for instead of waiting. */
function recordedSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe("untilProcessed", () => {
  it("spends one budget on throttled requests and unprocessed items alike, then names what is left", async () => {
    const { delays, sleep } = recordedSleep();
    const sent: number[] = [];
    const send = async (pending: number[]) => {
      sent.push(pending.length);
      if (sent.length <= 3) throw throttled();
      return pending.slice(1); // one item processed per request
    };
    const outcome = untilProcessed([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "BatchWriteItem on T", { sleep }, send);
    await expect(outcome).rejects.toThrow(StoreError);
    await expect(outcome).rejects.toThrow(
      "5 item(s) still unprocessed by BatchWriteItem on T after 8 attempts",
    );
    expect(sent).toStrictEqual([10, 10, 10, 10, 9, 8, 7, 6]);
    // Full jitter under a ceiling that doubles from 100 ms: 100, 200, 400, ...
    expect(delays).toHaveLength(7);
    delays.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it("stops as soon as nothing is left, and throws an error the SDK would not retry at once", async () => {
    const { sleep } = recordedSleep();
    let calls = 0;
    await untilProcessed([1, 2], "x", { sleep }, async (pending) => {
      calls++;
      return calls === 1 ? pending.slice(1) : [];
    });
    expect(calls).toBe(2);
    const invalid = Object.assign(new Error("bad key"), { name: "ValidationException" });
    calls = 0;
    await expect(
      untilProcessed([1], "x", { sleep }, async () => {
        calls++;
        throw invalid;
      }),
    ).rejects.toBe(invalid);
    expect(calls).toBe(1);
  });

  it.each([
    [{ name: "ProvisionedThroughputExceededException" }, true],
    [{ name: "ThrottlingException" }, true],
    [{ name: "InternalServerError" }, true],
    [{ name: "Error", code: "ECONNRESET" }, true],
    [{ name: "X", $metadata: { httpStatusCode: 503 } }, true],
    [{ name: "X", $retryable: { throttling: true } }, true],
    [{ name: "ValidationException", $metadata: { httpStatusCode: 400 } }, false],
    [{ name: "ConditionalCheckFailedException" }, false],
  ])("classifies %o as retryable: %s", (error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe("batchPut through the functions' batch client", () => {
  let server: Server;
  const requests: string[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    // A DynamoDB endpoint whose table is out of throughput: every BatchWriteItem is throttled.
    server = createServer((req, res) => {
      requests.push(String(req.headers["x-amz-target"]));
      req.resume();
      req.on("end", () => {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
        res.end(
          JSON.stringify({
            __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            message: "The level of configured provisioned throughput for the table was exceeded.",
          }),
        );
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    });
  });
  afterAll(async () => {
    process.env = saved;
    batchDocumentClient().destroy();
    server?.close();
  });

  it("sends a throttled batch exactly as many times as its budget, not the SDK's attempts on top", async () => {
    const { sleep } = recordedSleep();
    const items = Array.from({ length: 30 }, (_, i) => ({ scanId: "s", ticker: `T${i}` }));
    await expect(
      batchPut(batchDocumentClient(), "ResultsTable", items, { attempts: 8, sleep }),
    ).rejects.toThrow(/still unprocessed by BatchWriteItem on ResultsTable after 8 attempts/);
    // Two batches (25 + 5), eight requests each.
    expect(requests).toStrictEqual(Array.from({ length: 16 }, () => "DynamoDB_20120810.BatchWriteItem"));
  });
});
