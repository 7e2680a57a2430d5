/**
 * The one definition of tickerfleet's cloud shape, as plain data: queues,
 * functions, subscriptions, schedules and tables. `sst.config.ts` (through the
 * modules in stacks/) declares AWS resources from it, and the local runtime
 * (packages/local/runtime) builds the same shape on the local cloud from it.
 * Nothing here imports SST or AWS, so both sides, and tests, can read it.
 */

/** SST link / `Resource.<Name>` names. */
export type ResourceName =
  | "FetchQueue"
  | "ScoreQueue"
  | "FinalizeQueue"
  | "NotifyQueue"
  | "ScansTable"
  | "ResultsTable"
  | "BarsTable"
  | "ReportsBucket"
  /** The long-term key notify signs reports' 7-day links with (stacks/sst/report-signer.ts). */
  | "ReportLinkSigner"
  | "ScanAlertsTopic"
  | "UpstashRedisRestUrl"
  | "UpstashRedisRestToken"
  | "FmpApiKey"
  | "PolygonApiKey"
  | "AlphaVantageApiKey"
  | "AlpacaApiKeyId"
  | "AlpacaApiSecretKey"
  | AlertSecretName;

/** The alert channels' URLs, tokens and secrets (SST secrets; `TICKERFLEET_ALERT_*` locally). */
export const ALERT_SECRETS = {
  AlertSlackUrl: "TICKERFLEET_ALERT_SLACK_URL",
  AlertDiscordUrl: "TICKERFLEET_ALERT_DISCORD_URL",
  AlertTelegramToken: "TICKERFLEET_ALERT_TELEGRAM_TOKEN",
  AlertTelegramChatId: "TICKERFLEET_ALERT_TELEGRAM_CHAT_ID",
  AlertWebhookUrl: "TICKERFLEET_ALERT_WEBHOOK_URL",
  AlertWebhookSecret: "TICKERFLEET_ALERT_WEBHOOK_SECRET",
} as const;
export type AlertSecretName = keyof typeof ALERT_SECRETS;

export type FunctionId = "scanStart" | "fetcher" | "scorer" | "finalize" | "notify";
export type QueueId = "fetch" | "score" | "finalize" | "notify";
export type TableId = "scans" | "results" | "bars";
export type BucketId = "reports";
export type TopicId = "scanAlerts";

export interface FunctionSpec {
  /** Logical name: the Lambda function's name suffix and the local runtime's function name. */
  name: string;
  /** `path/to/file.exportName`, relative to the repository root, as SST's `handler` takes it. */
  handler: string;
  timeoutSeconds: number;
  memoryMB: number;
  /** What the function may touch; nothing else is linked (least privilege). */
  links: readonly ResourceName[];
  description: string;
  /** Files the function reads at run time, copied beside its bundle (SST's `copyFiles`). */
  copyFiles?: readonly { from: string; to: string }[];
}

export interface QueueSpec {
  /** Link name, e.g. `FetchQueue` → `Resource.FetchQueue.url`. */
  name: ResourceName;
  /** ≥ 6 × the subscriber's timeout, as AWS recommends for Lambda event-source mappings. */
  visibilityTimeoutSeconds: number;
  /** Messages received this many times without being deleted go to the DLQ. */
  maxReceiveCount: number;
  dlqName: string;
  /** How long the DLQ keeps messages (14 days, the maximum, so a user can inspect them). */
  dlqRetentionSeconds: number;
}

export interface SubscriptionSpec {
  queue: QueueId;
  fn: FunctionId;
  /** Records per invocation. */
  batchSize: number;
  /** Seconds the event-source mapping may wait to fill a batch (0 = invoke at once). */
  batchWindowSeconds: number;
  /** Concurrent invocations the mapping may run (AWS: 2..1000). */
  maxConcurrency: number;
  /** Handlers return `batchItemFailures`; only those records are retried. */
  partialResponses: true;
}

export interface ScheduleSpec {
  name: string;
  fn: FunctionId;
  /** EventBridge Scheduler expression: `cron(...)` (six fields) or `rate(...)`. */
  schedule: string;
  /** IANA time zone the cron is read in. */
  timezone: string;
  /** The payload the schedule invokes the function with. */
  payload: Record<string, unknown>;
}

export interface TableSpec {
  name: ResourceName;
  fields: Record<string, "string" | "number" | "binary">;
  primaryIndex: { hashKey: string; rangeKey?: string };
  globalIndexes: Record<
    string,
    { hashKey: string; rangeKey?: string; projection: "all" | "keys-only" | readonly string[] }
  >;
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  ttl?: string;
}

export interface BucketSpec {
  name: ResourceName;
  /** Objects under `prefix` expire this many days after they are written (an S3 lifecycle rule). */
  expire: { prefix: string; days: number };
}

export interface TopicSpec {
  name: ResourceName;
  /** What the topic carries, for the console. */
  description: string;
}

export interface Topology {
  functions: Record<FunctionId, FunctionSpec>;
  queues: Record<QueueId, QueueSpec>;
  subscriptions: readonly SubscriptionSpec[];
  schedules: readonly ScheduleSpec[];
  tables: Record<TableId, TableSpec>;
  /** Private S3 buckets (reports). */
  buckets: Record<BucketId, BucketSpec>;
  /** SNS topics the functions publish to (scan alerts by email). */
  topics: Record<TopicId, TopicSpec>;
  /** Scan defaults that the topology owns because capacity depends on them. */
  scan: {
    /** Tickers per fetch message (a chunk); fewer when a plan's bars ride in the message (start-scan.ts). */
    chunkSize: number;
    /** A scan not accounted for after this long is finalized PARTIAL by the sweep. */
    deadlineSeconds: number;
  };
  /** What the functions publish (Powertools Metrics) and the dashboard and alarms read. */
  metrics: {
    namespace: string;
    /** The `service` dimension (with `stage`) of every metric, and of every log line. */
    service: string;
    names: readonly MetricName[];
  };
}

/** Counts the functions publish per invocation (packages/adapters/observability.ts). */
export const METRIC_NAMES = [
  "TickersScored",
  "TickersFailed",
  "ProviderRequests",
  "ProviderRefusals",
  "ProviderHolds",
  "BreakerOpens",
  "BreakerProbes",
  "Fallbacks",
  "LapsedTokens",
  "CacheHits",
  "ScansStarted",
  "ScansFinished",
  "AlertsSent",
  "AlertsFailed",
  "ReportsPublished",
  "ReportsFailed",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const PROVIDER_SECRETS: readonly ResourceName[] = [
  "FmpApiKey",
  "PolygonApiKey",
  "AlphaVantageApiKey",
  "AlpacaApiKeyId",
  "AlpacaApiSecretKey",
];
const UPSTASH: readonly ResourceName[] = ["UpstashRedisRestUrl", "UpstashRedisRestToken"];

const FETCHER_TIMEOUT = 60;
const SCORER_TIMEOUT = 60;
const FINALIZE_TIMEOUT = 300;
const NOTIFY_TIMEOUT = 120;

export const topology: Topology = {
  functions: {
    scanStart: {
      name: "ScanStart",
      handler: "functions/scan-start.handler",
      timeoutSeconds: 60,
      memoryMB: 512,
      links: ["FetchQueue", "ScansTable"],
      description: "Validates a scan request, records the scan and enqueues its ticker chunks.",
      // packages/core/universes.ts reads the shipped universes from ./universes/ beside the bundle.
      copyFiles: [{ from: "packages/core/universes/", to: "universes/" }],
    },
    fetcher: {
      name: "Fetcher",
      handler: "functions/fetcher.handler",
      timeoutSeconds: FETCHER_TIMEOUT,
      memoryMB: 512,
      links: ["FetchQueue", "ScoreQueue", "BarsTable", "ScansTable", ...UPSTASH, ...PROVIDER_SECRETS],
      description:
        "Brings ticker chunks' stored bars up to date under the shared rate limit and hands on adjusted series.",
    },
    scorer: {
      name: "Scorer",
      handler: "functions/scorer.handler",
      timeoutSeconds: SCORER_TIMEOUT,
      memoryMB: 1024,
      // ScoreQueue: its own, to hand failed messages back soon (ChangeMessageVisibility).
      links: ["ScoreQueue", "ScansTable", "ResultsTable", "FinalizeQueue", ...UPSTASH],
      description: "Computes indicators and scores, writes results and records progress exactly once.",
    },
    finalize: {
      name: "Finalize",
      handler: "functions/finalize.handler",
      timeoutSeconds: FINALIZE_TIMEOUT,
      memoryMB: 1024,
      links: ["ScansTable", "ResultsTable", "NotifyQueue"],
      description:
        "Ranks a finished scan, writes its leaderboard, breadth and changes, and hands it to notify; finalizes overdue scans.",
    },
    notify: {
      name: "Notify",
      handler: "functions/notify.handler",
      timeoutSeconds: NOTIFY_TIMEOUT,
      // Off the scan's critical path, and much of its time is waiting (results, S3, channels):
      // half finalize's memory costs half while it waits. Rendering a us-all report peaked under
      // 200 MB of resident memory here (7,500 rows, 20 charts).
      memoryMB: 512,
      // NotifyQueue: its own, to hand failed messages back soon (ChangeMessageVisibility).
      links: [
        "NotifyQueue",
        "ScansTable",
        "ResultsTable",
        "BarsTable",
        "ReportsBucket",
        "ReportLinkSigner",
        "ScanAlertsTopic",
        ...(Object.keys(ALERT_SECRETS) as AlertSecretName[]),
      ],
      description:
        "Publishes a finished scan's report to S3 and sends its changes to each alert channel, once per scan and channel.",
    },
  },
  queues: {
    fetch: {
      name: "FetchQueue",
      visibilityTimeoutSeconds: 6 * FETCHER_TIMEOUT,
      maxReceiveCount: 5,
      dlqName: "FetchDlq",
      dlqRetentionSeconds: 1_209_600,
    },
    score: {
      name: "ScoreQueue",
      visibilityTimeoutSeconds: 6 * SCORER_TIMEOUT,
      maxReceiveCount: 5,
      dlqName: "ScoreDlq",
      dlqRetentionSeconds: 1_209_600,
    },
    finalize: {
      name: "FinalizeQueue",
      visibilityTimeoutSeconds: 6 * FINALIZE_TIMEOUT,
      maxReceiveCount: 3,
      dlqName: "FinalizeDlq",
      dlqRetentionSeconds: 1_209_600,
    },
    notify: {
      name: "NotifyQueue",
      visibilityTimeoutSeconds: 6 * NOTIFY_TIMEOUT,
      maxReceiveCount: 3,
      dlqName: "NotifyDlq",
      dlqRetentionSeconds: 1_209_600,
    },
  },
  subscriptions: [
    // Fetch concurrency by Little's law: requests in flight ≈ rate × latency. One invocation keeps
    // up to maxInFlight (30) requests in flight, so 4 cover 100 requests/s at up to ~1 s
    // of latency; more would only contend for the same tokens. Small batches keep the invocations
    // out of step, so one's tail (its slowest request) overlaps another's work; 3 chunks per batch
    // keeps SQS receives and deletes under 0.1 request per ticker.
    {
      queue: "fetch",
      fn: "fetcher",
      batchSize: 3,
      batchWindowSeconds: 0,
      maxConcurrency: 4,
      partialResponses: true,
    },
    // Scoring a chunk takes a few ms of CPU: two scorers keep up with any provider limit.
    {
      queue: "score",
      fn: "scorer",
      batchSize: 10,
      batchWindowSeconds: 0,
      maxConcurrency: 2,
      partialResponses: true,
    },
    {
      queue: "finalize",
      fn: "finalize",
      batchSize: 1,
      batchWindowSeconds: 0,
      maxConcurrency: 2,
      partialResponses: true,
    },
    // One finished scan a message; its channels are sent to in parallel within the invocation.
    {
      queue: "notify",
      fn: "notify",
      batchSize: 1,
      batchWindowSeconds: 0,
      maxConcurrency: 2,
      partialResponses: true,
    },
  ],
  schedules: [
    {
      name: "DailyScan",
      fn: "scanStart",
      // 16:30 New York time, Monday to Friday: after the US close, when daily bars are final.
      schedule: "cron(30 16 ? * MON-FRI *)",
      timezone: "America/New_York",
      payload: { universe: "us-all", provider: "yahoo" },
    },
    {
      name: "FinalizeSweep",
      fn: "finalize",
      schedule: "rate(5 minutes)",
      timezone: "UTC",
      payload: { sweep: true },
    },
  ],
  tables: {
    scans: {
      name: "ScansTable",
      fields: { scanId: "string", item: "string", entity: "string", universe: "string", createdAt: "string" },
      primaryIndex: { hashKey: "scanId", rangeKey: "item" },
      globalIndexes: {
        byCreated: { hashKey: "entity", rangeKey: "createdAt", projection: "all" },
        byUniverse: { hashKey: "universe", rangeKey: "createdAt", projection: "all" },
      },
      ttl: "expiresAt",
    },
    results: {
      name: "ResultsTable",
      fields: { scanId: "string", ticker: "string" },
      primaryIndex: { hashKey: "scanId", rangeKey: "ticker" },
      globalIndexes: {},
      ttl: "expiresAt",
    },
    // The bars store: raw daily bars by (shard of ~10 tickers, month), corporate actions and
    // per-ticker bookkeeping (packages/adapters/dynamo/bars-store.ts). Kept across scans.
    bars: {
      name: "BarsTable",
      fields: { shard: "string", item: "string" },
      primaryIndex: { hashKey: "shard", rangeKey: "item" },
      globalIndexes: {},
      ttl: "expiresAt",
    },
  },
  buckets: {
    // Private: a report is shared through a presigned URL valid 7 days; reports expire after 90.
    reports: { name: "ReportsBucket", expire: { prefix: "reports/", days: 90 } },
  },
  topics: {
    scanAlerts: {
      name: "ScanAlertsTopic",
      description: "Scan alerts by email: what changed since the previous scan, and the top of each screen.",
    },
  },
  // A chunk costs per scan a fetch and a score message, a progress write and a completion
  // command, whatever its size: 100 tickers a chunk keep a daily us-all scan under a cent
  // (bench scan-daily: $0.0094 at 100, $0.0129 at 10).
  scan: {
    chunkSize: 100,
    deadlineSeconds: 3600,
  },
  metrics: { namespace: "Tickerfleet", service: "tickerfleet", names: METRIC_NAMES },
};

/** The subscription that consumes a queue (each queue has exactly one subscriber). */
export function subscriptionOf(queue: QueueId, t: Topology = topology): SubscriptionSpec {
  const sub = t.subscriptions.find((s) => s.queue === queue);
  if (!sub) throw new Error(`queue "${queue}" has no subscriber in the topology`);
  return sub;
}

/**
 * Problems with a topology, in words; empty when it is sound. Checked by tests,
 * by the local runtime at start and by sst.config.ts before it declares anything.
 */
export function topologyProblems(t: Topology): string[] {
  const problems: string[] = [];
  for (const [id, q] of Object.entries(t.queues) as [QueueId, QueueSpec][]) {
    const subs = t.subscriptions.filter((s) => s.queue === id);
    if (subs.length !== 1) problems.push(`queue ${id} must have exactly one subscriber, has ${subs.length}`);
    for (const s of subs) {
      const fn = t.functions[s.fn];
      if (q.visibilityTimeoutSeconds < 6 * fn.timeoutSeconds)
        problems.push(
          `queue ${id}: visibility timeout ${q.visibilityTimeoutSeconds}s is under 6 × ${fn.name}'s timeout (${fn.timeoutSeconds}s)`,
        );
      if (s.batchSize < 1 || s.batchSize > 10000)
        problems.push(`subscription ${id}: batch size ${s.batchSize} out of 1..10000`);
      if (s.maxConcurrency < 2 || s.maxConcurrency > 1000)
        problems.push(`subscription ${id}: max concurrency ${s.maxConcurrency} out of AWS's 2..1000`);
    }
    if (q.maxReceiveCount < 1 || q.maxReceiveCount > 1000)
      problems.push(`queue ${id}: maxReceiveCount out of 1..1000`);
  }
  if (t.scan.chunkSize < 1 || t.scan.chunkSize > 100)
    problems.push(`scan chunk size ${t.scan.chunkSize} out of 1..100`);
  return problems;
}
