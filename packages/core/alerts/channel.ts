import type { AlertContent } from "./alert-content.ts";
import type { AlertText } from "./alert-text.ts";

/**
 * One contract for every alert channel (as Apprise's plugins have): a channel turns an alert
 * into the one request that delivers it and judges the answer. Adding a channel adds a file.
 */

export const CHANNEL_NAMES = ["slack", "discord", "telegram", "email", "webhook"] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export type ChannelRequest =
  | { kind: "http"; url: string; headers: Record<string, string>; body: string }
  | { kind: "email"; subject: string; message: string };

/** An HTTP channel's answer. */
export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
}

/** What an answer means: delivered, or not with a reason, and whether trying again may help. */
export type Judgement = { ok: true } | { ok: false; reason: string; retry: boolean; retryAfterMs?: number };

export interface Channel {
  name: ChannelName;
  request(content: AlertContent, text: AlertText): ChannelRequest;
  /** Judges an HTTP answer. @default 2xx delivers; any other status is tried again */
  judge?(answer: HttpAnswer): Judgement;
}

const snippet = (body: string) => body.replace(/\s+/g, " ").trim().slice(0, 200);

/** Seconds of a Retry-After header (the HTTP-date form is ignored), as ms. */
export function retryAfterMs(answer: HttpAnswer): number | undefined {
  const value = answer.headers["retry-after"];
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * The judgement most webhooks need: 2xx delivers; anything else may pass on a later try, a 4xx
 * too (a receiver mid-deploy, a proxy, a rate limit), so every failure is tried again a few times
 * with backoff before it is recorded. The tries are bounded (deliver.ts), so a 404 for good costs
 * seconds, not a scan.
 */
export function judgeHttp(answer: HttpAnswer): Judgement {
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const reason = `HTTP ${answer.status}${answer.body ? `: ${snippet(answer.body)}` : ""}`;
  const retry = true;
  const after = retryAfterMs(answer);
  return after === undefined
    ? { ok: false, reason, retry }
    : { ok: false, reason, retry, retryAfterMs: after };
}

/** A JSON POST. */
export function jsonPost(url: string, body: unknown, headers: Record<string, string> = {}): ChannelRequest {
  return {
    kind: "http",
    url,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** Cuts text to `max` characters, ending with an ellipsis when it had to. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
