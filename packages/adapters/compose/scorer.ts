import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Redis } from "@upstash/redis";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type FinalizeMessage, parseScoreMessage } from "../../core/pipeline/messages.ts";
import { scoreChunk } from "../../core/pipeline/score-chunk.ts";
import { batchDocumentClient, documentClient, sqsClient } from "../aws-clients.ts";
import { DynamoResultsRepository } from "../dynamo/results-repository.ts";
import { DynamoScansRepository } from "../dynamo/scans-repository.ts";
import { scoreStore } from "../dynamo/stores.ts";
import { observability } from "../observability.ts";
import { SqsMessageSender } from "../sqs/message-sender.ts";
import { failuresBackSoon } from "../sqs/retry-soon.ts";
import { UpstashScanCoordinator } from "../upstash/scan-coordinator.ts";

export interface ScorerResources {
  /** The queue it is subscribed to: failed messages are handed back to it soon. */
  scoreQueueUrl: string;
  scansTable: string;
  resultsTable: string;
  finalizeQueueUrl: string;
  upstashUrl: string;
  upstashToken: string;
}

/** The scorer's composition: each score message (part of a chunk) is scored and accounted on its own. */
export function createScorer(resources: ScorerResources) {
  const clients = { documents: documentClient(), batches: batchDocumentClient() };
  const store = scoreStore(
    new DynamoScansRepository(clients, resources.scansTable),
    new DynamoResultsRepository(clients, resources.resultsTable),
  );
  const finalizeQueue = new SqsMessageSender<FinalizeMessage>(sqsClient(), resources.finalizeQueueUrl);
  const coordinator = new UpstashScanCoordinator(
    new Redis({ url: resources.upstashUrl, token: resources.upstashToken, enableTelemetry: false }),
  );
  const processor = new BatchProcessor(EventType.SQS);
  const obs = observability();
  const handleRecord = async (record: SQSRecord) => {
    const message = parseScoreMessage(record.body);
    obs.scan(message.scanId);
    const report = await scoreChunk(message, { store, coordinator, finalizeQueue });
    obs.logger.info("score", { event: "score", scanId: message.scanId, chunk: message.chunk, ...report });
    obs.count("TickersScored", report.scored);
    obs.count("TickersFailed", report.failed);
  };
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    obs.begin(context);
    try {
      const response = await processPartialResponse(event, handleRecord, processor, { context });
      // A message that failed (a store call that kept failing) comes back in seconds, not after
      // the queue's 6-minute visibility timeout: scoring is idempotent.
      await failuresBackSoon(sqsClient(), resources.scoreQueueUrl, event.Records, response);
      return response;
    } finally {
      obs.end();
    }
  };
}
