import type { FetchFailure } from "../market-data.port.ts";

/**
 * Delay before retrying a ticker after its `attempt`-th transient failure:
 * exponential with full jitter (AWS Architecture Blog, "Exponential Backoff
 * and Jitter"), never shorter than what the provider asked for in Retry-After.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(random() * ceiling);
  return Math.max(retryAfterMs ?? 0, jittered);
}

/** SQS DelaySeconds for a delay in ms: whole seconds, rounded up, within SQS's 0..900. */
export function toDelaySeconds(ms: number): number {
  return Math.max(0, Math.min(900, Math.ceil(ms / 1000)));
}

/** What a failed attempt comes to: another after a delay, or the end, with why. */
export type AttemptVerdict =
  | { retry: true; delayMs: number; lastReason: string }
  | { retry: false; reason: string; message: string };

/**
 * The `attempts`-th failed attempt of a ticker or a plan unit: a rate-limited or transient
 * failure is tried again with backoff until the attempts are spent, then ends saying how many
 * were made; any other failure ends at once.
 */
export function afterFailure(
  failure: Pick<FetchFailure, "kind" | "message" | "retryAfterMs">,
  attempts: number,
  config: { maxAttempts: number; backoff: { baseMs: number; maxMs: number } },
  random: () => number,
): AttemptVerdict {
  const retryable = failure.kind === "rate-limited" || failure.kind === "transient";
  if (retryable && attempts < config.maxAttempts) {
    const delayMs = retryDelayMs(attempts, failure.retryAfterMs, config.backoff, random);
    return { retry: true, delayMs, lastReason: `${failure.kind}: ${failure.message}`.slice(0, 500) };
  }
  const why = retryable ? `after ${attempts} attempts: ${failure.message}` : failure.message;
  return { retry: false, reason: failure.kind, message: why.slice(0, 500) };
}
