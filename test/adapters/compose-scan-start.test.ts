/**
 * scan-start's composition, wired as in Lambda, against the local cloud (SQS, dynalite): a
 * request in, the scan record in DynamoDB and its chunks on the fetch queue, read back through
 * the official clients.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createScanStart, type ScanStartResources } from "../../packages/adapters/compose/scan-start.ts";
import { ConfigError } from "../../packages/core/errors.ts";
import { latestClosedSession } from "../../packages/core/market-session.ts";
import type { FetchMessage } from "../../packages/core/pipeline/messages.ts";
import { type LocalCloud, startLocalCloud } from "../../packages/local/cloud.ts";
import { provision } from "../../packages/local/runtime/provision.ts";
import { topology } from "../../stacks/topology/index.ts";

let cloud: LocalCloud;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let resources: ScanStartResources;

beforeAll(async () => {
  cloud = await startLocalCloud();
  // The composition's clients find the local servers as a Lambda's find AWS: by environment.
  Object.assign(process.env, cloud.env);
  sqs = new SQSClient({});
  dynamodb = new DynamoDBClient({});
  documents = DynamoDBDocumentClient.from(dynamodb);
  const { queues, tables } = await provision(topology, { sqs, dynamodb });
  resources = { fetchQueueUrl: queues.fetch.url, scansTable: tables.scans };
});
afterAll(async () => {
  sqs?.destroy();
  dynamodb?.destroy();
  await cloud?.stop();
});

const TICKERS = Array.from({ length: 25 }, (_, i) => `T${String(i).padStart(2, "0")}`);

async function start(handler: ReturnType<typeof createScanStart>, payload: unknown) {
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    return await handler(payload);
  } finally {
    log.mockRestore();
  }
}

async function scanItem(scanId: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: resources.scansTable, Key: { scanId, item: "scan" } }),
  );
  return Item;
}

/** The fetch queue's messages, removed from it. */
async function drainFetchQueue(): Promise<FetchMessage[]> {
  const bodies: FetchMessage[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.fetchQueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => JSON.parse(m.Body!) as FetchMessage));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: resources.fetchQueueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

const secondsBetween = (from: unknown, to: unknown) =>
  (Date.parse(String(to)) - Date.parse(String(from))) / 1000;

describe("scan-start's composition", () => {
  it("records the scan and puts its chunks on the fetch queue, once however often it is started", async () => {
    const handler = createScanStart(resources, { TICKERFLEET_CHUNK_SIZE: "10" });
    const payload = { universe: TICKERS, provider: "yahoo", scanId: "wired-start" };
    expect(await start(handler, payload)).toStrictEqual({
      scanId: "wired-start",
      status: "RUNNING",
      total: 25,
      chunks: 4,
      alreadyStarted: false,
    });
    expect(await scanItem("wired-start")).toMatchObject({
      universe: "custom",
      provider: "yahoo",
      benchmark: "SPY",
      total: 25,
      chunkCount: 4,
      status: "RUNNING",
      enqueuedAt: expect.any(String),
    });
    const chunks = await drainFetchQueue();
    expect(
      chunks.map((c) => [c.chunk, c.role, c.provider, c.chunkCount, c.tickers.length]).sort(),
    ).toStrictEqual([
      [0, "universe", "yahoo", 4, 10],
      [1, "universe", "yahoo", 4, 10],
      [2, "universe", "yahoo", 4, 5],
      [3, "benchmark", "yahoo", 4, 1],
    ]);
    expect(chunks.flatMap((c) => c.tickers.map((t) => t.s)).sort()).toStrictEqual([...TICKERS, "SPY"].sort());

    expect(await start(handler, payload)).toMatchObject({ alreadyStarted: true });
    expect(await drainFetchQueue()).toStrictEqual([]);
  });

  it("stamps the scan and its chunks with the session it is for: the market clock's when one is configured", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ asOf: "2027-03-05", anchor: "2026-12-02" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const clocked = createScanStart(resources, {
        TICKERFLEET_MARKET_CLOCK_URL: `http://127.0.0.1:${port}/_sim/clock`,
      });
      await start(clocked, { universe: TICKERS.slice(0, 3), scanId: "clocked" });
      expect(await scanItem("clocked")).toMatchObject({ session: "2027-03-05" });
      expect((await drainFetchQueue()).map((c) => c.session)).toStrictEqual(["2027-03-05", "2027-03-05"]);
    } finally {
      server.close();
    }
    // Without one, the last closed New York session by the wall clock.
    const walled = createScanStart(resources, {});
    await start(walled, { universe: TICKERS.slice(0, 3), scanId: "walled" });
    expect((await scanItem("walled"))?.session).toBe(latestClosedSession(Date.now()));
    await drainFetchQueue();
  });

  it("gives a scan twice what its provider's limit needs plus ten minutes, never under the topology's floor", async () => {
    const handler = createScanStart(resources, { TICKERFLEET_RATE_LIMIT_POLYGON: "1/min" });
    await start(handler, { universe: TICKERS, provider: "polygon", scanId: "slow-provider" });
    await start(handler, { universe: TICKERS, provider: "yahoo", scanId: "quick-provider" });
    await drainFetchQueue();
    const slow = await scanItem("slow-provider");
    // 25 tickers and the benchmark, twice, at one request per 60.101 s (the minute, the jitter
    // and a millisecond): 3125.3 s, rounded up, plus 600.
    expect(secondsBetween(slow?.createdAt, slow?.deadlineAt)).toBe(3726);
    // Yahoo's default 60/min needs far less than the floor.
    const quick = await scanItem("quick-provider");
    expect(secondsBetween(quick?.createdAt, quick?.deadlineAt)).toBe(topology.scan.deadlineSeconds);
  });

  it("takes its chunk size and defaults from the environment", async () => {
    const handler = createScanStart(resources, {
      TICKERFLEET_CHUNK_SIZE: "5",
      TICKERFLEET_DEFAULT_PROVIDER: "fmp",
    });
    expect(await start(handler, { universe: TICKERS, scanId: "env-start" })).toMatchObject({ chunks: 6 });
    const chunks = await drainFetchQueue();
    expect(new Set(chunks.map((c) => `${c.provider}/${c.chunkSize}/${c.chunkCount}`))).toStrictEqual(
      new Set(["fmp/5/6", "fmp/1/6"]),
    );
  });

  it("checks its settings once, at start, naming every problem", () => {
    const bad = {
      TICKERFLEET_CHUNK_SIZE: "0",
      TICKERFLEET_DEFAULT_PROVIDER: "bloomberg",
      TICKERFLEET_RATE_LIMIT_FMP: "lots",
      TICKERFLEET_RATE_LIMIT_YAHOO: "60/fortnight",
    };
    expect(() => createScanStart(resources, bad)).toThrow(ConfigError);
    expect(() => createScanStart(resources, bad)).toThrow(
      new RegExp(
        [
          'TICKERFLEET_DEFAULT_PROVIDER="bloomberg" is not a provider',
          'TICKERFLEET_CHUNK_SIZE="0" must be an integer from 1 to 100',
          'TICKERFLEET_RATE_LIMIT_YAHOO: rate limit "60/fortnight"',
          'TICKERFLEET_RATE_LIMIT_FMP: rate limit "lots"',
        ].join(".*; "),
      ),
    );
  });
});
