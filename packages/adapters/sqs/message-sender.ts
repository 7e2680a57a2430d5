import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { TickerfleetError } from "../../core/errors.ts";
import type { MessageSender, OutboundMessage } from "../../core/pipeline/ports.ts";

export interface SqsSenderOptions {
  /** SendMessageBatch calls in flight at once. @default 8 */
  concurrency?: number;
  /** Attempts for entries SQS reports as failed (sender faults are not retried). @default 5 */
  maxAttempts?: number;
  /**
   * Most bytes of message bodies in one SendMessageBatch. SQS accepts up to
   * 1 MiB; AWS bills each 64 KiB of payload as one request either way, so
   * smaller batches cost nothing extra and stay within older limits. @default 262144
   */
  maxBatchBytes?: number;
}

export class QueueSendError extends TickerfleetError {
  readonly failed: number;
  constructor(queueUrl: string, failed: number, detail: string) {
    super("QUEUE_SEND", `${failed} message(s) could not be sent to ${queueUrl.split("/").pop()}: ${detail}`);
    this.name = "QueueSendError";
    this.failed = failed;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Groups messages into SendMessageBatch calls: at most 10 entries and maxBatchBytes of bodies each. */
export function batchesOf<T>(messages: readonly T[], size: (m: T) => number, maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const s = size(m);
    if (current.length > 0 && (current.length === 10 || bytes + s > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += s;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends JSON messages with SendMessageBatch (10 entries a call, calls in
 * parallel), retrying the entries SQS reports as failed with backoff.
 */
export class SqsMessageSender<T> implements MessageSender<T> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly options: SqsSenderOptions = {},
  ) {}

  async send(messages: readonly OutboundMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const entries: SendMessageBatchRequestEntry[] = messages.map((m, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify(m.body),
      ...(m.delaySeconds ? { DelaySeconds: Math.max(0, Math.min(900, Math.round(m.delaySeconds))) } : {}),
    }));
    const batches = batchesOf(
      entries,
      (e) => Buffer.byteLength(e.MessageBody!),
      this.options.maxBatchBytes ?? 262_144,
    );
    const concurrency = this.options.concurrency ?? 8;
    const errors: string[] = [];
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const left = await this.sendBatch(batch);
        if (left.length > 0) {
          failed += left.length;
          errors.push(left[0]!);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    if (failed > 0) throw new QueueSendError(this.queueUrl, failed, errors[0]!);
  }

  /** Returns a description of each entry that could not be sent. */
  private async sendBatch(batch: SendMessageBatchRequestEntry[]): Promise<string[]> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    let pending = batch.map((e, i) => ({ ...e, Id: String(i) }));
    let lastError = "";
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
      try {
        const out = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
        );
        const failedEntries = out.Failed ?? [];
        const senderFaults = failedEntries.filter((f) => f.SenderFault);
        if (senderFaults.length > 0) {
          // The request itself is wrong (too long, bad characters): retrying cannot help.
          return senderFaults.map((f) => `${f.Code}: ${f.Message}`);
        }
        const retry = new Set(failedEntries.map((f) => f.Id));
        lastError = failedEntries[0] ? `${failedEntries[0].Code}: ${failedEntries[0].Message}` : "";
        pending = pending.filter((e) => retry.has(e.Id));
      } catch (error) {
        lastError = (error as Error).message;
        if (
          (error as { $fault?: string }).$fault === "client" &&
          (error as Error).name !== "ThrottlingException"
        ) {
          return pending.map(() => `${(error as Error).name}: ${lastError}`);
        }
      }
    }
    return pending.map(() => lastError || "not sent");
  }
}
