import type { Redis } from "@upstash/redis";
import { ConfigError } from "../../core/errors.ts";
import { type MarketDataProvider, PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import type { ProviderAccess } from "../../core/pipeline/ports.ts";
import type { ProviderLimit } from "../../core/rate-plan.ts";
import { type LimiterSettings, readSettings } from "../config.ts";
import { type LimiterStats, limiterStats } from "../upstash/limiter-stats.ts";
import { limiterIdentifier, UpstashTokenLimiter } from "../upstash/token-limiter.ts";
import { createAlpacaProvider } from "./alpaca.ts";
import { createAlphaVantageProvider } from "./alphavantage.ts";
import {
  DATA_FEEDS,
  isDataFeed,
  type ProviderConfig,
  type ResolvedProviderConfig,
  resolveProviderConfig,
} from "./config.ts";
import { createFmpProvider } from "./fmp.ts";
import { notConfiguredProvider } from "./not-configured.ts";
import { createPolygonProvider } from "./polygon.ts";
import { createYahooProvider } from "./yahoo.ts";

/** Where one credential of a provider comes from. */
interface KeySource {
  /** The environment variable the CLI and local runs read, e.g. `FMP_API_KEY`. */
  readonly env: string;
  /** The SST secret the fetcher reads, set with `npx sst secret set <secret>`. */
  readonly secret: string;
}

/** The credentials a ProviderConfig carries: each a field its adapter sends. */
type Credential = keyof Pick<ProviderConfig, "apiKey" | "apiSecret">;

interface ProviderEntry {
  /** The real API's base URL; `TICKERFLEET_<NAME>_URL` replaces it (the local simulator). */
  readonly baseUrl: string;
  /** Each credential the adapter needs and where it comes from; none for a keyless provider. */
  readonly keys: { readonly [C in Credential]?: KeySource };
  /** The adapter, given its config with every default applied. */
  readonly create: (config: ResolvedProviderConfig) => MarketDataProvider;
  /** The variable that picks the data feed, for a provider that serves several (Alpaca). */
  readonly feedVariable?: string;
}

/**
 * The market-data providers, one row each: where the API is, which keys it needs (the variable
 * the CLI reads, the secret the fetcher reads) and its adapter. Adding a provider is a row here
 * and its adapter file, plus its name in core's PROVIDERS and its secrets in stacks/topology.
 */
export const PROVIDER_TABLE = {
  yahoo: { baseUrl: "https://query1.finance.yahoo.com", keys: {}, create: createYahooProvider },
  fmp: {
    baseUrl: "https://financialmodelingprep.com",
    keys: { apiKey: { env: "FMP_API_KEY", secret: "FmpApiKey" } },
    create: createFmpProvider,
  },
  polygon: {
    baseUrl: "https://api.polygon.io",
    keys: { apiKey: { env: "POLYGON_API_KEY", secret: "PolygonApiKey" } },
    create: createPolygonProvider,
  },
  alphavantage: {
    baseUrl: "https://www.alphavantage.co",
    keys: { apiKey: { env: "ALPHAVANTAGE_API_KEY", secret: "AlphaVantageApiKey" } },
    create: createAlphaVantageProvider,
  },
  alpaca: {
    baseUrl: "https://data.alpaca.markets",
    // The variable names Alpaca's own SDKs read.
    keys: {
      apiKey: { env: "APCA_API_KEY_ID", secret: "AlpacaApiKeyId" },
      apiSecret: { env: "APCA_API_SECRET_KEY", secret: "AlpacaApiSecretKey" },
    },
    create: createAlpacaProvider,
    feedVariable: "TICKERFLEET_ALPACA_FEED",
  },
} as const satisfies Record<ProviderName, ProviderEntry>;

type KeysOf<Row> = Row extends { keys: infer K } ? K[keyof K] : never;
/** The SST secrets provider keys are read from. */
export type ProviderSecret = Extract<KeysOf<(typeof PROVIDER_TABLE)[ProviderName]>, KeySource>["secret"];
/** Provider keys from SST secrets, by secret name; empty or "unset" (the placeholder) is not set. */
export type ProviderSecrets = Readonly<Partial<Record<ProviderSecret, string>>>;

export const PROVIDER_SECRETS: readonly ProviderSecret[] = PROVIDERS.flatMap((name) =>
  keySources(name).map(([, source]) => source.secret as ProviderSecret),
);

/** What an optional SST secret holds until it is set (stacks/sst/secrets.ts). */
const UNSET_SECRET = "unset";

function keySources(name: ProviderName): [Credential, KeySource][] {
  const row: ProviderEntry = PROVIDER_TABLE[name];
  return Object.entries(row.keys) as [Credential, KeySource][];
}

/**
 * A provider's base URL (`TICKERFLEET_<NAME>_URL`, else the real host) and keys: each from its
 * SST secret when that is set, else from its environment variable. Names the keys that are
 * missing, never a value.
 */
function sourceConfig(
  name: ProviderName,
  env: NodeJS.ProcessEnv,
  secrets: ProviderSecrets,
): { config: ProviderConfig; missing: KeySource[] } {
  const row: ProviderEntry = PROVIDER_TABLE[name];
  const baseUrl = env[`TICKERFLEET_${name.toUpperCase()}_URL`]?.trim() || row.baseUrl;
  const config: ProviderConfig = { baseUrl };
  if (row.feedVariable) {
    const feed = env[row.feedVariable]?.trim();
    if (feed && !isDataFeed(feed))
      throw new ConfigError(`${row.feedVariable}="${feed}" must be one of ${DATA_FEEDS.join(", ")}`);
    if (feed) config.feed = feed;
  }
  const missing: KeySource[] = [];
  for (const [field, source] of keySources(name)) {
    const secret = secrets[source.secret as ProviderSecret]?.trim();
    const value = secret && secret !== UNSET_SECRET ? secret : env[source.env]?.trim();
    if (value) config[field] = value;
    else missing.push(source);
  }
  return { config, missing };
}

const needsKeys = (name: ProviderName, missing: readonly KeySource[]) =>
  `${name} needs ${missing.length > 1 ? "its API keys" : "an API key"}: set ${missing.map((k) => k.env).join(" and ")}`;

/**
 * Base URL and keys of a provider from the environment (the CLI's way): `TICKERFLEET_<NAME>_URL`
 * and `FMP_API_KEY` / `POLYGON_API_KEY` / `ALPHAVANTAGE_API_KEY` / `APCA_API_KEY_ID` with
 * `APCA_API_SECRET_KEY` (and `TICKERFLEET_ALPACA_FEED`). A keyed provider without its keys is a
 * ConfigError naming the variables (never a value).
 */
export function providerConfigFromEnv(
  name: ProviderName,
  env: NodeJS.ProcessEnv = process.env,
): ProviderConfig {
  const { config, missing } = sourceConfig(name, env, {});
  if (missing.length > 0) throw new ConfigError(needsKeys(name, missing));
  return config;
}

/** ProviderConfig with every default applied; a ConfigError for a bad URL or a missing key. */
export function resolveKeyedConfig(name: ProviderName, config: ProviderConfig): ResolvedProviderConfig {
  const resolved = resolveProviderConfig(name, config);
  for (const [field, source] of keySources(name)) {
    if (!config[field])
      throw new ConfigError(`${name} needs an API key (${field}, usually from ${source.env})`);
  }
  return resolved;
}

/** A MarketDataProvider for `name`. Throws ConfigError for a bad config (bad URL, keyed provider without key). */
export function createProvider(name: ProviderName, config: ProviderConfig): MarketDataProvider {
  return PROVIDER_TABLE[name].create(resolveKeyedConfig(name, config));
}

export interface FetcherProviders {
  /** Every provider with its shared limit, built once per container. */
  readonly access: Readonly<Record<ProviderName, ProviderAccess>>;
  /** Their limiters' counters, for the fetch log. */
  readonly stats: LimiterStats;
}

/**
 * Every provider for a fetcher, each with its limit shared through Upstash, keyed by provider
 * and a hash of its key (so every function on one key shares one budget). A provider without
 * its keys stands in as not configured: a scan that asks for it fails its tickers as
 * `unauthorized`, naming the secret to set, instead of retrying until its messages reach the
 * DLQ. A bad base URL is the deployment's mistake: one ConfigError naming every one.
 */
export function fetcherProviders(options: {
  redis: Redis;
  /** `TICKERFLEET_<NAME>_URL`, and keys that are not secrets (a local run's). */
  env: NodeJS.ProcessEnv;
  secrets: ProviderSecrets;
  limits: Readonly<Record<ProviderName, readonly ProviderLimit[]>>;
  limiter: LimiterSettings;
}): FetcherProviders {
  const limiters: UpstashTokenLimiter[] = [];
  const accessFor = (name: ProviderName): ProviderAccess => {
    const { config, missing } = sourceConfig(name, options.env, options.secrets);
    const resolved = resolveProviderConfig(name, config);
    const id = limiterIdentifier(name, config.apiKey);
    const limiter = new UpstashTokenLimiter(options.redis, id, options.limits[name], options.limiter);
    limiters.push(limiter);
    if (missing.length === 0) return { provider: PROVIDER_TABLE[name].create(resolved), limiter };
    const secrets = missing.map((k) => k.secret);
    const hint = ` (set the ${secrets.join(" and ")} secret${secrets.length > 1 ? "s" : ""}: ${secrets
      .map((s) => `npx sst secret set ${s} …`)
      .join("; ")})`;
    return { provider: notConfiguredProvider(name, `${needsKeys(name, missing)}${hint}`), limiter };
  };
  const access = readSettings(
    Object.fromEntries(PROVIDERS.map((name) => [name, () => accessFor(name)])) as Record<
      ProviderName,
      () => ProviderAccess
    >,
  );
  return { access, stats: limiterStats(limiters) };
}
