/**
 * The Lambda functions, one per topology function. A function with a
 * subscription is declared by subscribing it to its queue (SST then grants it
 * exactly the SQS actions the event-source mapping needs); the others
 * (scan-start) are declared on their own. Each links exactly the topology's
 * `links` (least privilege: the fetcher alone sees the provider keys, the fetcher and scorer the Upstash
 * secrets, notify alone the reports bucket, the key that signs its links, the alerts topic and the alert channels' secrets) and gets the TICKERFLEET_* settings set in the deploying shell.
 */
import {
  type BucketId,
  type FunctionId,
  type FunctionSpec,
  type QueueId,
  type ResourceName,
  type SubscriptionSpec,
  type TableId,
  type TopicId,
  topology,
} from "../topology/index.ts";
import { buckets } from "./buckets.ts";
import { physicalName } from "./naming.ts";
import { queues } from "./queues.ts";
import { reportLinkSigner } from "./report-signer.ts";
import { secrets } from "./secrets.ts";
import { functionEnvironment } from "./settings.ts";
import { tables } from "./tables.ts";
import { topics } from "./topics.ts";

type Linkable =
  | sst.aws.Queue
  | sst.aws.Dynamo
  | sst.aws.Bucket
  | sst.aws.SnsTopic
  | sst.Secret
  | typeof reportLinkSigner;

/** Every link name of the topology, mapped to the resource declared for it. */
function linkRegistry(): Map<ResourceName, Linkable> {
  const registry = new Map<ResourceName, Linkable>();
  for (const id of Object.keys(topology.queues) as QueueId[])
    registry.set(topology.queues[id].name, queues[id]);
  for (const id of Object.keys(topology.tables) as TableId[])
    registry.set(topology.tables[id].name, tables[id]);
  for (const id of Object.keys(topology.buckets) as BucketId[])
    registry.set(topology.buckets[id].name, buckets[id]);
  for (const id of Object.keys(topology.topics) as TopicId[])
    registry.set(topology.topics[id].name, topics[id]);
  for (const [name, secret] of Object.entries(secrets)) registry.set(name as ResourceName, secret);
  registry.set("ReportLinkSigner", reportLinkSigner);
  return registry;
}

const registry = linkRegistry();

function linksOf(spec: FunctionSpec): Linkable[] {
  return spec.links.map((name) => {
    const resource = registry.get(name);
    if (!resource)
      throw new Error(`function ${spec.name} links "${name}", which no module in stacks/sst declares`);
    return resource;
  });
}

/**
 * One function's arguments, all from the topology. Graviton (arm64) costs 20%
 * less per GB-second than x86 and the handlers are plain JavaScript.
 */
function functionArgs(id: FunctionId) {
  const spec = topology.functions[id];
  return {
    name: physicalName($app.stage, spec.name),
    description: spec.description,
    handler: spec.handler,
    runtime: "nodejs22.x",
    architecture: "arm64",
    timeout: `${spec.timeoutSeconds} seconds`,
    memory: `${spec.memoryMB} MB`,
    link: linksOf(spec),
    environment: functionEnvironment(process.env, $app.stage),
    copyFiles: spec.copyFiles?.map((c) => ({ from: c.from, to: c.to })),
  } satisfies sst.aws.FunctionArgs;
}

/** Subscribes a function to its queue: batches, partial batch responses, the mapping's concurrency cap. */
function subscribe(sub: SubscriptionSpec): $util.Output<sst.aws.Function> {
  const subscriber = queues[sub.queue].subscribe(functionArgs(sub.fn), {
    batch: {
      size: sub.batchSize,
      window: `${sub.batchWindowSeconds} seconds`,
      partialResponses: sub.partialResponses,
    },
    // SST has no option for it: the mapping's maximum concurrency goes through the transform.
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: sub.maxConcurrency } } },
  });
  return subscriber.apply((s) => s.nodes.function);
}

function declareFunctions(): Record<FunctionId, $util.Input<sst.aws.Function>> {
  const declared = {} as Record<FunctionId, $util.Input<sst.aws.Function>>;
  for (const id of Object.keys(topology.functions) as FunctionId[]) {
    const subscriptions = topology.subscriptions.filter((s) => s.fn === id);
    if (subscriptions.length > 1) {
      throw new Error(
        `function ${topology.functions[id].name} subscribes to ${subscriptions.length} queues; stacks/sst/functions.ts declares a subscriber once per subscription`,
      );
    }
    const [subscription] = subscriptions;
    declared[id] = subscription
      ? subscribe(subscription)
      : new sst.aws.Function(topology.functions[id].name, functionArgs(id));
  }
  return declared;
}

/** Each topology function's Lambda function (subscribers as outputs of their subscription). */
export const functions = declareFunctions();
