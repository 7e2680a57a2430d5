import type { IncomingMessage } from "node:http";
import type { SqsError } from "./errors.ts";
import type { JsonObject } from "./input.ts";

/**
 * How a request names its action and carries its input, and how the answer
 * goes back. SQS speaks two protocols over the same actions: AWS JSON 1.0
 * (the SDKs since late 2023) and the older Query protocol (form parameters in,
 * XML out: Debian's AWS CLI, older SDKs). Handlers see the JSON shape of an
 * input and return the JSON shape of an output; a protocol translates.
 */

export interface WireCall {
  /** The action as the request names it; undefined when it names none. */
  action: string | undefined;
  /** The input in the JSON protocol's shape. */
  input: JsonObject;
}

export interface WireReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireProtocol {
  /**
   * The action and input of a request whose body has been read; throws an
   * SqsError for a request this protocol cannot read. `serverUrl` is the
   * server's origin (a Query request sent to a queue's URL names its queue by
   * the path).
   */
  readCall(request: IncomingMessage, body: Buffer, serverUrl: string): WireCall;
  /** A successful answer to `action`. */
  reply(action: string, output: JsonObject, requestId: string): WireReply;
  /** An error answer. */
  replyError(error: SqsError, requestId: string): WireReply;
}
