/**
 * A provider's circuit breaker, as every fetcher shares it (its state in Upstash: see
 * packages/adapters/upstash/breaker.ts). It opens after `failures` consecutive transient
 * failures (5xx, timeouts, resets, invalid bodies) within `windowMs`; while open no request
 * goes to the provider: work for it goes down the scan's chain, or back to the queue until the
 * cool-down ends. Then one request, the probe, half-opens it: its success closes the breaker,
 * its failure opens it for another cool-down. A probe that never answers (its function died)
 * lets another go after `probeLeaseMs`.
 */
export interface BreakerSettings {
  /** Consecutive transient failures that open it. @default 5 */
  failures: number;
  /** Within this long of the first of them. @default 60_000 */
  windowMs: number;
  /** How long it stays open before a probe. @default 30_000 */
  coolDownMs: number;
  /** How long a probe may take before another is let go. @default 15_000 */
  probeLeaseMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  failures: 5,
  windowMs: 60_000,
  coolDownMs: 30_000,
  probeLeaseMs: 15_000,
};
