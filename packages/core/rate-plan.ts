/**
 * How to hold a provider's limit exactly: a sliding log of grants.
 *
 * A provider allows N requests in any window of W ms (we assume a sliding
 * window, the strictest reading; a fixed window is a special case). The limiter
 * keeps the time of every token it granted in the last S ms and grants n more
 * only if the log then holds at most N: so no span of S ms holds more than N
 * grants. A token granted at t reaches the provider at t + latency, and
 * latencies differ by up to J ms (the jitter: network, scheduling, clock skew
 * between functions), so the requests that arrive in one provider window were
 * granted within W + J. With
 *
 *     S = W + J + 1   (one more ms because grant times are whole ms)
 *
 * no provider window ever sees more than N, summed over every fetcher, and
 * the limiter runs at N per S: the most any scheme can promise without
 * knowing the network's delay better than J. Unlike a token bucket (which
 * must reserve its capacity B out of N, and whose refill interval is rounded
 * to whole ms), nothing is lost but the jitter.
 *
 * Pacing. A log alone would hand out all N at the start of each span: a burst
 * of N requests at once, which queues in every layer between us and the
 * provider and so *makes* the jitter it must allow for. A second log, of
 * ⌈N/k⌉ grants per ⌊W/k⌋ ms (k = 10 sub-windows, fewer when N is small),
 * spreads the grants over the window at the provider's own rate, which is
 * above N per S, so the first log still sets the pace. Only windows up to a
 * minute are paced: a daily allowance is better spent at once.
 */
export interface ProviderLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/** At most `limit` grants in any span of `spanMs`. */
export interface LimitWindow {
  limit: number;
  spanMs: number;
}

export interface LimitPlan {
  /** The provider's window widened by the jitter first, then the pacing window if any. */
  windows: LimitWindow[];
  /** The provider's shortest window (ms), unwidened: the one `windows[0]` holds. */
  firstWindowMs: number;
  /** Most tokens one take may ask for (never more than any window holds). */
  maxTake: number;
  /** Sustained grants per second. */
  ratePerSecond: number;
  /** The jitter the plan allows for. */
  jitterMs: number;
  /**
   * Longest a take's reply may come back after its stamp (when asked for, plus the usual round
   * trip to Redis): half the jitter, leaving the other half for sending the requests and the
   * network on the way.
   */
  maxGrantDelayMs: number;
}

/** The spread of grant-to-arrival time the limit allows for, unless configured. */
export const DEFAULT_JITTER_MS = 100;
/** Most tokens one take asks for, unless configured. */
export const DEFAULT_MAX_TAKE = 25;
/** Sub-windows the provider's window is paced in. */
export const PACING_STEPS = 10;
/** Windows longer than this are not paced. */
export const PACE_WINDOWS_UP_TO_MS = 60_000;

export interface PlanOptions {
  /** Most tokens one call should take. @default DEFAULT_MAX_TAKE */
  maxTake?: number;
  /** Largest difference in grant-to-arrival time between two requests, in ms. @default DEFAULT_JITTER_MS */
  jitterMs?: number;
}

/**
 * The plan for a provider's limit, or for several at once (a plan such as
 * Alpha Vantage's free one allows 5 a minute and 25 a day): every one of them
 * becomes a window of the log, widened by the jitter, and the shortest is
 * paced. The first window is the shortest.
 */
export function planLimit(
  provider: ProviderLimit | readonly ProviderLimit[],
  options: PlanOptions = {},
): LimitPlan {
  const limits = (Array.isArray(provider) ? [...provider] : [provider as ProviderLimit]).sort(
    (a, b) => a.windowMs - b.windowMs,
  );
  if (limits.length === 0) throw new RangeError("a rate limit needs at least one window");
  for (const { limit: n, windowMs: w } of limits) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`rate limit must be a positive integer, got ${n}`);
    if (!(w >= 1)) throw new RangeError(`rate limit window must be at least 1 ms, got ${w}`);
  }
  const jitterMs = options.jitterMs ?? DEFAULT_JITTER_MS;
  if (!(jitterMs >= 0)) throw new RangeError(`rate limit jitter must be at least 0 ms, got ${jitterMs}`);
  const windows: LimitWindow[] = limits.map((l) => ({
    limit: l.limit,
    spanMs: Math.ceil(l.windowMs + jitterMs) + 1,
  }));
  const { limit: n, windowMs: w } = limits[0]!;
  const steps = Math.min(PACING_STEPS, n);
  if (w <= PACE_WINDOWS_UP_TO_MS && steps > 1 && Math.floor(w / steps) >= 1) {
    windows.push({ limit: Math.ceil(n / steps), spanMs: Math.floor(w / steps) });
  }
  return {
    windows,
    firstWindowMs: limits[0]!.windowMs,
    maxTake: Math.max(1, Math.min(options.maxTake ?? DEFAULT_MAX_TAKE, ...windows.map((x) => x.limit))),
    // The strictest window sets the pace over the long run.
    ratePerSecond: Math.min(...windows.slice(0, limits.length).map((x) => (x.limit / x.spanMs) * 1000)),
    jitterMs,
    // At least a few ms: with no jitter allowed at all, no reply would ever be quick enough.
    maxGrantDelayMs: Math.max(5, jitterMs / 2),
  };
}

const LIMIT_PATTERN = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|min|h|d)\s*$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses one limit or several, comma-separated: "100/1s", "5/min,25/d"; throws naming the bad part. */
export function parseProviderLimits(text: string): ProviderLimit[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "")) {
    throw new RangeError(
      `rate limit "${text}" has an empty part; separate limits with commas, e.g. 5/min,25/d`,
    );
  }
  return parts.map(parseProviderLimit);
}

/** Parses "100/1s", "300/min", "25/d", "5/60s"; throws naming the bad value. */
export function parseProviderLimit(text: string): ProviderLimit {
  const m = LIMIT_PATTERN.exec(text);
  if (!m)
    throw new RangeError(
      `rate limit "${text}" is not of the form <requests>/<n><ms|s|min|h|d>, e.g. 100/1s or 300/min`,
    );
  const limit = Number(m[1]);
  const windowMs = Number(m[2] ?? 1) * UNIT_MS[m[3]!]!;
  // The same bounds planLimit holds a plan to, said here where the text is still at hand.
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`rate limit "${text}" allows no request: the count must be at least 1`);
  if (!(windowMs >= 1)) throw new RangeError(`rate limit "${text}" has a window under 1 ms`);
  return { limit, windowMs };
}
