/**
 * The local SNS server through @aws-sdk/client-sns (the Query protocol),
 * configured only by its endpoint.
 */
import {
  CreateTopicCommand,
  InvalidParameterException,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SnsMessage, type SnsServer, startSnsServer } from "../../packages/local/sns/index.ts";

let server: SnsServer;
let sns: SNSClient;
const heard: SnsMessage[] = [];

beforeAll(async () => {
  server = await startSnsServer({ region: "eu-west-1", onPublish: (m) => heard.push(m) });
  sns = new SNSClient({
    endpoint: server.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sns?.destroy();
  await server?.close();
});

beforeEach(async () => {
  await fetch(`${server.url}/_sns/messages`, { method: "DELETE" });
  heard.length = 0;
});

async function published(): Promise<SnsMessage[]> {
  const response = await fetch(`${server.url}/_sns/messages`);
  expect(response.headers.get("content-type")).toBe("application/json");
  return (await response.json()) as SnsMessage[];
}

describe("local SNS server", () => {
  it("creates a topic once by name, with an ARN in the server's region and the local account", async () => {
    const first = await sns.send(new CreateTopicCommand({ Name: "ScanAlertsTopic" }));
    const again = await sns.send(new CreateTopicCommand({ Name: "ScanAlertsTopic" }));
    await sns.send(new CreateTopicCommand({ Name: "Other_topic-2" }));

    const listed = await sns.send(new ListTopicsCommand({}));

    expect(first.TopicArn).toBe("arn:aws:sns:eu-west-1:000000000000:ScanAlertsTopic");
    expect(again.TopicArn).toBe(first.TopicArn);
    expect(listed.Topics).toStrictEqual([
      { TopicArn: "arn:aws:sns:eu-west-1:000000000000:ScanAlertsTopic" },
      { TopicArn: "arn:aws:sns:eu-west-1:000000000000:Other_topic-2" },
    ]);
    expect(listed.NextToken).toBeUndefined();
  });

  it("keeps a published message (GET /_sns/messages) and tells onPublish", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ScanAlertsTopic" }));
    const message = "3 new leaders: <NVDA> & “AAPL”\nsecond line";

    const out = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: "tickerfleet: scan 20261125 COMPLETE",
        Message: message,
        MessageAttributes: { kind: { DataType: "String", StringValue: "scan" } },
      }),
    );

    const [kept, ...rest] = await published();
    expect(rest).toStrictEqual([]);
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept).toStrictEqual({
      topicArn: TopicArn,
      subject: "tickerfleet: scan 20261125 COMPLETE",
      message,
      messageId: out.MessageId,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(heard).toStrictEqual([kept]);
    expect(server.messages()).toStrictEqual([kept]);
  });

  it("answers a publish to an unknown topic with NotFoundException, keeping nothing", async () => {
    const error = await sns
      .send(new PublishCommand({ TopicArn: "arn:aws:sns:eu-west-1:000000000000:Nope", Message: "x" }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).$metadata.httpStatusCode).toBe(404);
    expect(await published()).toStrictEqual([]);
  });

  it.each([
    ["a subject over 100 characters", { Subject: "s".repeat(101), Message: "x" }],
    ["a subject with a line break", { Subject: "one\ntwo", Message: "x" }],
    ["an empty message", { Message: "" }],
    ["a message over 256 KiB", { Message: "m".repeat(262_145) }],
  ])("refuses %s with InvalidParameterException", async (_, input) => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ScanAlertsTopic" }));

    const error = await sns.send(new PublishCommand({ TopicArn, ...input })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toMatch(/^Invalid parameter: /);
    expect(await published()).toStrictEqual([]);
  });

  it("takes a message of exactly 256 KiB and a subject of exactly 100 characters", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ScanAlertsTopic" }));

    await sns.send(new PublishCommand({ TopicArn, Subject: "s".repeat(100), Message: "m".repeat(262_144) }));

    expect((await published()).map((m) => m.message.length)).toStrictEqual([262_144]);
  });

  it("subscribes an email address pending confirmation", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ScanAlertsTopic" }));

    const out = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com" }),
    );

    expect(out.SubscriptionArn).toBe("pending confirmation");
    expect(server.subscriptions()).toStrictEqual([
      { topicArn: TopicArn, protocol: "email", endpoint: "ops@example.com" },
    ]);
  });

  it("refuses to subscribe to an unknown topic", async () => {
    await expect(
      sns.send(
        new SubscribeCommand({
          TopicArn: "arn:aws:sns:eu-west-1:000000000000:Nope",
          Protocol: "email",
          Endpoint: "ops@example.com",
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it("refuses a topic name SNS would refuse", async () => {
    await expect(sns.send(new CreateTopicCommand({ Name: "bad name!" }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});
