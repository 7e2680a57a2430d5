import { createHash } from "node:crypto";
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidBatchEntryId,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  type Message,
  type MessageAttributeValue,
  MessageNotInflight,
  PurgeQueueCommand,
  type QueueAttributeName,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqsServer, startSqsServer } from "../../packages/local/sqs/index.ts";

// Every test talks to a real server on a loopback port through the official
// client, configured only by its endpoint.

const ACCOUNT = "000000000000";
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

function clientFor(server: SqsServer): SQSClient {
  return new SQSClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
}

let server: SqsServer;
let sqs: SQSClient;
let queueCounter = 0;

beforeAll(async () => {
  server = await startSqsServer();
  sqs = clientFor(server);
});

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
});

// --- factories and helpers ---------------------------------------------------

async function createQueue(attributes: Record<string, string> = {}, prefix = "q"): Promise<string> {
  queueCounter += 1;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${queueCounter}`, Attributes: attributes }),
  );
  return QueueUrl!;
}

async function arnOf(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  return Attributes!.QueueArn!;
}

async function counts(queueUrl: string): Promise<{ visible: number; inflight: number; delayed: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
  );
  return {
    visible: Number(Attributes!.ApproximateNumberOfMessages),
    inflight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes!.ApproximateNumberOfMessagesDelayed),
  };
}

async function receive(
  queueUrl: string,
  input: Partial<ReceiveMessageCommandInput> = {},
): Promise<Message[]> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, ...input }));
  return Messages ?? [];
}

/** The error a call fails with; fails the test when the call succeeds. */
async function errorOf(call: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(SQSServiceException);
    return error as SQSServiceException;
  }
  throw new Error("expected the call to fail, it succeeded");
}

async function timed<T>(call: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await call;
  return { value, ms: performance.now() - start };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * MD5 of message attributes written from AWS's description, independently of
 * the server's code: sorted names; length-prefixed UTF-8 name and type; a
 * transport byte (1 string/number, 2 binary); length-prefixed value bytes.
 * Anchored by AWS's published sample digests in the test below.
 */
function referenceAttributesMd5(attributes: Record<string, MessageAttributeValue>): string {
  const lengthPrefixed = (bytes: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, Buffer.from(bytes)];
  };
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name]!;
    parts.push(...lengthPrefixed(Buffer.from(name)), ...lengthPrefixed(Buffer.from(DataType!)));
    if (BinaryValue !== undefined) parts.push(Buffer.of(2), ...lengthPrefixed(BinaryValue));
    else parts.push(Buffer.of(1), ...lengthPrefixed(Buffer.from(StringValue!)));
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}

// --- queues ------------------------------------------------------------------

describe("queues", () => {
  it("CreateQueue returns AWS's path-form URL on the server's origin and is idempotent when attributes match", async () => {
    const name = "idempotent-queue";
    const first = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "5" } }),
    );
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "5" } }),
    );
    const differing = await errorOf(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "6" } })),
    );

    expect(first.QueueUrl).toBe(`${server.url}/${ACCOUNT}/${name}`);
    expect(again.QueueUrl).toBe(first.QueueUrl);
    expect(differing).toBeInstanceOf(QueueNameExists);
    expect(differing.name).toBe("QueueNameExists");
    expect(differing.message).toContain("VisibilityTimeout");
  });

  it.each([
    ["has a space", "bad name"],
    ["is 81 characters long", "a".repeat(81)],
    ["ends with .fifo without FifoQueue", "plain.fifo"],
  ])("CreateQueue rejects a name that %s with InvalidParameterValue", async (_why, name) => {
    const error = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: name })));
    expect(error.name).toBe("InvalidParameterValue");
  });

  it("GetQueueUrl finds a queue by name; an unknown name is QueueDoesNotExist", async () => {
    const queueUrl = await createQueue();
    const name = queueUrl.split("/").at(-1)!;

    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const missing = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: "no-such-queue" })));

    expect(found.QueueUrl).toBe(queueUrl);
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.name).toBe("QueueDoesNotExist");
    expect(missing.$metadata.httpStatusCode).toBe(400);
  });

  it("ListQueues filters by QueueNamePrefix and pages with MaxResults and NextToken", async () => {
    const urls = [
      await createQueue({}, "listed"),
      await createQueue({}, "listed"),
      await createQueue({}, "listed"),
    ];
    await createQueue({}, "unlisted");

    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "listed-" }));
    const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "listed-", MaxResults: 2 }));
    const page2 = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: "listed-", MaxResults: 2, NextToken: page1.NextToken }),
    );
    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "nothing-like-this" }));

    expect(all.QueueUrls).toStrictEqual([...urls].sort());
    expect(all.NextToken).toBeUndefined();
    expect(page1.QueueUrls).toHaveLength(2);
    expect(page1.NextToken).toEqual(expect.any(String));
    expect([...page1.QueueUrls!, ...page2.QueueUrls!]).toStrictEqual([...urls].sort());
    expect(page2.NextToken).toBeUndefined();
    expect(none.QueueUrls).toBeUndefined();
  });

  it("DeleteQueue removes the queue: later calls on it fail with QueueDoesNotExist", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "doomed" }));

    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));

    const sendError = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x" })),
    );
    const receiveError = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })));
    expect(sendError).toBeInstanceOf(QueueDoesNotExist);
    expect(receiveError).toBeInstanceOf(QueueDoesNotExist);
  });

  it("serves a client configured only by the AWS_ENDPOINT_URL_SQS environment variable", async () => {
    const previous = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = server.url;
    const client = new SQSClient({ region: "us-east-1", credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "configured-by-env" }));
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: "found by env" }));
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl }));

      expect(QueueUrl).toBe(`${server.url}/${ACCOUNT}/configured-by-env`);
      expect(Messages?.map((message) => message.Body)).toStrictEqual(["found by env"]);
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
      else process.env.AWS_ENDPOINT_URL_SQS = previous;
    }
  });

  it("accepts the AWS hostname form of a QueueUrl by looking up the queue name", async () => {
    const queueUrl = await createQueue();
    const awsForm = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${queueUrl.split("/").at(-1)}`;

    await sqs.send(new SendMessageCommand({ QueueUrl: awsForm, MessageBody: "via the AWS form" }));

    const [message] = await receive(queueUrl);
    expect(message?.Body).toBe("via the AWS form");
  });

  it("FIFO queues, tags and message move tasks are not emulated: they answer UnsupportedOperation", async () => {
    const queueUrl = await createQueue();
    const dlqArn = await arnOf(await createQueue({}, "dlq"));

    const refused = [
      await errorOf(
        sqs.send(new CreateQueueCommand({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true" } })),
      ),
      await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "tagged", tags: { team: "scanner" } }))),
      await errorOf(sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { stage: "local" } }))),
      await errorOf(sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))),
      await errorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }))),
    ];
    const standard = await sqs.send(
      new CreateQueueCommand({ QueueName: "explicitly-standard", Attributes: { FifoQueue: "false" } }),
    );
    const fifoAttributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["FifoQueue", "DelaySeconds"] }),
    );

    expect(refused.map((error) => error.name)).toStrictEqual(Array(5).fill("UnsupportedOperation"));
    expect(refused[0]!.message).toContain("FIFO");
    expect(standard.QueueUrl).toBe(`${server.url}/${ACCOUNT}/explicitly-standard`);
    expect(fifoAttributes.Attributes).toStrictEqual({ DelaySeconds: "0" });
    expect(await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "orders" }))).not.toHaveProperty(
      "QueueUrls",
    );
  });

  it("PurgeQueue deletes visible, in-flight and delayed messages at once", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "visible" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "in flight" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "delayed", DelaySeconds: 600 }));
    await receive(queueUrl, { VisibilityTimeout: 600 });
    expect(await counts(queueUrl)).toStrictEqual({ visible: 1, inflight: 1, delayed: 1 });

    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });
});

// --- queue attributes --------------------------------------------------------

describe("queue attributes", () => {
  it("GetQueueAttributes All reports AWS's defaults, the ARN and second-precision timestamps", async () => {
    const before = Math.floor(Date.now() / 1000);
    const queueUrl = await createQueue();
    const name = queueUrl.split("/").at(-1);

    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
    );

    expect(Attributes).toStrictEqual({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
      ApproximateNumberOfMessagesDelayed: "0",
      CreatedTimestamp: expect.any(String),
      LastModifiedTimestamp: expect.any(String),
      VisibilityTimeout: "30",
      DelaySeconds: "0",
      ReceiveMessageWaitTimeSeconds: "0",
      MessageRetentionPeriod: "345600",
      MaximumMessageSize: "1048576",
      SqsManagedSseEnabled: "true",
    });
    expect(Number(Attributes!.CreatedTimestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(Attributes!.CreatedTimestamp)).toBeLessThanOrEqual(before + 5);
  });

  it("GetQueueAttributes returns only the attributes named", async () => {
    const queueUrl = await createQueue({ DelaySeconds: "3" });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["DelaySeconds", "VisibilityTimeout"],
      }),
    );
    expect(Attributes).toStrictEqual({ DelaySeconds: "3", VisibilityTimeout: "30" });
  });

  it.each([
    ["VisibilityTimeout", "0", "43200", "43201"],
    ["DelaySeconds", "0", "900", "901"],
    ["ReceiveMessageWaitTimeSeconds", "0", "20", "21"],
    ["MessageRetentionPeriod", "60", "1209600", "59"],
    ["MaximumMessageSize", "1024", "1048576", "1048577"],
    ["MaximumMessageSize", "1024", "1048576", "1023"],
  ])(
    "SetQueueAttributes accepts %s from %s to %s and rejects %s with InvalidAttributeValue naming it",
    async (name, min, max, bad) => {
      const queueUrl = await createQueue();

      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { [name]: min } }));
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { [name]: max } }));
      const error = await errorOf(
        sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { [name]: bad } })),
      );

      expect(error).toBeInstanceOf(InvalidAttributeValue);
      expect(error.message).toContain(name);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name as QueueAttributeName] }),
      );
      expect(Attributes).toStrictEqual({ [name]: max });
    },
  );

  it("SetQueueAttributes rejects unknown and read-only attribute names with InvalidAttributeName", async () => {
    const queueUrl = await createQueue();
    const unknown = await errorOf(
      sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Colour: "blue" } as never }),
      ),
    );
    const readOnly = await errorOf(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { QueueArn: "arn:x" } })),
    );
    expect(unknown).toBeInstanceOf(InvalidAttributeName);
    expect(unknown.message).toContain("Colour");
    expect(readOnly).toBeInstanceOf(InvalidAttributeName);
  });

  it("RedrivePolicy needs an existing dead-letter queue and a maxReceiveCount from 1 to 1000", async () => {
    const queueUrl = await createQueue();
    const dlqArn = await arnOf(await createQueue({}, "dlq"));
    const setPolicy = (policy: object) =>
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: { RedrivePolicy: JSON.stringify(policy) },
        }),
      );

    const missingDlq = await errorOf(
      setPolicy({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:absent`, maxReceiveCount: 3 }),
    );
    const zero = await errorOf(setPolicy({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 }));
    const tooMany = await errorOf(setPolicy({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 }));
    await setPolicy({ deadLetterTargetArn: dlqArn, maxReceiveCount: "1000" });

    for (const error of [missingDlq, zero, tooMany]) {
      expect(error).toBeInstanceOf(InvalidAttributeValue);
      expect(error.message).toContain("RedrivePolicy");
    }
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["RedrivePolicy"] }),
    );
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toStrictEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 1000,
    });
  });

  it("RedrivePolicy may not lead back to its own queue, directly or through another dead-letter queue", async () => {
    const firstUrl = await createQueue();
    const secondUrl = await createQueue();
    const [firstArn, secondArn] = [await arnOf(firstUrl), await arnOf(secondUrl)];
    const redriveTo = (arn: string) => ({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 }),
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: firstUrl, Attributes: redriveTo(secondArn) }));

    const itself = await errorOf(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: firstUrl, Attributes: redriveTo(firstArn) })),
    );
    const loop = await errorOf(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: secondUrl, Attributes: redriveTo(firstArn) })),
    );

    expect(itself).toBeInstanceOf(InvalidAttributeValue);
    expect(loop).toBeInstanceOf(InvalidAttributeValue);
    expect(loop.message).toContain("leads back");
  });

  it("CreateQueue with a RedrivePolicy naming a missing dead-letter queue fails", async () => {
    const error = await errorOf(
      sqs.send(
        new CreateQueueCommand({
          QueueName: "orphan-source",
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:absent`,
              maxReceiveCount: 2,
            }),
          },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidAttributeValue);
  });

  it("ListDeadLetterSourceQueues lists the queues whose RedrivePolicy targets the dead-letter queue", async () => {
    const dlqUrl = await createQueue({}, "dlq");
    const redrive = {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlqUrl), maxReceiveCount: 2 }),
    };
    const sources = [await createQueue(redrive, "source"), await createQueue(redrive, "source")];
    await createQueue();

    const { queueUrls } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));

    expect(queueUrls).toStrictEqual([...sources].sort());
  });

  it("ApproximateNumberOfMessages counts only visible messages; NotVisible counts those in flight", async () => {
    const queueUrl = await createQueue();
    for (const body of ["a", "b", "c"])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

    await receive(queueUrl, { MaxNumberOfMessages: 2, VisibilityTimeout: 600 });

    expect(await counts(queueUrl)).toStrictEqual({ visible: 1, inflight: 2, delayed: 0 });
  });
});

// --- sending -----------------------------------------------------------------

describe("sending", () => {
  it("returns AWS's published MD5OfMessageAttributes for its sample String and Binary attributes", async () => {
    const queueUrl = await createQueue();
    const cases: [Record<string, MessageAttributeValue>, string][] = [
      [
        {
          test_attribute_name_2: { DataType: "String", StringValue: "test_attribute_value_2" },
          test_attribute_name_1: { DataType: "String", StringValue: "test_attribute_value_1" },
        },
        "d53f3b558fe951154770f25cb63dbba9",
      ],
      [
        { test_attribute_name: { DataType: "Binary", BinaryValue: Buffer.from("test_attribute_value") } },
        "23f6bd27ea87aab7dfeadcc9aebee495",
      ],
    ];
    for (const [attributes, expected] of cases) {
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "sample", MessageAttributes: attributes }),
      );
      expect(sent.MD5OfMessageAttributes).toBe(expected);
      expect(referenceAttributesMd5(attributes)).toBe(expected);
    }
  });

  it("computes every MD5 over UTF-8 bytes for a non-ASCII body and String, Number and Binary attributes", async () => {
    const queueUrl = await createQueue();
    const body = "naïve € 株価 📈";
    const attributes: Record<string, MessageAttributeValue> = {
      ticker: { DataType: "String", StringValue: "BRK.B — naïve €" },
      "price.close": { DataType: "Number.float", StringValue: "-1234.5e-3" },
      blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 255, 128, 7) },
      "label.x": { DataType: "String.custom", StringValue: "ü" },
    };
    const traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";

    // The SDK itself rejects the reply if MD5OfMessageBody (send) or MD5OfBody (receive) is wrong.
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: traceHeader } },
      }),
    );
    const [message] = await receive(queueUrl, {
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    });

    expect(sent.MD5OfMessageBody).toBe(createHash("md5").update(Buffer.from(body, "utf8")).digest("hex"));
    expect(sent.MD5OfMessageAttributes).toBe(referenceAttributesMd5(attributes));
    expect(sent.MD5OfMessageSystemAttributes).toBe(
      referenceAttributesMd5({ AWSTraceHeader: { DataType: "String", StringValue: traceHeader } }),
    );
    expect(sent.SequenceNumber).toBeUndefined();
    expect(message?.Body).toBe(body);
    expect(message?.MD5OfBody).toBe(sent.MD5OfMessageBody);
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.MessageAttributes).toStrictEqual({
      ticker: { DataType: "String", StringValue: "BRK.B — naïve €" },
      "price.close": { DataType: "Number.float", StringValue: "-1234.5e-3" },
      blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 255, 128, 7) },
      "label.x": { DataType: "String.custom", StringValue: "ü" },
    });
    expect(message?.Attributes?.AWSTraceHeader).toBe(traceHeader);
  });

  it("omits MD5OfMessageAttributes when a message has no attributes", async () => {
    const queueUrl = await createQueue();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "plain" }));
    expect(sent.MD5OfMessageAttributes).toBeUndefined();
    expect(sent.MD5OfMessageSystemAttributes).toBeUndefined();
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rejects a message longer than MaximumMessageSize, counting its attributes, with InvalidParameterValue", async () => {
    const queueUrl = await createQueue({ MaximumMessageSize: "1024" });

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(1024) }));
    const bodyTooLong = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(1025) })),
    );
    const withAttributes = await errorOf(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: "x".repeat(1000),
          MessageAttributes: { name: { DataType: "String", StringValue: "y".repeat(20) } },
        }),
      ),
    );
    // Multi-byte characters count by their UTF-8 bytes: 342 × 3 bytes > 1024.
    const multiByte = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "€".repeat(342) })),
    );

    for (const error of [bodyTooLong, withAttributes, multiByte]) {
      expect(error.name).toBe("InvalidParameterValue");
      expect(error.message).toBe(
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
      );
    }
  });

  it("rejects characters outside AWS's allowed set with InvalidMessageContents", async () => {
    const queueUrl = await createQueue();
    const error = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "bell \u0007" })),
    );
    expect(error).toBeInstanceOf(InvalidMessageContents);
    expect(error.message).toContain("#x7");
  });

  it.each([
    ["an empty body", { MessageBody: "" }, "MissingParameter"],
    ["DelaySeconds 901", { MessageBody: "x", DelaySeconds: 901 }, "InvalidParameterValue"],
    [
      "an attribute without a value",
      { MessageBody: "x", MessageAttributes: { a: { DataType: "String" } } },
      "InvalidParameterValue",
    ],
    [
      "an attribute of an unknown type",
      { MessageBody: "x", MessageAttributes: { a: { DataType: "Text", StringValue: "v" } } },
      "InvalidParameterValue",
    ],
    [
      "an attribute name with a reserved prefix",
      { MessageBody: "x", MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } },
      "InvalidParameterValue",
    ],
    [
      "eleven attributes",
      {
        MessageBody: "x",
        MessageAttributes: Object.fromEntries(
          Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]),
        ),
      },
      "InvalidParameterValue",
    ],
    [
      "a MessageDeduplicationId on a standard queue",
      { MessageBody: "x", MessageDeduplicationId: "d" },
      "InvalidParameterValue",
    ],
  ])("rejects a message with %s", async (_why, input, name) => {
    const queueUrl = await createQueue();
    const error = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, ...input })));
    expect(error.name).toBe(name);
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });
});

// --- batches -----------------------------------------------------------------

describe("batches", () => {
  const entry = (id: string, body = `body of ${id}`) => ({ Id: id, MessageBody: body });

  it.each([
    ["no entries", [], EmptyBatchRequest],
    ["eleven entries", Array.from({ length: 11 }, (_, i) => entry(`e${i}`)), TooManyEntriesInBatchRequest],
    ["repeated ids", [entry("same"), entry("same")], BatchEntryIdsNotDistinct],
    ["an id with a dot", [entry("not.valid")], InvalidBatchEntryId],
    ["an id of 81 characters", [entry("a".repeat(81))], InvalidBatchEntryId],
  ])("SendMessageBatch with %s fails as a whole", async (_why, entries, errorClass) => {
    const queueUrl = await createQueue();
    const error = await errorOf(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })),
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error.name).toBe(errorClass.name);
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });

  it("SendMessageBatch reports an entry's own failure in Failed while the other entries succeed", async () => {
    const queueUrl = await createQueue({ MaximumMessageSize: "1024" });

    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          entry("ok1"),
          entry("too-long", "x".repeat(1025)),
          { ...entry("bad-delay"), DelaySeconds: 901 },
          entry("ok2"),
        ],
      }),
    );

    expect(result.Successful?.map((success) => success.Id)).toStrictEqual(["ok1", "ok2"]);
    expect(result.Failed).toStrictEqual([
      {
        Id: "too-long",
        SenderFault: true,
        Code: "InvalidParameterValue",
        Message: "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
      },
      {
        Id: "bad-delay",
        SenderFault: true,
        Code: "InvalidParameterValue",
        Message: expect.stringContaining("DelaySeconds"),
      },
    ]);
    expect(await counts(queueUrl)).toStrictEqual({ visible: 2, inflight: 0, delayed: 0 });
  });

  it("SendMessageBatch rejects a batch whose messages total more than 1 MiB with BatchRequestTooLong", async () => {
    const queueUrl = await createQueue();
    const big = "x".repeat(300_000);
    const error = await errorOf(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [entry("a", big), entry("b", big), entry("c", big), entry("d", big)],
        }),
      ),
    );
    expect(error).toBeInstanceOf(BatchRequestTooLong);
  });

  it("DeleteMessageBatch and ChangeMessageVisibilityBatch act per entry, failing only malformed handles", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [entry("a"), entry("b")] }));
    const messages = await receive(queueUrl, { MaxNumberOfMessages: 10, VisibilityTimeout: 600 });
    expect(messages).toHaveLength(2);
    const [first, second] = messages as [Message, Message];

    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "first", ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: "junk", ReceiptHandle: "junk", VisibilityTimeout: 0 },
        ],
      }),
    );
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "second", ReceiptHandle: second.ReceiptHandle },
          { Id: "junk", ReceiptHandle: "junk" },
        ],
      }),
    );

    expect(changed.Successful).toStrictEqual([{ Id: "first" }]);
    expect(changed.Failed).toStrictEqual([
      { Id: "junk", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: expect.any(String) },
    ]);
    expect(deleted.Successful).toStrictEqual([{ Id: "second" }]);
    expect(deleted.Failed).toStrictEqual([
      { Id: "junk", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: expect.any(String) },
    ]);
    expect(await counts(queueUrl)).toStrictEqual({ visible: 1, inflight: 0, delayed: 0 });
  });
});

// --- receiving ---------------------------------------------------------------

describe("receiving", () => {
  it.each([
    ["MaxNumberOfMessages 0", { MaxNumberOfMessages: 0 }, "MaxNumberOfMessages"],
    ["MaxNumberOfMessages 11", { MaxNumberOfMessages: 11 }, "MaxNumberOfMessages"],
    ["WaitTimeSeconds 21", { WaitTimeSeconds: 21 }, "WaitTimeSeconds"],
    ["VisibilityTimeout 43201", { VisibilityTimeout: 43_201 }, "VisibilityTimeout"],
  ])("ReceiveMessage with %s fails with InvalidParameterValue", async (_why, input, parameter) => {
    const queueUrl = await createQueue();
    const error = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, ...input })));
    expect(error.name).toBe("InvalidParameterValue");
    expect(error.message).toContain(parameter);
  });

  it("MessageSystemAttributeNames [ApproximateReceiveCount] returns just that attribute", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "counted" }));

    const [message] = await receive(queueUrl, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });

    expect(message?.Attributes).toStrictEqual({ ApproximateReceiveCount: "1" });
  });

  it("the legacy AttributeNames [All] returns every system attribute, timestamps in epoch ms", async () => {
    const queueUrl = await createQueue();
    const before = Date.now();
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "legacy", MessageGroupId: "g1" }),
    );

    const [message] = await receive(queueUrl, { AttributeNames: ["All"] });

    expect(message?.Attributes).toStrictEqual({
      SenderId: ACCOUNT,
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateReceiveCount: "1",
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      MessageGroupId: "g1",
    });
    const sent = Number(message!.Attributes!.SentTimestamp);
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(Number(message!.Attributes!.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(sent);
  });

  it("without attribute names a message carries no Attributes and no MessageAttributes", async () => {
    const queueUrl = await createQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "bare",
        MessageAttributes: { a: { DataType: "String", StringValue: "v" } },
      }),
    );
    const [message] = await receive(queueUrl);
    expect(Object.keys(message ?? {}).sort()).toStrictEqual([
      "Body",
      "MD5OfBody",
      "MessageId",
      "ReceiptHandle",
    ]);
  });

  it("MessageAttributeNames selects attributes by exact name and by prefix.*, with the digest of those returned", async () => {
    const queueUrl = await createQueue();
    const attributes: Record<string, MessageAttributeValue> = {
      "bar.x": { DataType: "String", StringValue: "x" },
      "bar.y": { DataType: "String", StringValue: "y" },
      barn: { DataType: "String", StringValue: "n" },
      solo: { DataType: "Number", StringValue: "7" },
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "filtered", MessageAttributes: attributes }),
    );

    const [message] = await receive(queueUrl, { MessageAttributeNames: ["bar.*", "solo"] });

    const expected = { "bar.x": attributes["bar.x"]!, "bar.y": attributes["bar.y"]!, solo: attributes.solo! };
    expect(message?.MessageAttributes).toStrictEqual(expected);
    expect(message?.MD5OfMessageAttributes).toBe(referenceAttributesMd5(expected));
  });

  it("a message whose visibility timeout expires is delivered again with ApproximateReceiveCount 2", async () => {
    const queueUrl = await createQueue({ VisibilityTimeout: "1" });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "again" }));
    const [first] = await receive(queueUrl, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    const hidden = await receive(queueUrl);

    // Long poll: returns as soon as the message is visible again, after about 1 s.
    const { value: redelivered, ms } = await timed(
      receive(queueUrl, { WaitTimeSeconds: 5, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );

    expect(first?.Attributes).toStrictEqual({ ApproximateReceiveCount: "1" });
    expect(hidden).toStrictEqual([]);
    expect(redelivered).toHaveLength(1);
    expect(redelivered[0]?.MessageId).toBe(first?.MessageId);
    expect(redelivered[0]?.Attributes).toStrictEqual({ ApproximateReceiveCount: "2" });
    expect(redelivered[0]?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(ms).toBeGreaterThan(700);
    expect(ms).toBeLessThan(3000);
  });

  it("ChangeMessageVisibility 0 makes an in-flight message visible at once; then it is MessageNotInflight", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "released" }));
    const [message] = await receive(queueUrl, { VisibilityTimeout: 600 });

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const notInflight = await errorOf(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message!.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    );
    const [again] = await receive(queueUrl);

    expect(notInflight).toBeInstanceOf(MessageNotInflight);
    expect(again?.MessageId).toBe(message?.MessageId);
  });

  it("ChangeMessageVisibility extends the timeout from now, up to 12 hours after the receive", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "extended" }));
    const [message] = await receive(queueUrl, { VisibilityTimeout: 1 });
    const change = (seconds: number) =>
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message!.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      );

    await change(43_200);
    await sleep(1100);
    const beyond = await errorOf(change(43_200));
    await change(43_000);

    expect(beyond.name).toBe("InvalidParameterValue");
    expect(beyond.message).toContain("43200");
    // Still hidden long after the original 1 s timeout.
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 1, delayed: 0 });
  });

  it("queue DelaySeconds and per-message DelaySeconds hide new messages (ApproximateNumberOfMessagesDelayed)", async () => {
    const queueUrl = await createQueue({ DelaySeconds: "1" });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "queue delay" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "no delay", DelaySeconds: 0 }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "long delay", DelaySeconds: 600 }),
    );

    const atOnce = await receive(queueUrl, { MaxNumberOfMessages: 10, VisibilityTimeout: 600 });
    const countsBefore = await counts(queueUrl);
    const { value: later, ms } = await timed(
      receive(queueUrl, { MaxNumberOfMessages: 10, WaitTimeSeconds: 5, VisibilityTimeout: 600 }),
    );

    expect(atOnce.map((message) => message.Body)).toStrictEqual(["no delay"]);
    expect(countsBefore).toStrictEqual({ visible: 0, inflight: 1, delayed: 2 });
    expect(later.map((message) => message.Body)).toStrictEqual(["queue delay"]);
    expect(ms).toBeLessThan(3000);
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 2, delayed: 1 });
  });

  it("a long poll returns as soon as a message is sent mid-wait", async () => {
    const queueUrl = await createQueue();
    const poll = timed(receive(queueUrl, { WaitTimeSeconds: 10 }));
    await sleep(300);

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "mid-wait" }));
    const { value, ms } = await poll;

    expect(value.map((message) => message.Body)).toStrictEqual(["mid-wait"]);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
  });

  it("a long poll with nothing to receive returns empty after WaitTimeSeconds, also when the queue sets the wait", async () => {
    const queueUrl = await createQueue({ ReceiveMessageWaitTimeSeconds: "1" });

    const explicit = await timed(receive(queueUrl, { WaitTimeSeconds: 1 }));
    const fromQueue = await timed(receive(queueUrl));
    const short = await timed(receive(queueUrl, { WaitTimeSeconds: 0 }));

    for (const { value, ms } of [explicit, fromQueue]) {
      expect(value).toStrictEqual([]);
      expect(ms).toBeGreaterThan(900);
      expect(ms).toBeLessThan(3000);
    }
    expect(short.value).toStrictEqual([]);
    expect(short.ms).toBeLessThan(500);
  });

  it("waiting long polls are served oldest first", async () => {
    const queueUrl = await createQueue();
    const older = receive(queueUrl, { WaitTimeSeconds: 10 });
    await sleep(150);
    const newer = receive(queueUrl, { WaitTimeSeconds: 10 });
    await sleep(150);

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "first" }));
    const olderGot = await older;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "second" }));
    const newerGot = await newer;

    expect(olderGot.map((message) => message.Body)).toStrictEqual(["first"]);
    expect(newerGot.map((message) => message.Body)).toStrictEqual(["second"]);
  });

  it("a long poll abandoned by its client does not swallow the next message", async () => {
    const queueUrl = await createQueue();
    const abort = new AbortController();
    const abandoned = sqs
      .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }), {
        abortSignal: abort.signal,
      })
      .catch((error: unknown) => error);
    await sleep(200);
    abort.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await sleep(100);

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "for the living" }));
    const received = await receive(queueUrl, { WaitTimeSeconds: 2 });

    expect(received.map((message) => message.Body)).toStrictEqual(["for the living"]);
  });

  it("20 concurrent long pollers share 100 messages fairly, each delivered exactly once, none waiting past its wait", async () => {
    const queueUrl = await createQueue({ VisibilityTimeout: "30" });
    const receivedIds: string[] = [];
    const bodies = new Set<string>();
    const pollDurations: number[] = [];
    const deadline = Date.now() + 20_000;
    const servedPollers = new Set<number>();
    const poller = async (_: unknown, pollerIndex: number) => {
      for (let round = 0; round < 20 && receivedIds.length < 100 && Date.now() < deadline; round++) {
        const { value, ms } = await timed(receive(queueUrl, { MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }));
        pollDurations.push(ms);
        if (value.length > 0) servedPollers.add(pollerIndex);
        for (const message of value) {
          receivedIds.push(message.MessageId!);
          bodies.add(message.Body!);
        }
        if (value.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: value.map((message, i) => ({ Id: `m${i}`, ReceiptHandle: message.ReceiptHandle })),
            }),
          );
        }
      }
    };
    const pollers = Array.from({ length: 20 }, poller);
    await sleep(200);

    for (let batch = 0; batch < 10; batch++) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: `e${i}`,
            MessageBody: `message ${batch * 10 + i}`,
          })),
        }),
      );
    }
    await Promise.all(pollers);

    expect(receivedIds).toHaveLength(100);
    expect(new Set(receivedIds).size).toBe(100);
    expect(bodies).toStrictEqual(new Set(Array.from({ length: 100 }, (_, i) => `message ${i}`)));
    expect(Math.max(...pollDurations)).toBeLessThan(3500);
    // The work is spread over the pollers, not taken by one.
    expect(servedPollers.size).toBeGreaterThanOrEqual(5);
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });
});

// --- deleting ----------------------------------------------------------------

describe("deleting", () => {
  it("DeleteMessage with the handle of an already deleted message succeeds silently; a malformed one is ReceiptHandleIsInvalid", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "delete me" }));
    const [message] = await receive(queueUrl);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message!.ReceiptHandle }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message!.ReceiptHandle }));
    const malformed = await errorOf(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "not-a-receipt-handle" })),
    );

    expect(malformed).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(malformed.name).toBe("ReceiptHandleIsInvalid");
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });

  it("a handle from an earlier receive does not delete the message once it was received again", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "received twice" }));
    const [first] = await receive(queueUrl, { VisibilityTimeout: 0 });
    const [second] = await receive(queueUrl, { VisibilityTimeout: 600 });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first!.ReceiptHandle }));
    const afterStale = await counts(queueUrl);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second!.ReceiptHandle }));

    expect(second?.MessageId).toBe(first?.MessageId);
    expect(afterStale).toStrictEqual({ visible: 0, inflight: 1, delayed: 0 });
    expect(await counts(queueUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });
});

// --- dead-letter queues ------------------------------------------------------

describe("dead-letter queues", () => {
  it("after maxReceiveCount receives, the next receive moves the message to the DLQ with its body, attributes and SentTimestamp", async () => {
    const dlqUrl = await createQueue({}, "dlq");
    const dlqArn = await arnOf(dlqUrl);
    const sourceUrl = await createQueue(
      { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
      "source",
    );
    const attributes = { kind: { DataType: "String", StringValue: "poison ☠" } };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: "poison", MessageAttributes: attributes }),
    );
    const receiveFromSource = () =>
      receive(sourceUrl, {
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      });

    const first = await receiveFromSource();
    const second = await receiveFromSource();
    const third = await receiveFromSource();
    const [dead] = await receive(dlqUrl, {
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    });

    expect(first.map((message) => message.Attributes?.ApproximateReceiveCount)).toStrictEqual(["1"]);
    expect(second.map((message) => message.Attributes?.ApproximateReceiveCount)).toStrictEqual(["2"]);
    expect(third).toStrictEqual([]);
    expect(dead?.Body).toBe("poison");
    expect(dead?.MessageAttributes).toStrictEqual(attributes);
    expect(dead?.Attributes?.SentTimestamp).toBe(first[0]?.Attributes?.SentTimestamp);
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(await arnOf(sourceUrl));
    expect(await counts(sourceUrl)).toStrictEqual({ visible: 0, inflight: 0, delayed: 0 });
  });

  it("a long poll on the DLQ wakes when a message is redriven into it", async () => {
    const dlqUrl = await createQueue({}, "dlq");
    const sourceUrl = await createQueue(
      { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlqUrl), maxReceiveCount: 1 }) },
      "source",
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: "fails once" }));
    await receive(sourceUrl, { VisibilityTimeout: 0 });
    const waiting = timed(receive(dlqUrl, { WaitTimeSeconds: 10 }));
    await sleep(200);

    await receive(sourceUrl);
    const { value, ms } = await waiting;

    expect(value.map((message) => message.Body)).toStrictEqual(["fails once"]);
    expect(ms).toBeLessThan(2000);
  });
});

// --- servers of their own: close and stats -----------------------------------

describe("server lifecycle and stats", () => {
  it("closing the server ends pending long polls at once with no messages", async () => {
    const own = await startSqsServer();
    const client = clientFor(own);
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "closing" }));
      const polls = Array.from({ length: 3 }, () =>
        timed(client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }))),
      );
      await sleep(200);

      const closed = await timed(own.close());
      const results = await Promise.all(polls);

      expect(closed.ms).toBeLessThan(2000);
      for (const { value, ms } of results) {
        expect(value.Messages).toBeUndefined();
        expect(ms).toBeLessThan(3000);
      }
    } finally {
      client.destroy();
      await own.close();
    }
  });

  it("stats count requests by action and bill each 64 KiB of message payload as one request", async () => {
    const own = await startSqsServer();
    const client = clientFor(own);
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "billed" }));
      // 100 KiB: two 64 KiB chunks when sent, two again when received.
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(100 * 1024) }));
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl }));
      await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0]!.ReceiptHandle }));
      await errorOf(client.send(new GetQueueUrlCommand({ QueueName: "absent" })));

      expect(own.stats()).toStrictEqual({
        requests: { CreateQueue: 1, SendMessage: 1, ReceiveMessage: 1, DeleteMessage: 1, GetQueueUrl: 1 },
        totalRequests: 5,
        billedRequests: 1 + 2 + 2 + 1 + 1,
      });
    } finally {
      client.destroy();
      await own.close();
    }
  });
});
