import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { type BreakerSettings, DEFAULT_BREAKER } from "../../core/breaker.ts";
import type { TokenGrant, TokenLimiter } from "../../core/pipeline/ports.ts";
import { type LimitPlan, type PlanOptions, type ProviderLimit, planLimit } from "../../core/rate-plan.ts";
import { breakerFailed, breakerSucceeded } from "./breaker.ts";
import type { LimiterCounters } from "./limiter-stats.ts";
import { type BreakerReply, holdLog, STAMP_SLACK_MS, slidingLog } from "./sliding-log.ts";

type RatelimitResponse = Awaited<ReturnType<Ratelimit["limit"]>>;

/** Round trips remembered to learn the usual one: a route that gets slower is learnt within these. */
const ROUND_TRIPS_KEPT = 16;
/** Round trips known before the usual one is trusted. */
const MIN_ROUND_TRIPS = 4;
/** The library's key prefix for our logs (it joins prefix and identifier with ':'). */
const PREFIX = "tf:rl";
/** Longest pause a provider's answer can impose on every fetcher (a Retry-After beyond it is capped). */
export const MAX_HOLD_MS = 15 * 60_000;

/**
 * The limiter key of a provider and API key: the key's hash, never the key,
 * so every function sharing a key shares one budget and Redis never holds it.
 */
export function limiterIdentifier(provider: string, apiKey: string | undefined): string {
  const keyId = apiKey ? createHash("sha256").update(apiKey).digest("hex").slice(0, 16) : "anonymous";
  return `${provider}:${keyId}`;
}

/**
 * The provider's limit, shared by every fetcher through Upstash: a
 * @upstash/ratelimit limiter with an exact sliding log of grants, planned by
 * planLimit so that no provider window sees more than the limit (see
 * core/rate-plan.ts). One `limit()` call takes up to `maxTake` tokens at once:
 * one Redis command (EVALSHA). Its counters (late tokens, holds, learned limit) are read for the
 * fetch log through limiterStats, never by the composition.
 */
export class UpstashTokenLimiter implements TokenLimiter, LimiterCounters {
  readonly plan: LimitPlan;
  private readonly ratelimit: Ratelimit;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Epoch ms (this container's clock) before which a take cannot succeed, as far as it knows. */
  private notBefore = 0;
  /** Round trips of the last takes (ms), oldest first. */
  private readonly roundTrips: number[] = [];
  /** How far ahead of asking grants are stamped: the usual round trip, once known. */
  private lead = 0;
  /** That window's limit as last heard from Redis (the plan's, or lower while a learned one lasts). */
  private firstLimit: number;

  private readonly breaker: BreakerSettings;
  /** The last take read failures counted by the breaker, or this container granted its probe: a success must say so. */
  private breakerToClear = false;

  constructor(
    private readonly redis: Redis,
    private readonly identifier: string,
    limit: ProviderLimit | readonly ProviderLimit[],
    options: PlanOptions & {
      clock?: () => number;
      sleep?: (ms: number) => Promise<void>;
      breaker?: BreakerSettings;
    } = {},
  ) {
    this.breaker = options.breaker ?? DEFAULT_BREAKER;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.plan = planLimit(limit, options);
    this.firstLimit = this.plan.windows[0]!.limit;
    this.ratelimit = new Ratelimit({
      redis,
      limiter: slidingLog(this.plan.windows, { clock: () => this.clock() + this.lead }),
      prefix: PREFIX,
      analytics: false,
      // A slow Redis must never let requests through: the library's timeout admits them.
      timeout: 0,
      // The library's in-memory block list would skip Redis until `reset`; our waits already do that.
      ephemeralCache: false,
    });
  }

  /** Tokens granted too late to use (see ask), since this limiter was made. */
  lateTokens = 0;

  get maxTake(): number {
    return this.plan.maxTake;
  }

  /**
   * One take of `want` tokens, stamped with the time its requests will go out: when asked, plus
   * the usual round trip to Redis (the fastest of the last few; none until a few are known, so
   * the first replies, which load the script in two round trips, are judged strictly). A reply
   * that comes back earlier than its stamp waits for it; one that comes back later than the
   * stamp by more than the plan allows (a slow or retried Redis call, a busy container) would
   * send its requests beyond the jitter the plan allows for, so its tokens are left unused,
   * which can only make the provider see fewer requests.
   *
   * Stamping ahead by the usual round trip, rather than judging replies against an absolute
   * bound, keeps a Redis far away (another region: 80 ms and more) from making every grant
   * late and the scan stand still: a delay every grant shares shifts every request alike and
   * keeps the spacing the provider sees.
   */
  private async ask(want: number): Promise<{ result: RatelimitResponse; late: boolean }> {
    const lead = this.lead;
    const askedAt = this.clock();
    const result = await this.ratelimit.limit(this.identifier, { rate: want });
    const roundTrip = this.clock() - askedAt;
    this.learn(roundTrip);
    this.firstLimit = result.limit;
    const reply = result as unknown as Partial<BreakerReply>;
    if ((reply.failures ?? 0) > 0 || reply.breaker === "probe") this.breakerToClear = true;
    if (result.success && roundTrip < lead) await this.sleep(lead - roundTrip);
    // Judged when the requests could go (a timer can fire late too).
    if (this.clock() - (askedAt + lead) > this.plan.maxGrantDelayMs) {
      if (result.success) this.lateTokens += want;
      return { result, late: true };
    }
    // Stamps and resets are on the stamping clock; this container's is `lead` behind it.
    return { result: { ...result, reset: result.reset - lead }, late: false };
  }

  private learn(roundTrip: number): void {
    this.roundTrips.push(roundTrip);
    if (this.roundTrips.length > ROUND_TRIPS_KEPT) this.roundTrips.shift();
    if (this.roundTrips.length >= MIN_ROUND_TRIPS) {
      // Never beyond what the log keeps for stamps that differ (see STAMP_SLACK_MS).
      this.lead = Math.min(...this.roundTrips, STAMP_SLACK_MS);
    }
  }

  /**
   * The provider refused a request for being over its limit (a 429, or Alpha Vantage's note):
   * no fetcher sharing this limit takes tokens for `ms` (Retry-After), or, when the provider
   * did not say, for the span of its shortest window, after which that window has surely
   * rolled on. The answer is a pause every fetcher keeps, not only the one that met it: a
   * refusal means the provider counts more than the plan does (another client on the same
   * key, a plan smaller than configured), and more requests now would only be refused too.
   *
   * Given when the refused request was sent (`sentAtMs`, this container's clock), the limit is
   * also learned: the grants of the provider's window before it are what the provider allowed,
   * and while that is below the plan it is the first window's limit, for every fetcher, until
   * LEARNED_LIMIT_TTL_MS after the refusal (then the plan is tried again). See sliding-log.ts.
   *
   * A longer hold already set stays. One Redis command per refusal (every refusal is counted,
   * so that refused requests are not taken for allowed ones); without a send time, skipped
   * when this container already holds at least as long.
   */
  async holdOff(ms?: number, sentAtMs?: number): Promise<void> {
    this.refusals++;
    const pause = Math.min(MAX_HOLD_MS, Math.max(1, ms ?? this.plan.windows[0]!.spanMs));
    const until = this.clock() + pause;
    if (until <= this.notBefore && sentAtMs === undefined) return;
    if (until > this.notBefore) this.holds++;
    this.notBefore = Math.max(this.notBefore, until);
    const lead = this.lead;
    // Stamped on the takers' clock (see ask), so the script compares like with like.
    const held = await holdLog(this.redis, {
      key: `${PREFIX}:${this.identifier}`,
      untilMs: until + lead,
      keepMs: pause + lead,
      ...(sentAtMs !== undefined ? { sentAtMs: sentAtMs + lead } : {}),
      windowMs: this.plan.firstWindowMs,
      plannedLimit: this.plan.windows[0]!.limit,
      // A grant may go out up to this late (see ask): such requests may have reached the
      // provider after the refused one, so they tell nothing of what it allowed before it.
      marginMs: this.plan.maxGrantDelayMs,
    });
    this.notBefore = Math.max(this.notBefore, held.untilMs - lead);
    this.firstLimit = held.limit;
  }

  /** Pauses this limiter set or lengthened after a provider's refusal (see holdOff), since it was made. */
  holds = 0;
  /** The provider's over-the-limit refusals (429s, FMP's and Alpha Vantage's notes) told to holdOff. */
  refusals = 0;

  /** The provider's first window's limit as last heard from Redis, when lower than the plan's. */
  get learnedLimit(): number | undefined {
    return this.firstLimit < this.plan.windows[0]!.limit ? this.firstLimit : undefined;
  }

  /** Breakers this limiter opened (or reopened after a failed probe), probes it sent, takes refused for an open breaker. */
  breakerOpens = 0;
  probes = 0;
  /** Until when (this container's clock) it last heard the breaker is open. */
  private breakerOpenUntil = 0;
  breakerRefusals = 0;

  async failed(): Promise<"counted" | "open"> {
    if (this.breaker.failures === 0) return "counted";
    this.breakerToClear = true;
    const lead = this.lead;
    const verdict = await breakerFailed(
      this.redis,
      `${PREFIX}:${this.identifier}`,
      this.breaker,
      this.clock() + lead,
    );
    if (verdict.kind === "counted") return "counted";
    if (verdict.kind === "opened") this.breakerOpens++;
    this.breakerOpenUntil = verdict.untilMs - lead;
    this.notBefore = Math.max(this.notBefore, this.breakerOpenUntil);
    return "open";
  }

  async succeeded(): Promise<void> {
    if (!this.breakerToClear) return;
    this.breakerToClear = false;
    await breakerSucceeded(this.redis, `${PREFIX}:${this.identifier}`, this.clock() + this.lead);
  }

  async take(n: number): Promise<TokenGrant> {
    // Not worth a Redis command before the log can hold what we would ask for.
    const now = this.clock();
    if (now < this.notBefore)
      return {
        granted: false,
        retryAfterMs: this.notBefore - now,
        ...(now < this.breakerOpenUntil ? { breakerOpen: true as const } : {}),
      };
    // Never more than the first window holds now (a learned limit may be below the plan's take).
    // While the provider's breaker counts failures, one request at a time: a provider that has
    // gone down sees no more than the breaker's threshold before it opens, not a whole take's burst.
    const want = this.breakerToClear ? 1 : Math.max(1, Math.min(n, this.plan.maxTake, this.firstLimit));
    const first = await this.ask(want);
    if (first.late) return { granted: false, retryAfterMs: 1 };
    const { result } = first;
    const breaker = (result as unknown as Partial<BreakerReply>).breaker;
    if (breaker === "open") {
      this.notBefore = this.breakerOpenUntil = result.reset;
      this.breakerRefusals++;
      return { granted: false, retryAfterMs: Math.max(1, result.reset - this.clock()), breakerOpen: true };
    }
    // The half-open breaker's probe: one token, whatever was asked.
    if (breaker === "probe" && result.success) {
      this.probes++;
      return { granted: true, tokens: 1, probe: true };
    }
    // The reply's reset is exact (see sliding-log.ts): when the budget has room again after a
    // grant that emptied it, or when `want` more fit after a refusal. Other fetchers may take
    // those tokens first; then the next reply names the next time, so a refusal costs one
    // command and no guessing.
    this.notBefore = result.success && result.remaining > 0 ? 0 : result.reset;
    if (result.success) return { granted: true, tokens: want };
    // Fewer than we asked for are free now: take those (the library's takes are all or none).
    if (result.remaining > 0) {
      const some = await this.ask(result.remaining);
      if (some.late) return { granted: false, retryAfterMs: 1 };
      if (some.result.success) return { granted: true, tokens: result.remaining };
      this.notBefore = some.result.reset;
    }
    return { granted: false, retryAfterMs: Math.max(1, this.notBefore - this.clock()) };
  }
}
