import { createHmac } from "node:crypto";
import type { AlertContent } from "./alert-content.ts";
import type { Channel } from "./channel.ts";

export const SIGNATURE_HEADER = "X-Tickerfleet-Signature";

/** `sha256=` and the hex HMAC-SHA256 of the raw body with the secret (as GitHub signs its webhooks). */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * A generic webhook: the alert's content as JSON (`scanId`, `universe`, `status`, `finishedAt`,
 * `changes`, `screens`, and `session`, `counts`, `market`, `reportUrl`), signed with the secret in
 * `X-Tickerfleet-Signature`. Any 2xx delivers it. The receiver verifies the signature over the
 * raw bytes it received, before parsing them.
 */
export function webhookChannel(input: { url: string; secret: string }): Channel {
  return {
    name: "webhook",
    request(content: AlertContent) {
      const body = JSON.stringify({
        scanId: content.scanId,
        universe: content.universe,
        status: content.status,
        finishedAt: content.finishedAt,
        changes: content.changes,
        screens: content.screens,
        session: content.session,
        counts: content.counts,
        market: content.market,
        reportUrl: content.reportUrl,
      });
      return {
        kind: "http",
        url: input.url,
        headers: {
          "content-type": "application/json",
          "user-agent": "tickerfleet-webhook",
          "x-tickerfleet-event": "scan.finished",
          "x-tickerfleet-delivery": content.scanId,
          [SIGNATURE_HEADER.toLowerCase()]: webhookSignature(body, input.secret),
        },
        body,
      };
    },
  };
}
