/**
 * The fetcher's decisions, with in-memory stand-ins for its ports (the queue,
 * cache and limiter adapters are tested against real servers elsewhere; here
 * the question is what the step decides for each ticker).
 */
import { describe, expect, it } from "vitest";
import type {
  FetchFailure,
  FetchResult,
  FundamentalsResult,
  MarketDataProvider,
} from "../market-data.port.ts";
import { seriesFromBars } from "../series.ts";
import { decodeSeries, encodeSeries } from "../series-codec.ts";
import { cacheKey, fundamentalsCacheKey } from "./cache-key.ts";
import { DEFAULT_FETCH_CONFIG, type FetchDeps, type FetchInput, fetchChunks } from "./fetch-chunks.ts";
import type { FetchMessage, ScoreMessage } from "./messages.ts";
import type { OutboundMessage, ProviderAccess, TokenGrant, TokenLimiter } from "./ports.ts";

function bars(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    date: new Date(Date.UTC(2026, 0, 5) + i * 86_400_000).toISOString().slice(0, 10),
    open: 10 + i,
    high: 11 + i,
    low: 9 + i,
    close: 10.5 + i,
    adjClose: 10.5 + i,
    volume: 1000 + i,
  }));
}

function provider(
  answers: Record<string, FetchResult | ((attempt: number) => FetchResult)>,
): MarketDataProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: "yahoo",
    calls,
    async fetchDaily(symbol) {
      calls.push(symbol);
      const answer = answers[symbol];
      if (typeof answer === "function") return answer(calls.filter((c) => c === symbol).length);
      if (answer) return answer;
      return { ok: true, series: seriesFromBars(symbol, bars(80)) };
    },
  };
}

const failure = (
  symbol: string,
  kind: FetchFailure["kind"],
  extra: Partial<FetchFailure> = {},
): FetchFailure => ({
  ok: false,
  kind,
  provider: "yahoo",
  symbol,
  message: `${kind} for ${symbol}`,
  ...extra,
});

function harness(options: {
  provider: MarketDataProvider;
  grants?: TokenGrant[];
  limiter?: TokenLimiter;
  cache?: Map<string, string>;
  remainingMs?: () => number;
}) {
  const cache = options.cache ?? new Map<string, string>();
  const scored: OutboundMessage<ScoreMessage>[] = [];
  const requeued: OutboundMessage<FetchMessage>[] = [];
  const grants = options.grants ?? [];
  const cacheCalls = { get: 0, set: 0 };
  const access: ProviderAccess = {
    provider: options.provider,
    limiter: options.limiter ?? {
      maxTake: 5,
      take: async (n) => grants.shift() ?? { granted: true, tokens: n },
      holdOff: async () => undefined,
    },
  };
  const deps: FetchDeps = {
    providers: { yahoo: access, fmp: access, polygon: access, alphavantage: access },
    cache: {
      async getMany(keys) {
        cacheCalls.get++;
        return keys.map((k) => cache.get(k) ?? null);
      },
      async setMany(entries) {
        cacheCalls.set++;
        for (const [k, v] of entries) cache.set(k, v);
      },
    },
    scoreQueue: { send: async (m) => void scored.push(...m) },
    fetchQueue: { send: async (m) => void requeued.push(...m) },
    remainingMs: options.remainingMs ?? (() => 60_000),
    sleep: async () => undefined,
    random: () => 0.5,
  };
  return { deps, scored, requeued, cache, cacheCalls };
}

function input(id: string, tickers: string[], attempts = 0): FetchInput {
  return {
    id,
    message: {
      v: 1,
      kind: "fetch",
      scanId: "s1",
      chunk: Number(id),
      chunkSize: tickers.length,
      chunkCount: 3,
      provider: "yahoo",
      days: 60,
      tickers: tickers.map((s) => ({ s, attempts })),
    },
  };
}

describe("fetchChunks", () => {
  it("reads the cache once for the whole batch and fetches only the misses", async () => {
    const p = provider({});
    const cache = new Map([[cacheKey("yahoo", 60, "AAPL"), encodeSeries(seriesFromBars("AAPL", bars(70)))]]);
    const h = harness({ provider: p, cache });
    const report = await fetchChunks([input("1", ["AAPL", "MSFT"]), input("2", ["NVDA"])], h.deps);
    expect(h.cacheCalls).toStrictEqual({ get: 1, set: 1 });
    expect(p.calls.sort()).toStrictEqual(["MSFT", "NVDA"]);
    expect(report).toMatchObject({ cacheHits: 1, providerRequests: 2, requeued: 0, failedIds: [] });
    const outcomes = h.scored.flatMap((m) =>
      m.body.outcomes.map((o) => [o.s, o.kind, o.kind === "series" ? o.source : ""]),
    );
    expect(outcomes.sort()).toStrictEqual([
      ["AAPL", "series", "cache"],
      ["MSFT", "series", "provider"],
      ["NVDA", "series", "provider"],
    ]);
    // What was fetched is cached, trimmed to the days asked for.
    expect(decodeSeries(h.cache.get(cacheKey("yahoo", 60, "MSFT"))!).dates).toHaveLength(60);
  });

  it("treats a cached value the scorer could not decode as a miss, and replaces it", async () => {
    const p = provider({});
    const good = encodeSeries(seriesFromBars("AAPL", bars(70)));
    const cache = new Map([
      [cacheKey("yahoo", 60, "OLD"), "TFS1AAAA"],
      [cacheKey("yahoo", 60, "CUT"), good.slice(0, 60)],
      [cacheKey("yahoo", 60, "JUNK"), "not a series"],
      [cacheKey("yahoo", 60, "AAPL"), good],
    ]);
    const h = harness({ provider: p, cache });
    const report = await fetchChunks([input("1", ["OLD", "CUT", "JUNK", "AAPL"])], h.deps);
    expect(p.calls.sort()).toStrictEqual(["CUT", "JUNK", "OLD"]);
    expect(report).toMatchObject({ cacheHits: 1, providerRequests: 3 });
    for (const s of ["OLD", "CUT", "JUNK"]) {
      expect(decodeSeries(h.cache.get(cacheKey("yahoo", 60, s))!).symbol).toBe(s);
    }
    const sources = h.scored[0]!.body.outcomes.map((o) => [o.s, o.kind === "series" ? o.source : o.kind]);
    expect(sources.sort()).toStrictEqual([
      ["AAPL", "cache"],
      ["CUT", "provider"],
      ["JUNK", "provider"],
      ["OLD", "provider"],
    ]);
  });

  it("fails unknown and invalid tickers at once, and never their neighbours", async () => {
    const h = harness({
      provider: provider({ ZZZZ: failure("ZZZZ", "not-found"), BAD: failure("BAD", "invalid-response") }),
    });
    await fetchChunks([input("1", ["AAPL", "ZZZZ", "BAD"])], h.deps);
    const outcomes = h.scored[0]!.body.outcomes.map((o) =>
      o.kind === "failed" ? `${o.s}:${o.reason}` : `${o.s}:ok`,
    );
    expect(outcomes.sort()).toStrictEqual(["AAPL:ok", "BAD:invalid-response", "ZZZZ:not-found"]);
    expect(h.requeued).toStrictEqual([]);
  });

  it("re-enqueues only rate-limited and transient tickers, delayed at least as long as Retry-After", async () => {
    const h = harness({
      provider: provider({
        SLOW: failure("SLOW", "rate-limited", { status: 429, retryAfterMs: 30_000 }),
        FLAKY: failure("FLAKY", "transient", { status: 503 }),
      }),
    });
    const report = await fetchChunks([input("1", ["AAPL", "SLOW", "FLAKY"])], h.deps);
    expect(report.requeued).toBe(2);
    const back = h.requeued.map((m) => ({
      tickers: m.body.tickers.map((t) => `${t.s}@${t.attempts}`),
      delay: m.delaySeconds,
    }));
    expect(back).toContainEqual({ tickers: ["SLOW@1"], delay: 30 });
    const flaky = back.find((b) => b.tickers[0] === "FLAKY@1")!;
    expect(flaky.delay).toBeGreaterThanOrEqual(1);
    expect(flaky.delay).toBeLessThanOrEqual(DEFAULT_FETCH_CONFIG.backoff.baseMs / 1000);
    expect(h.scored[0]!.body.outcomes.map((o) => o.s)).toStrictEqual(["AAPL"]);
  });

  it("pauses the shared limit when the provider says it is over it, and hands the rest back for as long", async () => {
    // A limiter that, once held, refuses for the hold (as the Upstash one does for every fetcher).
    const holds: (number | undefined)[] = [];
    const sentTimes: (number | undefined)[] = [];
    let heldMs = 0;
    const started = Date.now();
    const limiter: TokenLimiter = {
      maxTake: 1,
      async take() {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return heldMs > 0 ? { granted: false, retryAfterMs: heldMs } : { granted: true, tokens: 1 };
      },
      async holdOff(ms, sentAtMs) {
        holds.push(ms);
        sentTimes.push(sentAtMs);
        heldMs = ms ?? 60_000;
      },
    };
    const p = provider({ SLOW: failure("SLOW", "rate-limited", { status: 429, retryAfterMs: 30_000 }) });
    const h = harness({ provider: p, limiter });
    const report = await fetchChunks([input("1", ["SLOW", "AAPL", "MSFT"])], h.deps);
    expect(holds).toStrictEqual([30_000]);
    // With when the refused request went out, so the limiter can learn what the provider allows.
    expect(sentTimes[0]).toBeGreaterThanOrEqual(started);
    expect(sentTimes[0]).toBeLessThanOrEqual(Date.now());
    // Nothing more went to the provider after its refusal.
    expect(p.calls).toStrictEqual(["SLOW"]);
    expect(report.requeued).toBe(3);
    const back = h.requeued.map((m) => ({
      tickers: m.body.tickers.map((t) => `${t.s}@${t.attempts}`).sort(),
      delay: m.delaySeconds,
    }));
    expect(back).toStrictEqual([{ tickers: ["AAPL@0", "MSFT@0", "SLOW@1"], delay: 30 }]);
  });

  it("retries a refused ticker as usual when the pause cannot be set", async () => {
    const limiter: TokenLimiter = {
      maxTake: 5,
      take: async (n) => ({ granted: true, tokens: n }),
      holdOff: async () => {
        throw new Error("Redis unreachable");
      },
    };
    const p = provider({ SLOW: failure("SLOW", "rate-limited", { status: 429, retryAfterMs: 30_000 }) });
    const h = harness({ provider: p, limiter });
    const report = await fetchChunks([input("1", ["SLOW", "AAPL"])], h.deps);
    expect(report.failedIds).toStrictEqual([]);
    expect(h.requeued.map((m) => [m.body.tickers, m.delaySeconds])).toStrictEqual([
      [[{ s: "SLOW", attempts: 1, lastReason: "rate-limited: rate-limited for SLOW" }], 30],
    ]);
    expect(h.scored[0]!.body.outcomes.map((o) => o.s)).toStrictEqual(["AAPL"]);
  });

  it("fails a ticker with its last reason after the last attempt", async () => {
    const h = harness({ provider: provider({ FLAKY: failure("FLAKY", "transient", { status: 502 }) }) });
    await fetchChunks([input("1", ["FLAKY"], DEFAULT_FETCH_CONFIG.maxAttempts - 1)], h.deps);
    expect(h.requeued).toStrictEqual([]);
    expect(h.scored[0]!.body.outcomes[0]).toMatchObject({
      kind: "failed",
      s: "FLAKY",
      reason: "transient",
      attempts: DEFAULT_FETCH_CONFIG.maxAttempts,
    });
  });

  it("hands the chunk back untouched when the limit says 'not yet' for longer than it may wait", async () => {
    const p = provider({});
    const h = harness({ provider: p, grants: [{ granted: false, retryAfterMs: 7_500 }] });
    const report = await fetchChunks([input("1", ["AAPL", "MSFT"])], h.deps);
    expect(p.calls).toStrictEqual([]);
    expect(report.requeued).toBe(2);
    expect(h.requeued).toStrictEqual([
      {
        body: expect.objectContaining({
          tickers: [
            { s: "AAPL", attempts: 0 },
            { s: "MSFT", attempts: 0 },
          ],
        }),
        delaySeconds: 8,
      },
    ]);
  });

  it("waits inside the function for a short 'not yet'", async () => {
    const p = provider({});
    const h = harness({ provider: p, grants: [{ granted: false, retryAfterMs: 40 }] });
    await fetchChunks([input("1", ["AAPL"])], h.deps);
    expect(p.calls).toStrictEqual(["AAPL"]);
    expect(h.requeued).toStrictEqual([]);
  });

  it("starts only as many requests as the limiter granted tokens for", async () => {
    const p = provider({});
    const h = harness({
      provider: p,
      grants: [
        { granted: true, tokens: 2 },
        { granted: false, retryAfterMs: 9_000 },
      ],
    });
    const report = await fetchChunks([input("1", ["AAPL", "MSFT", "NVDA", "AMZN"])], h.deps);
    expect(p.calls).toStrictEqual(["AAPL", "MSFT"]);
    expect(report.requeued).toBe(2);
    expect(h.requeued.map((m) => m.body.tickers.map((t) => t.s))).toStrictEqual([["NVDA", "AMZN"]]);
  });

  it("stops taking work when the invocation runs short of time and hands back the rest", async () => {
    const p = provider({});
    const h = harness({ provider: p, remainingMs: () => 1_000 });
    const report = await fetchChunks([input("1", ["AAPL", "MSFT"])], h.deps);
    expect(p.calls).toStrictEqual([]);
    expect(report.requeued).toBe(2);
    expect(h.scored).toStrictEqual([]);
  });

  it("fails the input whose outcomes could not be queued, so SQS brings it back", async () => {
    const h = harness({ provider: provider({}) });
    h.deps.scoreQueue = {
      send: async () => {
        throw new Error("SQS unavailable");
      },
    };
    const report = await fetchChunks([input("7", ["AAPL"])], h.deps);
    expect(report.failedIds).toStrictEqual(["7"]);
    expect(report.handoffErrors).toStrictEqual(["SQS unavailable"]);
  });
});

describe("fetchChunks with fundamentals", () => {
  const withFundamentals = (id: string, tickers: string[]): FetchInput => {
    const base = input(id, tickers);
    return { ...base, message: { ...base.message, fundamentals: true } };
  };
  function fundamentalsProvider(answers: Record<string, FundamentalsResult | Error>) {
    const p = provider({ GONE: failure("GONE", "not-found") });
    const fundamentalsCalls: string[] = [];
    return Object.assign(p, {
      fundamentalsCalls,
      async fetchFundamentals(symbol: string): Promise<FundamentalsResult> {
        fundamentalsCalls.push(symbol);
        const answer = answers[symbol];
        if (answer instanceof Error) throw answer;
        return answer ?? { ok: true, fundamentals: { epsGrowthQuarterlyPct: 30, epsGrowthAnnualPct: 20 } };
      },
    });
  }
  const fundamentalsOf = (scored: { body: ScoreMessage }[]) =>
    Object.fromEntries(
      scored.flatMap((m) => m.body.outcomes).map((o) => [o.s, o.kind === "series" ? o.fundamentals : o.kind]),
    );

  it("attaches earnings growth to each series, one request per miss, cached for a day", async () => {
    const p = fundamentalsProvider({});
    const cache = new Map([
      [fundamentalsCacheKey("yahoo", "MSFT"), JSON.stringify({ epsGrowthAnnualPct: 5 })],
    ]);
    const h = harness({ provider: p, cache });
    const report = await fetchChunks([withFundamentals("1", ["AAPL", "MSFT", "GONE"])], h.deps);
    expect(p.fundamentalsCalls).toStrictEqual(["AAPL"]);
    expect(report.fundamentals).toStrictEqual({ cached: 1, fetched: 1, missing: 0 });
    expect(fundamentalsOf(h.scored)).toStrictEqual({
      AAPL: { epsGrowthQuarterlyPct: 30, epsGrowthAnnualPct: 20 },
      MSFT: { epsGrowthAnnualPct: 5 },
      GONE: "failed",
    });
    expect(JSON.parse(h.cache.get(fundamentalsCacheKey("yahoo", "AAPL"))!)).toStrictEqual({
      epsGrowthQuarterlyPct: 30,
      epsGrowthAnnualPct: 20,
    });
  });

  it("scores a ticker without them when they fail, throw, are cached unreadable, or find no token", async () => {
    const p = fundamentalsProvider({
      AAPL: failure("AAPL", "transient"),
      MSFT: new Error("adapter bug"),
    });
    const cache = new Map([[fundamentalsCacheKey("yahoo", "NVDA"), '{"epsGrowthAnnualPct":"lots"}']]);
    // Bars get their tokens; the last fundamentals take is refused for longer than an inline wait.
    const grants: TokenGrant[] = [
      { granted: true, tokens: 4 },
      { granted: true, tokens: 3 },
      { granted: false, retryAfterMs: 60_000 },
    ];
    const h = harness({ provider: p, cache, grants });
    const report = await fetchChunks([withFundamentals("1", ["AAPL", "MSFT", "NVDA", "META"])], h.deps);
    expect(report.requeued).toBe(0);
    expect(report.fundamentals).toStrictEqual({ cached: 0, fetched: 1, missing: 3 });
    const got = fundamentalsOf(h.scored);
    expect(Object.keys(got).sort()).toStrictEqual(["AAPL", "META", "MSFT", "NVDA"]);
    expect(Object.values(got).filter((f) => f !== undefined)).toHaveLength(1);
  });

  it("asks for none when the chunk did not ask", async () => {
    const p = fundamentalsProvider({});
    const h = harness({ provider: p });
    const report = await fetchChunks([input("1", ["AAPL"])], h.deps);
    expect(p.fundamentalsCalls).toStrictEqual([]);
    expect(report).not.toHaveProperty("fundamentals");
  });
});
