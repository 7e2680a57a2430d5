import type { MessageAttributes } from "./message-attributes.ts";

/**
 * A message as a queue holds it: what the send stored, and where it is in its
 * life (see Queue for the moves between states).
 */

export type MessageState = "delayed" | "visible" | "inflight" | "gone";

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: MessageAttributes | undefined;
  readonly systemAttributes: MessageAttributes | undefined;
  readonly md5OfBody: string;
  readonly md5OfSystemAttributes: string | undefined;
  /** ms epoch of the original send; retention counts from it, also in a dead-letter queue. */
  readonly sentTimestamp: number;
  readonly senderId: string;
  /** Standard queues take a MessageGroupId (fair queues) and return it on receive; it orders nothing. */
  readonly messageGroupId: string | undefined;
  /** Body + attribute bytes, what the message counts towards payload limits and billing. */
  readonly size: number;
  /** Set when the message was moved here by a redrive policy. */
  readonly deadLetterQueueSourceArn: string | undefined;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  state: MessageState;
  /** While delayed or in flight: when it becomes visible (ms epoch). */
  visibleAt: number;
  /** When the current receive happened: visibility can be extended to 12 h past it. */
  receivedAt: number;
  /** The handle of the latest receive; only it deletes the message. */
  receiptHandle: string | undefined;
  wakeToken: number;
  expireToken: number;
}

/** What a send stores; the queue adds identity, timing and state. */
export interface NewMessage {
  body: string;
  attributes: MessageAttributes | undefined;
  systemAttributes: MessageAttributes | undefined;
  md5OfBody: string;
  md5OfSystemAttributes: string | undefined;
  senderId: string;
  messageGroupId: string | undefined;
  size: number;
  /** Overrides the queue's DelaySeconds. */
  delaySeconds: number | undefined;
}

/** One message handed to a receiver, as it was at that receive. */
export interface Delivery {
  message: StoredMessage;
  receiptHandle: string;
  receiveCount: number;
  firstReceiveTimestamp: number;
}
