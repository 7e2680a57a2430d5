/**
 * A scan's fallback chain in the fetcher, with in-memory stand-ins for its ports (the queue,
 * cache and limiter adapters are tested against real servers elsewhere; the chain's end to end
 * run is test/e2e/providers-fail.test.ts): which provider each ticker is asked of, and where a
 * failed one goes.
 */
import { describe, expect, it } from "vitest";
import { historyFromBars, type RawBar } from "../history/raw-history.ts";
import { emptyTicker } from "../history/ticker-history.ts";
import type {
  FetchFailureKind,
  HistoryResult,
  MarketDataProvider,
  ProviderName,
} from "../market-data.port.ts";
import { historyCacheKey } from "./cache-key.ts";
import { chainOf, fallbackRetry, tickerProvider } from "./fallback.ts";
import { type FetchDeps, type FetchInput, fetchChunks } from "./fetch-chunks.ts";
import type { FetchMessage, FetchTicker, ScoreMessage } from "./messages.ts";
import { encodeSupply } from "./plan-supply.ts";
import type { OutboundMessage, ProviderAccess, TokenLimiter } from "./ports.ts";

const DAY0 = Date.UTC(2026, 0, 5);
const dateOf = (i: number) => new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);
const bars = (n: number, provider: ProviderName): RawBar[] =>
  Array.from({ length: n }, (_, i) => ({
    date: dateOf(i),
    open: 10 + i,
    high: 11 + i,
    low: 9 + i,
    close: 10.5 + i,
    volume: 1000 + i,
    provider,
  }));

/** A provider that fails the symbols it is told to (with the kind given), and knows every other. */
function provider(name: ProviderName, fails: Record<string, FetchFailureKind> = {}) {
  const calls: string[] = [];
  const p: MarketDataProvider = {
    name,
    async fetchDaily() {
      throw new Error("the fetcher asks for raw history");
    },
    async fetchHistory(symbol): Promise<HistoryResult> {
      calls.push(symbol);
      const kind = fails[symbol];
      if (kind) return { ok: false, kind, provider: name, symbol, message: `${kind} for ${symbol}` };
      const history = historyFromBars(symbol, bars(80, name));
      return { ok: true, bars: history, actions: [], bytes: 100 };
    },
  };
  return { p, calls };
}

function harness(
  providers: Partial<Record<ProviderName, MarketDataProvider>>,
  limiters: Partial<Record<ProviderName, TokenLimiter>> = {},
) {
  const scored: OutboundMessage<ScoreMessage>[] = [];
  const requeued: OutboundMessage<FetchMessage>[] = [];
  const access = (p: MarketDataProvider | undefined, limiter?: TokenLimiter): ProviderAccess => ({
    provider: p ?? {
      name: "yahoo",
      fetchDaily: async () => {
        throw new Error("not in this test's chain");
      },
      fetchHistory: async () => {
        throw new Error("not in this test's chain");
      },
    },
    limiter: limiter ?? {
      maxTake: 10,
      take: async (n) => ({ granted: true, tokens: n }),
      holdOff: async () => undefined,
    },
  });
  const cache = new Map<string, string>();
  const deps: FetchDeps = {
    providers: {
      yahoo: access(providers.yahoo, limiters.yahoo),
      fmp: access(providers.fmp, limiters.fmp),
      polygon: access(providers.polygon, limiters.polygon),
      alphavantage: access(providers.alphavantage, limiters.alphavantage),
      alpaca: access(providers.alpaca, limiters.alpaca),
    },
    cache: {
      getMany: async (keys) => keys.map((k) => cache.get(k) ?? null),
      setMany: async (entries) => {
        for (const [k, v] of entries) cache.set(k, v);
      },
    },
    bars: {
      read: async (symbols) => new Map(symbols.map((s) => [s, emptyTicker(s)])),
      write: async () => undefined,
    },
    scoreQueue: { send: async (m) => void scored.push(...m) },
    fetchQueue: { send: async (m) => void requeued.push(...m) },
    remainingMs: () => 60_000,
    sleep: async () => undefined,
    random: () => 0.5,
  };
  return { deps, scored, requeued, cache };
}

function input(tickers: FetchTicker[], chain: ProviderName[] | undefined, extra: Partial<FetchMessage> = {}) {
  const message: FetchMessage = {
    v: 1,
    kind: "fetch",
    scanId: "s1",
    chunk: 0,
    chunkSize: tickers.length,
    chunkCount: 2,
    provider: chain?.[0] ?? "polygon",
    ...(chain && chain.length > 1 ? { chain } : {}),
    days: 60,
    tickers,
    ...extra,
  };
  return { id: "m1", message } satisfies FetchInput;
}

const outcomesOf = (scored: OutboundMessage<ScoreMessage>[]) => scored.flatMap((m) => m.body.outcomes);

describe("a fallback chain in the fetcher", () => {
  it("hands a ticker its first provider cannot serve to the next, at once and with fresh attempts", async () => {
    const polygon = provider("polygon", { ZZZZ: "not-found" });
    const yahoo = provider("yahoo");
    const h = harness({ polygon: polygon.p, yahoo: yahoo.p });
    const first = input(
      [
        { s: "AAPL", attempts: 0 },
        { s: "ZZZZ", attempts: 0 },
      ],
      ["polygon", "yahoo"],
    );
    const report = await fetchChunks([first], h.deps);
    expect(report.fallbacks).toBe(1);
    expect(polygon.calls.sort()).toStrictEqual(["AAPL", "ZZZZ"]);
    expect(yahoo.calls).toStrictEqual([]);
    expect(outcomesOf(h.scored)).toMatchObject([{ kind: "series", s: "AAPL", provider: "polygon" }]);
    expect(h.requeued).toHaveLength(1);
    const next = h.requeued[0]!;
    expect(next.delaySeconds ?? 0).toBe(0);
    expect(next.body.chain).toStrictEqual(["polygon", "yahoo"]);
    expect(next.body.tickers).toStrictEqual([
      { s: "ZZZZ", attempts: 0, p: 1, lastReason: "polygon not-found: not-found for ZZZZ" },
    ]);

    // The requeued message comes back: Yahoo, the chain's next, serves it; Polygon is not asked again.
    const again = harness({ polygon: polygon.p, yahoo: yahoo.p });
    await fetchChunks([{ id: "m2", message: next.body }], again.deps);
    expect(yahoo.calls).toStrictEqual(["ZZZZ"]);
    expect(polygon.calls).toHaveLength(2);
    expect(outcomesOf(again.scored)).toMatchObject([{ kind: "series", s: "ZZZZ", provider: "yahoo" }]);
    // Cached under the provider that answered: another scan's Polygon answer is never taken for it.
    expect(again.cache.has(historyCacheKey("yahoo", undefined, "ZZZZ"))).toBe(true);
  });

  it("fails a ticker at the chain's end with the last provider's reason, naming it", async () => {
    const yahoo = provider("yahoo", { ZZZZ: "not-found" });
    const h = harness({ yahoo: yahoo.p });
    const last = input([{ s: "ZZZZ", attempts: 0, p: 1 }], ["polygon", "yahoo"]);
    const report = await fetchChunks([last], h.deps);
    expect(report.fallbacks).toBe(0);
    expect(h.requeued).toStrictEqual([]);
    expect(outcomesOf(h.scored)).toStrictEqual([
      { kind: "failed", s: "ZZZZ", reason: "not-found", message: "yahoo: not-found for ZZZZ", attempts: 1 },
    ]);
  });

  it("moves on once a provider's attempts are spent on transient failures, not before", async () => {
    const polygon = provider("polygon", { AAPL: "transient" });
    const h = harness({ polygon: polygon.p, yahoo: provider("yahoo").p });
    await fetchChunks([input([{ s: "AAPL", attempts: 3 }], ["polygon", "yahoo"])], h.deps);
    expect(h.requeued[0]!.body.tickers).toMatchObject([{ s: "AAPL", attempts: 4 }]);
    expect(h.requeued[0]!.body.tickers[0]!.p).toBeUndefined();
    expect(h.requeued[0]!.delaySeconds).toBeGreaterThan(0);

    const spent = harness({ polygon: polygon.p, yahoo: provider("yahoo").p });
    await fetchChunks([input([{ s: "AAPL", attempts: 4 }], ["polygon", "yahoo"])], spent.deps);
    expect(spent.requeued[0]!.body.tickers).toMatchObject([{ s: "AAPL", attempts: 0, p: 1 }]);
    expect(spent.scored).toStrictEqual([]);
  });

  it("sends the tickers of a plan unit that failed down the chain, where the plan's supply no longer applies", async () => {
    const yahoo = provider("yahoo");
    const h = harness({ polygon: provider("polygon").p, yahoo: yahoo.p });
    const supply = encodeSupply(
      new Map([
        [
          "AAPL",
          { kind: "failed" as const, reason: "transient", message: "polygon market day 2026-03-02: 503" },
        ],
        [
          "MSFT",
          {
            kind: "bars" as const,
            from: dateOf(0),
            bars: historyFromBars("MSFT", bars(80, "polygon")),
            actions: [],
          },
        ],
      ]),
    );
    const planned = input(
      [
        { s: "AAPL", attempts: 0 },
        { s: "MSFT", attempts: 0 },
      ],
      ["polygon", "yahoo"],
      { supply },
    );
    await fetchChunks([planned], h.deps);
    expect(outcomesOf(h.scored)).toMatchObject([{ kind: "series", s: "MSFT", provider: "polygon" }]);
    const next = h.requeued[0]!.body;
    expect(next.tickers).toMatchObject([{ s: "AAPL", p: 1 }]);

    // Back again with the supply still on the message: AAPL is Yahoo's now, asked per ticker.
    const again = harness({ yahoo: yahoo.p });
    await fetchChunks([{ id: "m2", message: next }], again.deps);
    expect(yahoo.calls).toStrictEqual(["AAPL"]);
    expect(outcomesOf(again.scored)).toMatchObject([{ kind: "series", s: "AAPL", provider: "yahoo" }]);
  });

  it("asks the chunk's own provider first when the plan's unit that failed was another provider's", async () => {
    const yahoo = provider("yahoo");
    const polygon = provider("polygon");
    const h = harness({ polygon: polygon.p, yahoo: yahoo.p });
    const supply = encodeSupply(
      new Map([
        [
          "AAPL",
          {
            kind: "failed" as const,
            reason: "breaker-open",
            message: "polygon market day: open",
            provider: "polygon" as const,
          },
        ],
      ]),
    );
    await fetchChunks([input([{ s: "AAPL", attempts: 0 }], ["yahoo", "polygon"], { supply })], h.deps);
    expect(yahoo.calls).toStrictEqual(["AAPL"]);
    expect(polygon.calls).toStrictEqual([]);
    expect(outcomesOf(h.scored)).toMatchObject([{ kind: "series", s: "AAPL", provider: "yahoo" }]);
  });

  it("behaves as a single provider always has with a chain of one", async () => {
    const h = harness({ polygon: provider("polygon", { ZZZZ: "not-found" }).p });
    await fetchChunks([input([{ s: "ZZZZ", attempts: 0 }], undefined)], h.deps);
    expect(h.requeued).toStrictEqual([]);
    expect(outcomesOf(h.scored)).toStrictEqual([
      { kind: "failed", s: "ZZZZ", reason: "not-found", message: "not-found for ZZZZ", attempts: 1 },
    ]);
  });

  /** A limiter whose provider's breaker is open for 30 s more. */
  const openBreaker: TokenLimiter = {
    maxTake: 10,
    take: async () => ({ granted: false, retryAfterMs: 30_000, breakerOpen: true }),
    holdOff: async () => undefined,
  };

  it("sends the tickers of a provider whose breaker is open down the chain, without a request", async () => {
    const polygon = provider("polygon");
    const h = harness({ polygon: polygon.p, yahoo: provider("yahoo").p }, { polygon: openBreaker });
    const report = await fetchChunks([input([{ s: "AAPL", attempts: 2 }], ["polygon", "yahoo"])], h.deps);
    expect(polygon.calls).toStrictEqual([]);
    expect(report.fallbacks).toBe(1);
    expect(h.requeued.map((m) => [m.delaySeconds ?? 0, m.body.tickers])).toStrictEqual([
      [
        0,
        [
          {
            s: "AAPL",
            attempts: 0,
            p: 1,
            lastReason: "polygon breaker-open: polygon's circuit breaker is open: it failed repeatedly",
          },
        ],
      ],
    ]);
  });

  it("with no provider left, waits the breaker's cool-down out on the queue, no attempt spent", async () => {
    const polygon = provider("polygon");
    const h = harness({ polygon: polygon.p }, { polygon: openBreaker });
    await fetchChunks([input([{ s: "AAPL", attempts: 2 }], undefined)], h.deps);
    expect(polygon.calls).toStrictEqual([]);
    expect(h.requeued.map((m) => [m.delaySeconds, m.body.tickers])).toStrictEqual([
      [30, [{ s: "AAPL", attempts: 2 }]],
    ]);
  });

  it("tells the provider's breaker of each transient failure and each success, and of nothing else", async () => {
    const told = { failed: 0, succeeded: 0 };
    const limiter: TokenLimiter = {
      maxTake: 10,
      take: async (n) => ({ granted: true, tokens: n }),
      holdOff: async () => undefined,
      failed: async () => {
        told.failed++;
        return "counted";
      },
      succeeded: async () => void told.succeeded++,
    };
    const polygon = provider("polygon", { A: "transient", B: "invalid-response", C: "not-found" });
    const h = harness({ polygon: polygon.p }, { polygon: limiter });
    const tickers = ["A", "B", "C", "D", "E"].map((s) => ({ s, attempts: 0 }));
    await fetchChunks([input(tickers, undefined)], h.deps);
    expect(told).toStrictEqual({ failed: 2, succeeded: 2 });
  });

  it("reads a message's chain and a ticker's place in it", () => {
    const message = { provider: "fmp" as const, chain: ["fmp", "yahoo"] as ProviderName[] };
    expect(chainOf({ provider: "fmp" })).toStrictEqual(["fmp"]);
    expect(tickerProvider(message, {})).toBe("fmp");
    expect(tickerProvider(message, { p: 1 })).toBe("yahoo");
    const failed = { kind: "failed" as const, s: "X", reason: "unauthorized", message: "401", attempts: 1 };
    expect(fallbackRetry(message, { s: "X", attempts: 1, p: 1 }, failed)).toBeUndefined();
  });
});
