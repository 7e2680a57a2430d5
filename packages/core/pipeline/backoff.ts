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
