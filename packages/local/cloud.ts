import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type DynamoServerThread, startDynamoServerThread } from "./dynamo/index.ts";
import { type RedisProcess, startRedisServer } from "./redis/index.ts";
import type { LocalEndpoints } from "./runtime/index.ts";
import { type S3ServerThread, startS3ServerThread } from "./s3/index.ts";
import { type SnsMessage, type SnsServer, startSnsServer } from "./sns/index.ts";
import { type SqsServerThread, startSqsServerThread } from "./sqs/index.ts";
import { startUpstashServerThread, type UpstashServerThread } from "./upstash/index.ts";

export interface LocalCloudOptions {
  /**
   * Fixed ports: SQS on base, DynamoDB base+1, Upstash REST base+2, redis-server base+3
   * (the simulator and Lambda API take base+4 and base+5), S3 base+6, SNS base+7. @default free ports
   */
  portBase?: number;
  /** @default "us-east-1" */
  region?: string;
  /** @default a random token */
  upstashToken?: string;
  /** Told about every message published to an SNS topic (`local up --logs` prints them). */
  onSnsPublish?: (message: SnsMessage) => void;
}

export interface LocalCloudStats {
  sqsRequests: number;
  sqsBilledRequests: number;
  redisCommands: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  dynamoRequests: number;
  /** Read and write units by table name. */
  dynamoByTable: Record<string, { readUnits: number; writeUnits: number }>;
  /** Redis commands by name. */
  redisByCommand: Record<string, number>;
  /** Requests to S3 (by HTTP method: `cloud.s3.stats()`). */
  s3Requests: number;
  /** SNS Publish requests. */
  snsPublishes: number;
}

export interface LocalCloud {
  readonly endpoints: LocalEndpoints;
  /** The variables that point the official clients at this cloud. */
  readonly env: Record<string, string>;
  readonly sqs: SqsServerThread;
  readonly dynamodb: DynamoServerThread;
  readonly redis: RedisProcess;
  /** The Upstash REST server, in its own thread. */
  readonly upstash: UpstashServerThread;
  /** The S3 server (s3rver), in its own thread. */
  readonly s3: S3ServerThread;
  /** The SNS server, on this thread: its published messages are readable here (`messages()`, `onPublish`). */
  readonly sns: SnsServer;
  stats(): Promise<LocalCloudStats>;
  stop(): Promise<void>;
}

/**
 * The local cloud: an SQS server (AWS JSON 1.0 and Query), DynamoDB (dynalite, in
 * memory), Upstash's REST API in front of a real redis-server, S3 (s3rver, in a
 * temporary directory) and SNS (Query protocol; messages kept, not delivered), all on
 * loopback. The official clients reach them through the variables in `env`
 * and nothing else. `stop()` closes every server and stops redis-server.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const base = options.portBase;
  const region = options.region ?? "us-east-1";
  const started: { stop(): Promise<void> }[] = [];
  // S3's thread loads s3rver (~0.6 s): it starts while the others do.
  const s3Starting = startS3ServerThread({ port: base === undefined ? 0 : base + 6 });
  started.push({ stop: async () => (await s3Starting.catch(() => undefined))?.close() });
  try {
    const sqs = await startSqsServerThread({ port: base ?? 0, region });
    started.push({ stop: () => sqs.close() });
    const dynamodb = await startDynamoServerThread({ port: base === undefined ? 0 : base + 1 });
    started.push({ stop: () => dynamodb.close() });
    const redis = await startRedisServer(base === undefined ? {} : { port: base + 3 });
    started.push(redis);
    const upstash = await startUpstashServerThread({
      redisPort: redis.port,
      redisHost: redis.host,
      port: base === undefined ? 0 : base + 2,
      ...(options.upstashToken ? { token: options.upstashToken } : {}),
    });
    started.push({ stop: () => upstash.close() });
    const s3 = await s3Starting;
    const sns = await startSnsServer({
      port: base === undefined ? 0 : base + 7,
      region,
      ...(options.onSnsPublish ? { onPublish: options.onSnsPublish } : {}),
    });
    started.push({ stop: () => sns.close() });
    const endpoints: LocalEndpoints = {
      sqs: sqs.url,
      dynamodb: dynamodb.url,
      upstashUrl: upstash.url,
      upstashToken: upstash.token,
      s3: s3.url,
      sns: sns.url,
      region,
      accessKeyId: "local",
      secretAccessKey: "local",
    };
    const env = {
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_SNS: sns.url,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    };
    let stopped = false;
    return {
      endpoints,
      env,
      sqs,
      dynamodb,
      redis,
      upstash,
      s3,
      sns,
      async stats() {
        const s = await sqs.stats();
        const u = await upstash.stats();
        const d = await dynamodb.stats();
        const o = await s3.stats();
        return {
          sqsRequests: s.totalRequests,
          sqsBilledRequests: s.billedRequests,
          redisCommands: u.commands,
          dynamoWriteUnits: d.writeUnits,
          dynamoReadUnits: d.readUnits,
          dynamoRequests: d.requests,
          dynamoByTable: d.byTable,
          redisByCommand: u.byCommand,
          s3Requests: o.requests,
          snsPublishes: sns.stats().published,
        };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const part of started.reverse()) await part.stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    throw error;
  }
}

/** Writes `KEY=value` lines (the same the CLI prints) to a file such as .tickerfleet/local.env. */
export async function writeEnvFile(path: string, env: Record<string, string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );
}
