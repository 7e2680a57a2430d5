import type { JsonObject } from "./input.ts";
import type { QueueRegistry } from "./registry.ts";

/** What a request handler gets besides its input. */
export interface RequestContext {
  /** The request's time (ms epoch); one value for the whole request. */
  readonly now: number;
  /** Reported as the SenderId of messages this request sends. */
  readonly senderId: string;
  /** Aborted when the client disconnects, which ends a pending long poll. */
  readonly signal: AbortSignal;
  /** Message payload bytes the request sent or received, for the billing count. */
  payloadBytes: number;
}

/** Everything the server holds: the queues. */
export interface SqsState {
  readonly queues: QueueRegistry;
}

export type ActionHandler = (
  state: SqsState,
  input: JsonObject,
  context: RequestContext,
) => Promise<JsonObject>;
