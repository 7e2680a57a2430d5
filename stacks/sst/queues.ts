/**
 * The SQS queues, one per topology queue, each with its dead-letter queue:
 * a message received `maxReceiveCount` times without being deleted moves to
 * the DLQ, which keeps it for the topology's retention (14 days) so it can be
 * inspected and redriven. Visibility timeouts are the topology's (≥ 6 × the
 * subscriber's timeout, checked by sst.config.ts before anything is declared).
 */
import { type QueueId, topology } from "../topology/index.ts";
import { physicalName } from "./naming.ts";

function declareQueue(id: QueueId): { queue: sst.aws.Queue; dlq: sst.aws.Queue } {
  const spec = topology.queues[id];
  const dlq = new sst.aws.Queue(spec.dlqName, {
    transform: {
      queue: {
        name: physicalName($app.stage, spec.dlqName),
        messageRetentionSeconds: spec.dlqRetentionSeconds,
      },
    },
  });
  const queue = new sst.aws.Queue(spec.name, {
    visibilityTimeout: `${spec.visibilityTimeoutSeconds} seconds`,
    dlq: { queue: dlq.arn, retry: spec.maxReceiveCount },
    transform: { queue: { name: physicalName($app.stage, spec.name) } },
  });
  return { queue, dlq };
}

const fetch = declareQueue("fetch");
const score = declareQueue("score");
const finalize = declareQueue("finalize");
const notify = declareQueue("notify");

export const queues: Record<QueueId, sst.aws.Queue> = {
  fetch: fetch.queue,
  score: score.queue,
  finalize: finalize.queue,
  notify: notify.queue,
};

export const deadLetterQueues: Record<QueueId, sst.aws.Queue> = {
  fetch: fetch.dlq,
  score: score.dlq,
  finalize: finalize.dlq,
  notify: notify.dlq,
};
