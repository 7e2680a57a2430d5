import { topology } from "../../stacks/topology/index.ts";
import { type BreakerSettings, DEFAULT_BREAKER } from "../core/breaker.ts";
import { type ChangeSettings, defaultChangeSettings, screensFrom } from "../core/changes/settings.ts";
import { ConfigError } from "../core/errors.ts";
import { PROVIDERS, type ProviderName } from "../core/market-data.port.ts";
import { DEFAULT_FETCH_CONFIG, type FetchConfig } from "../core/pipeline/fetch-types.ts";
import { DEFAULT_SCAN, type ScanDefaults, splitProviders } from "../core/pipeline/scan-request.ts";
import {
  DEFAULT_JITTER_MS,
  DEFAULT_MAX_TAKE,
  type ProviderLimit,
  parseProviderLimits,
  planLimit,
} from "../core/rate-plan.ts";
import { isUniverseName } from "../core/universes.ts";

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
 * - TICKERFLEET_CORRECTION_SESSIONS: stored sessions asked for again on every incremental
 *   fetch, for a provider's late corrections (0..20). @default 3
 * - TICKERFLEET_GAP_THRESHOLD_PCT: an overnight move larger than this, in percent either way,
 *   needs a corporate action to explain it, else the history is refetched once and the ticker
 *   flagged suspect-gap (5..1000). @default 30
 * - TICKERFLEET_CHUNK_SIZE: tickers per fetch message (1..100). @default the topology's
 * - TICKERFLEET_DEFAULT_PROVIDER: provider when a request names none. @default yahoo
 * - TICKERFLEET_SCHEDULED_UNIVERSE: universe of a scheduled scan without a payload. @default us-all
 *
 * Each composition reads its settings once, at container start, through fetcherSettings or
 * scanStartSettings: a bad deployment fails there with every problem named, not at the first
 * message that happens to need the bad setting.
 */
export const DEFAULT_LIMITS: Record<ProviderName, string> = {
  yahoo: "60/min",
  fmp: "300/min",
  polygon: "5/min",
  alphavantage: "5/min,25/d",
  // Alpaca's free plan: 200 requests a minute per account.
  alpaca: "200/min",
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
  /** Each provider's circuit breaker (core/breaker.ts). */
  breaker: BreakerSettings;
}

export function limiterSettings(env: NodeJS.ProcessEnv = process.env): LimiterSettings {
  return {
    jitterMs: intFrom(env, "TICKERFLEET_RATE_JITTER_MS", DEFAULT_JITTER_MS, 0, 60_000),
    maxTake: intFrom(env, "TICKERFLEET_MAX_TAKE", DEFAULT_MAX_TAKE, 1, 1000),
    breaker: breakerSettings(env),
  };
}

/**
 * The providers' circuit breaker: TICKERFLEET_BREAKER_FAILURES (consecutive transient failures
 * that open it), TICKERFLEET_BREAKER_WINDOW_SECONDS (within which), and
 * TICKERFLEET_BREAKER_COOLDOWN_SECONDS (open before one probe); 0 failures turns it off.
 */
export function breakerSettings(env: NodeJS.ProcessEnv = process.env): BreakerSettings {
  const seconds = (name: string, fallbackMs: number, max: number) =>
    intFrom(env, name, fallbackMs / 1000, 1, max) * 1000;
  return {
    failures: intFrom(env, "TICKERFLEET_BREAKER_FAILURES", DEFAULT_BREAKER.failures, 0, 1000),
    windowMs: seconds("TICKERFLEET_BREAKER_WINDOW_SECONDS", DEFAULT_BREAKER.windowMs, 3600),
    coolDownMs: seconds("TICKERFLEET_BREAKER_COOLDOWN_SECONDS", DEFAULT_BREAKER.coolDownMs, 3600),
    probeLeaseMs: DEFAULT_BREAKER.probeLeaseMs,
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
    history: {
      correctionSessions: intFrom(
        env,
        "TICKERFLEET_CORRECTION_SESSIONS",
        DEFAULT_FETCH_CONFIG.history.correctionSessions,
        0,
        20,
      ),
      gapThreshold:
        intFrom(
          env,
          "TICKERFLEET_GAP_THRESHOLD_PCT",
          Math.round(DEFAULT_FETCH_CONFIG.history.gapThreshold * 100),
          5,
          1000,
        ) / 100,
    },
  };
}

/** A comma-separated list of provider names, each checked (a setting's name in the error). */
function providerList(setting: string, text: string): ProviderName[] {
  const { names, given, unknown } = splitProviders(text);
  if (unknown === undefined) return names;
  const which = given > 1 ? `: "${unknown}"` : "";
  throw new ConfigError(
    `${setting}="${text}"${which} is not a provider (one of ${PROVIDERS.join(", ")}, or several separated by commas)`,
  );
}

/**
 * Scan defaults: TICKERFLEET_PROVIDERS (the providers this deployment has keys for, in order of
 * preference: what `auto` chooses among), TICKERFLEET_DEFAULT_PROVIDER (what a payload without
 * `provider` gets: `auto`, one name, or a chain such as `polygon,yahoo`),
 * TICKERFLEET_SCHEDULED_UNIVERSE.
 */
export function scanDefaults(env: NodeJS.ProcessEnv = process.env): ScanDefaults {
  const configured = env.TICKERFLEET_PROVIDERS
    ? providerList("TICKERFLEET_PROVIDERS", env.TICKERFLEET_PROVIDERS)
    : DEFAULT_SCAN.configured;
  const text = env.TICKERFLEET_DEFAULT_PROVIDER || "auto";
  const chosen = text === "auto" ? "auto" : providerList("TICKERFLEET_DEFAULT_PROVIDER", text);
  const provider = chosen === "auto" || chosen.length > 1 ? chosen : chosen[0]!;
  const universe = env.TICKERFLEET_SCHEDULED_UNIVERSE || DEFAULT_SCAN.scheduledUniverse;
  if (!isUniverseName(universe))
    throw new ConfigError(`TICKERFLEET_SCHEDULED_UNIVERSE="${universe}" is not a universe`);
  return { ...DEFAULT_SCAN, provider, configured, scheduledUniverse: universe };
}

/** Tickers per fetch message: the topology's, unless TICKERFLEET_CHUNK_SIZE says otherwise (1..100). */
export function chunkSize(env: NodeJS.ProcessEnv = process.env): number {
  return intFrom(env, "TICKERFLEET_CHUNK_SIZE", topology.scan.chunkSize, 1, 100);
}

type Settings<R extends Record<string, () => unknown>> = { [K in keyof R]: ReturnType<R[K]> };

/**
 * Reads settings together: each reader runs, and if any throws a ConfigError, one ConfigError
 * names every problem, so a bad deployment is fixed in one go. Other errors are bugs and pass.
 */
export function readSettings<R extends Record<string, () => unknown>>(readers: R): Settings<R> {
  const problems: string[] = [];
  const settings: Partial<Settings<R>> = {};
  for (const key of Object.keys(readers) as (keyof R)[]) {
    try {
      settings[key] = readers[key]!() as Settings<R>[typeof key];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
  return settings as Settings<R>;
}

/** Every provider plan's limits (TICKERFLEET_RATE_LIMIT_<PROVIDER>), every bad one named. */
export function allProviderLimits(
  env: NodeJS.ProcessEnv = process.env,
): Record<ProviderName, ProviderLimit[]> {
  return readSettings(
    Object.fromEntries(PROVIDERS.map((p) => [p, () => providerLimits(p, env)])) as Record<
      ProviderName,
      () => ProviderLimit[]
    >,
  );
}

/** The fetcher's settings, read once at container start (every problem named in one ConfigError). */
export function fetcherSettings(env: NodeJS.ProcessEnv = process.env) {
  return readSettings({
    fetch: () => fetchConfig(env),
    limiter: () => limiterSettings(env),
    limits: () => allProviderLimits(env),
  });
}

/**
 * scan-start's settings, read once at container start (every problem named in one ConfigError),
 * with each provider's planned rate: what a scan's deadline is computed from.
 */
export function scanStartSettings(env: NodeJS.ProcessEnv = process.env) {
  const {
    defaults,
    chunkSize: size,
    limiter,
    limits,
  } = readSettings({
    defaults: () => scanDefaults(env),
    chunkSize: () => chunkSize(env),
    limiter: () => limiterSettings(env),
    limits: () => allProviderLimits(env),
  });
  const ratePerSecond = Object.fromEntries(
    PROVIDERS.map((p) => [p, planLimit(limits[p], limiter).ratePerSecond]),
  ) as Record<ProviderName, number>;
  return { defaults, chunkSize: size, ratePerSecond, limits };
}

/**
 * The changes a finished scan keeps (and its alerts will send): TICKERFLEET_ALERT_SCREENS,
 * presets and expressions separated by `;` (default every preset), and TICKERFLEET_ALERT_TOP_N
 * (default 20). A bad screen stops the container's start naming it.
 */
export function changeSettings(env: NodeJS.ProcessEnv = process.env): ChangeSettings {
  const defaults = defaultChangeSettings();
  let screens = defaults.screens;
  if (env.TICKERFLEET_ALERT_SCREENS) {
    try {
      screens = screensFrom(env.TICKERFLEET_ALERT_SCREENS, "TICKERFLEET_ALERT_SCREENS");
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }
  return { screens, topN: intFrom(env, "TICKERFLEET_ALERT_TOP_N", defaults.topN, 1, 1000) };
}
