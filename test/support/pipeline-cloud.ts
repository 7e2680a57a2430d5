import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "@upstash/redis";
import { batchDocumentClient, documentClient } from "../../packages/adapters/aws-clients.ts";
import { DynamoResultsRepository } from "../../packages/adapters/dynamo/results-repository.ts";
import { DynamoScanReader } from "../../packages/adapters/dynamo/scan-reader.ts";
import { DynamoScansRepository } from "../../packages/adapters/dynamo/scans-repository.ts";
import { UpstashScanCoordinator } from "../../packages/adapters/upstash/scan-coordinator.ts";
import { planChunks } from "../../packages/core/pipeline/chunks.ts";
import type { ScoreMessage } from "../../packages/core/pipeline/messages.ts";
import type { ChunkRecord, ScanRecord } from "../../packages/core/pipeline/records.ts";
import { encodeSeries } from "../../packages/core/series-codec.ts";
import { type LocalCloud, startLocalCloud } from "../../packages/local/cloud.ts";
import { type Provisioned, provision } from "../../packages/local/runtime/provision.ts";
import { topology } from "../../stacks/topology/index.ts";
import { syntheticSeries } from "./synthetic-series.ts";

/**
 * The local cloud with the topology's queues and tables, and this process's
 * environment pointing the functions' clients (aws-clients.ts) at it, as the
 * local runtime does for a function: for testing a composition's wiring.
 */
export interface PipelineCloud {
  cloud: LocalCloud;
  provisioned: Provisioned;
  sqs: SQSClient;
  scans: DynamoScansRepository;
  results: DynamoResultsRepository;
  reader: DynamoScanReader;
  coordinator: UpstashScanCoordinator;
  /** Records a scan as scan-start does (nothing enqueued), its tickers in chunks of 2 plus SPY's. */
  recordScan(scanId: string, tickers: string[], deadlineInMs?: number): Promise<ChunkRecord[]>;
  /** The score message of one planned chunk, every ticker a synthetic 300-bar series from the provider. */
  scoreMessage(chunks: ChunkRecord[], chunk: number): ScoreMessage;
  stop(): Promise<void>;
}

export async function startPipelineCloud(): Promise<PipelineCloud> {
  const cloud = await startLocalCloud();
  const saved = { ...process.env };
  Object.assign(process.env, cloud.env);
  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: cloud.endpoints.region, credentials });
  const dynamodb = new DynamoDBClient({
    endpoint: cloud.endpoints.dynamodb,
    region: cloud.endpoints.region,
    credentials,
  });
  const provisioned = await provision(topology, { sqs, dynamodb });
  dynamodb.destroy();
  const clients = { documents: documentClient(), batches: batchDocumentClient() };
  const tables = { scans: provisioned.tables.scans, results: provisioned.tables.results };
  const scans = new DynamoScansRepository(clients, tables.scans);
  return {
    cloud,
    provisioned,
    sqs,
    scans,
    results: new DynamoResultsRepository(clients, tables.results),
    reader: new DynamoScanReader(clients, tables),
    coordinator: new UpstashScanCoordinator(
      new Redis({
        url: cloud.endpoints.upstashUrl,
        token: cloud.endpoints.upstashToken,
        enableTelemetry: false,
      }),
    ),
    async recordScan(scanId, tickers, deadlineInMs = 3_600_000) {
      const chunks = planChunks(scanId, tickers, "SPY", 2);
      const record: ScanRecord = {
        scanId,
        universe: "custom",
        provider: "yahoo",
        days: 300,
        benchmark: "SPY",
        trigger: "invoke",
        total: tickers.length,
        chunkCount: chunks.length,
        status: "RUNNING",
        createdAt: new Date().toISOString(),
        deadlineAt: new Date(Date.now() + deadlineInMs).toISOString(),
      };
      await scans.create(record);
      await scans.putTickers(scanId, tickers);
      return chunks;
    },
    scoreMessage(chunks, chunk) {
      const planned = chunks[chunk]!;
      return {
        v: 1,
        kind: "score",
        scanId: planned.scanId,
        chunk,
        role: planned.role,
        chunkSize: planned.tickers.length,
        chunkCount: chunks.length,
        outcomes: planned.tickers.map((s, i) => ({
          kind: "series",
          s,
          data: encodeSeries(syntheticSeries(s, chunk * 10 + i + 1, 300)),
          source: "provider",
        })),
      };
    },
    async stop() {
      documentClient().destroy();
      batchDocumentClient().destroy();
      sqs.destroy();
      await cloud.stop();
      process.env = saved;
    },
  };
}
