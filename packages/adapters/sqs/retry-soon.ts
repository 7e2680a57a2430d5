import { ChangeMessageVisibilityBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";

/**
 * Seconds before a record whose whole batch failed is delivered again: 5 s doubling with each
 * receive, at most 2 minutes, with jitter (so records that failed together come back apart).
 */
export function retryDelaySeconds(receiveCount: number, random: () => number = Math.random): number {
  const base = Math.min(120, 5 * 2 ** Math.max(0, receiveCount - 1));
  return Math.max(1, Math.round(base * (0.5 + random() / 2)));
}

/**
 * Hands a batch's records back to their queue soon instead of after the queue's visibility
 * timeout (6 × the function's): ChangeMessageVisibility on each, 10 to a request. For a batch
 * that failed as a whole (a store down for a moment), where the records would otherwise wait
 * minutes. Best effort: a record whose change fails keeps the visibility timeout, as before.
 */
/** The records of a partial batch response's failures, handed back soon (see retrySoon). */
export async function failuresBackSoon(
  sqs: SQSClient,
  queueUrl: string,
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
): Promise<void> {
  if (response.batchItemFailures.length === 0) return;
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  await retrySoon(
    sqs,
    queueUrl,
    records.filter((r) => failed.has(r.messageId)),
  );
}

export async function retrySoon(
  sqs: SQSClient,
  queueUrl: string,
  records: readonly SQSRecord[],
): Promise<void> {
  for (let i = 0; i < records.length; i += 10) {
    const entries = records.slice(i, i + 10).map((r, j) => ({
      Id: String(j),
      ReceiptHandle: r.receiptHandle,
      VisibilityTimeout: retryDelaySeconds(Number(r.attributes?.ApproximateReceiveCount) || 1),
    }));
    await sqs
      .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
      .catch(() => undefined);
  }
}
