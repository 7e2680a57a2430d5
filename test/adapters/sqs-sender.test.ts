/** SqsMessageSender against the local SQS server through @aws-sdk/client-sqs. */
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchesOf, QueueSendError, SqsMessageSender } from "../../packages/adapters/sqs/message-sender.ts";
import { type SqsServer, startSqsServer } from "../../packages/local/sqs/index.ts";

let server: SqsServer;
let sqs: SQSClient;

beforeAll(async () => {
  server = await startSqsServer();
  sqs = new SQSClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
});
afterAll(async () => {
  sqs?.destroy();
  await server?.close();
});

async function drain(url: string, expected: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < 50 && bodies.length < expected; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const m of out.Messages ?? []) bodies.push(m.Body!);
  }
  return bodies;
}

describe("SqsMessageSender", () => {
  it("sends 25 messages in 3 SendMessageBatch calls", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sender-basic" }));
    const before = server.stats().requests.SendMessageBatch ?? 0;
    await new SqsMessageSender<{ n: number }>(sqs, QueueUrl!).send(
      Array.from({ length: 25 }, (_, n) => ({ body: { n } })),
    );
    expect((server.stats().requests.SendMessageBatch ?? 0) - before).toBe(3);
    const bodies = await drain(QueueUrl!, 25);
    expect(bodies.map((b) => (JSON.parse(b) as { n: number }).n).sort((a, b) => a - b)).toStrictEqual(
      Array.from({ length: 25 }, (_, n) => n),
    );
  });

  it("keeps each batch within the byte budget", () => {
    const sizes = [100_000, 100_000, 100_000, 10, 10];
    expect(batchesOf(sizes, (s) => s, 262_144).map((b) => b.length)).toStrictEqual([2, 3]);
    expect(
      batchesOf(
        Array.from({ length: 23 }, () => 1),
        (s) => s,
        262_144,
      ).map((b) => b.length),
    ).toStrictEqual([10, 10, 3]);
  });

  it("delays a message by its delaySeconds", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sender-delay" }));
    await new SqsMessageSender<string>(sqs, QueueUrl!).send([{ body: "later", delaySeconds: 2 }]);
    const now = await sqs.send(new ReceiveMessageCommand({ QueueUrl: QueueUrl!, WaitTimeSeconds: 0 }));
    expect(now.Messages ?? []).toStrictEqual([]);
    expect(await drain(QueueUrl!, 1)).toStrictEqual(['"later"']);
  });

  it("throws a QueueSendError naming the queue when SQS refuses a message", async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: "sender-small", Attributes: { MaximumMessageSize: "1024" } }),
    );
    const sender = new SqsMessageSender<string>(sqs, QueueUrl!);
    await expect(sender.send([{ body: "x".repeat(2000) }])).rejects.toThrow(QueueSendError);
    await expect(sender.send([{ body: "x".repeat(2000) }])).rejects.toThrow(/sender-small/);
  });
});
