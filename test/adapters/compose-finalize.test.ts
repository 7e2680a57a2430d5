/**
 * finalize's composition (functions/finalize.ts's handler) wired to real local
 * servers, through each of the three events it answers: finalize messages
 * from SQS, the sweep schedule, and a direct invoke naming a scan.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createFinalize } from "../../packages/adapters/compose/finalize.ts";
import { scoreStore } from "../../packages/adapters/dynamo/stores.ts";
import { ValidationError } from "../../packages/core/errors.ts";
import type { FinalizeMessage } from "../../packages/core/pipeline/messages.ts";
import type { ChunkRecord } from "../../packages/core/pipeline/records.ts";
import { scoreChunk } from "../../packages/core/pipeline/score-chunk.ts";
import { lambdaContext, sqsEvent } from "../support/lambda-events.ts";
import { type PipelineCloud, startPipelineCloud } from "../support/pipeline-cloud.ts";

let p: PipelineCloud;
let handler: ReturnType<typeof createFinalize>;

beforeAll(async () => {
  p = await startPipelineCloud();
  handler = createFinalize({
    scansTable: p.provisioned.tables.scans,
    resultsTable: p.provisioned.tables.results,
  });
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await p?.stop();
});

/** Scores the given chunks of a scan as the scorer would (finalize requests go nowhere). */
async function score(chunks: ChunkRecord[], which: number[]) {
  const deps = {
    store: scoreStore(p.scans, p.results),
    coordinator: p.coordinator,
    finalizeQueue: { send: async () => undefined },
  };
  for (const chunk of which) await scoreChunk(p.scoreMessage(chunks, chunk), deps);
}

const finalizeMessage = (scanId: string): FinalizeMessage => ({ v: 1, kind: "finalize", scanId });

describe("finalize's composition", () => {
  it("finalizes the scans its SQS messages name, reporting the unreadable message alone", async () => {
    const chunks = await p.recordScan("done", ["AAA", "BBB", "CCC"]);
    await score(chunks, [0, 1, 2]);

    const response = await handler(
      sqsEvent({ good: finalizeMessage("done"), garbled: { v: 1, kind: "finalize" } }),
      lambdaContext("Finalize"),
    );

    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: "garbled" }] });
    const scan = await p.reader.getScan("done");
    expect(scan).toMatchObject({
      status: "COMPLETE",
      summary: { scored: 3, failed: 0, unaccounted: 0, benchmarkSource: "benchmark" },
    });
    expect(scan?.leaseUntil).toBeUndefined();
    expect((await p.reader.leaderboard("done"))?.map((r) => r.ticker).sort()).toStrictEqual([
      "AAA",
      "BBB",
      "CCC",
    ]);
    expect((await p.reader.breadth("done"))?.dates.length).toBeGreaterThan(100);
  });

  it("sweeps overdue scans on the schedule's event, PARTIAL with what never arrived", async () => {
    // A deadline a minute past, half the tickers in: no finalize message will ever come.
    const chunks = await p.recordScan("stalled", ["DDD", "EEE", "FFF", "GGG"], -60_000);
    await score(chunks, [0]);

    expect(await handler({ sweep: true }, lambdaContext("Finalize"))).toStrictEqual([
      { scanId: "stalled", finalized: true, status: "PARTIAL", scored: 2, failed: 0, unaccounted: 2 },
    ]);
    expect((await p.reader.getScan("stalled"))?.summary?.unaccountedTickers).toStrictEqual(["FFF", "GGG"]);
    // EventBridge's own scheduled event sweeps too; nothing is overdue any more.
    expect(
      await handler({ "detail-type": "Scheduled Event", source: "aws.events" }, lambdaContext("Finalize")),
    ).toStrictEqual([]);
  });

  it("answers a direct invoke naming a scan, and refuses any other event", async () => {
    expect(await handler({ scanId: "done" }, lambdaContext("Finalize"))).toStrictEqual([
      { scanId: "done", finalized: false, reason: "scan is COMPLETE" },
    ]);
    expect(await handler({ scanId: "never-started" }, lambdaContext("Finalize"))).toStrictEqual([
      { scanId: "never-started", finalized: false, reason: "no such scan" },
    ]);
    await expect(handler({ hello: "world" }, lambdaContext("Finalize"))).rejects.toThrow(ValidationError);
  });
});
