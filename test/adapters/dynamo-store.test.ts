/**
 * The DynamoDB data model (the scans and results repositories, the stores of
 * the pipeline's ports, the CLI's reader) and the scorer/finalize steps against
 * dynalite through @aws-sdk/lib-dynamodb, with the chunk-completion set on the
 * local Upstash: exactly-once accounting without transactions.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoResultsRepository } from "../../packages/adapters/dynamo/results-repository.ts";
import { DynamoScanReader } from "../../packages/adapters/dynamo/scan-reader.ts";
import { DynamoScansRepository } from "../../packages/adapters/dynamo/scans-repository.ts";
import { finalizeStore, scoreStore, startScanStore } from "../../packages/adapters/dynamo/stores.ts";
import { UpstashScanCoordinator } from "../../packages/adapters/upstash/scan-coordinator.ts";
import { planChunks } from "../../packages/core/pipeline/chunks.ts";
import { finalizeScan, sweepOverdue } from "../../packages/core/pipeline/finalize-scan.ts";
import type { FinalizeMessage, ScoreMessage } from "../../packages/core/pipeline/messages.ts";
import type {
  FinalizeStore,
  OutboundMessage,
  ScoreStore,
  StartScanStore,
} from "../../packages/core/pipeline/ports.ts";
import type { ScanRecord } from "../../packages/core/pipeline/records.ts";
import { scoreChunk } from "../../packages/core/pipeline/score-chunk.ts";
import { encodeSeries } from "../../packages/core/series-codec.ts";
import { type DynamoServer, startDynamoServer } from "../../packages/local/dynamo/index.ts";
import { createTableInput } from "../../packages/local/runtime/provision.ts";
import { type LocalUpstash, startLocalUpstash } from "../../packages/local/upstash/index.ts";
import { topology } from "../../stacks/topology/index.ts";
import { syntheticSeries } from "../support/synthetic-series.ts";

let server: DynamoServer;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;
/** The store of each step's port, as the compositions build them. */
let start: StartScanStore;
let store: ScoreStore;
let finalize: FinalizeStore;
let reader: DynamoScanReader;
let upstash: LocalUpstash;
let coordinator: UpstashScanCoordinator;

beforeAll(async () => {
  upstash = await startLocalUpstash();
  coordinator = new UpstashScanCoordinator(
    new Redis({ url: upstash.upstash.url, token: upstash.upstash.token, enableTelemetry: false }),
  );
  server = await startDynamoServer();
  client = new DynamoDBClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  for (const spec of Object.values(topology.tables))
    await client.send(new CreateTableCommand(createTableInput(spec.name, spec)));
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // Nothing throttles here, so one client serves single-item and batch calls alike.
  const clients = { documents, batches: documents };
  const tables = { scans: topology.tables.scans.name, results: topology.tables.results.name };
  const scans = new DynamoScansRepository(clients, tables.scans);
  const results = new DynamoResultsRepository(clients, tables.results);
  start = startScanStore(scans);
  store = scoreStore(scans, results);
  finalize = finalizeStore(scans, results);
  reader = new DynamoScanReader(clients, tables);
});
afterAll(async () => {
  client?.destroy();
  await server?.close();
  await upstash?.stop();
});

function scanRecord(scanId: string, tickers: string[], deadlineInMs = 3_600_000): ScanRecord {
  return {
    scanId,
    universe: "custom",
    provider: "yahoo",
    days: 300,
    benchmark: "SPY",
    trigger: "invoke",
    total: tickers.length,
    chunkCount: Math.ceil(tickers.length / 2) + 1,
    status: "RUNNING",
    createdAt: new Date().toISOString(),
    deadlineAt: new Date(Date.now() + deadlineInMs).toISOString(),
  };
}

function seriesData(symbol: string, seed: number): string {
  return encodeSeries(syntheticSeries(symbol, seed, 300));
}

const chunkPlans = new Map<string, ReturnType<typeof planChunks>>();

/** Records a scan as scan-start does (without enqueuing anything) and plans its chunks of 2. */
async function recordScan(scanId: string, tickers: string[], deadlineInMs?: number) {
  await start.createScan(scanRecord(scanId, tickers, deadlineInMs));
  await start.putTickers(scanId, tickers);
  const chunks = planChunks(scanId, tickers, "SPY", 2);
  chunkPlans.set(scanId, chunks);
  return chunks;
}

function scoreMessage(
  scanId: string,
  chunk: number,
  tickers: string[],
  role: "universe" | "benchmark" = "universe",
): ScoreMessage {
  const plan = chunkPlans.get(scanId)!;
  return {
    v: 1,
    kind: "score",
    scanId,
    chunk,
    role,
    chunkSize: plan[chunk]!.tickers.length,
    chunkCount: plan.length,
    outcomes: tickers.map((s, i) => ({
      kind: "series",
      s,
      data: seriesData(s, chunk * 10 + i + 1),
      source: "provider",
    })),
  };
}

function finalizeQueue() {
  const sent: OutboundMessage<FinalizeMessage>[] = [];
  return { sent, send: async (m: readonly OutboundMessage<FinalizeMessage>[]) => void sent.push(...m) };
}

describe("the DynamoDB stores with the scorer and finalize", () => {
  it("creates a scan once and reports the existing one to a second start", async () => {
    const record = scanRecord("twice", ["AAPL"]);
    expect(await start.createScan(record)).toStrictEqual({ created: true });
    const again = await start.createScan({ ...record, createdAt: "2030-01-01T00:00:00.000Z" });
    expect(again).toMatchObject({
      created: false,
      existing: { scanId: "twice", createdAt: record.createdAt },
    });
  });

  it("counts a score message delivered twice once, and asks finalize once the last chunk is in", async () => {
    const tickers = ["AAA", "BBB", "CCC"];
    await recordScan("dup", tickers);
    const queue = finalizeQueue();
    const first = scoreMessage("dup", 0, ["AAA", "BBB"]);
    expect(await scoreChunk(first, { store, coordinator, finalizeQueue: queue })).toMatchObject({
      scored: 2,
      chunkComplete: true,
      finalizeRequested: false,
    });
    // The same message again (SQS at-least-once): same results, same progress.
    expect(await scoreChunk(first, { store, coordinator, finalizeQueue: queue })).toMatchObject({
      scored: 2,
      chunkComplete: true,
      finalizeRequested: false,
    });
    await scoreChunk(scoreMessage("dup", 2, ["SPY"], "benchmark"), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    expect(queue.sent).toStrictEqual([]);
    const last = await scoreChunk(scoreMessage("dup", 1, ["CCC"]), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    expect(last.finalizeRequested).toBe(true);

    const chunks = await finalize.chunks("dup");
    expect(chunks.map((c) => [c.chunk, c.role, c.size, [...c.scored].sort()])).toStrictEqual([
      [0, "universe", 2, ["AAA", "BBB"]],
      [1, "universe", 1, ["CCC"]],
      [2, "benchmark", 1, ["SPY"]],
    ]);
    const results = [];
    for await (const r of finalize.results("dup")) results.push(r.ticker);
    expect(results).toStrictEqual(["AAA", "BBB", "CCC"]);
  });

  it("counts how each ticker's history was made current once, however often its message comes", async () => {
    const tickers = ["AAA", "BBB", "CCC"];
    await recordScan("hist", tickers);
    const queue = finalizeQueue();
    const deps = { store, coordinator, finalizeQueue: queue };
    const first = scoreMessage("hist", 0, ["AAA", "BBB"]);
    first.outcomes = first.outcomes.map((o, i) =>
      o.kind === "series"
        ? { ...o, history: { mode: i === 0 ? "full" : "incremental", sessions: i === 0 ? 300 : 4 } }
        : o,
    );
    const second = scoreMessage("hist", 1, ["CCC"]);
    second.outcomes = second.outcomes.map((o) =>
      o.kind === "series"
        ? { ...o, history: { mode: "incremental", sessions: 4 }, flags: ["suspect-gap"] }
        : o,
    );
    await scoreChunk(first, deps);
    await scoreChunk(first, deps);
    await scoreChunk(scoreMessage("hist", 2, ["SPY"], "benchmark"), deps);
    await scoreChunk(second, deps);
    const chunks = await finalize.chunks("hist");
    expect(
      chunks.map((c) => [[...c.full], [...c.incremental].sort(), [...c.sessions].sort(), [...c.suspect]]),
    ).toStrictEqual([
      [["AAA"], ["BBB"], ["AAA=300", "BBB=4"], []],
      [[], ["CCC"], ["CCC=4"], ["CCC"]],
      [[], [], [], []],
    ]);
    await finalizeScan("hist", { store: finalize, leaseMs: 60_000 });
    expect((await reader.getScan("hist"))?.summary?.history).toStrictEqual({
      tickersFull: 1,
      tickersIncremental: 2,
      sessionsFetched: 308,
      suspectGaps: 1,
    });
    const flagged = [];
    for await (const r of finalize.results("hist"))
      if (r.status === "scored" && r.flags) flagged.push([r.ticker, r.flags]);
    expect(flagged).toStrictEqual([["CCC", ["suspect-gap"]]]);
  });

  it("reads every result once, whichever range of tickers it falls in (boundaries included)", async () => {
    const tickers = ["A", "BRK.B", "C", "CZZZ", "F", "FA", "K", "P", "PZ", "T", "TSLA", "ZZZZ", "$X", "9Y"];
    await store.putResults(
      tickers.map((ticker) => ({
        scanId: "ranges",
        ticker,
        status: "failed" as const,
        reason: "not-found",
        message: `no ${ticker}`,
        attempts: 1,
      })),
    );
    const read: string[] = [];
    for await (const r of finalize.results("ranges")) read.push(r.ticker);
    expect(read.sort()).toStrictEqual([...tickers].sort());
  });

  it("never lets a late failure replace a score", async () => {
    await recordScan("late-fail", ["AAA"]);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("late-fail", 0, ["AAA"]), { store, coordinator, finalizeQueue: queue });
    await scoreChunk(
      {
        ...scoreMessage("late-fail", 0, []),
        outcomes: [
          { kind: "failed", s: "AAA", reason: "transient", message: "after 5 attempts", attempts: 5 },
        ],
      },
      { store, coordinator, finalizeQueue: queue },
    );
    const results = [];
    for await (const r of finalize.results("late-fail")) results.push(r.status);
    expect(results).toStrictEqual(["scored"]);
  });

  it("finalizes once even when two finalizers race, with ranks, leaderboard and breadth", async () => {
    const tickers = ["AAA", "BBB", "CCC", "DDD"];
    await recordScan("race", tickers);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("race", 0, ["AAA", "BBB"]), { store, coordinator, finalizeQueue: queue });
    await scoreChunk(scoreMessage("race", 1, ["CCC", "DDD"]), { store, coordinator, finalizeQueue: queue });
    await scoreChunk(scoreMessage("race", 2, ["SPY"], "benchmark"), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    expect(queue.sent).toHaveLength(1);

    const outcomes = await Promise.all([
      finalizeScan("race", { store: finalize, leaseMs: 60_000 }),
      finalizeScan("race", { store: finalize, leaseMs: 60_000 }),
    ]);
    expect(outcomes.filter((o) => o.finalized)).toHaveLength(1);
    const scan = await reader.getScan("race");
    expect(scan).toMatchObject({
      status: "COMPLETE",
      summary: { scored: 4, failed: 0, unaccounted: 0, benchmarkSource: "benchmark" },
    });
    expect(scan?.summary?.rsThresholds).toHaveLength(99);
    const board = await reader.leaderboard("race");
    expect(board?.map((r) => r.ticker).sort()).toStrictEqual(tickers);
    const breadth = await reader.breadth("race");
    expect(breadth?.dates.length).toBeGreaterThan(100);
  });

  it("reads again, consistently, a result its chunk accounted for that the eventually consistent read missed", async () => {
    await recordScan("lagging", ["AAA", "BBB", "CCC"]);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("lagging", 0, ["AAA", "BBB", "CCC"]), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    await scoreChunk(scoreMessage("lagging", 1, ["SPY"], "benchmark"), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    // The bulk read has not seen BBB yet (dynalite is always consistent; DynamoDB may lag a write).
    const lagging: FinalizeStore = {
      ...finalize,
      async *results(scanId) {
        for await (const r of finalize.results(scanId)) if (r.ticker !== "BBB") yield r;
      },
    };
    const outcome = await finalizeScan("lagging", { store: lagging, leaseMs: 60_000 });
    expect(outcome).toMatchObject({ finalized: true, status: "COMPLETE", scored: 3, unaccounted: 0 });
    expect((await reader.leaderboard("lagging"))?.map((r) => r.ticker).sort()).toStrictEqual([
      "AAA",
      "BBB",
      "CCC",
    ]);
  });

  it("takes over from a finalize that died after its claim, once the claim's lease has run out", async () => {
    await recordScan("crashed", ["AAA", "BBB"]);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("crashed", 0, ["AAA", "BBB"]), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    const claimedAt = new Date();
    // A finalize claims the scan, then its container dies (timeout, crash) before writing anything.
    expect(await finalize.claimFinalize("crashed", claimedAt, 60_000)).toMatchObject({
      status: "FINALIZING",
    });
    const at = (ms: number) => () => new Date(claimedAt.getTime() + ms);

    // The message comes back; while the lease holds, nobody else finalizes (it might still be running).
    expect(
      await finalizeScan("crashed", { store: finalize, leaseMs: 60_000, now: at(30_000) }),
    ).toStrictEqual({
      scanId: "crashed",
      finalized: false,
      reason: "scan is FINALIZING",
    });
    // After it, the next one takes the scan over and finishes it, once.
    expect(
      await finalizeScan("crashed", { store: finalize, leaseMs: 60_000, now: at(61_000) }),
    ).toMatchObject({
      finalized: true,
      status: "COMPLETE",
      scored: 2,
    });
    expect(
      await finalizeScan("crashed", { store: finalize, leaseMs: 60_000, now: at(200_000) }),
    ).toMatchObject({
      finalized: false,
      reason: "scan is COMPLETE",
    });
  });

  it("finalizes an overdue scan PARTIAL, naming the tickers never accounted for", async () => {
    await recordScan("overdue", ["AAA", "BBB", "CCC"]);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("overdue", 0, ["AAA", "BBB"]), {
      store,
      coordinator,
      finalizeQueue: queue,
    });
    const outcome = await finalizeScan("overdue", { store: finalize, leaseMs: 60_000 });
    expect(outcome).toMatchObject({ finalized: true, status: "PARTIAL", scored: 2, unaccounted: 1 });
    const scan = await reader.getScan("overdue");
    expect(scan?.summary?.unaccountedTickers).toStrictEqual(["CCC"]);
    expect(scan?.summary?.benchmarkSource).toBe("universe-median");
  });

  it("sweeps a scan whose deadline has passed: PARTIAL, naming the tickers never accounted for", async () => {
    // The deadline passed a minute ago: the sweep, not a finalize message, must end this scan.
    await recordScan("swept", ["AAA", "BBB", "CCC", "DDD"], -60_000);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("swept", 0, ["AAA", "BBB"]), { store, coordinator, finalizeQueue: queue });
    expect(queue.sent).toStrictEqual([]);
    expect((await finalize.overdueScans(new Date())).map((s) => s.scanId)).toStrictEqual(["swept"]);

    const outcomes = await sweepOverdue({ store: finalize, leaseMs: 60_000 });
    expect(outcomes).toStrictEqual([
      { scanId: "swept", finalized: true, status: "PARTIAL", scored: 2, failed: 0, unaccounted: 2 },
    ]);
    const scan = await reader.getScan("swept");
    expect(scan?.status).toBe("PARTIAL");
    expect(scan?.summary?.unaccountedTickers).toStrictEqual(["CCC", "DDD"]);
    expect(scan?.summary?.failures).toStrictEqual([
      { ticker: "CCC", reason: "unaccounted: not scored or failed before the scan's deadline" },
      { ticker: "DDD", reason: "unaccounted: not scored or failed before the scan's deadline" },
    ]);
    // Finished scans are no longer overdue: a second sweep finds nothing.
    expect(await finalize.overdueScans(new Date())).toStrictEqual([]);
    expect(await sweepOverdue({ store: finalize, leaseMs: 60_000 })).toStrictEqual([]);
  });

  it("stores results under attribute names a person understands, each item under 1 KB", async () => {
    await recordScan("items", ["AAA"]);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("items", 0, ["AAA"]), { store, coordinator, finalizeQueue: queue });
    await store.putResults([
      {
        scanId: "items",
        ticker: "ZZZ",
        status: "failed",
        reason: "not-found",
        message: "no ZZZ",
        attempts: 1,
      },
    ]);
    const raw = async (ticker: string) =>
      (
        await documents.send(
          new GetCommand({ TableName: topology.tables.results.name, Key: { scanId: "items", ticker } }),
        )
      ).Item!;
    const scored = await raw("AAA");
    expect(Object.keys(scored).sort()).toStrictEqual(
      ["breadth", "expiresAt", "metrics", "scanId", "source", "status", "ticker"].sort(),
    );
    expect(scored).toMatchObject({ status: "scored", source: "provider" });
    // Six significant digits at most (items are billed per KB).
    for (const value of Object.values(scored.metrics as Record<string, unknown>)) {
      if (typeof value === "number") expect(Number(value.toPrecision(6))).toBe(value);
    }
    const failed = await raw("ZZZ");
    expect(failed).toStrictEqual({
      scanId: "items",
      ticker: "ZZZ",
      status: "failed",
      reason: "not-found",
      message: "no ZZZ",
      attempts: 1,
      expiresAt: failed.expiresAt,
    });
    // Writing it again costs one write unit: it is at most 1 KB by DynamoDB's rules (as dynalite applies them).
    const rewrite = await documents.send(
      new PutCommand({
        TableName: topology.tables.results.name,
        Item: scored,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    expect(rewrite.ConsumedCapacity?.CapacityUnits).toBe(1);
  });

  it("reads one ticker across scans for the CLI, with its metrics as they were stored", async () => {
    await recordScan("history-1", ["AAA"]);
    await recordScan("history-2", ["AAA"]);
    const queue = finalizeQueue();
    await scoreChunk(scoreMessage("history-1", 0, ["AAA"]), { store, coordinator, finalizeQueue: queue });
    const found = await reader.tickerResults("AAA", ["history-1", "history-2", "no-such-scan"]);
    expect([...found.keys()]).toStrictEqual(["history-1"]);
    const result = found.get("history-1");
    expect(result).toMatchObject({
      scanId: "history-1",
      ticker: "AAA",
      status: "scored",
      source: "provider",
    });
    expect(result?.status === "scored" && result.metrics.bars).toBe(300);
  });
});
