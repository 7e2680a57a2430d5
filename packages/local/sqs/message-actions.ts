import { eachEntry, readBatchEntries } from "./batch.ts";
import type { ActionHandler, RequestContext } from "./context.ts";
import { invalidParameter, SqsError } from "./errors.ts";
import {
  type JsonObject,
  optionalInteger,
  optionalString,
  optionalStringList,
  requiredString,
} from "./input.ts";
import { md5OfAttributes, md5OfBody } from "./md5.ts";
import {
  attributesSize,
  attributesToWire,
  firstInvalidCharacter,
  type MessageAttributes,
  parseMessageAttributes,
  parseMessageSystemAttributes,
} from "./message-attributes.ts";
import type { Queue } from "./queue.ts";
import {
  MAX_DELAY_SECONDS,
  MAX_MESSAGE_SIZE,
  MAX_VISIBILITY_TIMEOUT,
  MAX_WAIT_TIME_SECONDS,
} from "./queue-attributes.ts";
import { parseReceiptHandle } from "./receipt-handle.ts";
import type { Delivery, NewMessage } from "./stored-message.ts";

/** SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch). */

const MESSAGE_ID = /^[\x21-\x7E]{1,128}$/;

/** Validates one message of a send (body, delay, attributes) against the queue's limits. */
function readNewMessage(queue: Queue, input: JsonObject, senderId: string): NewMessage {
  const body = optionalString(input, "MessageBody");
  if (body === undefined || body === "") {
    throw new SqsError("MissingParameter", "The request must contain the parameter MessageBody.");
  }
  const invalid = firstInvalidCharacter(body);
  if (invalid !== undefined) {
    throw new SqsError(
      "InvalidMessageContents",
      `Invalid binary character '${invalid}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  const delaySeconds = optionalInteger(input, "DelaySeconds");
  if (delaySeconds !== undefined && (delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)) {
    throw invalidParameter(
      "DelaySeconds",
      delaySeconds,
      `DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
    );
  }
  const messageGroupId = readMessageGroupId(input);
  const attributes = parseMessageAttributes(input.MessageAttributes);
  const systemAttributes = parseMessageSystemAttributes(input.MessageSystemAttributes);
  // System attributes do not count towards the message size, as on AWS.
  const size = Buffer.byteLength(body, "utf8") + attributesSize(attributes);
  if (size > queue.settings.MaximumMessageSize) {
    throw new SqsError(
      "InvalidParameterValue",
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.MaximumMessageSize} bytes.`,
    );
  }
  return {
    body,
    attributes,
    systemAttributes,
    md5OfBody: md5OfBody(body),
    md5OfSystemAttributes: md5OfAttributes(systemAttributes),
    senderId,
    messageGroupId,
    size,
    delaySeconds,
  };
}

/** A message id of SQS's alphabet: 1 to 128 printable ASCII characters. */
function checkMessageId(name: string, value: string): void {
  if (!MESSAGE_ID.test(value)) {
    throw invalidParameter(
      name,
      value,
      `${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}

/**
 * A standard queue's MessageGroupId (fair queues), returned on receive; a
 * MessageDeduplicationId belongs to FIFO queues and is refused, as on AWS.
 */
function readMessageGroupId(input: JsonObject): string | undefined {
  if (optionalString(input, "MessageDeduplicationId") !== undefined) {
    throw invalidParameter(
      "MessageDeduplicationId",
      input.MessageDeduplicationId,
      "The request includes a parameter that is not valid for this queue type.",
    );
  }
  const messageGroupId = optionalString(input, "MessageGroupId");
  if (messageGroupId !== undefined) checkMessageId("MessageGroupId", messageGroupId);
  return messageGroupId;
}

function sendResult(message: NewMessage, messageId: string): JsonObject {
  const result: JsonObject = { MessageId: messageId, MD5OfMessageBody: message.md5OfBody };
  const md5OfMessageAttributes = md5OfAttributes(message.attributes);
  if (md5OfMessageAttributes !== undefined) result.MD5OfMessageAttributes = md5OfMessageAttributes;
  if (message.md5OfSystemAttributes !== undefined) {
    result.MD5OfMessageSystemAttributes = message.md5OfSystemAttributes;
  }
  return result;
}

const sendMessage: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const message = readNewMessage(queue, input, context.senderId);
  const messageId = queue.send(message, context.now);
  context.payloadBytes += message.size;
  return sendResult(message, messageId);
};

const sendMessageBatch: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const entries = readBatchEntries(input);
  // The batch's total payload limit holds whatever the entries' own problems.
  let total = 0;
  for (const entry of entries) {
    const body = typeof entry.MessageBody === "string" ? Buffer.byteLength(entry.MessageBody, "utf8") : 0;
    let attributes = 0;
    try {
      attributes = attributesSize(parseMessageAttributes(entry.MessageAttributes));
    } catch {
      // Invalid attributes fail their entry below; they add nothing here.
    }
    total += body + attributes;
  }
  if (total > MAX_MESSAGE_SIZE) {
    throw new SqsError(
      "BatchRequestTooLong",
      `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`,
    );
  }
  return eachEntry(entries, (entry) => {
    const message = readNewMessage(queue, entry, context.senderId);
    const messageId = queue.send(message, context.now);
    context.payloadBytes += message.size;
    return { Id: entry.Id, ...sendResult(message, messageId) };
  });
};

/** Names of the system attributes a message can carry, for `All`. */
const SYSTEM_ATTRIBUTE_NAMES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "AWSTraceHeader",
  "MessageGroupId",
  "DeadLetterQueueSourceArn",
] as const;
type SystemAttributeName = (typeof SYSTEM_ATTRIBUTE_NAMES)[number];

function systemAttribute(delivery: Delivery, name: SystemAttributeName): string | undefined {
  const { message } = delivery;
  switch (name) {
    case "SenderId":
      return message.senderId;
    case "SentTimestamp":
      return String(message.sentTimestamp);
    case "ApproximateReceiveCount":
      return String(delivery.receiveCount);
    case "ApproximateFirstReceiveTimestamp":
      return String(delivery.firstReceiveTimestamp);
    case "AWSTraceHeader":
      return message.systemAttributes?.AWSTraceHeader?.StringValue;
    case "MessageGroupId":
      return message.messageGroupId;
    case "DeadLetterQueueSourceArn":
      return message.deadLetterQueueSourceArn;
  }
}

/**
 * The message attributes a receive asked for: `All` or `.*` for all, `prefix.*`
 * for those whose name starts with `prefix.`, or exact names.
 */
function selectAttributes(
  attributes: MessageAttributes | undefined,
  requested: readonly string[],
): MessageAttributes | undefined {
  if (attributes === undefined || requested.length === 0) return undefined;
  const everything = requested.includes("All") || requested.includes(".*");
  const prefixes = requested.filter((name) => name.endsWith(".*")).map((name) => name.slice(0, -1));
  const selected: MessageAttributes = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (everything || requested.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      selected[name] = attribute;
    }
  }
  return Object.keys(selected).length > 0 ? selected : undefined;
}

function formatDelivery(
  delivery: Delivery,
  systemNames: ReadonlySet<string>,
  attributeNames: readonly string[],
): JsonObject {
  const { message } = delivery;
  const wire: JsonObject = {
    MessageId: message.id,
    ReceiptHandle: delivery.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  const all = systemNames.has("All");
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTE_NAMES) {
    if (!all && !systemNames.has(name)) continue;
    const value = systemAttribute(delivery, name);
    if (value !== undefined) attributes[name] = value;
  }
  if (Object.keys(attributes).length > 0) wire.Attributes = attributes;
  // The digest covers the attributes returned, so clients can verify what they got.
  const selected = selectAttributes(message.attributes, attributeNames);
  if (selected !== undefined) {
    wire.MD5OfMessageAttributes = md5OfAttributes(selected);
    wire.MessageAttributes = attributesToWire(selected);
  }
  return wire;
}

const receiveMessage: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const maxNumberOfMessages = optionalInteger(input, "MaxNumberOfMessages") ?? 1;
  if (maxNumberOfMessages < 1 || maxNumberOfMessages > 10) {
    throw invalidParameter(
      "MaxNumberOfMessages",
      maxNumberOfMessages,
      "Must be between 1 and 10, if provided.",
    );
  }
  const waitTimeSeconds =
    optionalInteger(input, "WaitTimeSeconds") ?? queue.settings.ReceiveMessageWaitTimeSeconds;
  if (waitTimeSeconds < 0 || waitTimeSeconds > MAX_WAIT_TIME_SECONDS) {
    throw invalidParameter(
      "WaitTimeSeconds",
      waitTimeSeconds,
      `Must be >= 0 and <= ${MAX_WAIT_TIME_SECONDS}, if provided.`,
    );
  }
  const visibilityTimeout = optionalInteger(input, "VisibilityTimeout");
  if (
    visibilityTimeout !== undefined &&
    (visibilityTimeout < 0 || visibilityTimeout > MAX_VISIBILITY_TIMEOUT)
  ) {
    throw invalidParameter(
      "VisibilityTimeout",
      visibilityTimeout,
      `Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT}, if provided.`,
    );
  }
  // The legacy AttributeNames and the current MessageSystemAttributeNames both count.
  const systemNames = new Set([
    ...(optionalStringList(input, "AttributeNames") ?? []),
    ...(optionalStringList(input, "MessageSystemAttributeNames") ?? []),
  ]);
  const attributeNames = optionalStringList(input, "MessageAttributeNames") ?? [];
  // ReceiveRequestAttemptId applies to FIFO queues only; standard queues ignore it, as on AWS.
  const deliveries = await queue.receive(
    { maxNumberOfMessages, visibilityTimeout, waitTimeSeconds, signal: context.signal },
    context.now,
  );
  for (const delivery of deliveries) context.payloadBytes += delivery.message.size;
  if (deliveries.length === 0) return {};
  return { Messages: deliveries.map((delivery) => formatDelivery(delivery, systemNames, attributeNames)) };
};

/** The message id a receipt handle names; ReceiptHandleIsInvalid when it is not one of this queue's. */
function messageIdOf(queue: Queue, receiptHandle: string): string {
  const parts = parseReceiptHandle(receiptHandle);
  if (parts === undefined || parts.queueName !== queue.name) {
    throw new SqsError(
      "ReceiptHandleIsInvalid",
      `The input receipt handle "${receiptHandle.slice(0, 100)}" is not a valid receipt handle.`,
    );
  }
  return parts.messageId;
}

function deleteOne(queue: Queue, input: JsonObject, context: RequestContext): void {
  const receiptHandle = requiredString(input, "ReceiptHandle");
  queue.delete(messageIdOf(queue, receiptHandle), receiptHandle, context.now);
}

const deleteMessage: ActionHandler = async (state, input, context) => {
  deleteOne(state.queues.byUrl(requiredString(input, "QueueUrl")), input, context);
  return {};
};

const deleteMessageBatch: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  return eachEntry(readBatchEntries(input), (entry) => {
    deleteOne(queue, entry, context);
    return { Id: entry.Id };
  });
};

function changeOne(queue: Queue, input: JsonObject, context: RequestContext): void {
  const receiptHandle = requiredString(input, "ReceiptHandle");
  const seconds = optionalInteger(input, "VisibilityTimeout");
  if (seconds === undefined) {
    throw new SqsError("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
  }
  if (seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT) {
    throw invalidParameter("VisibilityTimeout", seconds, `Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT}.`);
  }
  queue.changeVisibility(messageIdOf(queue, receiptHandle), receiptHandle, seconds, context.now);
}

const changeMessageVisibility: ActionHandler = async (state, input, context) => {
  changeOne(state.queues.byUrl(requiredString(input, "QueueUrl")), input, context);
  return {};
};

const changeMessageVisibilityBatch: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  return eachEntry(readBatchEntries(input), (entry) => {
    changeOne(queue, entry, context);
    return { Id: entry.Id };
  });
};

export const MESSAGE_ACTIONS: Record<string, ActionHandler> = {
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
};
