import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { TickerfleetError } from "../../core/errors.ts";
import type { FinalizeStore, ScoreStore, StartScanStore } from "../../core/pipeline/ports.ts";
import type {
  ChunkProgress,
  ChunkRole,
  LeaderboardRow,
  ResultRecord,
  ScanRecord,
  ScanStatus,
  ScanSummary,
} from "../../core/pipeline/records.ts";
import type { Fundamentals } from "../../core/scoring/canslim.ts";

/**
 * tickerfleet's DynamoDB data model (README "Data model"):
 *
 * Scans table, key (scanId, item):
 *   item "scan"         the scan record; `entity` = "scan" feeds the byCreated index
 *                       (recent scans), `universe` the byUniverse index (latest per universe)
 *   item "tickers"      the scan's tickers, comma-separated (for naming the unaccounted)
 *   item "chunk#000042" one chunk's progress: its size and the string sets scored / failed /
 *                       cached, created by the chunk's first score message
 *   item "benchmark"    the benchmark's metrics
 *   item "leaderboard"  the top rows, ranked by finalize
 *   item "breadth"      the breadth series of the scan's window
 * Results table, key (scanId, ticker): one item per ticker, scored or failed.
 *
 * Every write that may be repeated (SQS delivers at least once) is idempotent:
 * puts of the same item, ADD to sets, conditional status changes. Nothing
 * needs TransactWriteItems.
 */

export interface TableNames {
  scans: string;
  /** Absent for functions that are not linked to the results table (least privilege). */
  results?: string;
}

export interface DynamoStoreOptions {
  /** Days before result and chunk items expire (DynamoDB TTL). @default 400 */
  retentionDays?: number;
  /** Attempts for BatchWriteItem's UnprocessedItems. @default 8 */
  maxWriteAttempts?: number;
}

export class StoreError extends TickerfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE", message, options);
    this.name = "StoreError";
  }
}

const CHUNK_PREFIX = "chunk#";
const chunkItem = (chunk: number) => `${CHUNK_PREFIX}${String(chunk).padStart(6, "0")}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isConditionalFailure(error: unknown): boolean {
  return (error as Error)?.name === "ConditionalCheckFailedException";
}

/** Keeps six significant digits: enough for every score, and fewer bytes per item (billed per KB). */
function compactNumber(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

/** Where results are split for reading in parallel: roughly equal shares of US tickers. */
const RESULT_RANGE_BOUNDS = ["C", "F", "K", "P", "T"];

function compactMetrics(
  metrics: Record<string, number | boolean | string | null>,
): Record<string, number | boolean | string | null> {
  const out: Record<string, number | boolean | string | null> = {};
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v === "number") out[k] = Number.isFinite(v) ? compactNumber(v) : null;
    else out[k] = v;
  }
  return out;
}

function toSet(value: unknown): Set<string> {
  if (value instanceof Set) return new Set([...value].map(String));
  if (Array.isArray(value)) return new Set(value.map(String));
  return new Set();
}

function scanFromItem(item: Record<string, unknown>): ScanRecord {
  const { entity: _e, item: _i, ...rest } = item;
  return rest as unknown as ScanRecord;
}

export class DynamoScanStore implements StartScanStore, ScoreStore, FinalizeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly options: DynamoStoreOptions = {},
  ) {}

  private get resultsTable(): string {
    if (!this.tables.results) throw new StoreError("the results table is not linked to this function");
    return this.tables.results;
  }

  private expiresAt(): number {
    return Math.floor(Date.now() / 1000) + (this.options.retentionDays ?? 400) * 86_400;
  }

  // ---- scan-start

  async createScan(
    record: ScanRecord,
  ): Promise<{ created: true } | { created: false; existing: ScanRecord }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.scans,
          Item: { ...record, item: "scan", entity: "scan" },
          ConditionExpression: "attribute_not_exists(scanId)",
        }),
      );
      return { created: true };
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      const existing = await this.getScan(record.scanId);
      if (!existing)
        throw new StoreError(`scan ${record.scanId} exists but could not be read`, { cause: error });
      return { created: false, existing };
    }
  }

  async putTickers(scanId: string, tickers: readonly string[]): Promise<void> {
    // One item for the whole list (7,480 tickers ≈ 40 KB, well under DynamoDB's 400 KB):
    // written once, read once by finalize.
    await this.db.send(
      new PutCommand({
        TableName: this.tables.scans,
        Item: { scanId, item: "tickers", tickers: tickers.join(","), expiresAt: this.expiresAt() },
      }),
    );
  }

  async markEnqueued(scanId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.scans,
        Key: { scanId, item: "scan" },
        UpdateExpression: "SET enqueuedAt = if_not_exists(enqueuedAt, :at)",
        ExpressionAttributeValues: { ":at": at },
      }),
    );
  }

  // ---- scorer

  async putResults(results: readonly ResultRecord[]): Promise<void> {
    const expiresAt = this.expiresAt();
    const scored = results.filter((r) => r.status === "scored");
    const failed = results.filter((r) => r.status === "failed");
    await this.batchPut(
      this.resultsTable,
      scored.map((r) => ({
        scanId: r.scanId,
        ticker: r.ticker,
        st: "scored",
        src: r.source,
        m: compactMetrics(r.metrics),
        b: r.breadth,
        ...(r.fundamentals ? { f: r.fundamentals } : {}),
        expiresAt,
      })),
    );
    // A failure must never replace a score (a duplicate delivery may have scored the ticker).
    await Promise.all(
      failed.map(async (r) => {
        try {
          await this.db.send(
            new PutCommand({
              TableName: this.resultsTable,
              Item: {
                scanId: r.scanId,
                ticker: r.ticker,
                st: "failed",
                reason: r.reason,
                msg: r.message,
                att: r.attempts,
                expiresAt,
              },
              ConditionExpression: "attribute_not_exists(ticker) OR st = :failed",
              ExpressionAttributeValues: { ":failed": "failed" },
            }),
          );
        } catch (error) {
          if (!isConditionalFailure(error)) throw error;
        }
      }),
    );
  }

  async putBenchmark(
    scanId: string,
    metrics: Record<string, number | boolean | string | null>,
  ): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tables.scans,
        Item: { scanId, item: "benchmark", m: compactMetrics(metrics), expiresAt: this.expiresAt() },
      }),
    );
  }

  async recordChunkProgress(
    scanId: string,
    chunk: { index: number; size: number; role: ChunkRole },
    update: { scored: readonly string[]; failed: readonly string[]; cached: readonly string[] },
  ): Promise<ChunkProgress> {
    const adds: string[] = [];
    const values: Record<string, unknown> = {
      ":chunk": chunk.index,
      ":size": chunk.size,
      ":role": chunk.role,
      ":expires": this.expiresAt(),
    };
    for (const name of ["scored", "failed", "cached"] as const) {
      if (update[name].length > 0) {
        adds.push(`${name} :${name}`);
        values[`:${name}`] = new Set(update[name]);
      }
    }
    // An upsert: the chunk's first score message creates its record; sets make repeats harmless.
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.scans,
        Key: { scanId, item: chunkItem(chunk.index) },
        UpdateExpression: `SET chunk = :chunk, #size = :size, #role = :role, expiresAt = :expires${adds.length > 0 ? ` ADD ${adds.join(", ")}` : ""}`,
        ExpressionAttributeNames: { "#role": "role", "#size": "size" },
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    return this.chunkFromItem(out.Attributes!);
  }

  // ---- finalize

  async getScan(scanId: string): Promise<ScanRecord | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.scans, Key: { scanId, item: "scan" }, ConsistentRead: true }),
    );
    return out.Item ? scanFromItem(out.Item) : undefined;
  }

  async claimFinalize(scanId: string, now: Date, leaseMs: number): Promise<ScanRecord | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.scans,
          Key: { scanId, item: "scan" },
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
      return scanFromItem(out.Attributes!);
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Every result of a scan. A large scan's results are megabytes, which one Query reads a
   * 1 MB page at a time; finalize waits for all of them, so they are read as a few ticker
   * ranges at once. Each range ends where the next begins: `ticker < B₁`, `B₁ ≤ ticker < B₂`
   * (BETWEEN, less the boundary itself), ..., `ticker ≥ Bₙ`, so each result is read once.
   */
  async *results(scanId: string): AsyncIterable<ResultRecord> {
    const bounds = RESULT_RANGE_BOUNDS;
    const ranges = bounds.length + 1;
    const read = async (i: number): Promise<ResultRecord[]> => {
      const condition =
        i === 0
          ? { expression: "scanId = :s AND ticker < :hi", values: { ":hi": bounds[0] } }
          : i === ranges - 1
            ? { expression: "scanId = :s AND ticker >= :lo", values: { ":lo": bounds[i - 1] } }
            : {
                expression: "scanId = :s AND ticker BETWEEN :lo AND :hi",
                values: { ":lo": bounds[i - 1], ":hi": bounds[i] },
              };
      const out: ResultRecord[] = [];
      for await (const item of this.query({
        TableName: this.resultsTable,
        KeyConditionExpression: condition.expression,
        ExpressionAttributeValues: { ":s": scanId, ...condition.values },
        ConsistentRead: true,
      })) {
        if (i > 0 && i < ranges - 1 && item.ticker === bounds[i]) continue;
        out.push(resultFromItem(item));
      }
      return out;
    };
    for (const range of await Promise.all(Array.from({ length: ranges }, (_, i) => read(i)))) yield* range;
  }

  async chunks(scanId: string): Promise<ChunkProgress[]> {
    const out: ChunkProgress[] = [];
    for await (const item of this.query({
      TableName: this.tables.scans,
      KeyConditionExpression: "scanId = :s AND begins_with(#item, :prefix)",
      ExpressionAttributeNames: { "#item": "item" },
      ExpressionAttributeValues: { ":s": scanId, ":prefix": CHUNK_PREFIX },
      ConsistentRead: true,
    })) {
      out.push(this.chunkFromItem(item));
    }
    return out;
  }

  async tickers(scanId: string): Promise<string[]> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tables.scans,
        Key: { scanId, item: "tickers" },
        ConsistentRead: true,
      }),
    );
    const text = out.Item?.tickers;
    return typeof text === "string" && text.length > 0 ? text.split(",") : [];
  }

  async getBenchmark(scanId: string): Promise<Record<string, number | boolean | string | null> | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tables.scans,
        Key: { scanId, item: "benchmark" },
        ConsistentRead: true,
      }),
    );
    return out.Item?.m as Record<string, number | boolean | string | null> | undefined;
  }

  async completeScan(input: {
    scanId: string;
    status: Extract<ScanStatus, "COMPLETE" | "PARTIAL">;
    finishedAt: string;
    summary: ScanSummary;
    leaderboard: readonly LeaderboardRow[];
    breadth: unknown;
    leaseUntil: string;
  }): Promise<boolean> {
    const expiresAt = this.expiresAt();
    await this.batchPut(this.tables.scans, [
      { scanId: input.scanId, item: "leaderboard", rows: input.leaderboard, expiresAt },
      { scanId: input.scanId, item: "breadth", series: input.breadth, expiresAt },
    ]);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.scans,
          Key: { scanId: input.scanId, item: "scan" },
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

  async overdueScans(now: Date): Promise<ScanRecord[]> {
    const since = new Date(now.getTime() - 14 * 86_400_000).toISOString();
    const out: ScanRecord[] = [];
    for await (const item of this.query({
      TableName: this.tables.scans,
      IndexName: "byCreated",
      KeyConditionExpression: "entity = :e AND createdAt >= :since",
      FilterExpression: "(#status = :running OR #status = :finalizing) AND deadlineAt < :now",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":e": "scan",
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

  // ---- readers (CLI)

  async recentScans(options: { limit?: number; universe?: string } = {}): Promise<ScanRecord[]> {
    const input: QueryCommandInput = options.universe
      ? {
          TableName: this.tables.scans,
          IndexName: "byUniverse",
          KeyConditionExpression: "universe = :u",
          ExpressionAttributeValues: { ":u": options.universe },
        }
      : {
          TableName: this.tables.scans,
          IndexName: "byCreated",
          KeyConditionExpression: "entity = :e",
          ExpressionAttributeValues: { ":e": "scan" },
        };
    const out = await this.db.send(
      new QueryCommand({ ...input, ScanIndexForward: false, Limit: options.limit ?? 20 }),
    );
    return (out.Items ?? []).map(scanFromItem);
  }

  async leaderboard(scanId: string): Promise<LeaderboardRow[] | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.scans, Key: { scanId, item: "leaderboard" } }),
    );
    return out.Item?.rows as LeaderboardRow[] | undefined;
  }

  async breadth(scanId: string): Promise<unknown> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.scans, Key: { scanId, item: "breadth" } }),
    );
    return out.Item?.series;
  }

  /** One ticker's result in each of the given scans (missing where it was not part of a scan). */
  async tickerResults(ticker: string, scanIds: readonly string[]): Promise<Map<string, ResultRecord>> {
    const found = new Map<string, ResultRecord>();
    for (let i = 0; i < scanIds.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = scanIds
        .slice(i, i + 100)
        .map((scanId) => ({ scanId, ticker }));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const out = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.resultsTable]: { Keys: keys } } }),
        );
        for (const item of out.Responses?.[this.resultsTable] ?? [])
          found.set(String(item.scanId), resultFromItem(item));
        keys = out.UnprocessedKeys?.[this.resultsTable]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  // ---- helpers

  private chunkFromItem(item: Record<string, unknown>): ChunkProgress {
    return {
      scanId: String(item.scanId),
      chunk: Number(item.chunk),
      role: item.role === "benchmark" ? "benchmark" : "universe",
      size: Number(item.size ?? 0),
      scored: toSet(item.scored),
      failed: toSet(item.failed),
      cached: toSet(item.cached),
    };
  }

  private async *query(input: QueryCommandInput): AsyncIterable<Record<string, unknown>> {
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < 100_000; page++) {
      const out = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      for (const item of out.Items ?? []) yield item;
      start = out.LastEvaluatedKey;
      if (!start) return;
    }
  }

  /** BatchWriteItem in 25s, UnprocessedItems retried with exponential backoff and jitter. */
  private async batchPut(table: string, items: readonly Record<string, unknown>[]): Promise<void> {
    const maxAttempts = this.options.maxWriteAttempts ?? 8;
    await Promise.all(
      Array.from({ length: Math.ceil(items.length / 25) }, async (_, b) => {
        let requests = items.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 1; requests.length > 0; attempt++) {
          if (attempt > maxAttempts) {
            throw new StoreError(
              `${requests.length} item(s) still unprocessed by BatchWriteItem on ${table} after ${maxAttempts} attempts`,
            );
          }
          if (attempt > 1) await sleep(Math.min(5000, 25 * 2 ** attempt) * Math.random());
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }),
    );
  }
}

function resultFromItem(item: Record<string, unknown>): ResultRecord {
  if (item.st === "failed") {
    return {
      scanId: String(item.scanId),
      ticker: String(item.ticker),
      status: "failed",
      reason: String(item.reason ?? "unknown"),
      message: String(item.msg ?? ""),
      attempts: Number(item.att ?? 0),
    };
  }
  return {
    scanId: String(item.scanId),
    ticker: String(item.ticker),
    status: "scored",
    source: item.src === "cache" ? "cache" : "provider",
    metrics: (item.m ?? {}) as Record<string, number | boolean | string | null>,
    breadth: item.b instanceof Uint8Array ? item.b : new Uint8Array(),
    ...(fundamentalsOf(item.f) ? { fundamentals: fundamentalsOf(item.f) } : {}),
  };
}

/** A stored `f` attribute back as Fundamentals (finite numbers only), or undefined. */
function fundamentalsOf(value: unknown): Fundamentals | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { epsGrowthQuarterlyPct: q, epsGrowthAnnualPct: a } = value as Record<string, unknown>;
  const out: Fundamentals = {};
  if (typeof q === "number" && Number.isFinite(q)) out.epsGrowthQuarterlyPct = q;
  if (typeof a === "number" && Number.isFinite(a)) out.epsGrowthAnnualPct = a;
  return out;
}
