import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TestStack } from "./harness.ts";

/** Every item of the bars table deleted, through the official client: the next scan starts from nothing. */
export async function emptyBarsTable(t: TestStack): Promise<void> {
  const env = t.stack.env;
  const client = new DynamoDBClient({
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    region: env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const docs = DynamoDBDocumentClient.from(client);
  const table = env.TICKERFLEET_BARS_TABLE!;
  try {
    const items: Record<string, { S?: string }>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: "#s, #i",
          ExpressionAttributeNames: { "#s": "shard", "#i": "item" },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    for (let i = 0; i < items.length; i += 25) {
      await docs.send(
        new BatchWriteCommand({
          RequestItems: {
            [table]: items.slice(i, i + 25).map((item) => ({
              DeleteRequest: { Key: { shard: item.shard!.S!, item: item.item!.S! } },
            })),
          },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
