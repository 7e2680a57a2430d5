import type { FetchFailure, FetchFailureKind, ProviderName } from "../../core/market-data.port.ts";

/**
 * Turning what went wrong into a FetchFailure: network errors by undici
 * `code` (never by message text), HTTP statuses, `Retry-After`. Every message
 * goes through `redact`, so a provider that echoes the request URL, or a
 * message we build, can never carry the API key out.
 */

/** Who asked for what: enough to build a FetchFailure and to scrub secrets from it. */
export interface FailureContext {
  readonly provider: ProviderName;
  /** Canonical symbol (or the grouped-daily date, for a whole-market request). */
  readonly symbol: string;
  /** Strings that must never appear in a message (the API key). */
  readonly secrets: readonly string[];
}

/** Longest piece of provider text quoted in a message. */
const MAX_QUOTE = 200;

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("***");
    // Keys also travel URL-encoded.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && encoded.length >= 4) out = out.split(encoded).join("***");
  }
  return out;
}

/** Provider text, shortened and on one line, for quoting in a message. */
export function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_QUOTE ? `${oneLine.slice(0, MAX_QUOTE)}…` : oneLine;
}

export function failure(
  ctx: FailureContext,
  kind: FetchFailureKind,
  message: string,
  extra: { status?: number; retryAfterMs?: number } = {},
): FetchFailure {
  const result: FetchFailure = {
    ok: false,
    kind,
    provider: ctx.provider,
    symbol: ctx.symbol,
    message: redact(message, ctx.secrets),
  };
  if (extra.status !== undefined) result.status = extra.status;
  if (extra.retryAfterMs !== undefined) result.retryAfterMs = extra.retryAfterMs;
  return result;
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (`30`, tolerating
 * `1.5`) or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or
 * unparseable; never negative.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === "") return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);
const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_INFO",
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // undici wraps some socket errors; the cause carries the system code.
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorCode(cause) : undefined;
}

/**
 * A thrown network error as a FetchFailure, or undefined when it is not one
 * (a bug, such as an invalid argument: the caller rethrows it).
 */
export function classifyNetworkError(
  ctx: FailureContext,
  error: unknown,
  timeoutMs: number,
): FetchFailure | undefined {
  const code = errorCode(error);
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  if (code && TIMEOUT_CODES.has(code)) {
    const phase =
      code === "UND_ERR_CONNECT_TIMEOUT"
        ? "connecting"
        : code === "UND_ERR_HEADERS_TIMEOUT"
          ? "waiting for headers"
          : code === "UND_ERR_BODY_TIMEOUT"
            ? "reading the body"
            : "on the socket";
    return failure(ctx, "transient", `timed out ${phase} after ${timeoutMs} ms (${code})`);
  }
  if (code === "UND_ERR_ABORTED" || name === "AbortError") {
    return failure(ctx, "transient", "request aborted by the caller before it completed");
  }
  if (code && CONNECTION_CODES.has(code)) {
    return failure(ctx, "transient", `connection failed or was cut (${code})`);
  }
  if (code?.startsWith("UND_ERR")) return failure(ctx, "transient", `HTTP client error (${code})`);
  return undefined;
}

/**
 * The failure an HTTP status means on its own, before the adapter looks at
 * the body for a finer reading. Undefined for 2xx.
 */
export function classifyStatus(
  ctx: FailureContext,
  status: number,
  retryAfter: string | string[] | undefined,
  detail: string,
): FetchFailure | undefined {
  if (status >= 200 && status < 300) return undefined;
  const said = detail ? `: ${quote(detail)}` : "";
  const retryAfterMs = parseRetryAfter(retryAfter);
  const extra = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  if (status === 429) return failure(ctx, "rate-limited", `too many requests${said}`, extra);
  if (status === 401 || status === 403)
    return failure(ctx, "unauthorized", `key missing, rejected or not entitled${said}`, { status });
  // A 404 is "unknown symbol" only when the body says so in the provider's own
  // words (each adapter checks that first); any other 404 means the path is
  // wrong, e.g. a base URL missing its prefix, and must not fail every ticker
  // as permanently unknown.
  if (status === 404)
    return failure(
      ctx,
      "invalid-response",
      `HTTP 404 without the provider's not-found body; is the base URL right?${said}`,
      { status },
    );
  if (status === 408 || status >= 500) return failure(ctx, "transient", `server error${said}`, extra);
  return failure(ctx, "invalid-response", `unexpected HTTP ${status}${said}`, { status });
}
