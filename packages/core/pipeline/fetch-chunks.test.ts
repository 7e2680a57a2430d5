/**
 * The fetcher's decisions, with in-memory stand-ins for its ports (the queue,
 * cache and limiter adapters are tested against real servers elsewhere; here
 * the question is what the step decides for each ticker).
 */
import { describe, expect, it } from "vitest";
import type { CorporateAction } from "../history/actions.ts";
import type { BarsStore, StoredChange } from "../history/bars-store.port.ts";
import { historyFromBars, type RawBar, sliceHistory } from "../history/raw-history.ts";
import { emptyTicker, type HistoryRequest, type StoredTicker } from "../history/ticker-history.ts";
import type {
  FetchFailure,
  FundamentalsResult,
  HistoryResult,
  MarketDataProvider,
} from "../market-data.port.ts";
import { decodeSeries } from "../series-codec.ts";
import { fundamentalsCacheKey, historyCacheKey } from "./cache-key.ts";
import { DEFAULT_FETCH_CONFIG, type FetchDeps, type FetchInput, fetchChunks } from "./fetch-chunks.ts";
import { encodeFetched, readFetched } from "./fetch-history.ts";
import type { FetchMessage, ScoreMessage } from "./messages.ts";
import type { OutboundMessage, ProviderAccess, TokenGrant, TokenLimiter } from "./ports.ts";

const DAY0 = Date.UTC(2026, 0, 5);
const dateOf = (i: number) => new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);

function bars(n: number, close = (i: number) => 10.5 + i): RawBar[] {
  return Array.from({ length: n }, (_, i) => ({
    date: dateOf(i),
    open: close(i) - 0.5,
    high: close(i) + 0.5,
    low: close(i) - 1.5,
    close: close(i),
    volume: 1000 + i,
    provider: "yahoo",
  }));
}

/** The provider's whole history of a symbol: 80 bars, unless a test says otherwise. */
type Answer = HistoryResult | ((attempt: number, request: HistoryRequest) => HistoryResult);

function answerFrom(
  symbol: string,
  all: RawBar[],
  request: HistoryRequest,
  actions: CorporateAction[] = [],
): HistoryResult {
  const history = historyFromBars(symbol, all);
  const bars = request.kind === "full" ? history : sliceHistory(history, request.from);
  return { ok: true, bars, actions, bytes: 100 * bars.dates.length };
}

function provider(
  answers: Record<string, Answer>,
): MarketDataProvider & { calls: string[]; requests: HistoryRequest[] } {
  const calls: string[] = [];
  const requests: HistoryRequest[] = [];
  return {
    name: "yahoo",
    calls,
    requests,
    async fetchDaily() {
      throw new Error("the fetcher asks for raw history");
    },
    async fetchHistory(symbol, request) {
      calls.push(symbol);
      requests.push(request);
      const answer = answers[symbol];
      if (typeof answer === "function") return answer(calls.filter((c) => c === symbol).length, request);
      if (answer) return answer;
      return answerFrom(symbol, bars(80), request);
    },
  };
}

/** An in-memory stand-in for the bars store (the DynamoDB one is tested against dynalite). */
function memoryStore(
  initial: StoredTicker[] = [],
): BarsStore & { held: Map<string, StoredTicker>; writes: StoredChange[][] } {
  const held = new Map(initial.map((t) => [t.bars.symbol, t]));
  const writes: StoredChange[][] = [];
  return {
    held,
    writes,
    async read(symbols) {
      return new Map(symbols.map((s) => [s, held.get(s) ?? emptyTicker(s)]));
    },
    async write(changes) {
      writes.push([...changes]);
      for (const c of changes) held.set(c.ticker.bars.symbol, c.ticker);
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
  store?: ReturnType<typeof memoryStore>;
  remainingMs?: () => number;
}) {
  const store = options.store ?? memoryStore();
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
    providers: { yahoo: access, fmp: access, polygon: access, alphavantage: access, alpaca: access },
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
    bars: store,
    scoreQueue: { send: async (m) => void scored.push(...m) },
    fetchQueue: { send: async (m) => void requeued.push(...m) },
    remainingMs: options.remainingMs ?? (() => 60_000),
    sleep: async () => undefined,
    random: () => 0.5,
  };
  return { deps, scored, requeued, cache, cacheCalls, store };
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
    const cached = encodeFetched(
      { kind: "full", days: 60 },
      { bars: historyFromBars("AAPL", bars(70)), actions: [] },
    );
    const cache = new Map([[historyCacheKey("yahoo", undefined, "AAPL"), cached]]);
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
    // What was fetched is cached as the provider answered it; the scorer gets the days asked for.
    expect(
      readFetched(h.cache.get(historyCacheKey("yahoo", undefined, "MSFT"))!)!.fetched.bars.dates,
    ).toHaveLength(80);
    const msft = h.scored.flatMap((m) => m.body.outcomes).find((o) => o.s === "MSFT")!;
    expect(msft.kind === "series" && decodeSeries(msft.data).dates).toHaveLength(60);
  });

  it("never reuses a cached answer from another market session", async () => {
    const p = provider({});
    const cached = encodeFetched(
      { kind: "full", days: 60 },
      { bars: historyFromBars("AAPL", bars(70)), actions: [] },
    );
    const cache = new Map([[historyCacheKey("yahoo", "2026-12-01", "AAPL"), cached]]);
    const h = harness({ provider: p, cache });
    const next = input("1", ["AAPL"]);
    const report = await fetchChunks(
      [{ ...next, message: { ...next.message, session: "2026-12-02" } }],
      h.deps,
    );
    expect(p.calls).toStrictEqual(["AAPL"]);
    expect(report.cacheHits).toBe(0);
    expect(h.cache.has(historyCacheKey("yahoo", "2026-12-02", "AAPL"))).toBe(true);
  });

  it("treats a cached value it cannot read, or one that does not cover the request, as a miss, and replaces it", async () => {
    const p = provider({});
    const good = encodeFetched(
      { kind: "full", days: 60 },
      { bars: historyFromBars("AAPL", bars(70)), actions: [] },
    );
    const short = encodeFetched(
      { kind: "full", days: 30 },
      { bars: historyFromBars("SHORT", bars(30)), actions: [] },
    );
    const cache = new Map([
      [historyCacheKey("yahoo", undefined, "OLD"), "TFS1AAAA"],
      [historyCacheKey("yahoo", undefined, "CUT"), good.slice(0, 60)],
      [
        historyCacheKey("yahoo", undefined, "JUNK"),
        '{"request":{"kind":"full","days":60},"symbol":"JUNK","bars":"AAAA","actions":[]}',
      ],
      [historyCacheKey("yahoo", undefined, "SHORT"), short],
      [historyCacheKey("yahoo", undefined, "AAPL"), good],
    ]);
    const h = harness({ provider: p, cache });
    const report = await fetchChunks([input("1", ["OLD", "CUT", "JUNK", "SHORT", "AAPL"])], h.deps);
    expect(p.calls.sort()).toStrictEqual(["CUT", "JUNK", "OLD", "SHORT"]);
    expect(report).toMatchObject({ cacheHits: 1, providerRequests: 4 });
    for (const s of ["OLD", "CUT", "JUNK", "SHORT"]) {
      expect(readFetched(h.cache.get(historyCacheKey("yahoo", undefined, s))!)!.fetched.bars.symbol).toBe(s);
    }
    const sources = h.scored[0]!.body.outcomes.map((o) => [o.s, o.kind === "series" ? o.source : o.kind]);
    expect(sources.sort()).toStrictEqual([
      ["AAPL", "cache"],
      ["CUT", "provider"],
      ["JUNK", "provider"],
      ["OLD", "provider"],
      ["SHORT", "provider"],
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

describe("fetchChunks with a bars store", () => {
  const stored = (symbol: string, n: number, close?: (i: number) => number): StoredTicker => ({
    bars: historyFromBars(symbol, bars(n, close)),
    actions: [],
    meta: { fullDays: 60 },
  });
  const seriesOf = (scored: { body: ScoreMessage }[], s: string) => {
    const o = scored.flatMap((m) => m.body.outcomes).find((x) => x.s === s)!;
    if (o.kind !== "series") throw new Error(`${s} was not scored: ${JSON.stringify(o)}`);
    return o;
  };

  it("asks only for the sessions after the last stored one plus the last three again, and stores what is new", async () => {
    const p = provider({});
    const store = memoryStore([stored("AAPL", 78)]);
    const h = harness({ provider: p, store });
    const report = await fetchChunks([input("1", ["AAPL"])], h.deps);
    expect(p.requests).toStrictEqual([{ kind: "incremental", from: dateOf(75) }]);
    expect(report.history).toStrictEqual({
      full: 0,
      incremental: 1,
      sessionsFetched: 5,
      refetchedForGaps: 0,
    });
    expect(report.providerBytes).toBe(500);
    expect(store.held.get("AAPL")!.bars.dates).toHaveLength(80);
    expect(store.writes.flat().map((c) => c.barsFrom)).toStrictEqual([dateOf(78)]);
    expect(seriesOf(h.scored, "AAPL").history).toStrictEqual({ mode: "incremental", sessions: 5 });
  });

  it("scores the same series from stored history plus the new sessions as from the whole history fetched at once", async () => {
    const fresh = harness({ provider: provider({}) });
    await fetchChunks([input("1", ["AAPL"])], fresh.deps);
    const incremental = harness({ provider: provider({}), store: memoryStore([stored("AAPL", 79)]) });
    await fetchChunks([input("1", ["AAPL"])], incremental.deps);
    expect(seriesOf(fresh.scored, "AAPL").history).toStrictEqual({ mode: "full", sessions: 80 });
    expect(seriesOf(incremental.scored, "AAPL").data).toBe(seriesOf(fresh.scored, "AAPL").data);
  });

  it("asks once more for the whole history when a new session moved more than 30 % with no action, and keeps a split it then learns", async () => {
    const split: CorporateAction = { type: "split", exDate: dateOf(79), from: 1, to: 2, provider: "yahoo" };
    const halved = bars(80, (i) => (i < 79 ? 100 : 50.5));
    const p = provider({
      // The incremental answer misses the split; the whole history reports it.
      AAPL: (_attempt, request) =>
        answerFrom("AAPL", halved, request, request.kind === "full" ? [split] : []),
    });
    const store = memoryStore([stored("AAPL", 79, () => 100)]);
    const h = harness({ provider: p, store });
    const report = await fetchChunks([input("1", ["AAPL"])], h.deps);
    expect(p.requests.map((r) => r.kind)).toStrictEqual(["incremental", "full"]);
    expect(report).toMatchObject({
      providerRequests: 2,
      history: { refetchedForGaps: 1, full: 1, incremental: 0 },
    });
    expect(seriesOf(h.scored, "AAPL").flags).toBeUndefined();
    expect(store.held.get("AAPL")!.actions).toStrictEqual([split]);
    // Adjusted for the split: no gap in the series the scorer gets.
    const series = decodeSeries(seriesOf(h.scored, "AAPL").data);
    expect(series.adjClose[series.adjClose.length - 2]).toBeCloseTo(50, 3);
  });

  it("marks a move that the whole history does not explain either as suspect-gap, once", async () => {
    const jumped = bars(80, (i) => (i < 79 ? 100 : 160));
    const p = provider({ AAPL: (_attempt, request) => answerFrom("AAPL", jumped, request) });
    const store = memoryStore([stored("AAPL", 79, () => 100)]);
    const h = harness({ provider: p, store });
    await fetchChunks([input("1", ["AAPL"])], h.deps);
    expect(seriesOf(h.scored, "AAPL").flags).toStrictEqual(["suspect-gap"]);
    expect(store.held.get("AAPL")!.meta.acceptedGaps).toStrictEqual([dateOf(79)]);
    // The next scan does not ask for the whole history again for the same move.
    const again = harness({ provider: p, store });
    await fetchChunks([input("1", ["AAPL"])], again.deps);
    expect(p.requests.map((r) => r.kind)).toStrictEqual(["incremental", "full", "incremental"]);
    expect(seriesOf(again.scored, "AAPL").flags).toBeUndefined();
  });

  it("fails a ticker the provider no longer knows and leaves its stored history as it was", async () => {
    const store = memoryStore([stored("GONE", 70)]);
    const h = harness({ provider: provider({ GONE: failure("GONE", "not-found") }), store });
    await fetchChunks([input("1", ["GONE"])], h.deps);
    expect(h.scored[0]!.body.outcomes[0]).toMatchObject({ kind: "failed", s: "GONE", reason: "not-found" });
    expect(store.writes.flat()).toStrictEqual([]);
    expect(store.held.get("GONE")!.bars.dates).toHaveLength(70);
  });

  it("takes one more token before each further request of a history, and hands the ticker back when none comes in time", async () => {
    const takes: number[] = [];
    const grants: TokenGrant[] = [
      { granted: true, tokens: 1 },
      { granted: true, tokens: 1 },
      { granted: true, tokens: 1 },
      { granted: true, tokens: 1 },
      { granted: true, tokens: 1 },
    ];
    const limiter: TokenLimiter = {
      maxTake: 1,
      take: async (n) => {
        takes.push(n);
        return grants.shift() ?? { granted: false, retryAfterMs: 9_000 };
      },
      holdOff: async () => undefined,
    };
    const p = provider({});
    // Like FMP's or Polygon's: bars, then splits, then dividends, each after a token.
    p.fetchHistory = async (symbol, request, options) => {
      p.calls.push(symbol);
      await options?.nextRequest?.();
      await options?.nextRequest?.();
      return answerFrom(symbol, bars(80), request);
    };
    const h = harness({ provider: p, limiter });
    const report = await fetchChunks([input("1", ["AAPL", "MSFT"])], h.deps);
    // Three tokens for AAPL; MSFT's third request finds none within the inline wait.
    expect(takes).toStrictEqual([1, 1, 1, 1, 1, 1]);
    expect(seriesOf(h.scored, "AAPL").source).toBe("provider");
    expect(report.requeued).toBe(1);
    expect(h.requeued.map((m) => [m.body.tickers, m.delaySeconds])).toStrictEqual([
      [[{ s: "MSFT", attempts: 0 }], 9],
    ]);
  });

  it("scores what it fetched when the store cannot be written, and says why", async () => {
    const store = memoryStore();
    store.write = async () => {
      throw new Error("DynamoDB unavailable");
    };
    const h = harness({ provider: provider({}), store });
    const report = await fetchChunks([input("1", ["AAPL"])], h.deps);
    expect(report.storeErrors).toStrictEqual(["DynamoDB unavailable"]);
    expect(seriesOf(h.scored, "AAPL").source).toBe("provider");
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
