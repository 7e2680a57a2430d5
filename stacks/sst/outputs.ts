/**
 * What `sst deploy` prints and writes to `.sst/outputs.json`: the functions'
 * names (the CLI and `aws lambda invoke` call `scanStartFunction`), the queue
 * and dead-letter queue URLs, the table names, the bucket names, the topic ARNs
 * and each schedule as deployed.
 */
import {
  type BucketId,
  type FunctionId,
  type QueueId,
  type TableId,
  type TopicId,
  topology,
} from "../topology/index.ts";
import { buckets } from "./buckets.ts";
import { physicalName } from "./naming.ts";
import { deadLetterQueues, queues } from "./queues.ts";
import { schedules } from "./schedule.ts";
import { tables } from "./tables.ts";
import { topics } from "./topics.ts";

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export const outputs = {
  stage: $app.stage,
  ...Object.fromEntries(
    (Object.keys(topology.functions) as FunctionId[]).map((id) => [
      `${id}Function`,
      physicalName($app.stage, topology.functions[id].name),
    ]),
  ),
  ...Object.fromEntries((Object.keys(queues) as QueueId[]).map((id) => [`${id}QueueUrl`, queues[id].url])),
  ...Object.fromEntries(
    (Object.keys(deadLetterQueues) as QueueId[]).map((id) => [`${id}DlqUrl`, deadLetterQueues[id].url]),
  ),
  ...Object.fromEntries((Object.keys(tables) as TableId[]).map((id) => [`${id}Table`, tables[id].name])),
  ...Object.fromEntries((Object.keys(buckets) as BucketId[]).map((id) => [`${id}Bucket`, buckets[id].name])),
  ...Object.fromEntries((Object.keys(topics) as TopicId[]).map((id) => [`${id}TopicArn`, topics[id].arn])),
  ...Object.fromEntries(
    schedules.map((s) => [
      `${lowerFirst(s.name)}Schedule`,
      s.enabled ? `${s.expression} ${s.timezone}` : "off",
    ]),
  ),
};
