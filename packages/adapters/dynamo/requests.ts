import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { BatchBudget } from "./batch-retry.ts";
import type { Item } from "./items.ts";

/** The clients the repositories send with. */
export interface DynamoClients {
  /** Single-item requests and queries: the SDK retries them (its maxAttempts). */
  documents: DynamoDBDocumentClient;
  /**
   * BatchWriteItem and BatchGetItem. Give it a client whose SDK retries are off
   * (`maxAttempts: 1`, aws-clients.ts `batchDocumentClient`): batch-retry.ts owns their budget.
   */
  batches: DynamoDBDocumentClient;
}

export interface RepositoryOptions {
  /** Days before result, chunk and other per-scan items expire (DynamoDB TTL). @default 400 */
  retentionDays?: number;
  /** The attempts of each batch call. */
  batch?: BatchBudget;
}

/** The `expiresAt` (epoch seconds, DynamoDB TTL) of an item written now. */
export function expiresAt(options: RepositoryOptions): number {
  return Math.floor(Date.now() / 1000) + (options.retentionDays ?? 400) * 86_400;
}

export function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Every item a query finds, page after page. */
export async function* queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): AsyncIterable<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Every item of a scan whose sort key starts with `prefix` (its chunks, its alerts), page after page. */
export function scanItemsWithPrefix(
  db: DynamoDBDocumentClient,
  table: string,
  scanId: string,
  prefix: string,
  consistent: boolean,
): AsyncIterable<Item> {
  return queryAll(db, {
    TableName: table,
    KeyConditionExpression: "scanId = :s AND begins_with(#item, :prefix)",
    ExpressionAttributeNames: { "#item": "item" },
    ExpressionAttributeValues: { ":s": scanId, ":prefix": prefix },
    ConsistentRead: consistent,
  });
}
