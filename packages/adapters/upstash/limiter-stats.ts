/** The counters a limiter keeps of what it did (UpstashTokenLimiter's, since it was made). */
export interface LimiterCounters {
  readonly lateTokens: number;
  readonly holds: number;
  readonly refusals: number;
  readonly learnedLimit: number | undefined;
  readonly breakerOpens: number;
  readonly probes: number;
  readonly breakerRefusals: number;
}

/** What the fetch log (`"event":"fetch"`) says of the limiters, per invocation. */
export interface LimiterLog {
  /**
   * Rate-limit tokens granted but left unused because Redis answered late (see token-limiter.ts):
   * a few are harmless; many mean Redis is slow from here.
   */
  lateTokens: number;
  /**
   * Pauses of every fetcher set because the provider refused for being over its limit: any at
   * all mean it counts more than the plan (TICKERFLEET_RATE_LIMIT_*) says.
   */
  providerHolds: number;
  /** The provider's refusals for being over its limit (429s and their like). */
  providerRefusals: number;
  /** The lowest limit learned from those refusals and in force now, if any (see holdOff). */
  learnedLimit: number | null;
  /** Circuit breakers this invocation opened (or reopened after a failed probe): a provider failing again and again. */
  breakerOpens: number;
  /** Probes of a half-open breaker it sent, and takes refused for an open one. */
  breakerProbes: number;
  breakerRefusals: number;
}

/** A container's limiters, read for its log lines. */
export interface LimiterStats {
  /** Marks now; the function returned says what the limiters did since, and what holds now. */
  start(): () => LimiterLog;
}

export function limiterStats(limiters: readonly LimiterCounters[]): LimiterStats {
  const sum = (count: (l: LimiterCounters) => number) => limiters.reduce((n, l) => n + count(l), 0);
  return {
    start() {
      const lateBefore = sum((l) => l.lateTokens);
      const holdsBefore = sum((l) => l.holds);
      const refusalsOver = sum((l) => l.refusals);
      const opensBefore = sum((l) => l.breakerOpens);
      const probesBefore = sum((l) => l.probes);
      const refusalsBefore = sum((l) => l.breakerRefusals);
      return () => {
        const learned = limiters.flatMap((l) => (l.learnedLimit === undefined ? [] : [l.learnedLimit]));
        return {
          lateTokens: sum((l) => l.lateTokens) - lateBefore,
          providerHolds: sum((l) => l.holds) - holdsBefore,
          providerRefusals: sum((l) => l.refusals) - refusalsOver,
          learnedLimit: learned.length > 0 ? Math.min(...learned) : null,
          breakerOpens: sum((l) => l.breakerOpens) - opensBefore,
          breakerProbes: sum((l) => l.probes) - probesBefore,
          breakerRefusals: sum((l) => l.breakerRefusals) - refusalsBefore,
        };
      };
    },
  };
}
