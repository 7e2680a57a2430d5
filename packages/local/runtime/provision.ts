import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  type ScalarAttributeType,
} from "@aws-sdk/client-dynamodb";
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, type SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type {
  BucketId,
  BucketSpec,
  QueueId,
  TableId,
  TableSpec,
  TopicId,
  Topology,
} from "../../../stacks/topology/index.ts";

export interface ProvisionedQueue {
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface Provisioned {
  queues: Record<QueueId, ProvisionedQueue>;
  tables: Record<TableId, string>;
  /** Bucket names, when provision() was given an S3 client (the local runtime always gives one). */
  buckets?: Record<BucketId, string>;
  /** Topic ARNs, when provision() was given an SNS client (the local runtime always gives one). */
  topics?: Record<TopicId, string>;
}

/** What provision() creates with every client: queues, tables, buckets and topics. */
export type ProvisionedCloud = Required<Provisioned>;

export interface ProvisionClients {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
}

export interface CloudClients extends ProvisionClients {
  s3: S3Client;
  sns: SNSClient;
}

const ATTRIBUTE_TYPE: Record<TableSpec["fields"][string], ScalarAttributeType> = {
  string: "S",
  number: "N",
  binary: "B",
};

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return out.Attributes!.QueueArn!;
}

/** The CreateTable request for a table of the topology (what `sst.aws.Dynamo` declares in AWS). */
export function createTableInput(name: string, spec: TableSpec): CreateTableCommandInput {
  const keyNames = new Set<string>([spec.primaryIndex.hashKey]);
  if (spec.primaryIndex.rangeKey) keyNames.add(spec.primaryIndex.rangeKey);
  for (const gsi of Object.values(spec.globalIndexes)) {
    keyNames.add(gsi.hashKey);
    if (gsi.rangeKey) keyNames.add(gsi.rangeKey);
  }
  const keySchema = (hash: string, range?: string) => [
    { AttributeName: hash, KeyType: "HASH" as const },
    ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
  ];
  const indexes = Object.entries(spec.globalIndexes);
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...keyNames].map((n) => ({
      AttributeName: n,
      AttributeType: ATTRIBUTE_TYPE[spec.fields[n]!],
    })),
    KeySchema: keySchema(spec.primaryIndex.hashKey, spec.primaryIndex.rangeKey),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map(([indexName, gsi]) => ({
            IndexName: indexName,
            KeySchema: keySchema(gsi.hashKey, gsi.rangeKey),
            Projection:
              gsi.projection === "all"
                ? { ProjectionType: "ALL" as const }
                : gsi.projection === "keys-only"
                  ? { ProjectionType: "KEYS_ONLY" as const }
                  : { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...gsi.projection] },
          })),
        }
      : {}),
  };
}

async function createBucket(s3: S3Client, spec: BucketSpec): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucketName(spec) }));
  } catch (error) {
    // Already there: ours (S3 answers BucketAlreadyOwnedByYou; s3rver, BucketAlreadyExists).
    if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists)) throw error;
  }
  try {
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucketName(spec),
        // The rule stacks/sst/buckets.ts gives sst.aws.Bucket in AWS.
        LifecycleConfiguration: {
          Rules: [
            {
              ID: "expire",
              Status: "Enabled",
              Filter: { Prefix: spec.expire.prefix },
              Expiration: { Days: spec.expire.days },
            },
          ],
        },
      }),
    );
  } catch (error) {
    // s3rver answers lifecycle configurations with NotImplemented: locally nothing expires,
    // which a laptop's stack, stopped long before 90 days, never notices.
    if (!(error instanceof S3ServiceException && error.name === "NotImplemented")) throw error;
  }
}

/**
 * A topology bucket's local name: its link name in lower case (`reportsbucket`), as S3
 * bucket names are. In AWS the name is generated (S3 names are global) with a random suffix;
 * functions read either from `Resource.ReportsBucket.name`.
 */
export function bucketName(spec: BucketSpec): string {
  return spec.name.toLowerCase();
}

/**
 * Creates the topology's queues (each with its DLQ and redrive policy),
 * tables, buckets (with their lifecycle rule where the server takes one) and
 * topics on the local cloud, as `sst deploy` does in AWS. Idempotent: existing
 * ones are reused. Buckets and topics need the S3 and SNS clients; callers
 * that need only queues and tables may leave those out.
 */
export async function provision(topology: Topology, clients: CloudClients): Promise<ProvisionedCloud>;
export async function provision(topology: Topology, clients: ProvisionClients): Promise<Provisioned>;
export async function provision(
  topology: Topology,
  clients: ProvisionClients & Partial<CloudClients>,
): Promise<Provisioned> {
  const { sqs, dynamodb, s3, sns } = clients;
  const queues = {} as Record<QueueId, ProvisionedQueue>;
  for (const [id, q] of Object.entries(topology.queues) as [QueueId, Topology["queues"][QueueId]][]) {
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: q.dlqName,
        Attributes: { MessageRetentionPeriod: String(q.dlqRetentionSeconds) },
      }),
    );
    const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
    const main = await sqs.send(
      new CreateQueueCommand({
        QueueName: q.name,
        Attributes: {
          VisibilityTimeout: String(q.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: q.maxReceiveCount }),
        },
      }),
    );
    queues[id] = {
      url: main.QueueUrl!,
      arn: await queueArn(sqs, main.QueueUrl!),
      dlqUrl: dlq.QueueUrl!,
      dlqArn,
    };
  }
  const tables = {} as Record<TableId, string>;
  for (const [id, spec] of Object.entries(topology.tables) as [TableId, TableSpec][]) {
    try {
      await dynamodb.send(new CreateTableCommand(createTableInput(spec.name, spec)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    tables[id] = spec.name;
  }
  const provisioned: Provisioned = { queues, tables };
  if (s3) {
    const buckets = {} as Record<BucketId, string>;
    for (const [id, spec] of Object.entries(topology.buckets) as [BucketId, BucketSpec][]) {
      await createBucket(s3, spec);
      buckets[id] = bucketName(spec);
    }
    provisioned.buckets = buckets;
  }
  if (sns) {
    const topics = {} as Record<TopicId, string>;
    for (const [id, spec] of Object.entries(topology.topics) as [TopicId, Topology["topics"][TopicId]][]) {
      const created = await sns.send(new CreateTopicCommand({ Name: spec.name }));
      topics[id] = created.TopicArn!;
    }
    provisioned.topics = topics;
  }
  return provisioned;
}
