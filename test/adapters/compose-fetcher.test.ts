/**
 * The fetcher's composition, wired as in Lambda, against the local cloud (SQS, Upstash REST +
 * redis-server) and the market simulator: fetch messages in, score messages out, read back
 * through the official clients.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { Redis } from "@upstash/redis";
import type { Context, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetcher, type FetcherResources } from "../../packages/adapters/compose/fetcher.ts";
import { limiterIdentifier } from "../../packages/adapters/upstash/token-limiter.ts";
import { ConfigError } from "../../packages/core/errors.ts";
import { PROVIDERS } from "../../packages/core/market-data.port.ts";
import { historyCacheKey } from "../../packages/core/pipeline/cache-key.ts";
import { readFetched } from "../../packages/core/pipeline/fetch-history.ts";
import type { FetchMessage, ScoreMessage } from "../../packages/core/pipeline/messages.ts";
import { decodeSeries } from "../../packages/core/series-codec.ts";
import { type LocalCloud, startLocalCloud } from "../../packages/local/cloud.ts";
import { provision } from "../../packages/local/runtime/provision.ts";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { topology } from "../../stacks/topology/index.ts";
import { logLines } from "../support/log-lines.ts";

const FMP_KEY = "compose-fmp-key";

let cloud: LocalCloud;
let sim: Simulator;
let sqs: SQSClient;
let redis: Redis;
let resources: FetcherResources;
let env: Record<string, string>;

beforeAll(async () => {
  cloud = await startLocalCloud();
  sim = await startMarketSimulator({ seed: 14 });
  // The composition's SQS client finds the local server as a Lambda's finds AWS: by environment.
  Object.assign(process.env, cloud.env);
  sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const { queues, tables } = await provision(topology, { sqs, dynamodb });
  dynamodb.destroy();
  redis = new Redis({
    url: cloud.endpoints.upstashUrl,
    token: cloud.endpoints.upstashToken,
    automaticDeserialization: false,
    enableTelemetry: false,
  });
  resources = {
    fetchQueueUrl: queues.fetch.url,
    scoreQueueUrl: queues.score.url,
    barsTable: tables.bars,
    scansTable: tables.scans,
    upstashUrl: cloud.endpoints.upstashUrl,
    upstashToken: cloud.endpoints.upstashToken,
    // As SST hands them over: Polygon's and Alpha Vantage's keys were never set.
    secrets: { FmpApiKey: FMP_KEY, PolygonApiKey: "unset", AlphaVantageApiKey: "unset" },
  };
  env = Object.fromEntries(
    PROVIDERS.flatMap((p) => [
      [`TICKERFLEET_${p.toUpperCase()}_URL`, sim.urls[p]],
      [`TICKERFLEET_RATE_LIMIT_${p.toUpperCase()}`, "1000/1s"],
    ]),
  );
});
afterAll(async () => {
  sqs?.destroy();
  await sim?.close();
  await cloud?.stop();
});

let ids = 0;
function record(body: FetchMessage | string): SQSRecord {
  const messageId = `m-${++ids}`;
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "local",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:fetch",
    awsRegion: "us-east-1",
  };
}

function fetchMessage(scanId: string, provider: FetchMessage["provider"], tickers: string[]): FetchMessage {
  return {
    v: 1,
    kind: "fetch",
    scanId,
    chunk: 0,
    chunkSize: tickers.length,
    chunkCount: 1,
    provider,
    days: 60,
    tickers: tickers.map((s) => ({ s, attempts: 0 })),
  };
}

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

/** Keys Powertools' Logger puts on every line (the function's context, the scan's id), apart from what the line says. */
const ENVELOPE = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "stage",
  "scanId",
  "cold_start",
  "sampling_rate",
  "xray_trace_id",
]);

/** Runs one batch through the handler: its log lines (Powertools writes to stdout), and its `"event":"fetch"` line's own fields. */
async function invoke(handler: ReturnType<typeof createFetcher>, records: SQSRecord[]) {
  const { value: response, lines: logs } = await logLines(() => handler({ Records: records }, context));
  const line = logs.find((l) => l.event === "fetch");
  const fetchLog = line
    ? Object.fromEntries(Object.entries(line).filter(([k]) => !ENVELOPE.has(k) && !k.startsWith("function_")))
    : undefined;
  return { response, fetchLog, line, logs };
}

/** What is on a queue, removed from it; delayed messages are waited for until there is `enough`. */
async function drain<T>(queueUrl: string, enough: (bodies: T[]) => boolean = () => true): Promise<T[]> {
  const bodies: T[] = [];
  for (let polls = 0; polls < 20; polls++) {
    const waiting = !enough(bodies);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waiting ? 1 : 0,
      }),
    );
    if (Messages.length === 0 && !waiting) break;
    bodies.push(...Messages.map((m) => JSON.parse(m.Body!) as T));
    if (Messages.length === 0) continue;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  return bodies;
}

describe("the fetcher's composition", () => {
  it("fetches a chunk into one score message with the series, caches it, and logs the limiter's counters", async () => {
    const handler = createFetcher(resources, env);
    const before = sim.requests().length;
    const { response, fetchLog, line, logs } = await invoke(handler, [
      record(fetchMessage("wired-1", "yahoo", ["AAPL", "MSFT"])),
    ]);
    expect(response).toStrictEqual({ batchItemFailures: [] });
    // Powertools' Logger line: level, message, service, the scan's id, whether the container was cold.
    expect(line).toMatchObject({
      level: "INFO",
      message: "fetch",
      service: "tickerfleet",
      scanId: "wired-1",
      cold_start: expect.any(Boolean),
      timestamp: expect.any(String),
    });
    // And one embedded-metric line with the invocation's counts, for CloudWatch.
    const emf = logs.filter((l) => l._aws !== undefined);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ ProviderRequests: 2, service: "tickerfleet" });
    expect(JSON.stringify(emf[0]!._aws)).toContain('"Namespace":"Tickerfleet"');

    const [score, ...more] = await drain<ScoreMessage>(resources.scoreQueueUrl);
    expect(more).toStrictEqual([]);
    expect(score).toMatchObject({ kind: "score", scanId: "wired-1", chunk: 0, chunkSize: 2, chunkCount: 1 });
    const data = Object.fromEntries(score!.outcomes.map((o) => [o.s, o.kind === "series" ? o.data : o]));
    expect(score!.outcomes.map((o) => (o.kind === "series" ? o.source : o.kind))).toStrictEqual([
      "provider",
      "provider",
    ]);
    for (const symbol of ["AAPL", "MSFT"]) {
      const decoded = decodeSeries(data[symbol] as string);
      expect([decoded.symbol, decoded.dates.length]).toStrictEqual([symbol, 60]);
      // The provider's answer, in the response cache for the next scan.
      const cached = readFetched((await redis.get(historyCacheKey("yahoo", undefined, symbol))) as string);
      expect(cached?.fetched.bars.symbol).toBe(symbol);
    }
    expect(
      sim
        .requests()
        .slice(before)
        .map((r) => r.symbol)
        .sort(),
    ).toStrictEqual(["AAPL", "MSFT"]);
    expect(fetchLog).toStrictEqual({
      event: "fetch",
      chunks: ["wired-1#0"],
      handoffErrors: [],
      cacheHits: 0,
      providerRequests: 2,
      providerBytes: expect.any(Number),
      history: { full: 2, incremental: 0, sessionsFetched: expect.any(Number), refetchedForGaps: 0 },
      disagreements: [],
      storeErrors: [],
      supplyErrors: [],
      fallbacks: 0,
      requeued: 0,
      outcomes: { series: 2, failed: 0 },
      lateTokens: expect.any(Number),
      providerHolds: 0,
      providerRefusals: 0,
      // learnedLimit is null: Powertools leaves empty values out of a line.
      breakerOpens: 0,
      breakerProbes: 0,
      breakerRefusals: 0,
    });
    expect(await drain(resources.fetchQueueUrl)).toStrictEqual([]);

    // Within the TTL the next chunk of the same tickers is served from the cache.
    const again = await invoke(handler, [record(fetchMessage("wired-2", "yahoo", ["MSFT", "AAPL"]))]);
    expect(again.fetchLog).toMatchObject({
      cacheHits: 2,
      providerRequests: 0,
      outcomes: { series: 2, failed: 0 },
    });
    const [cached] = await drain<ScoreMessage>(resources.scoreQueueUrl);
    expect(cached!.outcomes.map((o) => (o.kind === "series" ? o.source : o.kind))).toStrictEqual([
      "cache",
      "cache",
    ]);
  });

  it("fails the tickers of a provider without its key as unauthorized, naming the secret to set", async () => {
    const handler = createFetcher(resources, env);
    const before = sim.requests().length;
    const { response, fetchLog } = await invoke(handler, [
      record(fetchMessage("no-key", "polygon", ["AAPL", "MSFT"])),
    ]);
    expect(response).toStrictEqual({ batchItemFailures: [] });
    const why =
      "polygon needs an API key: set POLYGON_API_KEY (set the PolygonApiKey secret: npx sst secret set PolygonApiKey …)";
    const [score] = await drain<ScoreMessage>(resources.scoreQueueUrl);
    expect(score!.outcomes).toStrictEqual([
      { kind: "failed", s: "AAPL", reason: "unauthorized", message: why, attempts: 1 },
      { kind: "failed", s: "MSFT", reason: "unauthorized", message: why, attempts: 1 },
    ]);
    expect(fetchLog).toMatchObject({ requeued: 0, outcomes: { series: 0, failed: 2 } });
    expect(sim.requests().slice(before)).toStrictEqual([]);
    expect(await drain(resources.fetchQueueUrl)).toStrictEqual([]);
  });

  it("sends a keyed provider its key from the secret, under a limit keyed by the key's hash", async () => {
    const handler = createFetcher(resources, env);
    // The log's entries after this many: its times are the simulator's clock, not Date.now().
    const before = sim.requests().length;
    const { fetchLog } = await invoke(handler, [record(fetchMessage("keyed", "fmp", ["NVDA"]))]);
    // FMP's history is three requests: raw bars, splits, dividends; each carries the key.
    expect(fetchLog).toMatchObject({ providerRequests: 3, outcomes: { series: 1, failed: 0 } });
    const requests = sim.requests().slice(before);
    expect(requests.map((r) => [r.provider, r.symbol, r.status, r.keyId !== null])).toStrictEqual([
      ["fmp", "NVDA", 200, true],
      ["fmp", "NVDA", 200, true],
      ["fmp", "NVDA", 200, true],
    ]);
    // Every function on this key shares one budget: the log's keys name the key's hash, never the key.
    const keys = await redis.keys("tf:rl:fmp:*");
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`tf:rl:${limiterIdentifier("fmp", FMP_KEY)}:`))).toBe(true);
    expect(keys.some((k) => k.includes(FMP_KEY))).toBe(false);
    await drain(resources.scoreQueueUrl);
  });

  it("logs the pause a provider's refusal sets, and hands the refused tickers back", async () => {
    sim.configure({ alphavantage: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    try {
      const handler = createFetcher(
        { ...resources, secrets: { ...resources.secrets, AlphaVantageApiKey: "compose-av-key" } },
        env,
      );
      const { fetchLog } = await invoke(handler, [
        record(fetchMessage("refused", "alphavantage", ["IBM", "KO", "PEP"])),
      ]);
      expect(fetchLog).toMatchObject({
        providerRequests: 3,
        requeued: 2,
        outcomes: { series: 1, failed: 0 },
      });
      expect(fetchLog!.providerHolds).toBeGreaterThan(0);
      // Back on the fetch queue after their backoff, as their first failed attempt.
      const back = await drain<FetchMessage>(
        resources.fetchQueueUrl,
        (messages) => messages.flatMap((m) => m.tickers).length >= 2,
      );
      const tickers = back.flatMap((m) => m.tickers);
      expect(tickers.map((t) => [t.attempts, t.lastReason?.startsWith("rate-limited: ")])).toStrictEqual([
        [1, true],
        [1, true],
      ]);
      await drain(resources.scoreQueueUrl);
    } finally {
      sim.configure({ alphavantage: { rateLimit: null } });
    }
  });

  it("fails a record whose body does not parse, and only that one", async () => {
    const handler = createFetcher(resources, env);
    const bad = record('{"v":1,"kind":"fetch"}');
    const { response, logs } = await invoke(handler, [bad, record(fetchMessage("mixed", "yahoo", ["AAPL"]))]);
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(logs.find((l) => l.event === "fetch-rejected")).toMatchObject({ messageId: bad.messageId });
    expect((await drain<ScoreMessage>(resources.scoreQueueUrl)).map((m) => m.scanId)).toStrictEqual([
      "mixed",
    ]);
  });

  it("hands a batch that failed as a whole (its bars table gone) back in seconds, not after the visibility timeout", async () => {
    // A queue of its own, with the fetch queue's visibility timeout, holding one real message.
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: "FetchRetrySoon",
        Attributes: { VisibilityTimeout: String(topology.queues.fetch.visibilityTimeoutSeconds) },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(fetchMessage("gone", "yahoo", ["MSFT"])),
      }),
    );
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: ["All"], WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const received: SQSRecord = {
      ...record(Messages[0]!.Body!),
      messageId: Messages[0]!.MessageId!,
      receiptHandle: Messages[0]!.ReceiptHandle!,
    };
    const handler = createFetcher({ ...resources, barsTable: "NoSuchTable", fetchQueueUrl: queueUrl! }, env);
    const { response, logs } = await invoke(handler, [received]);
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: received.messageId }] });
    expect(logs.find((l) => l.event === "fetch-batch-failed")).toMatchObject({ records: 1 });
    expect(String(logs.find((l) => l.event === "fetch-batch-failed")?.error)).toMatch(/ResourceNotFound/);
    // Visible again after 3–5 s (the first receive's delay, jittered), not 360 s.
    const started = Date.now();
    let back: string | undefined;
    while (!back && Date.now() - started < 15_000) {
      const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 }));
      back = again.Messages?.[0]?.MessageId;
    }
    expect(back).toBe(received.messageId);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it("checks its settings once, at start, naming every problem", () => {
    const bad = {
      ...env,
      TICKERFLEET_MAX_TAKE: "0",
      TICKERFLEET_CACHE_TTL_SECONDS: "forever",
      TICKERFLEET_RATE_LIMIT_POLYGON: "lots",
    };
    expect(() => createFetcher(resources, bad)).toThrow(ConfigError);
    expect(() => createFetcher(resources, bad)).toThrow(
      /TICKERFLEET_CACHE_TTL_SECONDS="forever".*; TICKERFLEET_MAX_TAKE="0".*; TICKERFLEET_RATE_LIMIT_POLYGON: /,
    );
    expect(() => createFetcher(resources, { ...env, TICKERFLEET_FMP_URL: "ftp://sim" })).toThrow(
      /fmp baseUrl must be http\(s\)/,
    );
  });
});
