import type { ActionHandler } from "./context.ts";
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
  FIFO_ATTRIBUTES,
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
 * PurgeQueue, Get/SetQueueAttributes and ListDeadLetterSourceQueues. Tags,
 * permissions and message move tasks are not emulated: nothing in tickerfleet
 * uses them, and they answer UnsupportedOperation saying so.
 */

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
  if (Object.keys(optionalStringMap(input, "tags") ?? {}).length > 0) throw notEmulated("Queue tags");
  checkQueueName(name, attributes.FifoQueue);
  const changes = parseSettings(attributes, {
    operation: "CreateQueue",
    queueExists: (arn) => state.queues.byArn(arn) !== undefined,
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
  const queue = state.queues.create(name, { ...defaultSettings(), ...changes }, context.now);
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

// FIFO attributes asked for on a standard queue are not reported, as on AWS.
const KNOWN_ATTRIBUTES = new Set<string>([
  "All",
  ...SETTING_NAMES,
  ...READ_ONLY_ATTRIBUTES,
  ...FIFO_ATTRIBUTES,
]);

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
    queueExists: (arn) => state.queues.byArn(arn) !== undefined,
  });
  checkNoRedriveCycle(state.queues, queue.arn, changes);
  queue.updateSettings(changes, context.now);
  return {};
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

function notEmulated(what: string): SqsError {
  return new SqsError("UnsupportedOperation", `${what} are not emulated by the local SQS server.`);
}

function unsupported(what: string): ActionHandler {
  return async () => {
    throw notEmulated(what);
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
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  TagQueue: unsupported("Queue tags"),
  UntagQueue: unsupported("Queue tags"),
  ListQueueTags: unsupported("Queue tags"),
  AddPermission: unsupported("Queue policies"),
  RemovePermission: unsupported("Queue policies"),
  StartMessageMoveTask: unsupported("Message move tasks"),
  ListMessageMoveTasks: unsupported("Message move tasks"),
  CancelMessageMoveTask: unsupported("Message move tasks"),
};
