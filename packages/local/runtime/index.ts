import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  topology as defaultTopology,
  type FunctionId,
  type ResourceName,
  type ScheduleSpec,
  type Topology,
  topologyProblems,
} from "../../../stacks/topology/index.ts";
import { bundleHandlers } from "./bundle.ts";
import type { InvocationOutcome } from "./container.ts";
import { FunctionPool, type FunctionStats } from "./function-pool.ts";
import { type ProvisionedCloud, provision } from "./provision.ts";
import { LocalSchedule } from "./schedule.ts";
import { type BatchReport, SqsEventSourceMapping } from "./sqs-mapping.ts";

/** Where the local cloud's parts listen and how to sign requests to them. */
export interface LocalEndpoints {
  sqs: string;
  dynamodb: string;
  upstashUrl: string;
  upstashToken: string;
  /** S3 (path-style addressing). */
  s3: string;
  sns: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalRuntimeOptions {
  endpoints: LocalEndpoints;
  /** @default the project's topology (stacks/topology) */
  topology?: Topology;
  /** Extra environment for every function (provider URLs, rate limits, cache TTL...). */
  env?: Record<string, string>;
  /** Values of the SST secrets that are not endpoints (provider API keys, alert channels' URLs and tokens); unset ones are "". */
  secrets?: Partial<Record<ResourceName, string>>;
  /** Run the topology's schedules. @default true */
  schedules?: boolean;
  /** Which schedules run, when schedules run. @default all */
  scheduleFilter?: (schedule: ScheduleSpec) => boolean;
  /** Run the SQS event-source mappings. @default true */
  mappings?: boolean;
  /** Handler log lines. @default dropped */
  log?: (functionName: string, containerId: string, line: string) => void;
  /** Told about every SQS-triggered invocation. */
  onBatch?: (fn: FunctionId, report: BatchReport) => void;
  /** Root the topology's handler paths are relative to. @default the repository root */
  root?: URL;
  /** @default "000000000000" */
  accountId?: string;
  /** @default "local" */
  stage?: string;
  /**
   * Run esbuild bundles of the handlers, as Lambda does (fast cold starts), or
   * their TypeScript sources through tsx. @default true
   */
  bundle?: boolean;
}

export interface LocalRuntime {
  readonly provisioned: ProvisionedCloud;
  readonly topology: Topology;
  /** Lambda-style function names ("ScanStart") by topology id. */
  readonly functionNames: Record<FunctionId, string>;
  /** Direct invoke, as `aws lambda invoke` would. */
  invoke(fn: FunctionId, event: unknown): Promise<InvocationOutcome>;
  /** The topology id of a function name ("ScanStart" or "tickerfleet-local-ScanStart"), if any. */
  resolve(name: string): FunctionId | undefined;
  /** The SST_RESOURCE_* values a function's containers get. */
  resourceEnv(fn: FunctionId): Record<string, string>;
  stats(): Record<FunctionId, FunctionStats>;
  /** Starts containers ahead of use (provisioned concurrency): `count` per function, or its mapping's concurrency. */
  prewarm(counts?: Partial<Record<FunctionId, number>>): Promise<void>;
  /** Kills the function's containers that are mid-invocation, as a crash would; returns how many. */
  killBusy(fn: FunctionId): number;
  stop(): Promise<void>;
}

const REPO_ROOT = new URL("../../../", import.meta.url);

/** What `Resource.<name>` holds in a function, as SST links it (each component's getSSTLink properties and its type). */
function linkValue(
  name: ResourceName,
  provisioned: ProvisionedCloud,
  topology: Topology,
  options: LocalRuntimeOptions,
): unknown {
  for (const [id, q] of Object.entries(topology.queues)) {
    if (q.name === name)
      return { type: "sst.aws.Queue", url: provisioned.queues[id as keyof ProvisionedCloud["queues"]].url };
  }
  for (const [id, t] of Object.entries(topology.tables)) {
    if (t.name === name)
      return { type: "sst.aws.Dynamo", name: provisioned.tables[id as keyof ProvisionedCloud["tables"]] };
  }
  for (const [id, b] of Object.entries(topology.buckets)) {
    if (b.name === name)
      return { type: "sst.aws.Bucket", name: provisioned.buckets[id as keyof ProvisionedCloud["buckets"]] };
  }
  for (const [id, t] of Object.entries(topology.topics)) {
    if (t.name === name)
      return { type: "sst.aws.SnsTopic", arn: provisioned.topics[id as keyof ProvisionedCloud["topics"]] };
  }
  // Empty = not configured: locally the default credentials sign reports' links.
  if (name === "ReportLinkSigner") return { type: "sst.sst.Linkable", accessKeyId: "", secretAccessKey: "" };
  if (name === "UpstashRedisRestUrl") return { type: "sst.sst.Secret", value: options.endpoints.upstashUrl };
  if (name === "UpstashRedisRestToken")
    return { type: "sst.sst.Secret", value: options.endpoints.upstashToken };
  return { type: "sst.sst.Secret", value: options.secrets?.[name] ?? "" };
}

/**
 * The local Lambda runtime: provisions the topology's queues, tables, buckets
 * and topics on the local cloud, runs each function's handler in worker-thread containers, feeds
 * them from SQS through event-source mappings, fires schedules, and offers
 * direct invoke. Handlers get the same event shapes, context and
 * `Resource.<Name>` values (through SST_RESOURCE_* variables) as in AWS.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const topology = options.topology ?? defaultTopology;
  const problems = topologyProblems(topology);
  if (problems.length > 0) throw new Error(`topology is not sound: ${problems.join("; ")}`);
  const { endpoints } = options;
  const accountId = options.accountId ?? "000000000000";
  const stage = options.stage ?? "local";
  const credentials = { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey };
  const sqs = new SQSClient({ endpoint: endpoints.sqs, region: endpoints.region, credentials });
  const dynamodb = new DynamoDBClient({
    endpoint: endpoints.dynamodb,
    region: endpoints.region,
    credentials,
  });
  // forcePathStyle: a local endpoint has no bucket subdomains (as for AWS_ENDPOINT_URL_S3 in aws-clients.ts).
  const s3 = new S3Client({
    endpoint: endpoints.s3,
    forcePathStyle: true,
    region: endpoints.region,
    credentials,
  });
  const sns = new SNSClient({ endpoint: endpoints.sns, region: endpoints.region, credentials });
  const provisioned = await provision(topology, { sqs, dynamodb, s3, sns });
  const root = options.root ?? REPO_ROOT;
  const buildDir = options.bundle === false ? undefined : await mkdtemp(join(tmpdir(), "tickerfleet-build-"));
  const bundles = buildDir
    ? await bundleHandlers(topology, { root, outDir: pathToFileURL(`${buildDir}/`) })
    : undefined;

  const functionNames = Object.fromEntries(
    Object.entries(topology.functions).map(([id, f]) => [id, f.name]),
  ) as Record<FunctionId, string>;

  const resourceEnv = (fn: FunctionId): Record<string, string> => {
    const env: Record<string, string> = { SST_RESOURCE_App: JSON.stringify({ name: "tickerfleet", stage }) };
    for (const link of topology.functions[fn].links) {
      env[`SST_RESOURCE_${link}`] = JSON.stringify(linkValue(link, provisioned, topology, options));
    }
    return env;
  };

  const pools = {} as Record<FunctionId, FunctionPool>;
  for (const [id, spec] of Object.entries(topology.functions) as [
    FunctionId,
    Topology["functions"][FunctionId],
  ][]) {
    const dot = spec.handler.lastIndexOf(".");
    const modulePath = bundles?.[id] ?? new URL(`${spec.handler.slice(0, dot)}.ts`, root).href;
    const exportName = spec.handler.slice(dot + 1);
    const subscription = topology.subscriptions.find((s) => s.fn === id);
    pools[id] = new FunctionPool({
      modulePath,
      exportName,
      functionName: spec.name,
      memoryMB: spec.memoryMB,
      timeoutSeconds: spec.timeoutSeconds,
      region: endpoints.region,
      accountId,
      // Enough for the event-source mapping's concurrency plus direct invokes.
      maxContainers: (subscription?.maxConcurrency ?? 0) + 4,
      log: options.log ?? (() => undefined),
      env: {
        ...options.env,
        ...resourceEnv(id),
        AWS_REGION: endpoints.region,
        AWS_DEFAULT_REGION: endpoints.region,
        AWS_ACCESS_KEY_ID: endpoints.accessKeyId,
        AWS_SECRET_ACCESS_KEY: endpoints.secretAccessKey,
        AWS_ENDPOINT_URL_SQS: endpoints.sqs,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
        AWS_ENDPOINT_URL_SNS: endpoints.sns,
        AWS_LAMBDA_FUNCTION_NAME: spec.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMB),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        TICKERFLEET_STAGE: stage,
      },
    });
  }

  const mappings: SqsEventSourceMapping[] = [];
  if (options.mappings !== false) {
    for (const sub of topology.subscriptions) {
      const queue = provisioned.queues[sub.queue];
      const mapping = new SqsEventSourceMapping({
        sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        region: endpoints.region,
        batchSize: sub.batchSize,
        batchWindowSeconds: sub.batchWindowSeconds,
        maxConcurrency: sub.maxConcurrency,
        invoke: (event) => pools[sub.fn].invoke(event),
        onBatch: (report) => options.onBatch?.(sub.fn, report),
      });
      mapping.start();
      mappings.push(mapping);
    }
  }

  const schedules: LocalSchedule[] = [];
  if (options.schedules !== false) {
    for (const s of topology.schedules.filter(options.scheduleFilter ?? (() => true))) {
      const schedule = new LocalSchedule(s.schedule, s.timezone, () => {
        void pools[s.fn].invoke(s.payload).catch(() => undefined);
      });
      schedule.start();
      schedules.push(schedule);
    }
  }

  let stopped = false;
  return {
    provisioned,
    topology,
    functionNames,
    invoke: (fn, event) => pools[fn].invoke(event, randomUUID()),
    resolve(name) {
      // Lambda's FunctionName forms: name, name:qualifier, 123456789012:function:name[:qualifier],
      // arn:aws:lambda:region:account:function:name[:qualifier]. Only $LATEST exists here.
      const marker = name.indexOf(":function:");
      const [functionName, qualifier] = (marker >= 0 ? name.slice(marker + ":function:".length) : name).split(
        ":",
      );
      if (qualifier !== undefined && qualifier !== "$LATEST") return undefined;
      const bare = functionName!.replace(/^tickerfleet-[A-Za-z0-9-]*?-(?=[A-Z])/, "");
      return (Object.keys(functionNames) as FunctionId[]).find(
        (id) => functionNames[id] === bare || id === bare,
      );
    },
    resourceEnv,
    killBusy: (fn) => pools[fn].killBusy(),
    async prewarm(counts) {
      await Promise.all(
        (Object.keys(pools) as FunctionId[]).map((fn) => {
          const sub = topology.subscriptions.find((s) => s.fn === fn);
          return pools[fn].prewarm(counts?.[fn] ?? sub?.maxConcurrency ?? 1);
        }),
      );
    },
    stats: () =>
      Object.fromEntries(Object.entries(pools).map(([id, pool]) => [id, { ...pool.stats }])) as Record<
        FunctionId,
        FunctionStats
      >,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of schedules) s.stop();
      await Promise.all(mappings.map((m) => m.stop()));
      await Promise.all(Object.values(pools).map((p) => p.stop()));
      sqs.destroy();
      dynamodb.destroy();
      s3.destroy();
      sns.destroy();
      if (buildDir) await rm(buildDir, { recursive: true, force: true });
    },
  };
}
