import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { ResultRecord } from "../../core/pipeline/records.ts";
import { batchGet, batchPut } from "./batch-retry.ts";
import { type Item, resultFromItem, resultItem } from "./items.ts";
import {
  type DynamoClients,
  expiresAt,
  isConditionalFailure,
  queryAll,
  type RepositoryOptions,
} from "./requests.ts";

/** Where results are split for reading in parallel: roughly equal shares of US tickers. */
const RESULT_RANGE_BOUNDS = ["C", "F", "K", "P", "T"];

/**
 * The results table: one item per (scan, ticker), scored or failed (items.ts
 * has the item). Scores overwrite (a repeat writes the same thing); a failure
 * never replaces a score.
 */
export class DynamoResultsRepository {
  constructor(
    private readonly clients: DynamoClients,
    private readonly table: string,
    private readonly options: RepositoryOptions = {},
  ) {}

  async put(results: readonly ResultRecord[]): Promise<void> {
    const expires = expiresAt(this.options);
    await batchPut(
      this.clients.batches,
      this.table,
      results.filter((r) => r.status === "scored").map((r) => resultItem(r, expires)),
      this.options.batch,
    );
    // A failure must never replace a score (a duplicate delivery may have scored the ticker).
    await Promise.all(
      results
        .filter((r) => r.status === "failed")
        .map(async (r) => {
          try {
            await this.clients.documents.send(
              new PutCommand({
                TableName: this.table,
                Item: resultItem(r, expires),
                ConditionExpression: "attribute_not_exists(ticker) OR #status = :failed",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":failed": "failed" },
              }),
            );
          } catch (error) {
            if (!isConditionalFailure(error)) throw error;
          }
        }),
    );
  }

  /**
   * Every result of a scan. A large scan's results are megabytes, which one Query reads a
   * 1 MB page at a time; finalize waits for all of them, so they are read as a few ticker
   * ranges at once. Each range ends where the next begins: `ticker < B₁`, `B₁ ≤ ticker < B₂`
   * (BETWEEN, less the boundary itself), ..., `ticker ≥ Bₙ`, so each result is read once.
   * Items this version did not write are left out (items.ts resultFromItem). An eventually
   * consistent read costs half: finished scans' readers use it, and finalize, which re-reads
   * consistently the few results a chunk accounted for that the read did not return.
   */
  async *ofScan(scanId: string, consistent = true): AsyncIterable<ResultRecord> {
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
      for await (const item of queryAll(this.clients.documents, {
        TableName: this.table,
        KeyConditionExpression: condition.expression,
        ExpressionAttributeValues: { ":s": scanId, ...condition.values },
        ConsistentRead: consistent,
      })) {
        if (i > 0 && i < ranges - 1 && item.ticker === bounds[i]) continue;
        const result = resultFromItem(item);
        if (result) out.push(result);
      }
      return out;
    };
    for (const range of await Promise.all(Array.from({ length: ranges }, (_, i) => read(i)))) yield* range;
  }

  /** Some tickers' results of one scan, read consistently (absent where there is none). */
  async ofTickers(scanId: string, tickers: readonly string[]): Promise<ResultRecord[]> {
    const keys: Item[] = tickers.map((ticker) => ({ scanId, ticker }));
    const items = await batchGet(this.clients.batches, this.table, keys, this.options.batch, true);
    return items.flatMap((item) => resultFromItem(item) ?? []);
  }

  /** One ticker's result in each of the given scans (absent where it was not part of a scan). */
  async ofTicker(ticker: string, scanIds: readonly string[]): Promise<Map<string, ResultRecord>> {
    const keys: Item[] = scanIds.map((scanId) => ({ scanId, ticker }));
    const found = new Map<string, ResultRecord>();
    for (const item of await batchGet(this.clients.batches, this.table, keys, this.options.batch)) {
      const result = resultFromItem(item);
      if (result) found.set(result.scanId, result);
    }
    return found;
  }
}
