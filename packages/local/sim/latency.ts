import type { LatencyDistribution } from "./config.ts";
import type { RandomStream } from "./prng.ts";

/** z of the 99th percentile of the standard normal. */
const Z99 = 2.3263478740408408;

/** One response delay in milliseconds, drawn from the distribution with the given stream. */
export function sampleLatency(distribution: LatencyDistribution, stream: RandomStream): number {
  switch (distribution.kind) {
    case "fixed":
      return distribution.ms;
    case "uniform":
      return distribution.minMs + (distribution.maxMs - distribution.minMs) * stream.next();
    case "lognormal": {
      const sigma = Math.log(distribution.p99Ms / distribution.medianMs) / Z99;
      return distribution.medianMs * Math.exp(sigma * stream.nextNormal());
    }
  }
}

/**
 * Parses the CLI's latency spelling: `fixed:MS`, `uniform:MIN-MAX`,
 * `lognormal:MEDIAN:P99` (all in ms), e.g. `lognormal:80:400`.
 */
export function parseLatency(text: string): LatencyDistribution {
  const [kind, ...rest] = text.trim().split(":");
  const numbers = rest.flatMap((part) => part.split("-")).map(Number);
  const ok = numbers.length > 0 && numbers.every((n) => Number.isFinite(n) && n >= 0);
  if (kind === "fixed" && ok && numbers.length === 1) return { kind, ms: numbers[0]! };
  if (kind === "uniform" && ok && numbers.length === 2)
    return { kind, minMs: numbers[0]!, maxMs: numbers[1]! };
  if (kind === "lognormal" && ok && numbers.length === 2)
    return { kind, medianMs: numbers[0]!, p99Ms: numbers[1]! };
  throw new RangeError(
    `bad latency ${JSON.stringify(text)}: expected fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN:P99 (milliseconds)`,
  );
}
