import { randomBytes } from "node:crypto";

/**
 * Receipt handles: opaque to clients, but they name the queue and message they
 * were issued for, and a nonce makes each receive's handle unique, so a handle
 * from an earlier receive is recognised as well-formed but stale (AWS accepts a
 * stale handle in DeleteMessage without deleting; a malformed one is
 * ReceiptHandleIsInvalid).
 */
const PREFIX = "AQEB";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NONCE = /^[0-9a-f]{32}$/;

export interface ReceiptHandleParts {
  queueName: string;
  messageId: string;
}

export function newReceiptHandle(queueName: string, messageId: string): string {
  const nonce = randomBytes(16).toString("hex");
  return PREFIX + Buffer.from(`${queueName}/${messageId}/${nonce}`, "utf8").toString("base64url");
}

/** The parts of a handle this server issued, or undefined when it is not one. */
export function parseReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  if (!handle.startsWith(PREFIX) || handle.length > 1024) return undefined;
  const payload = Buffer.from(handle.slice(PREFIX.length), "base64url").toString("utf8");
  const [queueName, messageId, nonce, ...rest] = payload.split("/");
  if (rest.length > 0 || queueName === undefined || queueName === "") return undefined;
  if (messageId === undefined || !UUID.test(messageId)) return undefined;
  if (nonce === undefined || !NONCE.test(nonce)) return undefined;
  return { queueName, messageId };
}
