/**
 * sst.config.ts, evaluated as SST evaluates it (app(), then run() with `$app`
 * set) against recording stand-ins for SST's globals: what it declares must be
 * the topology, resource for resource. SST's own option names and shapes are
 * checked by `node scripts/sst-typecheck.mjs`; this checks the values.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { APP_NAME } from "../../stacks/sst/naming.ts";
import { ALERT_SECRETS, type FunctionId, topology } from "../../stacks/topology/index.ts";
import { installSstGlobals, type Recorded, removeSstGlobals, setApp } from "./sst-globals.ts";

// Imported by path at run time (not statically): sst.config.ts needs SST's globals, which
// the project's tsconfig does not declare.
const CONFIG = fileURLToPath(new URL("../../sst.config.ts", import.meta.url));
const TOPOLOGY = fileURLToPath(new URL("../../stacks/topology/index.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface SstConfig {
  app(input: { stage: string }): { name: string; home: string; removal: string };
  run(): Promise<Record<string, unknown>>;
}

interface Deployed extends Recorded {
  app: { name: string; home: string; removal: string };
  outputs: Record<string, unknown>;
}

async function loadConfig(): Promise<SstConfig> {
  return ((await import(CONFIG)) as { default: SstConfig }).default;
}

/** Evaluates sst.config.ts for a stage with some deploy-time variables set. */
async function deploy(stage: string, env: Record<string, string> = {}, recorded = installSstGlobals()) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const config = await loadConfig();
  const app = config.app({ stage });
  setApp({ name: app.name, stage, removal: app.removal });
  const outputs = await config.run();
  return { ...recorded, app, outputs } satisfies Deployed;
}

/** The component name of each linked resource. */
function linkNames(deployed: Recorded, link: unknown): string[] {
  return (link as object[]).map((resource) => {
    const found = deployed.declared.find((d) => d.resource === resource);
    if (!found) throw new Error("a link is not a declared resource");
    return found.name;
  });
}

/** Each topology function's arguments as declared: subscribers through their queue, the rest on their own. */
function functionArgs(deployed: Recorded): Record<FunctionId, Record<string, unknown>> {
  const args = {} as Record<FunctionId, Record<string, unknown>>;
  for (const id of Object.keys(topology.functions) as FunctionId[]) {
    const sub = topology.subscriptions.find((s) => s.fn === id);
    if (sub) {
      const found = deployed.subscriptions.filter((s) => s.queue === topology.queues[sub.queue].name);
      expect(found, `subscriptions of ${topology.queues[sub.queue].name}`).toHaveLength(1);
      args[id] = found[0]!.fnArgs;
    } else {
      args[id] = deployed.one("sst.aws.Function", topology.functions[id].name).args;
    }
  }
  return args;
}

function seconds(duration: unknown): number {
  const match = /^(\d+) seconds?$/.exec(String(duration));
  if (!match) throw new Error(`not a duration in seconds: ${String(duration)}`);
  return Number(match[1]);
}

beforeEach(() => {
  vi.resetModules();
  // The developer's shell must not leak into what is asserted.
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("TICKERFLEET_")) vi.stubEnv(name, undefined);
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
  removeSstGlobals();
});

describe("app()", () => {
  it.each([
    ["prod", "retain"],
    ["production", "retain"],
    ["dev", "remove"],
    ["alice", "remove"],
    ["prod-eu", "remove"],
  ])("stage %s: removal %s", async (stage, removal) => {
    installSstGlobals();
    const config = await loadConfig();

    expect(config.app({ stage })).toStrictEqual({ name: "tickerfleet", home: "aws", removal });
  });

  it("names the app as the physical names do", async () => {
    installSstGlobals();
    const config = await loadConfig();

    expect(config.app({ stage: "dev" }).name).toBe(APP_NAME);
  });
});

describe("run()", () => {
  it("declares each queue with its DLQ, retry = maxReceiveCount, the topology's visibility and DLQ retention", async () => {
    const deployed = await deploy("dev");

    for (const spec of Object.values(topology.queues)) {
      const dlq = deployed.one("sst.aws.Queue", spec.dlqName);
      expect(dlq.args).toStrictEqual({
        transform: {
          queue: {
            name: `tickerfleet-dev-${spec.dlqName}`,
            messageRetentionSeconds: spec.dlqRetentionSeconds,
          },
        },
      });
      expect(deployed.one("sst.aws.Queue", spec.name).args).toStrictEqual({
        visibilityTimeout: `${spec.visibilityTimeoutSeconds} seconds`,
        dlq: { queue: (dlq.resource as { arn: string }).arn, retry: spec.maxReceiveCount },
        transform: { queue: { name: `tickerfleet-dev-${spec.name}` } },
      });
    }
    expect(deployed.ofType("sst.aws.Queue")).toHaveLength(2 * Object.keys(topology.queues).length);
  });

  it("subscribes each queue's function with partial responses, batch size/window and max concurrency", async () => {
    const deployed = await deploy("dev");

    expect(deployed.subscriptions).toHaveLength(topology.subscriptions.length);
    for (const sub of topology.subscriptions) {
      const [found] = deployed.subscriptions.filter((s) => s.queue === topology.queues[sub.queue].name);
      expect(found?.args).toStrictEqual({
        batch: { size: sub.batchSize, window: `${sub.batchWindowSeconds} seconds`, partialResponses: true },
        transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: sub.maxConcurrency } } },
      });
      expect(found?.fnArgs.handler).toBe(topology.functions[sub.fn].handler);
    }
  });

  it("gives every queue a visibility timeout of at least 6 × its subscriber's timeout", async () => {
    const deployed = await deploy("dev");

    for (const sub of deployed.subscriptions) {
      const queue = deployed.one("sst.aws.Queue", sub.queue);
      expect(seconds(queue.args.visibilityTimeout)).toBeGreaterThanOrEqual(6 * seconds(sub.fnArgs.timeout));
    }
  });

  it("declares each function from the topology: nodejs22.x, timeout, memory, exactly its links", async () => {
    const deployed = await deploy("dev");
    const declared = functionArgs(deployed);

    for (const [id, spec] of Object.entries(topology.functions) as [
      FunctionId,
      (typeof topology.functions)[FunctionId],
    ][]) {
      const args = declared[id];
      expect({ ...args, link: linkNames(deployed, args.link) }).toStrictEqual({
        name: `tickerfleet-dev-${spec.name}`,
        description: spec.description,
        handler: spec.handler,
        runtime: "nodejs22.x",
        architecture: "arm64",
        timeout: `${spec.timeoutSeconds} seconds`,
        memory: `${spec.memoryMB} MB`,
        link: [...spec.links],
        environment: { TICKERFLEET_STAGE: "dev" },
        copyFiles: spec.copyFiles?.map((c) => ({ from: c.from, to: c.to })),
      });
      const module = spec.handler.slice(0, spec.handler.lastIndexOf("."));
      expect(existsSync(`${ROOT}${module}.ts`), `${module}.ts exists`).toBe(true);
    }
    // Only scan-start stands alone; the others are declared by subscribing them.
    expect(deployed.ofType("sst.aws.Function").map((d) => d.name)).toStrictEqual(["ScanStart"]);
  });

  it("links provider keys to the fetcher alone, Upstash to the fetcher and scorer, alert secrets to notify alone; optional ones with placeholder 'unset'", async () => {
    const deployed = await deploy("dev");
    const declared = functionArgs(deployed);
    const upstash = ["UpstashRedisRestUrl", "UpstashRedisRestToken"];
    const providerKeys = [
      "FmpApiKey",
      "PolygonApiKey",
      "AlphaVantageApiKey",
      "AlpacaApiKeyId",
      "AlpacaApiSecretKey",
    ];
    const alertSecrets = Object.keys(ALERT_SECRETS);
    const secretNames = [...upstash, ...providerKeys, ...alertSecrets];

    expect(deployed.ofType("sst.Secret").map((d) => [d.name, d.args.placeholder])).toStrictEqual([
      ["UpstashRedisRestUrl", undefined],
      ["UpstashRedisRestToken", undefined],
      ...providerKeys.map((name) => [name, "unset"]),
      ["AlertSlackUrl", "unset"],
      ["AlertDiscordUrl", "unset"],
      ["AlertTelegramToken", "unset"],
      ["AlertTelegramChatId", "unset"],
      ["AlertWebhookUrl", "unset"],
      ["AlertWebhookSecret", "unset"],
    ]);
    for (const [id, args] of Object.entries(declared)) {
      const secretsLinked = linkNames(deployed, args.link).filter((name) => secretNames.includes(name));
      const expected =
        id === "fetcher"
          ? [...upstash, ...providerKeys]
          : id === "scorer"
            ? upstash
            : id === "notify"
              ? alertSecrets
              : [];
      expect(secretsLinked, id).toStrictEqual(expected);
    }
  });

  it("declares each bucket private, without CORS, expiring its prefix after the topology's days", async () => {
    const deployed = await deploy("dev");

    for (const spec of Object.values(topology.buckets)) {
      const bucket = deployed.one("sst.aws.Bucket", spec.name);
      expect(bucket.args).toStrictEqual({
        cors: false,
        lifecycle: [{ id: "expire", prefix: spec.expire.prefix, expiresIn: `${spec.expire.days} days` }],
        transform: {
          publicAccessBlock: {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          },
        },
      });
      // Neither of SST's ways to open a bucket (a public-read or CloudFront bucket policy).
      expect(bucket.args).not.toHaveProperty("access");
      expect(bucket.args).not.toHaveProperty("public");
    }
    expect(deployed.one("sst.aws.Bucket", "ReportsBucket").args.lifecycle).toStrictEqual([
      { id: "expire", prefix: "reports/", expiresIn: "90 days" },
    ]);
    expect(deployed.ofType("sst.aws.Bucket")).toHaveLength(Object.keys(topology.buckets).length);
  });

  it("links the reports bucket and the scan alerts topic to notify alone", async () => {
    const deployed = await deploy("dev");
    const declared = functionArgs(deployed);

    for (const [id, args] of Object.entries(declared)) {
      const linked = linkNames(deployed, args.link).filter(
        (n) => n === "ReportsBucket" || n === "ScanAlertsTopic",
      );
      expect(linked, id).toStrictEqual(id === "notify" ? ["ReportsBucket", "ScanAlertsTopic"] : []);
    }
  });

  it("declares the report link signer: a user that may only s3:GetObject the reports bucket's reports/*, its access key, a Linkable of both", async () => {
    const deployed = await deploy("dev");
    const bucket = deployed.one("sst.aws.Bucket", "ReportsBucket").resource as { arn: string };

    const user = deployed.one("aws.iam.User", "ReportLinkSignerUser");
    expect(user.args).toStrictEqual({ name: "tickerfleet-dev-ReportLinkSigner" });
    const userName = (user.resource as { name: string }).name;

    const policy = deployed.one("aws.iam.UserPolicy", "ReportLinkSignerPolicy").args;
    expect(Object.keys(policy).sort()).toStrictEqual(["policy", "user"]);
    expect(policy.user).toBe(userName);
    expect(JSON.parse(policy.policy as string)).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "s3:GetObject",
          // Objects under reports/ only: not the bucket itself, nor any other prefix.
          Resource: `${bucket.arn}/reports/*`,
        },
      ],
    });
    // The user's only policy: no other policy or attachment grants it anything.
    expect(deployed.ofType("aws.iam.UserPolicy")).toHaveLength(1);
    expect(deployed.declared.filter((d) => d.type.startsWith("aws.iam.")).map((d) => d.type)).toStrictEqual([
      "aws.iam.User",
      "aws.iam.UserPolicy",
      "aws.iam.AccessKey",
    ]);

    const key = deployed.one("aws.iam.AccessKey", "ReportLinkSignerKey");
    expect(key.args).toStrictEqual({ user: userName });
    // Bumping KEY_ROTATION in stacks/sst/report-signer.ts replaces the key.
    expect(key.opts).toStrictEqual({ replacementTrigger: 1 });
    const { id, secret } = key.resource as { id: string; secret: string };

    expect(deployed.one("sst.Linkable", "ReportLinkSigner").args).toStrictEqual({
      properties: { accessKeyId: id, secretAccessKey: secret },
    });
  });

  it("links the report link signer to notify alone", async () => {
    const deployed = await deploy("dev");
    const declared = functionArgs(deployed);

    for (const [id, args] of Object.entries(declared)) {
      const linked = linkNames(deployed, args.link).filter((n) => n === "ReportLinkSigner");
      expect(linked, id).toStrictEqual(id === "notify" ? ["ReportLinkSigner"] : []);
    }
  });

  it("declares each topic, named for the stage, with no subscription unless TICKERFLEET_ALERT_EMAIL is set", async () => {
    const deployed = await deploy("dev");

    for (const spec of Object.values(topology.topics)) {
      expect(deployed.one("sst.aws.SnsTopic", spec.name).args).toStrictEqual({
        transform: { topic: { name: `tickerfleet-dev-${spec.name}`, displayName: "tickerfleet dev" } },
      });
    }
    expect(deployed.ofType("sst.aws.SnsTopic")).toHaveLength(Object.keys(topology.topics).length);
    expect(deployed.ofType("aws.sns.TopicSubscription")).toStrictEqual([]);
  });

  it("subscribes TICKERFLEET_ALERT_EMAIL to the scan alerts topic by email", async () => {
    const deployed = await deploy("dev", { TICKERFLEET_ALERT_EMAIL: "ops@example.com" });

    const topic = deployed.one("sst.aws.SnsTopic", "ScanAlertsTopic").resource as { arn: string };
    expect(deployed.one("aws.sns.TopicSubscription", "ScanAlertsTopicEmail").args).toStrictEqual({
      topic: topic.arn,
      protocol: "email",
      endpoint: "ops@example.com",
    });
  });

  it("copies the universes beside scan-start's bundle", async () => {
    const deployed = await deploy("dev");

    expect(deployed.one("sst.aws.Function", "ScanStart").args.copyFiles).toStrictEqual([
      { from: "packages/core/universes/", to: "universes/" },
    ]);
  });

  it("schedules the daily scan (scan-start, its payload, an idempotent scan id) and the finalize sweep", async () => {
    const deployed = await deploy("dev");
    const [scan, sweep] = topology.schedules;
    const finalizeSubscription = deployed.subscriptions.find(
      (s) => s.queue === topology.queues.finalize.name,
    );

    expect(deployed.ofType("sst.aws.CronV2").map((d) => [d.name, d.args])).toStrictEqual([
      [
        "DailyScan",
        {
          function: deployed.one("sst.aws.Function", "ScanStart").resource,
          schedule: scan?.schedule,
          timezone: scan?.timezone,
          event: { scanId: "sched-<aws.scheduler.scheduled-time>", universe: "us-all", provider: "yahoo" },
          enabled: true,
        },
      ],
      [
        "FinalizeSweep",
        {
          // The same function the finalize queue invokes, not a second one.
          function: finalizeSubscription?.fn,
          schedule: sweep?.schedule,
          timezone: sweep?.timezone,
          event: { sweep: true },
          enabled: true,
        },
      ],
    ]);
  });

  it("takes the scan's schedule, time zone and payload from the deploying shell", async () => {
    const deployed = await deploy("dev", {
      TICKERFLEET_SCAN_SCHEDULE: "cron(0 22 ? * MON-FRI *)",
      TICKERFLEET_SCAN_TIMEZONE: "Europe/London",
      TICKERFLEET_SCAN_PAYLOAD: '{"universe":"sp500","provider":"fmp"}',
    });

    const [scan, sweep] = deployed.ofType("sst.aws.CronV2");
    expect(scan?.args).toMatchObject({
      schedule: "cron(0 22 ? * MON-FRI *)",
      timezone: "Europe/London",
      event: { scanId: "sched-<aws.scheduler.scheduled-time>", universe: "sp500", provider: "fmp" },
      enabled: true,
    });
    expect(sweep?.args).toMatchObject({ schedule: topology.schedules[1]?.schedule, event: { sweep: true } });
    expect(deployed.outputs.dailyScanSchedule).toBe("cron(0 22 ? * MON-FRI *) Europe/London");
  });

  it("disables the daily scan with TICKERFLEET_SCAN_SCHEDULE=off", async () => {
    const deployed = await deploy("dev", { TICKERFLEET_SCAN_SCHEDULE: "off" });

    expect(deployed.one("sst.aws.CronV2", "DailyScan").args.enabled).toBe(false);
    expect(deployed.one("sst.aws.CronV2", "FinalizeSweep").args.enabled).toBe(true);
    expect(deployed.outputs.dailyScanSchedule).toBe("off");
  });

  it.each([
    [
      "TICKERFLEET_SCAN_SCHEDULE",
      "30 16 * * 1-5",
      /TICKERFLEET_SCAN_SCHEDULE="30 16 \* \* 1-5" is not an EventBridge/,
    ],
    ["TICKERFLEET_SCAN_SCHEDULE", "cron(30 16 * * 1-5)", /six fields/],
    ["TICKERFLEET_SCAN_TIMEZONE", "New York", /not an IANA time zone/],
    ["TICKERFLEET_SCAN_PAYLOAD", "sp500", /TICKERFLEET_SCAN_PAYLOAD is not JSON/],
    ["TICKERFLEET_ALERT_EMAIL", "ops", /TICKERFLEET_ALERT_EMAIL="ops" is not an email address/],
  ])("fails the deploy on a bad %s (%s), naming it", async (name, value, message) => {
    await expect(deploy("dev", { [name]: value })).rejects.toThrow(message);
  });

  it("passes the TICKERFLEET_* function settings that are set, and nothing deploy-only or local", async () => {
    const deployed = await deploy("staging", {
      TICKERFLEET_RATE_LIMIT_YAHOO: "100/min",
      TICKERFLEET_MAX_TAKE: "10",
      TICKERFLEET_FMP_URL: "https://proxy.example.com/fmp",
      TICKERFLEET_UNIVERSE_DIR: "/home/me/universes",
      TICKERFLEET_SCAN_SCHEDULE: "rate(1 day)",
      TICKERFLEET_SCAN_TIMEZONE: "UTC",
      TICKERFLEET_ALERT_EMAIL: "ops@example.com",
    });

    for (const args of Object.values(functionArgs(deployed))) {
      expect(args.environment).toStrictEqual({
        TICKERFLEET_STAGE: "staging",
        TICKERFLEET_RATE_LIMIT_YAHOO: "100/min",
        TICKERFLEET_MAX_TAKE: "10",
        TICKERFLEET_FMP_URL: "https://proxy.example.com/fmp",
        // Deploy-time (the topic's subscriber) and a function setting: notify's email channel is on when it is set.
        TICKERFLEET_ALERT_EMAIL: "ops@example.com",
      });
    }
  });

  it("declares each table's keys, global indexes with projection and TTL", async () => {
    const deployed = await deploy("dev");

    for (const spec of Object.values(topology.tables)) {
      expect(deployed.one("sst.aws.Dynamo", spec.name).args).toStrictEqual({
        fields: spec.fields,
        primaryIndex: spec.primaryIndex,
        globalIndexes: Object.fromEntries(
          Object.entries(spec.globalIndexes).map(([name, index]) => [
            name,
            { hashKey: index.hashKey, rangeKey: index.rangeKey, projection: index.projection },
          ]),
        ),
        ttl: spec.ttl,
        transform: { table: { name: `tickerfleet-dev-${spec.name}` } },
      });
    }
    expect(deployed.one("sst.aws.Dynamo", "ScansTable").args).toMatchObject({
      primaryIndex: { hashKey: "scanId", rangeKey: "item" },
      globalIndexes: {
        byCreated: { hashKey: "entity", rangeKey: "createdAt", projection: "all" },
        byUniverse: { hashKey: "universe", rangeKey: "createdAt", projection: "all" },
      },
      ttl: "expiresAt",
    });
    expect(deployed.ofType("sst.aws.Dynamo")).toHaveLength(Object.keys(topology.tables).length);
  });

  it("alarms on every DLQ with a message visible, without email unless TICKERFLEET_ALERT_EMAIL is set", async () => {
    const deployed = await deploy("dev");

    const alarms = deployed.ofType("aws.cloudwatch.MetricAlarm");
    // One a dead-letter queue, the breaker's and the failed alerts'.
    expect(alarms).toHaveLength(Object.keys(topology.queues).length + 2);
    for (const spec of Object.values(topology.queues)) {
      const dlq = deployed.one("sst.aws.Queue", spec.dlqName).resource as {
        nodes: { queue: { name: string } };
      };
      const alarm = deployed.one("aws.cloudwatch.MetricAlarm", `${spec.dlqName}Alarm`);
      expect(alarm.args).toMatchObject({
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: dlq.nodes.queue.name },
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        alarmActions: [],
      });
    }
    expect(deployed.ofType("aws.sns.Topic")).toStrictEqual([]);
  });

  it("puts the functions' metrics on a dashboard, and alarms when a provider's breaker opens or an alert fails", async () => {
    const deployed = await deploy("dev");
    const { namespace, service, names } = topology.metrics;
    expect(deployed.one("aws.cloudwatch.MetricAlarm", "AlertsFailedAlarm").args).toMatchObject({
      name: "tickerfleet-dev-AlertsFailedAlarm",
      namespace,
      metricName: "AlertsFailed",
      dimensions: { service, stage: "dev" },
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    });
    expect(deployed.one("aws.cloudwatch.MetricAlarm", "BreakerOpensAlarm").args).toMatchObject({
      name: "tickerfleet-dev-BreakerOpensAlarm",
      namespace,
      metricName: "BreakerOpens",
      dimensions: { service, stage: "dev" },
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    });
    const dashboard = deployed.one("aws.cloudwatch.Dashboard", "Dashboard").args as {
      dashboardName: string;
      dashboardBody: string;
    };
    expect(dashboard.dashboardName).toBe("tickerfleet-dev-Dashboard");
    const body = JSON.parse(dashboard.dashboardBody) as {
      widgets: { properties: { region: string; metrics: unknown[][] } }[];
    };
    const shown = body.widgets.flatMap((w) => w.properties.metrics.map((m) => m[1]));
    // Every metric the functions publish, in their namespace and dimensions, in the stage's region.
    expect([...shown].sort()).toStrictEqual([...names].sort());
    for (const w of body.widgets) {
      expect(w.properties.region).toBe("us-east-1");
      for (const m of w.properties.metrics)
        expect(m.slice(0, 1).concat(m.slice(2, 6))).toStrictEqual([
          namespace,
          "service",
          service,
          "stage",
          "dev",
        ]);
    }
  });

  it("emails the alarms through an SNS topic when TICKERFLEET_ALERT_EMAIL is set", async () => {
    const deployed = await deploy("dev", { TICKERFLEET_ALERT_EMAIL: "ops@example.com" });

    const topic = deployed.one("aws.sns.Topic", "Alerts");
    const topicArn = (topic.resource as { arn: string }).arn;
    expect(deployed.one("aws.sns.TopicSubscription", "AlertsEmail").args).toStrictEqual({
      topic: topicArn,
      protocol: "email",
      endpoint: "ops@example.com",
    });
    for (const alarm of deployed.ofType("aws.cloudwatch.MetricAlarm")) {
      expect(alarm.args).toMatchObject({ alarmActions: [topicArn], okActions: [topicArn] });
    }
  });

  it("returns the names and URLs the CLI and the docs use", async () => {
    const deployed = await deploy("dev");
    const [scan, sweep] = topology.schedules;
    const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;

    expect(deployed.outputs).toStrictEqual({
      stage: "dev",
      scanStartFunction: "tickerfleet-dev-ScanStart",
      fetcherFunction: "tickerfleet-dev-Fetcher",
      scorerFunction: "tickerfleet-dev-Scorer",
      finalizeFunction: "tickerfleet-dev-Finalize",
      notifyFunction: "tickerfleet-dev-Notify",
      fetchQueueUrl: queueUrl("FetchQueue"),
      scoreQueueUrl: queueUrl("ScoreQueue"),
      finalizeQueueUrl: queueUrl("FinalizeQueue"),
      notifyQueueUrl: queueUrl("NotifyQueue"),
      fetchDlqUrl: queueUrl("FetchDlq"),
      scoreDlqUrl: queueUrl("ScoreDlq"),
      finalizeDlqUrl: queueUrl("FinalizeDlq"),
      notifyDlqUrl: queueUrl("NotifyDlq"),
      scansTable: "physical-ScansTable",
      resultsTable: "physical-ResultsTable",
      barsTable: "physical-BarsTable",
      reportsBucket: "physical-reportsbucket",
      scanAlertsTopicArn: "arn:aws:sns:us-east-1:123456789012:physical-ScanAlertsTopic",
      dailyScanSchedule: `${scan?.schedule} ${scan?.timezone}`,
      finalizeSweepSchedule: `${sweep?.schedule} ${sweep?.timezone}`,
    });
  });

  it("refuses to declare anything from a topology with problems, naming them", async () => {
    const fresh = ((await import(TOPOLOGY)) as { topology: typeof topology }).topology;
    const original = fresh.queues.fetch.visibilityTimeoutSeconds;
    fresh.queues.fetch.visibilityTimeoutSeconds = 30;
    const recorded = installSstGlobals();
    try {
      await expect(deploy("dev", {}, recorded)).rejects.toThrow(
        /not deployable:\n- queue fetch: visibility timeout 30s is under 6 × Fetcher's timeout/,
      );
      expect(recorded.declared).toStrictEqual([]);
    } finally {
      fresh.queues.fetch.visibilityTimeoutSeconds = original;
    }
  });

  it("keeps every physical name within 64 characters, or names the stage that is too long", async () => {
    const deployed = await deploy("a".repeat(30));
    const names = [
      ...deployed.ofType("sst.aws.Function").map((d) => d.args.name),
      ...deployed.subscriptions.map((s) => s.fnArgs.name),
      ...deployed
        .ofType("sst.aws.Queue")
        .map((d) => (d.args.transform as { queue: { name: string } }).queue.name),
      ...deployed
        .ofType("sst.aws.Dynamo")
        .map((d) => (d.args.transform as { table: { name: string } }).table.name),
      ...deployed.ofType("aws.cloudwatch.MetricAlarm").map((d) => d.args.name),
      ...deployed
        .ofType("sst.aws.SnsTopic")
        .map((d) => (d.args.transform as { topic: { name: string } }).topic.name),
      ...deployed.ofType("aws.iam.User").map((d) => d.args.name),
    ] as string[];
    // Functions, queues and DLQs, tables, alarms (a DLQ's each, the breaker's, failed alerts'), topics, the link signer.
    const { functions, queues, tables, topics } = topology;
    expect(names).toHaveLength(
      Object.keys(functions).length +
        2 * Object.keys(queues).length +
        Object.keys(tables).length +
        Object.keys(queues).length +
        2 +
        Object.keys(topics).length +
        1,
    );
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(64);

    vi.resetModules();
    removeSstGlobals();
    await expect(deploy("a".repeat(60))).rejects.toThrow(
      /is \d+ characters, over 64: use a shorter stage name/,
    );
  });
});
