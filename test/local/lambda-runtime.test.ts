/**
 * The local Lambda runtime, with a probe handler in place of the real ones:
 * containers, timeouts, crashes, the SQS event-source mapping's partial batch
 * semantics and redrive, and the Lambda Invoke API through @aws-sdk/client-lambda.
 */
import { existsSync } from "node:fs";
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../packages/local/cloud.ts";
import { type LocalRuntime, startLocalRuntime } from "../../packages/local/runtime/index.ts";
import { type LambdaApi, startLambdaApi } from "../../packages/local/runtime/lambda-api.ts";
import type { BatchReport } from "../../packages/local/runtime/sqs-mapping.ts";
import { type Topology, topology } from "../../stacks/topology/index.ts";

const PROBE = "test/fixtures/handlers/probe.handler";

function probeTopology(): Topology {
  const t = structuredClone(topology) as Topology;
  for (const fn of Object.values(t.functions)) fn.handler = PROBE;
  t.functions.scanStart.timeoutSeconds = 2;
  t.functions.fetcher.timeoutSeconds = 2;
  t.queues.fetch.visibilityTimeoutSeconds = 12;
  t.queues.fetch.maxReceiveCount = 2;
  t.subscriptions = t.subscriptions.map((s) =>
    s.queue === "fetch" ? { ...s, batchSize: 5, batchWindowSeconds: 0, maxConcurrency: 2 } : s,
  );
  return t;
}

let cloud: LocalCloud;
let runtime: LocalRuntime;
let api: LambdaApi;
let lambda: LambdaClient;
let sqs: SQSClient;
const batches: BatchReport[] = [];
const logs: string[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud();
  runtime = await startLocalRuntime({
    endpoints: cloud.endpoints,
    topology: probeTopology(),
    schedules: false,
    log: (_fn, _id, line) => logs.push(line),
    onBatch: (fn, report) => {
      if (fn === "fetcher") batches.push(report);
    },
  });
  api = await startLambdaApi({ target: runtime, region: "us-east-1", accountId: "000000000000" });
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  lambda = new LambdaClient({ endpoint: api.url, region: "us-east-1", credentials });
  sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: "us-east-1", credentials });
});
afterAll(async () => {
  lambda?.destroy();
  sqs?.destroy();
  await api?.close();
  await runtime?.stop();
  await cloud?.stop();
});

async function invoke(payload: unknown, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: "ScanStart",
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
      ...extra,
    }),
  );
  return {
    ...out,
    body:
      out.Payload && out.Payload.length > 0 ? JSON.parse(new TextDecoder().decode(out.Payload)) : undefined,
  };
}

describe("containers", () => {
  it("keeps module state between invocations of a warm container and gives the context its deadline", async () => {
    const first = await invoke({ op: "count" });
    const second = await invoke({ op: "count" });
    expect(first.body.invocations + 1).toBe(second.body.invocations);
    expect(second.body.containerStartedAt).toBe(first.body.containerStartedAt);
    expect(second.body.functionName).toBe("ScanStart");
    expect(second.body.remaining).toBeGreaterThan(1000);
    expect(second.body.remaining).toBeLessThanOrEqual(2000);
  });

  it.runIf(existsSync("/proc/thread-self/schedstat"))(
    "accounts the CPU its containers use to their function (Linux)",
    async () => {
      const before = runtime.stats().scanStart.cpuMs;
      await invoke({ op: "spin", ms: 300 });
      const spent = runtime.stats().scanStart.cpuMs - before;
      // Busy for 300 ms of wall time: at least a third of it on a CPU, even on a crowded machine.
      expect(spent).toBeGreaterThan(100);
      expect(spent).toBeLessThan(2000);
      const idle = runtime.stats().scanStart.cpuMs;
      await invoke({ op: "sleep", ms: 300 });
      expect(runtime.stats().scanStart.cpuMs - idle).toBeLessThan(100);
    },
  );

  it("cuts an invocation off at its timeout, as Lambda does, and starts a fresh container after", async () => {
    const timedOut = await invoke({ op: "sleep", ms: 5000 });
    expect(timedOut.FunctionError).toBe("Unhandled");
    expect(timedOut.body).toMatchObject({
      errorType: "Sandbox.Timedout",
      errorMessage: "Task timed out after 2.00 seconds",
    });
    const after = await invoke({ op: "count" });
    expect(after.body.invocations).toBe(1);
  });

  it("reports a crash as an error and replaces the container", async () => {
    const crashed = await invoke({ op: "crash" });
    expect(crashed.FunctionError).toBe("Unhandled");
    expect(crashed.body.errorType).toBe("Runtime.ExitError");
    expect((await invoke({ op: "count" })).body.invocations).toBe(1);
  });

  it("returns a thrown error as Lambda's error payload", async () => {
    const failed = await invoke({ op: "throw", message: "bad input" });
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe("Unhandled");
    expect(failed.body).toMatchObject({ errorType: "TypeError", errorMessage: "bad input" });
  });

  it("gives each function its SST resource links and the AWS endpoints", async () => {
    const { body } = await invoke({
      op: "env",
      names: [
        "SST_RESOURCE_FetchQueue",
        "SST_RESOURCE_ScansTable",
        "SST_RESOURCE_ResultsTable",
        "AWS_ENDPOINT_URL_SQS",
      ],
    });
    expect(JSON.parse(body.SST_RESOURCE_FetchQueue)).toStrictEqual({
      type: "sst.aws.Queue",
      url: runtime.provisioned.queues.fetch.url,
    });
    expect(JSON.parse(body.SST_RESOURCE_ScansTable)).toStrictEqual({
      type: "sst.aws.Dynamo",
      name: "ScansTable",
    });
    // scan-start is not linked to the results table.
    expect(body.SST_RESOURCE_ResultsTable).toBeNull();
    expect(body.AWS_ENDPOINT_URL_SQS).toBe(cloud.endpoints.sqs);
  });
});

describe("the Invoke API", () => {
  it("answers an unknown function with ResourceNotFoundException", async () => {
    await expect(
      lambda.send(
        new InvokeCommand({ FunctionName: "NoSuchFunction", Payload: new TextEncoder().encode("{}") }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("runs an Event invocation in the background (202) and a DryRun not at all (204)", async () => {
    expect((await invoke({ op: "count" }, { InvocationType: "Event" })).StatusCode).toBe(202);
    expect((await invoke({ op: "count" }, { InvocationType: "DryRun" })).StatusCode).toBe(204);
  });

  it("accepts a function ARN as the name", async () => {
    const out = await invoke(
      { op: "count" },
      { FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:ScanStart" },
    );
    expect(out.body.functionName).toBe("ScanStart");
  });

  it.each([
    ["ScanStart:$LATEST", {}],
    ["arn:aws:lambda:us-east-1:000000000000:function:ScanStart:$LATEST", {}],
    ["000000000000:function:ScanStart", {}],
    ["ScanStart", { Qualifier: "$LATEST" }],
  ])("accepts %s %j, as Lambda names $LATEST", async (name, extra) => {
    const out = await invoke({ op: "count" }, { FunctionName: name, ...extra });
    expect(out.body.functionName).toBe("ScanStart");
  });

  it.each([
    ["ScanStart:prod", {}],
    ["arn:aws:lambda:us-east-1:000000000000:function:ScanStart:3", {}],
    ["ScanStart", { Qualifier: "live" }],
  ])(
    "answers a version or alias that does not exist (%s %j) with ResourceNotFoundException",
    async (name, extra) => {
      await expect(invoke({ op: "count" }, { FunctionName: name, ...extra })).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    },
  );
});

describe("SQS event-source mapping", () => {
  it("deletes what succeeded, redelivers the batch item failures, and redrives poison messages to the DLQ", async () => {
    const queue = runtime.provisioned.queues.fetch;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: ["ok-1", "fail", "ok-2"].map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    // First delivery; the failed record comes back after the 12 s visibility timeout, is failed again,
    // and on the receive after maxReceiveCount (2) it is moved to the DLQ.
    const deadline = Date.now() + 45_000;
    let dlq: string[] = [];
    while (Date.now() < deadline && dlq.length === 0) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.dlqUrl,
          WaitTimeSeconds: 2,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      dlq = (out.Messages ?? []).map((m) => `${m.Body}@${m.Attributes?.ApproximateReceiveCount}`);
    }
    expect(dlq.map((d) => d.split("@")[0])).toStrictEqual(["fail"]);
    const delivered = logs
      .filter((l) => l.startsWith('{"batch"'))
      .flatMap((l) => (JSON.parse(l) as { batch: { body: string; receives: string }[] }).batch)
      .map((r) => `${r.body}@${r.receives}`)
      .sort();
    expect(delivered).toStrictEqual(["fail@1", "fail@2", "ok-1@1", "ok-2@1"]);
    expect(batches.reduce((n, b) => n + b.deleted, 0)).toBe(2);
  }, 60_000);
});
