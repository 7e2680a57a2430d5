import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { retryDelayMs } from "../../core/pipeline/backoff.ts";
import { StoreError } from "./errors.ts";
import type { Item } from "./items.ts";

/**
 * DynamoDB's batch calls with one attempt budget each.
 *
 * A batch call fails in two ways that mean the same thing (the table's
 * throughput is exhausted): the whole request is throttled (an error), or part
 * of it comes back as UnprocessedItems / UnprocessedKeys. If the SDK retried
 * the first (its maxAttempts) inside a loop retrying the second, the two would
 * multiply: 8 SDK attempts in each of 8 loop attempts is 64 requests for one
 * batch. So the loop owns the budget: batch calls go through a client whose
 * SDK retries are off (`maxAttempts: 1`, see aws-clients.ts), and a request
 * that fails as the SDK would have retried it counts as one attempt that
 * processed nothing. `attempts` requests per batch in all, with exponential
 * backoff and full jitter (core/pipeline/backoff.ts) between them.
 */

export interface BatchBudget {
  /** Requests per batch, the first one included. @default 8 */
  attempts?: number;
  /** Ceiling of the first retry's delay, doubling per retry. @default 100 */
  baseDelayMs?: number;
  /** Largest delay between two attempts. @default 5000 */
  maxDelayMs?: number;
  /** For tests. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const BATCH_WRITE_LIMIT = 25;
const BATCH_GET_LIMIT = 100;

type WriteRequest = NonNullable<
  ConstructorParameters<typeof BatchWriteCommand>[0]["RequestItems"]
>[string][number];
type Key = Item;

/** Puts items in batches of 25 (at once), each within its budget; throws a StoreError if some are left. */
export async function batchPut(
  db: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
  budget: BatchBudget = {},
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
    batches.push(items.slice(i, i + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } })));
  }
  // Every batch runs to its end before a failure is reported: none keeps sending after the caller gave up.
  const outcomes = await Promise.allSettled(
    batches.map((requests) =>
      untilProcessed(requests, `BatchWriteItem on ${table}`, budget, async (pending) => {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        return out.UnprocessedItems?.[table] ?? [];
      }),
    ),
  );
  for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
}

/** Gets items by key in batches of 100, each within its budget; throws a StoreError if some are left. */
export async function batchGet(
  db: DynamoDBDocumentClient,
  table: string,
  keys: readonly Key[],
  budget: BatchBudget = {},
  consistent = false,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
    await untilProcessed(
      keys.slice(i, i + BATCH_GET_LIMIT),
      `BatchGetItem on ${table}`,
      budget,
      async (pending) => {
        const out = await db.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }),
        );
        found.push(...(out.Responses?.[table] ?? []));
        return out.UnprocessedKeys?.[table]?.Keys ?? [];
      },
    );
  }
  return found;
}

/**
 * Sends `pending` until `send` leaves nothing unprocessed, at most `attempts`
 * times. An error the SDK would retry (throttling, a 5xx, a timeout or a
 * dropped connection) counts as an attempt that processed nothing; any other
 * error is thrown at once.
 */
export async function untilProcessed<T>(
  pending: T[],
  what: string,
  budget: BatchBudget,
  send: (pending: T[]) => Promise<T[]>,
): Promise<void> {
  const attempts = budget.attempts ?? 8;
  const sleep = budget.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const delays = { baseMs: budget.baseDelayMs ?? 100, maxMs: budget.maxDelayMs ?? 5000 };
  let lastError: unknown;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > attempts) {
      throw new StoreError(
        `${pending.length} item(s) still unprocessed by ${what} after ${attempts} attempts`,
        lastError === undefined ? undefined : { cause: lastError },
      );
    }
    if (attempt > 1) await sleep(retryDelayMs(attempt - 1, undefined, delays));
    try {
      pending = await send(pending);
      lastError = undefined;
    } catch (error) {
      if (!isRetryable(error)) throw error;
      lastError = error;
    }
  }
}

/** What the SDK's standard retry strategy retries (it is off for batch calls, so the loop above does). */
const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
]);
const TRANSIENT = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalServerError",
]);
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

export function isRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name: unknown = Reflect.get(error, "name");
  const code: unknown = Reflect.get(error, "code");
  const metadata: unknown = Reflect.get(error, "$metadata");
  const status: unknown =
    typeof metadata === "object" && metadata !== null ? Reflect.get(metadata, "httpStatusCode") : undefined;
  return (
    Boolean(Reflect.get(error, "$retryable")) ||
    (typeof name === "string" && (THROTTLING.has(name) || TRANSIENT.has(name))) ||
    (typeof code === "string" && NETWORK.has(code)) ||
    (typeof status === "number" && (status === 429 || status >= 500))
  );
}
