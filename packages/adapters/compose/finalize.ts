import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { ValidationError } from "../../core/errors.ts";
import { type FinalizeOutcome, finalizeScan, sweepOverdue } from "../../core/pipeline/finalize-scan.ts";
import type { NotifyMessage } from "../../core/pipeline/messages.ts";
import { parseFinalizeMessage } from "../../core/pipeline/messages.ts";
import { batchDocumentClient, documentClient, sqsClient } from "../aws-clients.ts";
import { changeSettings } from "../config.ts";
import { DynamoResultsRepository } from "../dynamo/results-repository.ts";
import { DynamoScansRepository } from "../dynamo/scans-repository.ts";
import { finalizeStore } from "../dynamo/stores.ts";
import { observability } from "../observability.ts";
import { SqsMessageSender } from "../sqs/message-sender.ts";

export interface FinalizeResources {
  scansTable: string;
  resultsTable: string;
  /** Where finished scans go for their report and alerts; none: nothing follows finalize. */
  notifyQueueUrl?: string;
}

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as SQSEvent | null)?.Records;
  return Array.isArray(records) && records.every((r) => r?.eventSource === "aws:sqs");
}

/**
 * finalize's composition. It answers three events: finalize messages from the
 * scorer (SQS), the schedule's `{ "sweep": true }` (finalize every overdue
 * scan), and a direct `{ "scanId": "..." }` invoke.
 */
export function createFinalize(resources: FinalizeResources) {
  const clients = { documents: documentClient(), batches: batchDocumentClient() };
  const store = finalizeStore(
    new DynamoScansRepository(clients, resources.scansTable),
    new DynamoResultsRepository(clients, resources.resultsTable),
  );
  const processor = new BatchProcessor(EventType.SQS);
  const obs = observability();
  const changes = changeSettings();
  const notifyQueue = resources.notifyQueueUrl
    ? new SqsMessageSender<NotifyMessage>(sqsClient(), resources.notifyQueueUrl)
    : undefined;
  const onNotifyError = (scanId: string, error: unknown) =>
    obs.logger.error("notify message not sent: the scan is finished, its report and alerts are not", {
      event: "notify-unsent",
      scanId,
      error: error instanceof Error ? error.message : String(error),
    });
  const handler = async (event: unknown, context: Context): Promise<SQSBatchResponse | FinalizeOutcome[]> => {
    // A claim outlives this invocation: another finalize may take over only after it could not still be running.
    const deps = {
      store,
      leaseMs: context.getRemainingTimeInMillis() + 60_000,
      changes,
      ...(notifyQueue ? { notifyQueue, onNotifyError } : {}),
    };
    const log = (outcome: FinalizeOutcome) => {
      obs.scan(outcome.scanId);
      obs.logger.info("finalize", { event: "finalize", ...outcome });
      if ("finalized" in outcome && outcome.finalized) obs.count("ScansFinished", 1);
    };
    if (isSqsEvent(event)) {
      const handleRecord = async (record: SQSRecord) => {
        log(await finalizeScan(parseFinalizeMessage(record.body).scanId, deps));
      };
      return processPartialResponse(event, handleRecord, processor, { context });
    }
    const payload = (event ?? {}) as Record<string, unknown>;
    if (payload.sweep === true || payload["detail-type"] === "Scheduled Event") {
      const outcomes = await sweepOverdue(deps);
      outcomes.forEach(log);
      return outcomes;
    }
    if (typeof payload.scanId === "string" && payload.scanId.length > 0) {
      const outcome = await finalizeScan(payload.scanId, deps);
      log(outcome);
      return [outcome];
    }
    throw new ValidationError("finalize event", [
      'expected SQS finalize messages, {"sweep": true} or {"scanId": "..."}',
    ]);
  };
  return async (event: unknown, context: Context) => {
    obs.begin(context);
    try {
      return await handler(event, context);
    } finally {
      obs.end();
    }
  };
}
