import { Pool } from "undici";
import type { FetchFailure } from "../../core/market-data.port.ts";
import { classifyNetworkError, type FailureContext, failure } from "./classify.ts";
import type { ResolvedProviderConfig } from "./config.ts";

/**
 * One undici Pool per provider origin, created on first use and kept for the
 * life of the container (Lambda reuses module state across invocations), so
 * sockets stay warm between tickers and between invocations.
 */

const pools = new Map<string, Pool>();

/** Keep idle sockets this long unless the server hints otherwise (undici's default is 4 s). */
const KEEP_ALIVE_MS = 30_000;

/** A response bigger than this is not a daily-bars body; refuse it instead of buffering it. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function poolFor(config: ResolvedProviderConfig): Pool {
  // Timeouts and size are pool-level options, so they are part of the key.
  const key = `${config.origin}|${config.connections}|${config.timeoutMs}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(config.origin, {
      connections: config.connections,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: 5 * KEEP_ALIVE_MS,
      connect: { timeout: config.timeoutMs },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      maxResponseSize: MAX_BODY_BYTES,
    });
    pools.set(key, pool);
  }
  return pool;
}

/** Closes every pool (the CLI does this before exiting; tests between files). Pools are recreated on next use. */
export async function closeProviderPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.close().catch(() => pool.destroy())));
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/**
 * GET `path` (already prefixed and with its query) from the provider's origin
 * and read the whole body as text. Expected network trouble comes back as a
 * FetchFailure; anything else (a bug) is rethrown.
 */
export async function httpGet(
  config: ResolvedProviderConfig,
  ctx: FailureContext,
  path: string,
  signal?: AbortSignal,
): Promise<HttpResponse | FetchFailure> {
  if (signal?.aborted) return failure(ctx, "transient", "request aborted by the caller before it started");
  try {
    const response = await poolFor(config).request({
      method: "GET",
      path,
      headers: {
        ...config.headers,
        "user-agent": config.userAgent,
        accept: "application/json, text/plain;q=0.5, */*;q=0.1",
      },
      signal,
    });
    // Reading the body to its end is what returns the socket to the pool.
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") {
      return failure(ctx, "invalid-response", `response body larger than ${MAX_BODY_BYTES} bytes`);
    }
    const classified = classifyNetworkError(ctx, error, config.timeoutMs);
    if (classified) return classified;
    throw error;
  }
}

/** Builds `prefix + path + ?query`, encoding values; undefined values are left out. */
export function buildPath(
  config: Pick<ResolvedProviderConfig, "pathPrefix">,
  path: string,
  query: Readonly<Record<string, string | number | undefined>>,
): string {
  const params: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.push(`${name}=${encodeURIComponent(String(value))}`);
  }
  return `${config.pathPrefix}${path}${params.length > 0 ? `?${params.join("&")}` : ""}`;
}

/** Parses JSON, telling "not JSON" (truncated, HTML error page) apart from a value. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
