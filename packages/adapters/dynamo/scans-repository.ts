import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { ScanChanges, ScanSnapshot } from "../../core/changes/changes.ts";
import {
  CHUNK_SETS,
  type ChunkProgress,
  type ChunkRole,
  type ChunkUpdate,
  type LeaderboardRow,
  type ScanRecord,
  type ScanStatus,
  type ScanSummary,
} from "../../core/pipeline/records.ts";
import type { StoredBreadth } from "../../core/pipeline/stored-breadth.ts";
import type { StoredMetrics } from "../../core/pipeline/stored-metrics.ts";
import { batchPut } from "./batch-retry.ts";
import { StoreError } from "./errors.ts";
import {
  BENCHMARK_ITEM,
  benchmarkFromItem,
  benchmarkItem,
  breadthItem,
  CHUNK_PREFIX,
  changesItem,
  chunkFromItem,
  chunkItem,
  type Item,
  leaderboardItem,
  SCAN_ITEM,
  scanFromItem,
  scanItem,
  snapshotItem,
  TICKERS_ITEM,
  tickersFromItem,
  tickersItem,
} from "./items.ts";
import {
  type DynamoClients,
  expiresAt,
  isConditionalFailure,
  queryAll,
  type RepositoryOptions,
  scanItemsWithPrefix,
} from "./requests.ts";

/**
 * The scans table: a scan's record, tickers, chunk progress, benchmark,
 * leaderboard and breadth (items.ts has the items). Every write that may be
 * repeated (SQS delivers at least once) is idempotent: puts of the same item,
 * ADD to sets, conditional status changes; nothing needs TransactWriteItems.
 */
export class DynamoScansRepository {
  constructor(
    private readonly clients: DynamoClients,
    private readonly table: string,
    private readonly options: RepositoryOptions = {},
  ) {}

  /** Writes the scan record unless one with this id exists; returns the existing one then. */
  async create(record: ScanRecord): Promise<{ created: true } | { created: false; existing: ScanRecord }> {
    try {
      await this.clients.documents.send(
        new PutCommand({
          TableName: this.table,
          Item: scanItem(record),
          ConditionExpression: "attribute_not_exists(scanId)",
        }),
      );
      return { created: true };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const existing = await this.get(record.scanId);
      if (!existing)
        throw new StoreError(`scan ${record.scanId} exists but could not be read`, { cause: error });
      return { created: false, existing };
    }
  }

  async get(scanId: string): Promise<ScanRecord | undefined> {
    const item = await this.item(scanId, SCAN_ITEM);
    return item ? scanFromItem(item) : undefined;
  }

  async putTickers(scanId: string, tickers: readonly string[]): Promise<void> {
    // One item for the whole list (7,480 tickers ≈ 40 KB, well under DynamoDB's 400 KB):
    // written once, read once by finalize.
    await this.clients.documents.send(
      new PutCommand({ TableName: this.table, Item: tickersItem(scanId, tickers, expiresAt(this.options)) }),
    );
  }

  async tickers(scanId: string): Promise<string[]> {
    return tickersFromItem(await this.item(scanId, TICKERS_ITEM));
  }

  /** Adds the unit to the scan's staged units (a number set: adding twice counts once); how many there are. */
  async markUnitStaged(scanId: string, unit: number): Promise<number> {
    const reply = await this.clients.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { scanId, item: SCAN_ITEM },
        UpdateExpression: "ADD stagedUnits :unit",
        ConditionExpression: "attribute_exists(scanId)",
        ExpressionAttributeValues: { ":unit": new Set([unit]) },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const staged = reply.Attributes?.stagedUnits as Set<number> | undefined;
    return staged?.size ?? 0;
  }

  /** The latest scans, newest first (of one universe, if given). */
  async recent(options: { limit?: number; universe?: string } = {}): Promise<ScanRecord[]> {
    const input: QueryCommandInput = options.universe
      ? {
          TableName: this.table,
          IndexName: "byUniverse",
          KeyConditionExpression: "universe = :u",
          ExpressionAttributeValues: { ":u": options.universe },
        }
      : {
          TableName: this.table,
          IndexName: "byCreated",
          KeyConditionExpression: "entity = :e",
          ExpressionAttributeValues: { ":e": SCAN_ITEM },
        };
    const out = await this.clients.documents.send(
      new QueryCommand({ ...input, ScanIndexForward: false, Limit: options.limit ?? 20 }),
    );
    return (out.Items ?? []).map(scanFromItem);
  }

  async markEnqueued(scanId: string, at: string): Promise<void> {
    await this.clients.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { scanId, item: SCAN_ITEM },
        UpdateExpression: "SET enqueuedAt = if_not_exists(enqueuedAt, :at)",
        ExpressionAttributeValues: { ":at": at },
      }),
    );
  }

  /**
   * Adds what a fetcher invocation did for the scan to its record: provider requests it made and
   * breakers it opened (the report's and the summary's counts). One write; nothing when both are 0.
   */
  async addFetchCounts(
    scanId: string,
    counts: { providerRequests: number; breakerOpens: number },
  ): Promise<void> {
    if (counts.providerRequests === 0 && counts.breakerOpens === 0) return;
    await this.clients.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { scanId, item: SCAN_ITEM },
        UpdateExpression: "ADD providerRequests :r, breakerOpens :b",
        ConditionExpression: "attribute_exists(scanId)",
        ExpressionAttributeValues: { ":r": counts.providerRequests, ":b": counts.breakerOpens },
      }),
    );
  }

  async putBenchmark(scanId: string, metrics: StoredMetrics): Promise<void> {
    await this.clients.documents.send(
      new PutCommand({
        TableName: this.table,
        Item: benchmarkItem(scanId, metrics, expiresAt(this.options)),
      }),
    );
  }

  async benchmark(scanId: string): Promise<StoredMetrics | undefined> {
    return benchmarkFromItem(await this.item(scanId, BENCHMARK_ITEM));
  }

  /** Adds tickers to a chunk's sets (the chunk's first update creates it); its progress after. */
  async recordChunkProgress(
    scanId: string,
    chunk: { index: number; size: number; role: ChunkRole },
    update: ChunkUpdate,
  ): Promise<ChunkProgress> {
    const adds: string[] = [];
    const values: Record<string, unknown> = {
      ":chunk": chunk.index,
      ":size": chunk.size,
      ":role": chunk.role,
      ":expires": expiresAt(this.options),
    };
    // Set names through placeholders: some (`full`, `sessions`) are DynamoDB reserved words.
    const names: Record<string, string> = { "#role": "role", "#size": "size" };
    for (const name of CHUNK_SETS) {
      if (update[name].length > 0) {
        adds.push(`#${name} :${name}`);
        names[`#${name}`] = name;
        values[`:${name}`] = new Set(update[name]);
      }
    }
    // An upsert: the chunk's first score message creates its record; sets make repeats harmless.
    const out = await this.clients.documents.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { scanId, item: chunkItem(chunk.index) },
        UpdateExpression: `SET chunk = :chunk, #size = :size, #role = :role, expiresAt = :expires${adds.length > 0 ? ` ADD ${adds.join(", ")}` : ""}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    if (!out.Attributes) throw new StoreError(`chunk ${chunk.index} of scan ${scanId} came back empty`);
    return chunkFromItem(out.Attributes);
  }

  async chunks(scanId: string): Promise<ChunkProgress[]> {
    const out: ChunkProgress[] = [];
    for await (const item of scanItemsWithPrefix(
      this.clients.documents,
      this.table,
      scanId,
      CHUNK_PREFIX,
      true,
    )) {
      out.push(chunkFromItem(item));
    }
    return out;
  }

  /** RUNNING → FINALIZING, or a FINALIZING scan whose lease ran out; undefined if not claimable. */
  async claimFinalize(scanId: string, now: Date, leaseMs: number): Promise<ScanRecord | undefined> {
    try {
      const out = await this.clients.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { scanId, item: SCAN_ITEM },
          UpdateExpression: "SET #status = :finalizing, leaseUntil = :lease",
          ConditionExpression: "#status = :running OR (#status = :finalizing AND leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":finalizing": "FINALIZING",
            ":running": "RUNNING",
            ":now": now.toISOString(),
            ":lease": new Date(now.getTime() + leaseMs).toISOString(),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? scanFromItem(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
  }

  /** Writes leaderboard and breadth, then the final status, guarded by the lease; false if the lease was lost. */
  async complete(input: {
    scanId: string;
    status: Extract<ScanStatus, "COMPLETE" | "PARTIAL">;
    finishedAt: string;
    summary: ScanSummary;
    leaderboard: readonly LeaderboardRow[];
    breadth: StoredBreadth;
    snapshot?: ScanSnapshot;
    changes?: ScanChanges;
    leaseUntil: string;
  }): Promise<boolean> {
    const expires = expiresAt(this.options);
    await batchPut(
      this.clients.batches,
      this.table,
      [
        leaderboardItem(input.scanId, input.leaderboard, expires),
        breadthItem(input.scanId, input.breadth, expires),
        ...(input.snapshot ? [snapshotItem(input.scanId, input.snapshot, expires)] : []),
        ...(input.changes ? [changesItem(input.scanId, input.changes, expires)] : []),
      ],
      this.options.batch,
    );
    try {
      await this.clients.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { scanId: input.scanId, item: SCAN_ITEM },
          UpdateExpression:
            "SET #status = :status, finishedAt = :finished, summary = :summary REMOVE leaseUntil",
          ConditionExpression: "#status = :finalizing AND leaseUntil = :lease",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":status": input.status,
            ":finished": input.finishedAt,
            ":summary": input.summary,
            ":finalizing": "FINALIZING",
            ":lease": input.leaseUntil,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
  }

  /** RUNNING or FINALIZING scans of the last 14 days whose deadline passed. */
  async overdue(now: Date): Promise<ScanRecord[]> {
    const since = new Date(now.getTime() - 14 * 86_400_000).toISOString();
    const out: ScanRecord[] = [];
    for await (const item of queryAll(this.clients.documents, {
      TableName: this.table,
      IndexName: "byCreated",
      KeyConditionExpression: "entity = :e AND createdAt >= :since",
      FilterExpression: "(#status = :running OR #status = :finalizing) AND deadlineAt < :now",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":e": SCAN_ITEM,
        ":since": since,
        ":running": "RUNNING",
        ":finalizing": "FINALIZING",
        ":now": now.toISOString(),
      },
    })) {
      out.push(scanFromItem(item));
    }
    return out;
  }

  /** One item of a scan; the pipeline reads consistently, the CLI's readers need not (half the cost). */
  async item(scanId: string, item: string, consistent = true): Promise<Item | undefined> {
    const out = await this.clients.documents.send(
      new GetCommand({ TableName: this.table, Key: { scanId, item }, ConsistentRead: consistent }),
    );
    return out.Item;
  }
}
