import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { Agent, request } from "undici";
import type { AlertTransport } from "../../core/alerts/deliver.ts";

/** Errors of SNS's that trying again cannot mend. */
const SNS_FINAL = new Set([
  "NotFoundException",
  "NotFound",
  "InvalidParameterException",
  "InvalidParameter",
  "AuthorizationErrorException",
  "AuthorizationError",
]);

/** One connection pool for every channel's origin, per container. */
let agent: Agent | undefined;

/**
 * Alerts over the wire: HTTP through undici (each answer's status, body and headers, whatever
 * the status; a request that gets no answer in time rejects), email as a Publish to the scan
 * alerts topic through the official SNS client.
 */
export function alertTransport(sns: { client: SNSClient; topicArn: string } | undefined): AlertTransport {
  agent ??= new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  return {
    async http(req, timeoutMs) {
      const res = await request(req.url, {
        method: "POST",
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await res.body.text();
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      return { status: res.statusCode, body, headers };
    },
    async email(subject, message) {
      if (!sns) throw Object.assign(new Error("no scan alerts topic is linked"), { retryable: false });
      try {
        await sns.client.send(
          new PublishCommand({ TopicArn: sns.topicArn, Subject: subject, Message: message }),
        );
      } catch (error) {
        if (error instanceof Error && SNS_FINAL.has(error.name)) Object.assign(error, { retryable: false });
        throw error;
      }
    },
  };
}
