import { ConfigError } from "../../core/errors.ts";
import { isProviderName, PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import type { LatencyDistribution, RateLimit, SimulatorConfigPatch } from "./config.ts";
import { parseLatency } from "./latency.ts";

/**
 * Short spellings of simulator behaviour for command lines and environment
 * variables:
 * - rate limits: `yahoo=100/1s,polygon=5/60s` (limit/window; window units ms, s, m, h, d);
 *   several windows for one provider joined by `+`: `alphavantage=5/1m+25/1d`
 * - latency: `lognormal:80:400` for every provider, or per provider
 *   `yahoo=lognormal:80:400,fmp=fixed:20` (see parseLatency)
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1s`, `60s`, `500ms`, `1m`, `1d` → milliseconds. */
export function parseWindow(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match)
    throw new ConfigError(
      `bad window ${JSON.stringify(text)}: expected a number with ms, s, m, h or d, e.g. 60s`,
    );
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!(ms > 0)) throw new ConfigError(`bad window ${JSON.stringify(text)}: must be longer than zero`);
  return ms;
}

function entries(spec: string, what: string): [ProviderName, string][] {
  return spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf("=");
      const provider = part.slice(0, eq).trim();
      if (eq < 0 || !isProviderName(provider)) {
        throw new ConfigError(
          `bad ${what} ${JSON.stringify(part)}: expected <provider>=<value> with provider one of ${PROVIDERS.join(", ")}`,
        );
      }
      return [provider, part.slice(eq + 1).trim()];
    });
}

/** `yahoo=100/1s,alphavantage=5/1m+25/1d` → a config patch with those rate limits. */
export function parseRateLimitSpec(spec: string): SimulatorConfigPatch {
  const patch: SimulatorConfigPatch = {};
  for (const [provider, value] of entries(spec, "rate limit")) {
    const windows = value.split("+").map((part): RateLimit => {
      const match = /^(\d+)\/(.+)$/.exec(part.trim());
      const limit = match ? Number(match[1]) : Number.NaN;
      if (!match || !(limit >= 1)) {
        throw new ConfigError(
          `bad rate limit ${JSON.stringify(`${provider}=${value}`)}: expected <limit>/<window>, e.g. 5/60s, or several joined by +, e.g. 5/1m+25/1d`,
        );
      }
      return { limit, windowMs: parseWindow(match[2]!) };
    });
    patch[provider] = { ...patch[provider], rateLimit: windows.length === 1 ? windows[0]! : windows };
  }
  return patch;
}

/** `lognormal:80:400` (every provider) or `yahoo=lognormal:80:400,fmp=fixed:20` → a config patch. */
export function parseLatencySpec(spec: string): SimulatorConfigPatch {
  const patch: SimulatorConfigPatch = {};
  const parse = (text: string): LatencyDistribution => {
    try {
      return parseLatency(text);
    } catch (error) {
      throw new ConfigError((error as Error).message, { cause: error });
    }
  };
  if (!spec.includes("=")) {
    const latency = parse(spec);
    for (const provider of PROVIDERS) patch[provider] = { latency };
    return patch;
  }
  for (const [provider, value] of entries(spec, "latency")) patch[provider] = { latency: parse(value) };
  return patch;
}

/** Two patches as one (provider objects merged field by field, `b` wins). */
export function combinePatches(a: SimulatorConfigPatch, b: SimulatorConfigPatch): SimulatorConfigPatch {
  const out: SimulatorConfigPatch = { ...a, ...b };
  for (const provider of PROVIDERS) {
    if (a[provider] && b[provider]) out[provider] = { ...a[provider], ...b[provider] } as never;
  }
  return out;
}
