import { randomUUID } from "node:crypto";
import type { ActionHandler, MoveTaskRecord } from "./context.ts";
import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from "./errors.ts";
import {
  type JsonObject,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredString,
} from "./input.ts";
import type { Queue } from "./queue.ts";
import {
  defaultSettings,
  firstDifference,
  formatSetting,
  parseSettings,
  type QueueSettings,
  READ_ONLY_ATTRIBUTES,
  SETTING_NAMES,
  unknownAttribute,
} from "./queue-attributes.ts";
import { checkQueueName, type QueueRegistry } from "./registry.ts";

/**
 * Queue management: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
 * PurgeQueue, Get/SetQueueAttributes, tags, ListDeadLetterSourceQueues and
 * message move tasks (redrive from a dead-letter queue).
 */

const MAX_TAGS = 50;

function checkTags(tags: Record<string, string>): void {
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || value.length > 256) {
      throw invalidParameter("Tags", key, "Tag keys must be 1 to 128 characters and values at most 256.");
    }
  }
}

function addTags(queue: Queue, tags: Record<string, string>): void {
  checkTags(tags);
  const keys = new Set([...queue.tags.keys(), ...Object.keys(tags)]);
  if (keys.size > MAX_TAGS) {
    throw invalidParameter("Tags", keys.size, `A queue can have at most ${MAX_TAGS} tags.`);
  }
  for (const [key, value] of Object.entries(tags)) queue.tags.set(key, value);
}

/** One page of `items` after the NextToken position; the token names the last item returned. */
function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: JsonObject,
  maxAllowed: number,
): { page: T[]; nextToken: string | undefined } {
  const maxResults = optionalInteger(input, "MaxResults");
  if (maxResults !== undefined && (maxResults < 1 || maxResults > maxAllowed)) {
    throw invalidParameter(
      "MaxResults",
      maxResults,
      `MaxResults must be an integer between 1 and ${maxAllowed}.`,
    );
  }
  const token = optionalString(input, "NextToken");
  let start = 0;
  if (token !== undefined) {
    const after = Buffer.from(token, "base64url").toString("utf8");
    if (!after.startsWith("after:"))
      throw invalidParameter("NextToken", token, "Invalid or expired next token.");
    const last = after.slice("after:".length);
    start = items.findIndex((item) => keyOf(item) > last);
    if (start === -1) start = items.length;
  }
  const limit = maxResults ?? maxAllowed;
  const page = items.slice(start, start + limit);
  // AWS returns NextToken only when the caller paginates (passes MaxResults).
  const more = maxResults !== undefined && start + limit < items.length;
  const lastItem = page.at(-1);
  const nextToken =
    more && lastItem !== undefined
      ? Buffer.from(`after:${keyOf(lastItem)}`, "utf8").toString("base64url")
      : undefined;
  return { page, nextToken };
}

/**
 * Rejects a RedrivePolicy that would lead back to its own queue (directly or
 * through other dead-letter queues): a message would bounce between them.
 */
function checkNoRedriveCycle(queues: QueueRegistry, queueArn: string, changes: Partial<QueueSettings>): void {
  const seen = new Set<string>([queueArn]);
  for (let arn = changes.RedrivePolicy?.deadLetterTargetArn; arn !== undefined; ) {
    if (seen.has(arn)) {
      throw new SqsError(
        "InvalidAttributeValue",
        `Invalid value for the parameter RedrivePolicy: dead-letter target ${arn} leads back to the queue itself.`,
      );
    }
    seen.add(arn);
    arn = queues.byArn(arn)?.settings.RedrivePolicy?.deadLetterTargetArn;
  }
}

const createQueue: ActionHandler = async (state, input, context) => {
  const name = requiredString(input, "QueueName");
  const attributes = optionalStringMap(input, "Attributes") ?? {};
  const tags = optionalStringMap(input, "tags") ?? {};
  checkQueueName(name, attributes.FifoQueue);
  const fifo = attributes.FifoQueue === "true";
  const changes = parseSettings(attributes, {
    operation: "CreateQueue",
    fifo,
    queueByArn: (arn) => state.queues.byArn(arn),
  });
  checkNoRedriveCycle(state.queues, state.queues.arnFor(name), changes);
  const existing = state.queues.get(name);
  if (existing !== undefined) {
    const different = firstDifference(existing.settings, changes);
    if (different !== undefined) {
      throw new SqsError(
        "QueueNameExists",
        `A queue already exists with the same name and a different value for attribute ${different}`,
      );
    }
    return { QueueUrl: existing.url };
  }
  checkTags(tags);
  if (Object.keys(tags).length > MAX_TAGS) {
    throw invalidParameter("tags", Object.keys(tags).length, `A queue can have at most ${MAX_TAGS} tags.`);
  }
  const queue = state.queues.create(name, { ...defaultSettings(fifo), ...changes }, context.now);
  addTags(queue, tags);
  return { QueueUrl: queue.url };
};

const getQueueUrl: ActionHandler = async (state, input) => {
  const name = requiredString(input, "QueueName");
  const owner = optionalString(input, "QueueOwnerAWSAccountId");
  const queue = state.queues.get(name);
  if (queue === undefined || (owner !== undefined && owner !== state.queues.accountId))
    throw queueDoesNotExist();
  return { QueueUrl: queue.url };
};

const listQueues: ActionHandler = async (state, input) => {
  const prefix = optionalString(input, "QueueNamePrefix") ?? "";
  const matching = state.queues.list().filter((queue) => queue.name.startsWith(prefix));
  const { page, nextToken } = paginate(matching, (queue) => queue.name, input, 1000);
  const result: JsonObject = {};
  if (page.length > 0) result.QueueUrls = page.map((queue) => queue.url);
  if (nextToken !== undefined) result.NextToken = nextToken;
  return result;
};

const deleteQueue: ActionHandler = async (state, input) => {
  state.queues.delete(state.queues.byUrl(requiredString(input, "QueueUrl")));
  return {};
};

const purgeQueue: ActionHandler = async (state, input, context) => {
  state.queues.byUrl(requiredString(input, "QueueUrl")).purge(context.now);
  return {};
};

// The FIFO attributes are settings too: asked for on a standard queue, they are not reported.
const KNOWN_ATTRIBUTES = new Set<string>(["All", ...SETTING_NAMES, ...READ_ONLY_ATTRIBUTES]);

const getQueueAttributes: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const names = optionalStringList(input, "AttributeNames") ?? [];
  for (const name of names) if (!KNOWN_ATTRIBUTES.has(name)) throw unknownAttribute(name);
  if (names.length === 0) return {};
  const wanted = (name: string) => names.includes("All") || names.includes(name);
  const counts = queue.counts(context.now);
  const computed: Record<(typeof READ_ONLY_ATTRIBUTES)[number], string> = {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(queue.createdTimestamp),
    LastModifiedTimestamp: String(queue.lastModifiedTimestamp),
  };
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(computed)) if (wanted(name)) attributes[name] = value;
  for (const name of SETTING_NAMES) {
    const value = formatSetting(queue.settings, name);
    if (value !== undefined && wanted(name)) attributes[name] = value;
  }
  return { Attributes: attributes };
};

const setQueueAttributes: ActionHandler = async (state, input, context) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const attributes = optionalStringMap(input, "Attributes");
  if (attributes === undefined) throw missingParameter("Attributes");
  const changes = parseSettings(attributes, {
    operation: "SetQueueAttributes",
    fifo: queue.fifo,
    queueByArn: (arn) => state.queues.byArn(arn),
  });
  checkNoRedriveCycle(state.queues, queue.arn, changes);
  queue.updateSettings(changes, context.now);
  return {};
};

const tagQueue: ActionHandler = async (state, input) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const tags = optionalStringMap(input, "Tags");
  if (tags === undefined) throw missingParameter("Tags");
  addTags(queue, tags);
  return {};
};

const untagQueue: ActionHandler = async (state, input) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const keys = optionalStringList(input, "TagKeys");
  if (keys === undefined) throw missingParameter("TagKeys");
  for (const key of keys) queue.tags.delete(key);
  return {};
};

const listQueueTags: ActionHandler = async (state, input) => {
  const queue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  return queue.tags.size > 0 ? { Tags: Object.fromEntries(queue.tags) } : {};
};

function sourcesOf(queues: QueueRegistry, deadLetterQueue: Queue): Queue[] {
  return queues
    .list()
    .filter((queue) => queue.settings.RedrivePolicy?.deadLetterTargetArn === deadLetterQueue.arn);
}

const listDeadLetterSourceQueues: ActionHandler = async (state, input) => {
  const deadLetterQueue = state.queues.byUrl(requiredString(input, "QueueUrl"));
  const sources = sourcesOf(state.queues, deadLetterQueue);
  const { page, nextToken } = paginate(sources, (queue) => queue.name, input, 1000);
  const result: JsonObject = { queueUrls: page.map((queue) => queue.url) };
  if (nextToken !== undefined) result.NextToken = nextToken;
  return result;
};

function resourceNotFound(parameter: string, arn: string): SqsError {
  return new SqsError(
    "ResourceNotFoundException",
    `The resource that you specified for the ${parameter} parameter doesn't exist: ${arn}`,
  );
}

/**
 * Moves every visible message of a dead-letter queue back to the queue it
 * came from (or to DestinationArn) as a new message, in one step: the task is
 * complete when the call returns. MaxNumberOfMessagesPerSecond is accepted and
 * not applied.
 */
const startMessageMoveTask: ActionHandler = async (state, input, context) => {
  const sourceArn = requiredString(input, "SourceArn");
  const source = state.queues.byArn(sourceArn);
  if (source === undefined) throw resourceNotFound("SourceArn", sourceArn);
  if (sourcesOf(state.queues, source).length === 0) {
    throw invalidParameter("SourceArn", sourceArn, "Source queue must be configured as a Dead Letter Queue.");
  }
  const destinationArn = optionalString(input, "DestinationArn");
  const destination = destinationArn === undefined ? undefined : state.queues.byArn(destinationArn);
  if (destinationArn !== undefined && destination === undefined) {
    throw resourceNotFound("DestinationArn", destinationArn);
  }
  const rate = optionalInteger(input, "MaxNumberOfMessagesPerSecond");
  if (rate !== undefined && (rate < 1 || rate > 500)) {
    throw invalidParameter("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500.");
  }
  const targetOf = (arn: string | undefined) =>
    destination ?? (arn === undefined ? undefined : state.queues.byArn(arn));
  const moving = source.drainVisible(
    context.now,
    (message) => targetOf(message.deadLetterQueueSourceArn) !== undefined,
  );
  for (const message of moving) {
    targetOf(message.deadLetterQueueSourceArn)!.send(
      {
        body: message.body,
        attributes: message.attributes,
        systemAttributes: message.systemAttributes,
        md5OfBody: message.md5OfBody,
        md5OfSystemAttributes: message.md5OfSystemAttributes,
        senderId: message.senderId,
        messageGroupId: message.messageGroupId,
        // A fresh id: the original one may still be remembered as sent, and the move would be dropped.
        deduplicationId: message.deduplicationId === undefined ? undefined : randomUUID(),
        size: message.size,
        delaySeconds: 0,
      },
      context.now,
    );
  }
  const task: MoveTaskRecord = {
    TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn }), "utf8").toString("base64"),
    Status: "COMPLETED",
    SourceArn: sourceArn,
    ...(destinationArn === undefined ? {} : { DestinationArn: destinationArn }),
    ApproximateNumberOfMessagesMoved: moving.length,
    ApproximateNumberOfMessagesToMove: moving.length,
    StartedTimestamp: context.now,
  };
  const tasks = state.moveTasks.get(sourceArn) ?? [];
  tasks.push(task);
  state.moveTasks.set(sourceArn, tasks);
  return { TaskHandle: task.TaskHandle };
};

const listMessageMoveTasks: ActionHandler = async (state, input) => {
  const sourceArn = requiredString(input, "SourceArn");
  if (state.queues.byArn(sourceArn) === undefined) throw resourceNotFound("SourceArn", sourceArn);
  const maxResults = optionalInteger(input, "MaxResults") ?? 1;
  if (maxResults < 1 || maxResults > 10) {
    throw invalidParameter("MaxResults", maxResults, "MaxResults must be an integer between 1 and 10.");
  }
  const tasks = [...(state.moveTasks.get(sourceArn) ?? [])].reverse().slice(0, maxResults);
  return { Results: tasks };
};

const cancelMessageMoveTask: ActionHandler = async (_state, input) => {
  const handle = requiredString(input, "TaskHandle");
  // Tasks here complete inside StartMessageMoveTask, so none is ever running.
  throw new SqsError("ResourceNotFoundException", `No running message move task has the handle ${handle}.`);
};

function unsupported(action: string): ActionHandler {
  return async () => {
    throw new SqsError(
      "UnsupportedOperation",
      `${action} is not supported by the local SQS server (queue policies are not emulated).`,
    );
  };
}

export const QUEUE_ACTIONS: Record<string, ActionHandler> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  PurgeQueue: purgeQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
  CancelMessageMoveTask: cancelMessageMoveTask,
  AddPermission: unsupported("AddPermission"),
  RemovePermission: unsupported("RemovePermission"),
};
