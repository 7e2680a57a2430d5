import { createHash } from "node:crypto";
import type { ProviderName } from "../../core/market-data.port.ts";
import type { FaultKind } from "./config.ts";

/**
 * What happened to a request:
 * `ok`, `not-found` (unknown symbol), `rate-limited`, `unauthorized`
 * (missing or rejected key), `bad-request`, `fault:<kind>`, or `pending`
 * while it is still being answered.
 */
export type SimOutcome =
  | "ok"
  | "not-found"
  | "rate-limited"
  | "unauthorized"
  | "bad-request"
  | `fault:${FaultKind}`
  | "pending";

export interface SimRequestLog {
  provider: ProviderName;
  /** Short hash of the API key (never the key); null when the request had none. */
  keyId: string | null;
  method: string;
  /** Path below the provider prefix, with its query; key parameters redacted. */
  path: string;
  /** Canonical symbol the request was about, or null (grouped daily, unparseable). */
  symbol: string | null;
  /** HTTP status sent; null when none was (a held `timeout`, or not answered yet). */
  status: number | null;
  outcome: SimOutcome;
  /** Arrival, epoch milliseconds with sub-millisecond precision. */
  startMs: number;
  /** When the answer ended (or the socket was dropped); null while pending. */
  endMs: number | null;
  /** Body bytes sent (half of it for a reset or a truncated answer; 0 when nothing was sent). */
  bytes: number;
}

const KEY_PARAMS = /([?&](?:apikey|api_key|token|access_token|crumb)=)[^&]*/gi;

export function redactPath(pathWithQuery: string): string {
  return pathWithQuery.replace(KEY_PARAMS, "$1REDACTED");
}

const keyIds = new Map<string, string>();

/** The first 10 hex characters of the key's SHA-256: tells keys apart, reveals nothing. */
export function keyIdOf(key: string): string {
  let id = keyIds.get(key);
  if (!id) {
    id = createHash("sha256").update(key).digest("hex").slice(0, 10);
    if (keyIds.size > 10_000) keyIds.clear();
    keyIds.set(key, id);
  }
  return id;
}

/** Epoch milliseconds with the monotonic clock's sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The most requests (by arrival `startMs`) that fall in any sliding window
 * of `windowMs`, i.e. in some half-open interval [t, t + windowMs). Pass a
 * filter to count e.g. only one provider's accepted requests:
 * `maxRequestsInAnyWindow(log, 60_000, (r) => r.provider === "polygon" && r.outcome !== "rate-limited")`.
 */
export function maxRequestsInAnyWindow(
  log: readonly SimRequestLog[],
  windowMs: number,
  filter?: (entry: SimRequestLog) => boolean,
): number {
  const starts = (filter ? log.filter(filter) : log).map((e) => e.startMs).sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < starts.length; last++) {
    while (starts[last]! - starts[first]! >= windowMs) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

/** The log with a bound on its length (oldest entries are dropped first). */
export class RequestLog {
  private entries: SimRequestLog[] = [];
  constructor(private readonly limit: number) {}

  add(entry: SimRequestLog): SimRequestLog {
    this.entries.push(entry);
    if (this.entries.length > this.limit * 1.1)
      this.entries = this.entries.slice(this.entries.length - this.limit);
    return entry;
  }

  all(): readonly SimRequestLog[] {
    return this.entries;
  }

  since(ms: number): SimRequestLog[] {
    return this.entries.filter((e) => e.startMs >= ms);
  }

  clear(): void {
    this.entries = [];
  }
}
