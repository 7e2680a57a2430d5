/**
 * The Query protocol's names for each action's input and output members: what
 * AWS's SQS model (API version 2012-11-05, as botocore ships it for the AWS
 * CLI) says about serialisation. Lists, maps and lists of structures are all
 * "flattened" in SQS: a list `AttributeNames` travels as `AttributeName.1`,
 * `AttributeName.2`… in a request and as repeated `<AttributeName>` elements
 * in a reply; a map `Attributes` as `Attribute.N.Name` / `Attribute.N.Value`
 * and `<Attribute><Name/><Value/></Attribute>`. Members are listed in the
 * model's order, which is the order of the XML elements.
 */

/** How one member travels; a member not described is a scalar (a string on the wire). */
export type QueryMember =
  | { readonly kind: "scalar" }
  | { readonly kind: "list"; readonly name: string }
  | {
      readonly kind: "map";
      readonly name: string;
      readonly key: string;
      readonly value: string;
      /** Set when values are structures (message attributes); otherwise they are strings. */
      readonly valueShape?: QueryShape;
    }
  | { readonly kind: "structures"; readonly name: string; readonly shape: QueryShape };

/** A structure: its members by their JSON names. */
export type QueryShape = Readonly<Record<string, QueryMember>>;

export interface QueryAction {
  readonly input: QueryShape;
  /** Undefined when the action answers nothing but ResponseMetadata. */
  readonly output?: QueryShape;
}

const scalar: QueryMember = { kind: "scalar" };
const list = (name: string): QueryMember => ({ kind: "list", name });
const stringMap = (name: string, key = "Name", value = "Value"): QueryMember => ({
  kind: "map",
  name,
  key,
  value,
});
const structures = (name: string, shape: QueryShape): QueryMember => ({ kind: "structures", name, shape });

const MESSAGE_ATTRIBUTE_VALUE: QueryShape = {
  StringValue: scalar,
  BinaryValue: scalar,
  StringListValues: list("StringListValue"),
  BinaryListValues: list("BinaryListValue"),
  DataType: scalar,
};

const messageAttributes = (name: string): QueryMember => ({
  kind: "map",
  name,
  key: "Name",
  value: "Value",
  valueShape: MESSAGE_ATTRIBUTE_VALUE,
});

const NEW_MESSAGE: QueryShape = {
  MessageBody: scalar,
  DelaySeconds: scalar,
  MessageAttributes: messageAttributes("MessageAttribute"),
  MessageSystemAttributes: messageAttributes("MessageSystemAttribute"),
  MessageDeduplicationId: scalar,
  MessageGroupId: scalar,
};

const SENT_MESSAGE: QueryShape = {
  MD5OfMessageBody: scalar,
  MD5OfMessageAttributes: scalar,
  MD5OfMessageSystemAttributes: scalar,
  MessageId: scalar,
  SequenceNumber: scalar,
};

const BATCH_ERROR = structures("BatchResultErrorEntry", {
  Id: scalar,
  SenderFault: scalar,
  Code: scalar,
  Message: scalar,
});

const QUEUE_URL_ONLY: QueryAction = { input: { QueueUrl: scalar } };

export const QUERY_ACTIONS: Readonly<Record<string, QueryAction>> = {
  CreateQueue: {
    input: { QueueName: scalar, Attributes: stringMap("Attribute"), tags: stringMap("Tag", "Key") },
    output: { QueueUrl: scalar },
  },
  GetQueueUrl: {
    input: { QueueName: scalar, QueueOwnerAWSAccountId: scalar },
    output: { QueueUrl: scalar },
  },
  ListQueues: {
    input: { QueueNamePrefix: scalar, NextToken: scalar, MaxResults: scalar },
    output: { QueueUrls: list("QueueUrl"), NextToken: scalar },
  },
  DeleteQueue: QUEUE_URL_ONLY,
  PurgeQueue: QUEUE_URL_ONLY,
  GetQueueAttributes: {
    input: { QueueUrl: scalar, AttributeNames: list("AttributeName") },
    output: { Attributes: stringMap("Attribute") },
  },
  SetQueueAttributes: { input: { QueueUrl: scalar, Attributes: stringMap("Attribute") } },
  ListDeadLetterSourceQueues: {
    input: { QueueUrl: scalar, NextToken: scalar, MaxResults: scalar },
    output: { queueUrls: list("QueueUrl"), NextToken: scalar },
  },
  SendMessage: { input: { QueueUrl: scalar, ...NEW_MESSAGE }, output: SENT_MESSAGE },
  SendMessageBatch: {
    input: {
      QueueUrl: scalar,
      Entries: structures("SendMessageBatchRequestEntry", { Id: scalar, ...NEW_MESSAGE }),
    },
    output: {
      Successful: structures("SendMessageBatchResultEntry", { Id: scalar, ...SENT_MESSAGE }),
      Failed: BATCH_ERROR,
    },
  },
  ReceiveMessage: {
    input: {
      QueueUrl: scalar,
      AttributeNames: list("AttributeName"),
      MessageSystemAttributeNames: list("MessageSystemAttributeName"),
      MessageAttributeNames: list("MessageAttributeName"),
      MaxNumberOfMessages: scalar,
      VisibilityTimeout: scalar,
      WaitTimeSeconds: scalar,
      ReceiveRequestAttemptId: scalar,
    },
    output: {
      Messages: structures("Message", {
        MessageId: scalar,
        ReceiptHandle: scalar,
        MD5OfBody: scalar,
        Body: scalar,
        Attributes: stringMap("Attribute"),
        MD5OfMessageAttributes: scalar,
        MessageAttributes: messageAttributes("MessageAttribute"),
      }),
    },
  },
  DeleteMessage: { input: { QueueUrl: scalar, ReceiptHandle: scalar } },
  DeleteMessageBatch: {
    input: {
      QueueUrl: scalar,
      Entries: structures("DeleteMessageBatchRequestEntry", { Id: scalar, ReceiptHandle: scalar }),
    },
    output: {
      Successful: structures("DeleteMessageBatchResultEntry", { Id: scalar }),
      Failed: BATCH_ERROR,
    },
  },
  ChangeMessageVisibility: {
    input: { QueueUrl: scalar, ReceiptHandle: scalar, VisibilityTimeout: scalar },
  },
  ChangeMessageVisibilityBatch: {
    input: {
      QueueUrl: scalar,
      Entries: structures("ChangeMessageVisibilityBatchRequestEntry", {
        Id: scalar,
        ReceiptHandle: scalar,
        VisibilityTimeout: scalar,
      }),
    },
    output: {
      Successful: structures("ChangeMessageVisibilityBatchResultEntry", { Id: scalar }),
      Failed: BATCH_ERROR,
    },
  },
  // Not emulated (they answer UnsupportedOperation): their input is never read.
  TagQueue: QUEUE_URL_ONLY,
  UntagQueue: QUEUE_URL_ONLY,
  ListQueueTags: QUEUE_URL_ONLY,
  AddPermission: QUEUE_URL_ONLY,
  RemovePermission: QUEUE_URL_ONLY,
  StartMessageMoveTask: { input: {} },
  ListMessageMoveTasks: { input: {} },
  CancelMessageMoveTask: { input: {} },
};
