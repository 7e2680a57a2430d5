/**
 * The scorer's composition (functions/scorer.ts's handler) wired to real local
 * servers: score messages from SQS in, results and chunk progress in DynamoDB,
 * the chunk-completion set in Upstash, and the finalize request on its queue.
 */
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScorer } from "../../packages/adapters/compose/scorer.ts";
import type { ResultRecord } from "../../packages/core/pipeline/records.ts";
import { lambdaContext, sqsEvent } from "../support/lambda-events.ts";
import { logLines } from "../support/log-lines.ts";
import { type PipelineCloud, startPipelineCloud } from "../support/pipeline-cloud.ts";

let p: PipelineCloud;

beforeAll(async () => {
  p = await startPipelineCloud();
});
afterAll(async () => {
  await p?.stop();
});

describe("the scorer's composition", () => {
  it("scores each message, reports the unreadable one alone, and asks finalize once the last chunk is in", async () => {
    const chunks = await p.recordScan("wired", ["AAA", "BBB"]);
    const handler = createScorer({
      scoreQueueUrl: p.provisioned.queues.score.url,
      scansTable: p.provisioned.tables.scans,
      resultsTable: p.provisioned.tables.results,
      finalizeQueueUrl: p.provisioned.queues.finalize.url,
      upstashUrl: p.cloud.endpoints.upstashUrl,
      upstashToken: p.cloud.endpoints.upstashToken,
    });
    const { value: response, lines: events } = await logLines(() =>
      handler(
        sqsEvent({
          universe: p.scoreMessage(chunks, 0),
          garbled: "{ not a score message",
          benchmark: p.scoreMessage(chunks, 1),
        }),
        lambdaContext("Scorer"),
      ),
    );

    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: "garbled" }] });
    // The records of a batch are scored at once: either chunk may be the one that completes the scan.
    const scores = events
      .filter((e) => e.event === "score")
      .sort((x, y) => Number(x.chunk) - Number(y.chunk));
    const own = (e: Record<string, unknown>) => {
      const { event, scanId, chunk, scored, failed, chunkComplete } = e;
      return { event, scanId, chunk, scored, failed, chunkComplete };
    };
    expect(scores.map(own)).toStrictEqual([
      { event: "score", scanId: "wired", chunk: 0, scored: 2, failed: 0, chunkComplete: true },
      { event: "score", scanId: "wired", chunk: 1, scored: 1, failed: 0, chunkComplete: true },
    ]);
    // Powertools' lines, with the function's context; one metric line counts the tickers scored.
    expect(scores[0]).toMatchObject({
      level: "INFO",
      message: "score",
      service: "tickerfleet",
      function_name: "Scorer",
    });
    const metricLines = events.filter((e) => e._aws !== undefined);
    expect(metricLines).toHaveLength(1);
    expect([...(metricLines[0]!.TickersScored as number[])].sort()).toStrictEqual([1, 2]);
    expect(scores.filter((e) => e.finalizeRequested === true)).toHaveLength(1);

    const results: ResultRecord[] = [];
    for await (const r of p.reader.results("wired")) results.push(r);
    expect(results.map((r) => [r.ticker, r.status])).toStrictEqual([
      ["AAA", "scored"],
      ["BBB", "scored"],
    ]);
    // The benchmark is kept apart from the ranked universe.
    expect((await p.scans.benchmark("wired"))?.bars).toBe(300);
    expect(
      (await p.reader.chunks("wired")).map((c) => [c.chunk, c.role, [...c.scored].sort()]),
    ).toStrictEqual([
      [0, "universe", ["AAA", "BBB"]],
      [1, "benchmark", ["SPY"]],
    ]);
    const finalize = await p.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: p.provisioned.queues.finalize.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(finalize.Messages?.map((m) => JSON.parse(m.Body ?? ""))).toStrictEqual([
      { v: 1, kind: "finalize", scanId: "wired" },
    ]);
  });
});
