import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { InvocationOutcome } from "./container.ts";

export interface SqsMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  batchWindowSeconds: number;
  maxConcurrency: number;
  invoke: (event: SQSEvent) => Promise<InvocationOutcome>;
  /** Told about each invocation's records and result (for logs and tests). */
  onBatch?: (report: BatchReport) => void;
  /** Long-poll wait per ReceiveMessage. @default 20 (as Lambda's pollers) */
  waitTimeSeconds?: number;
}

export interface BatchReport {
  queueArn: string;
  records: number;
  deleted: number;
  failed: number;
  outcome: InvocationOutcome;
}

function toRecordAttributes(value: MessageAttributeValue): SQSRecord["messageAttributes"][string] {
  return {
    dataType: value.DataType ?? "String",
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined
      ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }
      : {}),
    stringListValues: [],
    binaryListValues: [],
  };
}

/** The record Lambda builds from an SQS message (field names and casing as in AWS's event). */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? "000000000000",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.AWSTraceHeader ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, toRecordAttributes(v)]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records to delete after an invocation, following Lambda's rules for
 * `ReportBatchItemFailures`: a failed invocation deletes nothing (every record
 * comes back after the visibility timeout); a reply whose `batchItemFailures`
 * is malformed or names a record not in the batch fails the whole batch;
 * otherwise every record not named is deleted.
 */
export function recordsToDelete(records: readonly SQSRecord[], outcome: InvocationOutcome): SQSRecord[] {
  if (!outcome.ok) return [];
  const value = outcome.value as { batchItemFailures?: unknown } | null;
  if (
    value === null ||
    value === undefined ||
    typeof value !== "object" ||
    value.batchItemFailures === undefined
  ) {
    return [...records];
  }
  const failures = value.batchItemFailures;
  if (!Array.isArray(failures)) return [];
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !ids.has(id)) return [];
    failed.add(id);
  }
  return records.filter((r) => !failed.has(r.messageId));
}

/**
 * A local Lambda event-source mapping for one queue: `maxConcurrency` pollers,
 * each long-polls the queue, gathers up to `batchSize` records within
 * `batchWindowSeconds`, invokes the function with a real SQS event, and
 * deletes what succeeded. Failed records stay in the queue and come back after
 * its visibility timeout; the queue's redrive policy moves poison messages to
 * the DLQ. As with Lambda, nothing here changes a message's visibility.
 */
export class SqsEventSourceMapping {
  private readonly abort = new AbortController();
  private readonly pollers: Promise<void>[] = [];
  private stopping = false;

  constructor(private readonly options: SqsMappingOptions) {}

  start(): void {
    for (let i = 0; i < this.options.maxConcurrency; i++) this.pollers.push(this.poll());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await Promise.allSettled(this.pollers);
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { sqs, queueUrl } = this.options;
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: this.abort.signal },
    );
    return out.Messages ?? [];
  }

  private async gather(): Promise<Message[]> {
    const { batchSize, batchWindowSeconds } = this.options;
    const batch = await this.receive(batchSize, this.options.waitTimeSeconds ?? 20);
    if (batch.length === 0 || batchWindowSeconds <= 0) return batch;
    const windowEnds = Date.now() + batchWindowSeconds * 1000;
    while (batch.length < batchSize && !this.stopping) {
      const left = windowEnds - Date.now();
      if (left <= 0) break;
      const more = await this.receive(batchSize - batch.length, Math.min(20, Math.floor(left / 1000)));
      batch.push(...more);
      if (more.length === 0 && left < 1000) {
        await new Promise((r) => setTimeout(r, Math.min(left, 100)));
      }
    }
    return batch;
  }

  private async poll(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let messages: Message[];
      try {
        messages = await this.gather();
        failures = 0;
      } catch {
        if (this.stopping) return;
        // The queue endpoint is unreachable or erroring: back off (bounded) and poll again, as Lambda's pollers do.
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
        continue;
      }
      if (messages.length === 0) continue;
      await this.dispatch(messages);
    }
  }

  private async dispatch(messages: Message[]): Promise<void> {
    const { queueArn, region, sqs, queueUrl } = this.options;
    const records = messages.map((m) => toSqsRecord(m, queueArn, region));
    const outcome = await this.options.invoke({ Records: records });
    const toDelete = recordsToDelete(records, outcome);
    for (let i = 0; i < toDelete.length; i += 10) {
      const entries = toDelete
        .slice(i, i + 10)
        .map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle }));
      try {
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      } catch {
        // A delete that fails leaves the message to come back: at-least-once, as in AWS.
      }
    }
    this.options.onBatch?.({
      queueArn,
      records: records.length,
      deleted: toDelete.length,
      failed: records.length - toDelete.length,
      outcome,
    });
  }
}
