import { createHash } from "node:crypto";
import {
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
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  type Message,
  type MessageAttributeValue,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
} from "@aws-sdk/client-sqs-query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqsServer, startSqsServer } from "../../packages/local/sqs/index.ts";

// The local SQS server speaks the Query protocol too (form parameters in, XML
// out), as AWS does for the AWS CLI of Debian 12 and for older SDKs. A real
// Query client talks to it here: @aws-sdk/client-sqs 3.445.0, the last release
// before the SDK moved to JSON 1.0, installed as @aws-sdk/client-sqs-query.

const ACCOUNT = "000000000000";
const NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";

interface WireRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  target: string | undefined;
  body: string;
}

let server: SqsServer;
let sqs: SQSClient;
const wire: WireRequest[] = [];
let queueCounter = 0;

beforeAll(async () => {
  server = await startSqsServer();
  sqs = new SQSClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  // Records each request as it goes on the wire, to show what protocol the client speaks.
  sqs.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as {
        method: string;
        path: string;
        headers: Record<string, string>;
        body: unknown;
      };
      wire.push({
        method: request.method,
        path: request.path,
        contentType: request.headers["content-type"],
        target: request.headers["x-amz-target"],
        body: String(request.body),
      });
      return next(args);
    },
    { step: "finalizeRequest" },
  );
});

afterAll(async () => {
  sqs?.destroy();
  await server?.close();
});

// --- factories and helpers ---------------------------------------------------

async function createQueue(attributes: Record<string, string> = {}, prefix = "query"): Promise<string> {
  queueCounter += 1;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${prefix}-${queueCounter}`, Attributes: attributes }),
  );
  return QueueUrl!;
}

async function receive(queueUrl: string, input: Partial<ReceiveMessageCommand["input"]> = {}) {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, ...input }));
  return Messages ?? [];
}

async function visibleCount(queueUrl: string): Promise<string | undefined> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Attributes?.ApproximateNumberOfMessages;
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

/** A hand-made Query request: form parameters as a POST body, or as a GET query string. */
async function query(
  params: Record<string, string>,
  options: { method?: "GET" | "POST"; path?: string } = {},
): Promise<{ status: number; contentType: string | null; xml: string }> {
  const form = new URLSearchParams(params).toString();
  const method = options.method ?? "POST";
  const url = `${server.url}${options.path ?? "/"}${method === "GET" ? `?${form}` : ""}`;
  const response = await fetch(url, {
    method,
    ...(method === "POST"
      ? { body: form, headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } }
      : {}),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    xml: await response.text(),
  };
}

/** The XML with its RequestId (a fresh UUID per request) replaced by a fixed one. */
const withFixedRequestId = (xml: string) =>
  xml.replace(/<RequestId>[0-9a-f-]{36}<\/RequestId>/, "<RequestId>REQUEST-ID</RequestId>");

// --- the Query client ----------------------------------------------------------

describe("the Query client", () => {
  it("sends form-encoded Action= requests to / and no x-amz-target, and gets XML answers", async () => {
    wire.length = 0;
    await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "nothing-here" }));

    expect(wire).toStrictEqual([
      {
        method: "POST",
        path: "/",
        contentType: "application/x-www-form-urlencoded",
        target: undefined,
        body: expect.any(String),
      },
    ]);
    expect(Object.fromEntries(new URLSearchParams(wire[0]!.body))).toStrictEqual({
      Action: "ListQueues",
      Version: "2012-11-05",
      QueueNamePrefix: "nothing-here",
    });
  });

  it("creates, finds, lists and pages queues; CreateQueue is idempotent when attributes match", async () => {
    const urls = [
      await createQueue({}, "paged"),
      await createQueue({}, "paged"),
      await createQueue({}, "paged"),
    ];
    const name = urls[0]!.split("/").at(-1)!;

    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const again = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const differing = await errorOf(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "7" } })),
    );
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "paged-" }));
    const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "paged-", MaxResults: 2 }));
    const page2 = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: "paged-", MaxResults: 2, NextToken: page1.NextToken }),
    );

    expect(urls[0]).toBe(`${server.url}/${ACCOUNT}/${name}`);
    expect(found.QueueUrl).toBe(urls[0]);
    expect(again.QueueUrl).toBe(urls[0]);
    expect(differing).toBeInstanceOf(QueueNameExists);
    expect(all.QueueUrls).toStrictEqual([...urls].sort());
    expect(page1.QueueUrls).toHaveLength(2);
    expect([...page1.QueueUrls!, ...page2.QueueUrls!]).toStrictEqual([...urls].sort());
    expect(page2.NextToken).toBeUndefined();
  });

  it("sets queue attributes and reads them back, All or by name", async () => {
    const queueUrl = await createQueue({ DelaySeconds: "3" });

    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { VisibilityTimeout: "45", ReceiveMessageWaitTimeSeconds: "2" },
      }),
    );
    const named = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["DelaySeconds", "VisibilityTimeout"],
      }),
    );
    const all = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
    );
    const unknown = await errorOf(
      sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Colour: "blue" } as never }),
      ),
    );

    expect(named.Attributes).toStrictEqual({ DelaySeconds: "3", VisibilityTimeout: "45" });
    expect(all.Attributes).toStrictEqual({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queueUrl.split("/").at(-1)}`,
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
      ApproximateNumberOfMessagesDelayed: "0",
      CreatedTimestamp: expect.stringMatching(/^\d{10}$/),
      LastModifiedTimestamp: expect.stringMatching(/^\d{10}$/),
      VisibilityTimeout: "45",
      DelaySeconds: "3",
      ReceiveMessageWaitTimeSeconds: "2",
      MessageRetentionPeriod: "345600",
      MaximumMessageSize: "1048576",
      SqsManagedSseEnabled: "true",
    });
    expect(unknown).toBeInstanceOf(InvalidAttributeName);
  });

  it("sends and receives a message with String, Number and Binary attributes and AWS's MD5s", async () => {
    const queueUrl = await createQueue();
    // Markup, a carriage return and non-ASCII text: the client checks MD5OfBody against what it parsed.
    const body = 'naïve <b>&amp;</b> "quoted"\r\nline two 📈';
    const attributes: Record<string, MessageAttributeValue> = {
      test_attribute_name_2: { DataType: "String", StringValue: "test_attribute_value_2" },
      test_attribute_name_1: { DataType: "String", StringValue: "test_attribute_value_1" },
    };
    const more: Record<string, MessageAttributeValue> = {
      "price.close": { DataType: "Number", StringValue: "-1234.5" },
      blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 255, 128, 7) },
    };
    const traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";

    const sample = await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "sample", MessageAttributes: attributes }),
    );
    await sqs.send(
      new DeleteMessageCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: (await receive(queueUrl))[0]!.ReceiptHandle,
      }),
    );
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: more,
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: traceHeader } },
        MessageGroupId: "fair-group",
      }),
    );
    const [message] = await receive(queueUrl, { AttributeNames: ["All"], MessageAttributeNames: ["All"] });

    // AWS's published digest for its two-attribute sample.
    expect(sample.MD5OfMessageAttributes).toBe("d53f3b558fe951154770f25cb63dbba9");
    expect(sent.MD5OfMessageBody).toBe(createHash("md5").update(body, "utf8").digest("hex"));
    expect(sent.MD5OfMessageSystemAttributes).toEqual(expect.stringMatching(/^[0-9a-f]{32}$/));
    expect(message).toStrictEqual({
      MessageId: sent.MessageId,
      ReceiptHandle: expect.any(String),
      MD5OfBody: sent.MD5OfMessageBody,
      Body: body,
      Attributes: {
        SenderId: ACCOUNT,
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        ApproximateReceiveCount: "1",
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        AWSTraceHeader: traceHeader,
        MessageGroupId: "fair-group",
      },
      MD5OfMessageAttributes: sent.MD5OfMessageAttributes,
      MessageAttributes: {
        "price.close": { DataType: "Number", StringValue: "-1234.5" },
        blob: { DataType: "Binary", BinaryValue: Uint8Array.of(0, 255, 128, 7) },
      },
    } satisfies Message);
  });

  it("SendMessageBatch, ChangeMessageVisibilityBatch and DeleteMessageBatch report successes and per-entry failures", async () => {
    const queueUrl = await createQueue({ MaximumMessageSize: "1024" });

    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "a", MessageBody: "first" },
          { Id: "too-long", MessageBody: "x".repeat(1025) },
          {
            Id: "b",
            MessageBody: "second",
            DelaySeconds: 0,
            MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
          },
        ],
      }),
    );
    const [first, second] = await receive(queueUrl, { MaxNumberOfMessages: 10, VisibilityTimeout: 600 });
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "first", ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: "junk", ReceiptHandle: "junk", VisibilityTimeout: 0 },
        ],
      }),
    );
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [{ Id: "second", ReceiptHandle: second!.ReceiptHandle }],
      }),
    );

    expect(sent.Successful?.map((entry) => entry.Id)).toStrictEqual(["a", "b"]);
    expect(sent.Successful?.[1]?.MD5OfMessageAttributes).toEqual(expect.stringMatching(/^[0-9a-f]{32}$/));
    expect(sent.Failed).toStrictEqual([
      {
        Id: "too-long",
        SenderFault: true,
        Code: "InvalidParameterValue",
        Message: "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
      },
    ]);
    expect(changed.Successful).toStrictEqual([{ Id: "first" }]);
    expect(changed.Failed).toStrictEqual([
      { Id: "junk", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: expect.any(String) },
    ]);
    // An empty list is absent from the XML, so the client has no Failed at all.
    expect(deleted).toMatchObject({ Successful: [{ Id: "second" }] });
    expect(deleted.Failed).toBeUndefined();
    expect(await visibleCount(queueUrl)).toBe("1");
  });

  it("ChangeMessageVisibility, DeleteMessage, a long poll, PurgeQueue and DeleteQueue", async () => {
    const queueUrl = await createQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "once" }));
    const [message] = await receive(queueUrl, { VisibilityTimeout: 600 });

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message!.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = await receive(queueUrl, { AttributeNames: ["All"] });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again!.ReceiptHandle }));
    const poll = receive(queueUrl, { WaitTimeSeconds: 10 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "mid-wait" }));
    const polled = await poll;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "purged" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    const afterPurge = await visibleCount(queueUrl);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const gone = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })));

    expect(again?.Attributes?.ApproximateReceiveCount).toBe("2");
    expect(polled.map((m) => m.Body)).toStrictEqual(["mid-wait"]);
    expect(afterPurge).toBe("0");
    // ReceiveMessage's model in this client lists no QueueDoesNotExist: the error is named by its code.
    expect(gone.name).toBe("AWS.SimpleQueueService.NonExistentQueue");
    expect(gone.$metadata.httpStatusCode).toBe(400);
  });

  it("ListDeadLetterSourceQueues lists the queues that redrive to a dead-letter queue", async () => {
    const dlqUrl = await createQueue({}, "dlq");
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
    );
    const source = await createQueue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 2 }),
    });

    const { queueUrls } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));

    expect(queueUrls).toStrictEqual([source]);
  });

  it("errors arrive as the client's modelled exceptions, with AWS's codes and statuses", async () => {
    const queueUrl = await createQueue();

    const missing = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: "no-such-queue" })));
    const malformed = await errorOf(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "not-a-receipt-handle" })),
    );
    const empty = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] })));
    const fifo = await errorOf(
      sqs.send(new CreateQueueCommand({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true" } })),
    );
    const tooLong = await errorOf(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 21 })),
    );

    // This client keeps no message for modelled errors (see the XML test below for the message).
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect(malformed).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(malformed.$metadata.httpStatusCode).toBe(404);
    expect(empty).toBeInstanceOf(EmptyBatchRequest);
    // Codes an operation's model does not list reach the caller by name, as from AWS.
    expect(fifo.name).toBe("AWS.SimpleQueueService.UnsupportedOperation");
    expect(tooLong.name).toBe("InvalidParameterValue");
    expect(tooLong.message).toContain("WaitTimeSeconds");
  });
});

// --- Query requests by hand ------------------------------------------------------

describe("Query requests by hand", () => {
  it("answers with AWS's XML shapes: a result in <XResult> beside ResponseMetadata, in SQS's namespace", async () => {
    const queueUrl = await createQueue();

    const sent = await query({
      Action: "SendMessage",
      Version: "2012-11-05",
      QueueUrl: queueUrl,
      MessageBody: "This is a test message",
      "MessageAttribute.1.Name": "test_attribute_name_1",
      "MessageAttribute.1.Value.DataType": "String",
      "MessageAttribute.1.Value.StringValue": "test_attribute_value_1",
    });
    const deleted = await query({ Action: "DeleteQueue", QueueUrl: queueUrl });

    expect(sent.status).toBe(200);
    expect(sent.contentType).toBe("text/xml");
    expect(withFixedRequestId(sent.xml).replace(/<MessageId>[0-9a-f-]{36}</, "<MessageId>ID<")).toBe(
      `<?xml version="1.0"?><SendMessageResponse xmlns="${NAMESPACE}"><SendMessageResult>` +
        "<MD5OfMessageBody>fafb00f5732ab283681e124bf8747ed1</MD5OfMessageBody>" +
        `<MD5OfMessageAttributes>${md5OfOneStringAttribute("test_attribute_name_1", "test_attribute_value_1")}</MD5OfMessageAttributes>` +
        "<MessageId>ID</MessageId></SendMessageResult>" +
        "<ResponseMetadata><RequestId>REQUEST-ID</RequestId></ResponseMetadata></SendMessageResponse>",
    );
    // An action without output answers ResponseMetadata only.
    expect(withFixedRequestId(deleted.xml)).toBe(
      `<?xml version="1.0"?><DeleteQueueResponse xmlns="${NAMESPACE}">` +
        "<ResponseMetadata><RequestId>REQUEST-ID</RequestId></ResponseMetadata></DeleteQueueResponse>",
    );
  });

  it("answers errors as <ErrorResponse> with Type, Code, Message and the RequestId, and AWS's status", async () => {
    const missing = await query({ Action: "GetQueueUrl", QueueName: "no-such-queue" });
    const unknown = await query({ Action: "FlyToTheMoon" });
    const none = await query({ QueueName: "x" });

    expect(missing.status).toBe(400);
    expect(withFixedRequestId(missing.xml)).toBe(
      `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type>` +
        "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" +
        "<Message>The specified queue does not exist.</Message><Detail/></Error>" +
        "<RequestId>REQUEST-ID</RequestId></ErrorResponse>",
    );
    expect(unknown.status).toBe(400);
    expect(unknown.xml).toContain(
      "<Code>InvalidAction</Code><Message>The action FlyToTheMoon is not valid for this endpoint.</Message>",
    );
    expect(none.status).toBe(400);
    expect(none.xml).toContain("<Code>InvalidAction</Code>");
  });

  it("takes parameters from a GET query string, and the queue from the URL a request is sent to", async () => {
    const queueUrl = await createQueue();
    const path = new URL(queueUrl).pathname;

    const viaGet = await query(
      { Action: "SendMessage", QueueUrl: queueUrl, MessageBody: "by GET" },
      { method: "GET" },
    );
    const viaPath = await query({ Action: "SendMessage", MessageBody: "to the queue's URL" }, { path });
    const [first, second] = await receive(queueUrl, { MaxNumberOfMessages: 10 });

    expect([viaGet.status, viaPath.status]).toStrictEqual([200, 200]);
    expect([first?.Body, second?.Body]).toStrictEqual(["by GET", "to the queue's URL"]);
  });

  it("reads lists and batch entries by their 1-based indices, in index order", async () => {
    const queueUrl = await createQueue();

    const batch = await query({
      Action: "SendMessageBatch",
      QueueUrl: queueUrl,
      "SendMessageBatchRequestEntry.2.Id": "second",
      "SendMessageBatchRequestEntry.2.MessageBody": "two",
      "SendMessageBatchRequestEntry.10.Id": "tenth",
      "SendMessageBatchRequestEntry.10.MessageBody": "ten",
      "SendMessageBatchRequestEntry.1.Id": "first",
      "SendMessageBatchRequestEntry.1.MessageBody": "one",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "k",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "String",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "v",
    });
    const attributes = await query({
      Action: "GetQueueAttributes",
      QueueUrl: queueUrl,
      "AttributeName.1": "DelaySeconds",
      "AttributeName.2": "ApproximateNumberOfMessages",
    });

    expect(batch.status).toBe(200);
    expect(
      [...batch.xml.matchAll(/<SendMessageBatchResultEntry><Id>(\w+)<\/Id>/g)].map((m) => m[1]),
    ).toStrictEqual(["first", "second", "tenth"]);
    expect(batch.xml).toContain(
      `<MD5OfMessageAttributes>${md5OfOneStringAttribute("k", "v")}</MD5OfMessageAttributes>`,
    );
    expect(attributes.xml).toContain(
      "<GetQueueAttributesResult><Attribute><Name>ApproximateNumberOfMessages</Name><Value>3</Value></Attribute>" +
        "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute></GetQueueAttributesResult>",
    );
  });

  it("counts Query requests by action in the stats, as JSON ones", async () => {
    const own = await startSqsServer();
    try {
      const send = (params: Record<string, string>) =>
        fetch(own.url, { method: "POST", body: new URLSearchParams(params) }).then((response) =>
          response.text(),
        );
      await send({ Action: "CreateQueue", QueueName: "counted" });
      await send({ Action: "ListQueues" });
      await send({ Action: "Nonsense" });

      expect(own.stats()).toStrictEqual({
        requests: { CreateQueue: 1, ListQueues: 1, Nonsense: 1 },
        totalRequests: 3,
        billedRequests: 3,
      });
    } finally {
      await own.close();
    }
  });
});

/** MD5OfMessageAttributes of one String attribute, by AWS's encoding (see test/local/sqs.test.ts). */
function md5OfOneStringAttribute(name: string, value: string): string {
  const lengthPrefixed = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, bytes];
  };
  return createHash("md5")
    .update(
      Buffer.concat([
        ...lengthPrefixed(name),
        ...lengthPrefixed("String"),
        Buffer.of(1),
        ...lengthPrefixed(value),
      ]),
    )
    .digest("hex");
}
