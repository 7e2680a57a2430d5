import { ConfigError } from "../core/errors.ts";
import { PROVIDERS, type ProviderName } from "../core/market-data.port.ts";
import { DEFAULT_FETCH_CONFIG, type FetchConfig } from "../core/pipeline/fetch-chunks.ts";
import {
  DEFAULT_JITTER_MS,
  DEFAULT_MAX_TAKE,
  type ProviderLimit,
  parseProviderLimits,
} from "../core/rate-plan.ts";

/**
 * Runtime configuration from the environment (set by SST's `environment` in
 * AWS, by the local runtime locally). Secrets are not here: they come from
 * SST secrets through `Resource`.
 *
 * - TICKERFLEET_RATE_LIMIT_<PROVIDER>: the provider plan's limit, e.g. `100/1s`,
 *   `300/min`, or several at once, `5/min,25/d`. Defaults: the free/observed
 *   limits in the README.
 * - TICKERFLEET_RATE_JITTER_MS: spread of request arrival times the limit
 *   allows for (network and scheduling delay between a token and the request
 *   reaching the provider, clock skew between functions). @default 100
 * - TICKERFLEET_MAX_TAKE: most rate-limit tokens one Redis call takes. @default 25
 * - TICKERFLEET_CACHE_TTL_SECONDS: response cache lifetime. @default 300
 * - TICKERFLEET_MAX_ATTEMPTS: provider attempts per ticker. @default 5
 * - TICKERFLEET_MAX_INLINE_WAIT_MS: longest in-function wait for tokens. @default 2000
 */
export const DEFAULT_LIMITS: Record<ProviderName, string> = {
  yahoo: "60/min",
  fmp: "300/min",
  polygon: "5/min",
  alphavantage: "5/min,25/d",
};

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}="${raw}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The provider plan's limits: one window, or several (`5/min,25/d`). */
export function providerLimits(
  provider: ProviderName,
  env: NodeJS.ProcessEnv = process.env,
): ProviderLimit[] {
  const name = `TICKERFLEET_RATE_LIMIT_${provider.toUpperCase()}`;
  const raw = env[name] || DEFAULT_LIMITS[provider];
  try {
    return parseProviderLimits(raw);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

export interface LimiterSettings {
  jitterMs: number;
  maxTake: number;
}

export function limiterSettings(env: NodeJS.ProcessEnv = process.env): LimiterSettings {
  return {
    jitterMs: intFrom(env, "TICKERFLEET_RATE_JITTER_MS", DEFAULT_JITTER_MS, 0, 60_000),
    maxTake: intFrom(env, "TICKERFLEET_MAX_TAKE", DEFAULT_MAX_TAKE, 1, 1000),
  };
}

export function fetchConfig(env: NodeJS.ProcessEnv = process.env): FetchConfig {
  return {
    ...DEFAULT_FETCH_CONFIG,
    cacheTtlSeconds: intFrom(
      env,
      "TICKERFLEET_CACHE_TTL_SECONDS",
      DEFAULT_FETCH_CONFIG.cacheTtlSeconds,
      1,
      86_400,
    ),
    maxAttempts: intFrom(env, "TICKERFLEET_MAX_ATTEMPTS", DEFAULT_FETCH_CONFIG.maxAttempts, 1, 50),
    maxInlineWaitMs: intFrom(
      env,
      "TICKERFLEET_MAX_INLINE_WAIT_MS",
      DEFAULT_FETCH_CONFIG.maxInlineWaitMs,
      0,
      60_000,
    ),
  };
}

/** Validates every setting at once, so a bad deployment fails at start with every problem named. */
export function configProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const attempt = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  for (const p of PROVIDERS) attempt(() => providerLimits(p, env));
  attempt(() => limiterSettings(env));
  attempt(() => fetchConfig(env));
  return problems;
}
