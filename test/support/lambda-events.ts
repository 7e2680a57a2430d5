import type { Context, SQSEvent, SQSRecord } from "aws-lambda";

/**
 * Lambda's inputs as the runtime hands them to a handler, for testing the
 * compositions without the local runtime: an SQS event of bodies, and a context.
 */

/** One SQS record with the given id and body, as the event-source mapping delivers it. */
export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "local",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:queue",
    awsRegion: "us-east-1",
  };
}

/** An SQS event of bodies keyed by message id (objects are sent as JSON, strings as they are). */
export function sqsEvent(bodies: Record<string, unknown>): SQSEvent {
  return {
    Records: Object.entries(bodies).map(([id, body]) =>
      sqsRecord(id, typeof body === "string" ? body : JSON.stringify(body)),
    ),
  };
}

/** A context with `remainingMs` left of the invocation. */
export function lambdaContext(functionName: string, remainingMs = 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: `request-${functionName}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "test",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
