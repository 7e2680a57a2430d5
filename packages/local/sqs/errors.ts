/**
 * SQS errors as the AWS JSON 1.0 protocol carries them: HTTP status, a body
 * `{"__type": "<shape id>", "message": "..."}`, and the header
 * `x-amzn-query-error: <query code>;Sender`. The current @aws-sdk/client-sqs is
 * "awsQueryCompatible": it reads the code from that header first and maps it to
 * its modelled exception classes (QueueDoesNotExist, ReceiptHandleIsInvalid...),
 * so the header must carry the code AWS's query protocol used. Codes the model
 * does not know (InvalidParameterValue, MissingParameter) reach the caller as
 * an SQSServiceException whose `name` is that code, exactly as from AWS.
 */

/** One kind of SQS error: the code callers see as `err.name`, and its wire form. */
interface ErrorKind {
  /** The SDK's exception name (`err.name`). */
  readonly name: string;
  /** The `__type` shape id in the body. */
  readonly type: string;
  /** The code in `x-amzn-query-error` (the SDK matches on it). */
  readonly queryCode: string;
  readonly status: number;
}

const SQS = "com.amazonaws.sqs#";
const CORAL = "com.amazon.coral.service#";

function modelled(name: string, queryCode: string = name, status = 400): ErrorKind {
  return { name, type: `${SQS}${name}`, queryCode, status };
}

/** Every error the server sends, keyed by the name the SDK gives it. */
export const ERRORS = {
  QueueDoesNotExist: modelled("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
  QueueNameExists: modelled("QueueNameExists", "QueueAlreadyExists"),
  InvalidAddress: modelled("InvalidAddress", "InvalidAddress", 404),
  InvalidAttributeName: modelled("InvalidAttributeName"),
  InvalidAttributeValue: modelled("InvalidAttributeValue"),
  InvalidMessageContents: modelled("InvalidMessageContents"),
  ReceiptHandleIsInvalid: modelled("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404),
  MessageNotInflight: modelled("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight"),
  EmptyBatchRequest: modelled("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"),
  TooManyEntriesInBatchRequest: modelled(
    "TooManyEntriesInBatchRequest",
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
  ),
  BatchEntryIdsNotDistinct: modelled(
    "BatchEntryIdsNotDistinct",
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
  ),
  InvalidBatchEntryId: modelled("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"),
  BatchRequestTooLong: modelled("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong"),
  UnsupportedOperation: modelled("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation"),
  OverLimit: modelled("OverLimit", "OverLimit", 403),
  // Not in the service model: AWS sends coral shape ids for these, and the SDK
  // names the error after the query code.
  InvalidParameterValue: {
    name: "InvalidParameterValue",
    type: `${CORAL}InvalidParameterValueException`,
    queryCode: "InvalidParameterValue",
    status: 400,
  },
  MissingParameter: {
    name: "MissingParameter",
    type: `${CORAL}MissingParameterException`,
    queryCode: "MissingParameter",
    status: 400,
  },
  InvalidAction: {
    name: "InvalidAction",
    type: `${CORAL}UnknownOperationException`,
    queryCode: "InvalidAction",
    status: 400,
  },
  SerializationException: {
    name: "SerializationException",
    type: `${CORAL}SerializationException`,
    queryCode: "SerializationException",
    status: 400,
  },
  RequestEntityTooLarge: {
    name: "RequestEntityTooLarge",
    type: `${CORAL}RequestEntityTooLargeException`,
    queryCode: "RequestEntityTooLarge",
    status: 413,
  },
  InternalFailure: {
    name: "InternalFailure",
    type: `${CORAL}InternalFailure`,
    queryCode: "InternalFailure",
    status: 500,
  },
} as const satisfies Record<string, ErrorKind>;

export type SqsErrorName = keyof typeof ERRORS;

/**
 * An error reply the server sends to the client. Thrown by request handlers,
 * turned into the wire form by the server; in batch operations its `name` and
 * message become one entry of `Failed`.
 */
export class SqsError extends Error {
  override readonly name: SqsErrorName;
  readonly kind: ErrorKind;
  constructor(name: SqsErrorName, message: string) {
    super(message);
    this.name = name;
    this.kind = ERRORS[name];
  }

  /** True for the client's mistakes ("Sender"), false for the server's ("Receiver"). */
  get senderFault(): boolean {
    return this.kind.status < 500;
  }

  /** The JSON body of the reply. */
  toBody(): { __type: string; message: string } {
    return { __type: this.kind.type, message: this.message };
  }

  /** The `x-amzn-query-error` header value. */
  queryErrorHeader(): string {
    return `${this.kind.queryCode};${this.senderFault ? "Sender" : "Receiver"}`;
  }
}

/** `Value X for parameter P is invalid. Reason: R` — AWS's wording for bad parameters. */
export function invalidParameter(parameter: string, value: unknown, reason: string): SqsError {
  return new SqsError(
    "InvalidParameterValue",
    `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  );
}

export function missingParameter(parameter: string): SqsError {
  return new SqsError("MissingParameter", `The request must contain the parameter ${parameter}.`);
}

export function queueDoesNotExist(): SqsError {
  return new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
}
