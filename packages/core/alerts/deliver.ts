import type { AlertContent } from "./alert-content.ts";
import { alertText } from "./alert-text.ts";
import { type ChannelName, type HttpAnswer, type Judgement, judgeHttp } from "./channel.ts";
import { type ChannelProblem, type ConfiguredChannel, redact } from "./channels.ts";

/** A channel's alert for one scan, as recorded on the scan. */
export interface AlertRecord {
  channel: ChannelName;
  /** `sending` while an invocation holds it; `sent` or `failed` for good. */
  status: "sending" | "sent" | "failed";
  attempts: number;
  claimedAt: string;
  finishedAt?: string;
  reason?: string;
}

/** Records each channel's alert on its scan: the claim makes a send happen at most once. */
export interface AlertLedger {
  /** Records `sending` unless the channel has a record for the scan; returns that record if so. */
  claim(
    scanId: string,
    record: AlertRecord,
  ): Promise<{ claimed: true } | { claimed: false; record: AlertRecord }>;
  /** Writes the channel's final record. */
  finish(scanId: string, record: AlertRecord): Promise<void>;
}

/** How alerts leave: HTTP for webhooks and bots, the scan alerts topic for email. */
export interface AlertTransport {
  /** Resolves with any answer; rejects when no answer came (refused, reset, timed out). */
  http(
    request: { url: string; headers: Record<string, string>; body: string },
    timeoutMs: number,
  ): Promise<HttpAnswer>;
  /** Rejects with an error whose `retryable` is false when trying again cannot help. */
  email(subject: string, message: string): Promise<void>;
}

export interface DeliverDeps {
  ledger: AlertLedger;
  transport: AlertTransport;
  /** Milliseconds the invocation has left. */
  remainingMs: () => number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Tries per channel. @default 4 */
  maxAttempts?: number;
  /** First backoff; doubled each try, with full jitter. @default 1000 */
  baseDelayMs?: number;
  /** One request's time limit. @default 10000 */
  requestTimeoutMs?: number;
  /** A `sending` record older than this was left by an invocation that died mid-send. @default 15 minutes */
  staleMs?: number;
  /** Time kept back for recording the outcome. @default 3000 */
  reserveMs?: number;
}

const errorText = (error: unknown) =>
  error instanceof Error
    ? `${error.name}: ${error.message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ""}`
    : String(error);

/**
 * Sends a finished scan's alert to every channel, in parallel, each at most once per scan: a
 * channel is claimed on the scan before its first request, and a channel already claimed (a
 * redelivered message, a second notify) is left as it is. A failed send (a timeout, a refused
 * connection, any status but 2xx) is tried again with exponential backoff and full jitter (or the
 * channel's Retry-After) while the invocation has time; then the channel is recorded failed with
 * its reason. One channel's failure never stops another's; nothing here throws for a channel.
 * A `sending` record left by an invocation that died mid-send is recorded failed, not sent
 * again: it may have been delivered.
 */
export async function deliverAlerts(
  content: AlertContent,
  channels: readonly ConfiguredChannel[],
  problems: readonly ChannelProblem[],
  deps: DeliverDeps,
): Promise<AlertRecord[]> {
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = deps.maxAttempts ?? 4;
  const base = deps.baseDelayMs ?? 1000;
  const timeoutMs = deps.requestTimeoutMs ?? 10_000;
  const reserve = deps.reserveMs ?? 3000;
  const staleMs = deps.staleMs ?? 15 * 60_000;
  const text = alertText(content);

  /** The channel's claim for this delivery, or the record another delivery left (to keep as it is). */
  const claim = async (channel: ChannelName): Promise<{ mine: AlertRecord } | { held: AlertRecord }> => {
    const mine: AlertRecord = { channel, status: "sending", attempts: 0, claimedAt: now() };
    const got = await deps.ledger.claim(content.scanId, mine);
    if (got.claimed) return { mine };
    const held = got.record;
    if (held.status === "sending" && Date.now() - Date.parse(held.claimedAt) > staleMs) {
      const failed: AlertRecord = {
        ...held,
        status: "failed",
        finishedAt: now(),
        reason: "interrupted while sending; not sent again, as it may have been delivered",
      };
      await deps.ledger.finish(content.scanId, failed);
      return { held: failed };
    }
    return { held };
  };

  const attempt = async (c: ConfiguredChannel): Promise<Judgement> => {
    const request = c.channel.request(content, text);
    try {
      if (request.kind === "email") {
        await deps.transport.email(request.subject, request.message);
        return { ok: true };
      }
      const answer = await deps.transport.http(request, timeoutMs);
      return (c.channel.judge ?? judgeHttp)(answer);
    } catch (error) {
      const retryable = (error as { retryable?: boolean }).retryable !== false;
      return { ok: false, reason: errorText(error), retry: retryable };
    }
  };

  const send = async (c: ConfiguredChannel): Promise<AlertRecord> => {
    const claimed = await claim(c.channel.name);
    if ("held" in claimed) return claimed.held;
    const { mine } = claimed;
    let attempts = 0;
    let reason = "";
    for (;;) {
      attempts++;
      const judged = await attempt(c);
      if (judged.ok) {
        const sent: AlertRecord = { ...mine, status: "sent", attempts, finishedAt: now() };
        await deps.ledger.finish(content.scanId, sent);
        return sent;
      }
      reason = redact(judged.reason, c.secrets);
      if (!judged.retry || attempts >= maxAttempts) break;
      const backoff = judged.retryAfterMs ?? Math.random() * base * 2 ** (attempts - 1);
      if (deps.remainingMs() - backoff - timeoutMs < reserve) {
        reason += " (no time left to try again)";
        break;
      }
      await sleep(backoff);
    }
    const failed: AlertRecord = {
      ...mine,
      status: "failed",
      attempts,
      finishedAt: now(),
      reason: `${reason} after ${attempts} attempt${attempts === 1 ? "" : "s"}`,
    };
    await deps.ledger.finish(content.scanId, failed);
    return failed;
  };

  const misconfigured = async (p: ChannelProblem): Promise<AlertRecord> => {
    const claimed = await claim(p.channel);
    if ("held" in claimed) return claimed.held;
    const failed: AlertRecord = {
      ...claimed.mine,
      status: "failed",
      finishedAt: now(),
      reason: `not configured right: ${p.reason}`,
    };
    await deps.ledger.finish(content.scanId, failed);
    return failed;
  };

  // Every channel runs to its end before a store failure (the only thing that throws) is passed on.
  const settled = await Promise.allSettled([...channels.map(send), ...problems.map(misconfigured)]);
  const broken = settled.find((s) => s.status === "rejected");
  if (broken) throw broken.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<AlertRecord>).value);
}
