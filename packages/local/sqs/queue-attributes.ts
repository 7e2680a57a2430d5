import { SqsError } from "./errors.ts";

/**
 * A queue's settable attributes: parsing and range checks of what CreateQueue
 * and SetQueueAttributes send (strings, as on the wire), AWS's defaults, and
 * their string form for GetQueueAttributes.
 */

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueSettings {
  /** Seconds a received message stays hidden. */
  VisibilityTimeout: number;
  /** Seconds every new message is hidden before its first delivery. */
  DelaySeconds: number;
  /** Long-poll wait of a ReceiveMessage that does not say WaitTimeSeconds. */
  ReceiveMessageWaitTimeSeconds: number;
  /** Seconds a message lives, counted from when it was first sent. */
  MessageRetentionPeriod: number;
  /** Largest message (body + attributes) in bytes. */
  MaximumMessageSize: number;
  RedrivePolicy: RedrivePolicy | undefined;
  /** Stored and returned as given, not enforced (IAM, KMS are not emulated). */
  Policy: string | undefined;
  RedriveAllowPolicy: string | undefined;
  KmsMasterKeyId: string | undefined;
  KmsDataKeyReusePeriodSeconds: number | undefined;
  SqsManagedSseEnabled: boolean;
}

/** Largest message AWS accepts since August 2025 (it was 256 KiB before), and the new default. */
export const MAX_MESSAGE_SIZE = 1_048_576;
/** Longest visibility timeout, also the cap of a message's total time in flight for one receive. */
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_DELAY_SECONDS = 900;
export const MAX_WAIT_TIME_SECONDS = 20;

/** AWS's defaults for a new standard queue. */
export function defaultSettings(): QueueSettings {
  return {
    VisibilityTimeout: 30,
    DelaySeconds: 0,
    ReceiveMessageWaitTimeSeconds: 0,
    MessageRetentionPeriod: 345_600,
    MaximumMessageSize: MAX_MESSAGE_SIZE,
    RedrivePolicy: undefined,
    Policy: undefined,
    RedriveAllowPolicy: undefined,
    KmsMasterKeyId: undefined,
    KmsDataKeyReusePeriodSeconds: undefined,
    SqsManagedSseEnabled: true,
  };
}

const INTEGER_RANGES = {
  VisibilityTimeout: [0, MAX_VISIBILITY_TIMEOUT],
  DelaySeconds: [0, MAX_DELAY_SECONDS],
  ReceiveMessageWaitTimeSeconds: [0, MAX_WAIT_TIME_SECONDS],
  MessageRetentionPeriod: [60, 1_209_600],
  MaximumMessageSize: [1024, MAX_MESSAGE_SIZE],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
} as const;

/**
 * Attributes only FIFO queues have. The server keeps standard queues only
 * (tickerfleet's queues are standard): GetQueueAttributes accepts these names
 * and reports nothing for them, setting them is InvalidAttributeName, as on a
 * standard queue in AWS.
 */
export const FIFO_ATTRIBUTES = [
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
];

/** Attributes GetQueueAttributes reports but nobody sets. */
export const READ_ONLY_ATTRIBUTES = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
] as const;

export interface ParseContext {
  /** CreateQueue accepts FifoQueue; SetQueueAttributes does not. */
  operation: "CreateQueue" | "SetQueueAttributes";
  /** Whether a queue of this ARN exists (a RedrivePolicy's deadLetterTargetArn must name one). */
  queueExists(arn: string): boolean;
}

/**
 * Parses attribute strings into the settings they change. Throws
 * InvalidAttributeName for names SQS does not know here and
 * InvalidAttributeValue (naming the attribute) for values out of range.
 */
export function parseSettings(
  attributes: Record<string, string>,
  context: ParseContext,
): Partial<QueueSettings> {
  const changes: Partial<QueueSettings> = {};
  for (const [name, value] of Object.entries(attributes)) {
    switch (name) {
      case "VisibilityTimeout":
      case "DelaySeconds":
      case "ReceiveMessageWaitTimeSeconds":
      case "MessageRetentionPeriod":
      case "MaximumMessageSize":
      case "KmsDataKeyReusePeriodSeconds":
        changes[name] = parseInteger(name, value);
        break;
      case "RedrivePolicy":
        changes.RedrivePolicy = parseRedrivePolicy(value, context);
        break;
      case "Policy":
      case "RedriveAllowPolicy":
        changes[name] = parseJsonText(name, value);
        break;
      case "KmsMasterKeyId":
        changes.KmsMasterKeyId = value === "" ? undefined : value;
        break;
      case "SqsManagedSseEnabled":
        changes.SqsManagedSseEnabled = parseBoolean(name, value);
        break;
      case "FifoQueue":
        if (context.operation !== "CreateQueue") throw unknownAttribute(name);
        // "false" is a standard queue, as on AWS.
        if (parseBoolean(name, value)) throw fifoUnsupported();
        break;
      default:
        throw unknownAttribute(name);
    }
  }
  return changes;
}

export function unknownAttribute(name: string): SqsError {
  const hint = FIFO_ATTRIBUTES.includes(name) ? " (it applies only to FIFO queues)" : "";
  return new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.${hint}`);
}

export function fifoUnsupported(): SqsError {
  return new SqsError(
    "UnsupportedOperation",
    "FIFO queues are not emulated by the local SQS server: it keeps standard queues only, as tickerfleet uses.",
  );
}

function invalidValue(name: string, detail: string): SqsError {
  return new SqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}: ${detail}`);
}

function parseInteger(name: keyof typeof INTEGER_RANGES, value: string): number {
  const [min, max] = INTEGER_RANGES[name];
  const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw invalidValue(name, `${JSON.stringify(value)} is not an integer from ${min} to ${max}.`);
  }
  return number;
}

function parseBoolean(name: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalidValue(name, `${JSON.stringify(value)} is not "true" or "false".`);
}

function parseJsonText(name: string, value: string): string | undefined {
  if (value === "") return undefined;
  try {
    JSON.parse(value);
  } catch {
    throw invalidValue(name, "it is not valid JSON.");
  }
  return value;
}

function parseRedrivePolicy(value: string, context: ParseContext): RedrivePolicy | undefined {
  // An empty string removes the policy, as on AWS.
  if (value === "") return undefined;
  let policy: unknown;
  try {
    policy = JSON.parse(value);
  } catch {
    throw invalidValue("RedrivePolicy", "it is not valid JSON.");
  }
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    throw invalidValue(
      "RedrivePolicy",
      "it must be a JSON object with deadLetterTargetArn and maxReceiveCount.",
    );
  }
  const { deadLetterTargetArn, maxReceiveCount } = policy as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== "string" || deadLetterTargetArn === "") {
    throw invalidValue("RedrivePolicy", "deadLetterTargetArn is missing or not a string.");
  }
  const count = typeof maxReceiveCount === "string" ? Number(maxReceiveCount) : maxReceiveCount;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidValue(
      "RedrivePolicy",
      `maxReceiveCount ${JSON.stringify(maxReceiveCount)} is not an integer from 1 to 1000.`,
    );
  }
  if (!context.queueExists(deadLetterTargetArn)) {
    throw invalidValue("RedrivePolicy", `dead letter target ${deadLetterTargetArn} does not exist.`);
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/** The string form GetQueueAttributes returns for a setting, or undefined when unset. */
export function formatSetting(settings: QueueSettings, name: keyof QueueSettings): string | undefined {
  const value = settings[name];
  if (value === undefined) return undefined;
  if (name === "RedrivePolicy") return JSON.stringify(value);
  return String(value);
}

/** The first setting `changes` would alter, or undefined when none (CreateQueue's idempotency check). */
export function firstDifference(
  settings: QueueSettings,
  changes: Partial<QueueSettings>,
): string | undefined {
  for (const name of Object.keys(changes) as (keyof QueueSettings)[]) {
    if (JSON.stringify(changes[name]) !== JSON.stringify(settings[name])) return name;
  }
  return undefined;
}

export const SETTING_NAMES = Object.keys(defaultSettings()) as (keyof QueueSettings)[];
