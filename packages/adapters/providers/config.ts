import { ConfigError } from "../../core/errors.ts";
import type { ProviderName } from "../../core/market-data.port.ts";

/** Where and how to reach one market-data provider. */
export interface ProviderConfig {
  /**
   * Origin, or origin plus a path prefix, that the provider's real paths are
   * appended to: `https://query1.finance.yahoo.com`, or
   * `http://127.0.0.1:PORT/yahoo` for the local market simulator.
   */
  baseUrl: string;
  /**
   * API key (FMP, Polygon, Alpha Vantage), or Alpaca's key id. Sent only to `baseUrl`, never
   * logged or put in a message.
   */
  apiKey?: string;
  /** The second credential of a provider that takes two (Alpaca's secret key). Handled as apiKey is. */
  apiSecret?: string;
  /**
   * The data feed, for a provider that serves several (Alpaca: `sip`, every US exchange, whose
   * history older than 15 minutes the free plan serves; `iex`, one exchange's trades).
   * @default "sip"
   */
  feed?: string;
  /**
   * Connect, headers and body (between chunks) timeouts, each.
   * @default 10_000
   */
  timeoutMs?: number;
  /**
   * Max sockets per origin; the pool is shared by every provider built on the same origin.
   * @default 64
   */
  connections?: number;
  /**
   * Sent as `User-Agent`. Yahoo answers clients without a browser-like agent
   * with 429 more readily, so the default looks like one and names us.
   * @default "Mozilla/5.0 (compatible; tickerfleet/0.1)"
   */
  userAgent?: string;
}

/** ProviderConfig with every default applied and the base URL split for the pool. */
export interface ResolvedProviderConfig {
  readonly provider: ProviderName;
  /** `https://host:port`, the pool key. */
  readonly origin: string;
  /** Path prefix without a trailing slash (`""` or `/yahoo`). */
  readonly pathPrefix: string;
  readonly apiKey: string | undefined;
  readonly apiSecret: string | undefined;
  readonly feed: DataFeed;
  /** Headers sent with every request besides the usual ones (Alpaca's key headers); set by an adapter. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly connections: number;
  readonly userAgent: string;
}

/** The data feeds a provider may serve (Alpaca's). */
export const DATA_FEEDS = ["sip", "iex"] as const;
export type DataFeed = (typeof DATA_FEEDS)[number];

export function isDataFeed(value: unknown): value is DataFeed {
  return typeof value === "string" && (DATA_FEEDS as readonly string[]).includes(value);
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECTIONS = 64;
const DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; tickerfleet/0.1)";

/**
 * Applies defaults once and checks every field; throws ConfigError naming what is wrong. Which
 * keys a provider needs is its row's business (registry.ts).
 */
export function resolveProviderConfig(
  provider: ProviderName,
  config: ProviderConfig,
): ResolvedProviderConfig {
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch (cause) {
    throw new ConfigError(`${provider} baseUrl is not a URL: ${JSON.stringify(config.baseUrl)}`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${provider} baseUrl must be http(s), got ${JSON.stringify(url.protocol)}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    // Credentials or a query in the base URL would end up in every request path and error.
    throw new ConfigError(
      `${provider} baseUrl must be an origin or origin + path, without query, fragment or credentials`,
    );
  }
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(
      `${provider} timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`,
    );
  }
  const connections = config.connections ?? DEFAULT_CONNECTIONS;
  if (!Number.isInteger(connections) || connections < 1) {
    throw new ConfigError(`${provider} connections must be a positive integer, got ${connections}`);
  }
  const feed = config.feed ?? "sip";
  if (!isDataFeed(feed)) {
    throw new ConfigError(
      `${provider} feed must be one of ${DATA_FEEDS.join(", ")}, got ${JSON.stringify(feed)}`,
    );
  }
  return {
    provider,
    origin: url.origin,
    pathPrefix: url.pathname.replace(/\/+$/, ""),
    apiKey: config.apiKey || undefined,
    apiSecret: config.apiSecret || undefined,
    feed,
    timeoutMs,
    connections,
    userAgent: config.userAgent ?? DEFAULT_USER_AGENT,
  };
}
