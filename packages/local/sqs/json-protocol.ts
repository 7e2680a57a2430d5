import { SqsError } from "./errors.ts";
import { asObject, type JsonObject } from "./input.ts";
import type { WireProtocol, WireReply } from "./protocol.ts";

/**
 * The AWS JSON 1.0 protocol: `POST /`, `x-amz-target: AmazonSQS.<Action>`, a
 * JSON body in and out. Errors carry `x-amzn-query-error` (see errors.ts).
 */

const TARGET_PREFIX = "AmazonSQS.";
const CONTENT_TYPE = "application/x-amz-json-1.0";

export const jsonProtocol: WireProtocol = {
  readCall(request, body) {
    if (request.method !== "POST") {
      throw new SqsError("InvalidAction", `Only POST is supported; got ${request.method}.`);
    }
    const target = request.headers["x-amz-target"];
    if (typeof target !== "string" || !target.startsWith(TARGET_PREFIX)) {
      throw new SqsError(
        "InvalidAction",
        "Missing or unknown x-amz-target header: the AWS JSON 1.0 protocol names the action as x-amz-target: AmazonSQS.<Action>.",
      );
    }
    return { action: target.slice(TARGET_PREFIX.length), input: parseBody(body) };
  },

  reply(_action, output, requestId) {
    return jsonReply(200, output, requestId);
  },

  replyError(error, requestId) {
    return jsonReply(error.kind.status, error.toBody(), requestId, {
      "x-amzn-query-error": error.queryErrorHeader(),
    });
  },
};

/** True when a request is meant for this protocol: it names a target or sends JSON 1.0. */
export function speaksJson(headers: Record<string, string | string[] | undefined>): boolean {
  const contentType = headers["content-type"];
  return (
    headers["x-amz-target"] !== undefined ||
    (typeof contentType === "string" && contentType.startsWith("application/x-amz-json"))
  );
}

function parseBody(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new SqsError("SerializationException", "The request body is not valid JSON.");
  }
  return asObject(parsed, "The request body");
}

function jsonReply(
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): WireReply {
  return {
    status,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId, ...headers },
    body: Buffer.from(JSON.stringify(body), "utf8"),
  };
}
