import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  type ScalarAttributeType,
} from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { QueueId, TableId, TableSpec, Topology } from "../../../stacks/topology/index.ts";

export interface ProvisionedQueue {
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface Provisioned {
  queues: Record<QueueId, ProvisionedQueue>;
  tables: Record<TableId, string>;
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

/**
 * Creates the topology's queues (each with its DLQ and redrive policy) and
 * tables on the local cloud, as `sst deploy` does in AWS. Idempotent: existing
 * queues and tables are reused.
 */
export async function provision(
  topology: Topology,
  clients: { sqs: SQSClient; dynamodb: DynamoDBClient },
): Promise<Provisioned> {
  const { sqs, dynamodb } = clients;
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
  return { queues, tables };
}
