import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeProviderPools } from "../../packages/adapters/providers/index.ts";
import { adjustedBars } from "../../packages/core/history/adjust.ts";
import {
  DEFAULT_HISTORY_POLICY,
  emptyTicker,
  historyRequest,
  mergeFetched,
} from "../../packages/core/history/ticker-history.ts";
import { TokenWaitError } from "../../packages/core/market-data.port.ts";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { countingGate, logged, simProvider, succeeded, worstRelativeError } from "./history-support.ts";

/**
 * FMP's and Polygon's fetchHistory against the simulator over HTTP: the requests a history
 * takes (each after the first behind the gate), incremental requests, a history kept current
 * across a split with core's merge, and the failures: unknown symbol, rejected key, the limit
 * (also when only an actions request is refused), server errors, and a gate without a token.
 */

const PROVIDERS = ["polygon", "fmp"] as const;
let sim: Simulator;

beforeAll(async () => {
  sim = await startMarketSimulator({ seed: 42 });
});

afterAll(async () => {
  await closeProviderPools();
  await sim?.close();
});

beforeEach(() => sim.clearRequests());

afterEach(() => {
  const reset = { rateLimit: null, rejectedKeys: [], faultSymbols: {} };
  sim.configure({ polygon: reset, fmp: { ...reset, rateLimitStatus: 429, retryAfter: false } });
});

/** What the simulator was asked, in order: path and query without the key (and without the provider prefix). */
function paths(provider: "polygon" | "fmp"): URL[] {
  return sim
    .requests()
    .filter((r) => r.provider === provider)
    .map((r) => new URL(r.path, "http://sim.invalid"));
}

describe.each(PROVIDERS)("%s fetchHistory", (provider) => {
  it("takes three requests for a whole history, asking the gate right before the second and the third", async () => {
    const gate = countingGate(sim, provider);
    const history = succeeded(
      await simProvider(sim, provider).fetchHistory!("SPY", { kind: "full", days: 300 }, gate),
    );
    expect(logged(sim, provider)).toBe(gate.asked + 1);
    expect(gate.loggedAtAsk).toStrictEqual([1, 2]);
    const [bars, splits, dividends] = paths(provider);
    if (provider === "polygon") {
      expect(bars!.pathname).toMatch(
        /^\/v2\/aggs\/ticker\/SPY\/range\/1\/day\/\d{4}-\d\d-\d\d\/\d{4}-\d\d-\d\d$/,
      );
      expect(bars!.searchParams.get("adjusted")).toBe("false");
      expect(`${splits!.pathname}${splits!.search}`).toBe(
        "/stocks/v1/splits?ticker=SPY&limit=1000&apiKey=REDACTED",
      );
      expect(`${dividends!.pathname}${dividends!.search}`).toBe(
        "/stocks/v1/dividends?ticker=SPY&limit=1000&apiKey=REDACTED",
      );
    } else {
      expect(bars!.pathname).toBe("/stable/historical-price-eod/non-split-adjusted");
      expect(`${splits!.pathname}${splits!.search}`).toBe(
        "/stable/splits?symbol=SPY&limit=1000&apikey=REDACTED",
      );
      expect(`${dividends!.pathname}${dividends!.search}`).toBe(
        "/stable/dividends?symbol=SPY&limit=1000&apikey=REDACTED",
      );
    }
    // At least the 300 sessions asked for, ending today; bytes are the three answers' bodies.
    expect(history.bars.dates.length).toBeGreaterThanOrEqual(300);
    expect(history.bars.dates.at(-1)).toBe(sim.asOf);
    expect(history.bars.provider.every((p) => p === provider)).toBe(true);
    expect(history.bytes).toBeGreaterThan(300 * 50);
  });

  it("asks an incremental request for the sessions and the actions from its date on", async () => {
    const [symbol] = sim.findSymbols({ split: "forward", dividend: true, limit: 1 });
    const splitDate = sim.symbolInfo(symbol!)!.splits[0]!.date;
    const truthDates = sim.truth(symbol!)!.bars.map((b) => b.date);
    const from = truthDates[truthDates.indexOf(splitDate) - 5]!;
    const adapter = simProvider(sim, provider);
    const full = succeeded(await adapter.fetchHistory!(symbol!, { kind: "full", days: truthDates.length }));
    sim.clearRequests();
    const gate = countingGate(sim, provider);
    const since = succeeded(await adapter.fetchHistory!(symbol!, { kind: "incremental", from }, gate));
    expect(since.bars.dates).toStrictEqual(truthDates.filter((d) => d >= from));
    expect(since.actions).toStrictEqual(full.actions.filter((a) => a.exDate >= from));
    expect(since.actions.some((a) => a.type === "split" && a.exDate === splitDate)).toBe(true);
    expect(logged(sim, provider)).toBe(gate.asked + 1);
    expect(gate.asked).toBe(2);
    const [bars, splits, dividends] = paths(provider);
    if (provider === "polygon") {
      expect(bars!.pathname).toContain(`/range/1/day/${from}/`);
      expect(splits!.searchParams.get("execution_date.gte")).toBe(from);
      expect(dividends!.searchParams.get("ex_dividend_date.gte")).toBe(from);
    } else {
      expect(bars!.searchParams.get("from")).toBe(from);
    }
  });

  it("keeps a stored history current across a split and a dividend after the clock moves", async () => {
    const [symbol] = sim.findSymbols({ split: "any", upcoming: 15, limit: 1 });
    const anchor = sim.asOf;
    try {
      const adapter = simProvider(sim, provider);
      const days = 400;
      const policy = DEFAULT_HISTORY_POLICY;
      const first = historyRequest(emptyTicker(symbol!), days, policy);
      const fetched = succeeded(await adapter.fetchHistory!(symbol!, first));
      let stored = mergeFetched(emptyTicker(symbol!), fetched, first, policy).ticker;
      sim.moveClock({ advanceSessions: 20 });
      const next = historyRequest(stored, days, policy);
      expect(next.kind).toBe("incremental");
      const update = succeeded(await adapter.fetchHistory!(symbol!, next));
      const merged = mergeFetched(stored, update, next, policy);
      stored = merged.ticker;
      expect(merged.unexplainedGaps).toStrictEqual([]);
      expect(stored.actions.some((a) => a.type === "split" && a.exDate > anchor)).toBe(true);
      const truth = sim.truth(symbol!, stored.bars.dates[0])!.bars;
      const { error, where } = worstRelativeError(adjustedBars(stored.bars, stored.actions), truth);
      expect(error, where).toBeLessThan(1e-9);
    } finally {
      sim.moveClock({ asOf: anchor });
    }
  });

  it("answers not-found for a symbol it does not carry after one request, asking for no actions", async () => {
    const gate = countingGate(sim, provider);
    const result = await simProvider(sim, provider).fetchHistory!("ZZZQX", { kind: "full", days: 300 }, gate);
    expect(result).toMatchObject({ ok: false, kind: "not-found", provider, symbol: "ZZZQX" });
    expect(logged(sim, provider)).toBe(1);
    expect(gate.asked).toBe(0);
  });

  it("answers an incremental request with no session since as an empty history, actions asked all the same", async () => {
    const gate = countingGate(sim, provider);
    const result = succeeded(
      await simProvider(sim, provider).fetchHistory!(
        "SPY",
        { kind: "incremental", from: "2099-01-02" },
        gate,
      ),
    );
    expect(result.bars.dates).toStrictEqual([]);
    expect(result.actions).toStrictEqual([]);
    expect(logged(sim, provider)).toBe(3);
  });

  it("answers unauthorized for a rejected key, and never names the key", async () => {
    const key = `rejected-${provider}-key`;
    sim.configure({ [provider]: { rejectedKeys: [key] } });
    const result = await simProvider(sim, provider, key).fetchHistory!("SPY", { kind: "full", days: 300 });
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
    expect(JSON.stringify(result)).not.toContain(key);
  });

  it("answers transient for a server error", async () => {
    sim.configure({ [provider]: { faultSymbols: { SPY: "status5xx" } } });
    const result = await simProvider(sim, provider).fetchHistory!("SPY", { kind: "full", days: 300 });
    expect(result).toMatchObject({ ok: false, kind: "transient" });
  });

  it("lets the gate's TokenWaitError through, sending nothing more", async () => {
    const nextRequest = async () => {
      throw new TokenWaitError(1_500);
    };
    await expect(
      simProvider(sim, provider).fetchHistory!("SPY", { kind: "full", days: 300 }, { nextRequest }),
    ).rejects.toBeInstanceOf(TokenWaitError);
    expect(logged(sim, provider)).toBe(1);
  });
});

describe("a refused actions request fails the whole history with its own failure", () => {
  it("Polygon: the limit refuses the splits request with 429 and Retry-After", async () => {
    const key = "polygon-limited-key";
    sim.configure({ polygon: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    const gate = countingGate(sim, "polygon");
    const result = await simProvider(sim, "polygon", key).fetchHistory!(
      "SPY",
      { kind: "full", days: 300 },
      gate,
    );
    expect(result).toMatchObject({ ok: false, kind: "rate-limited", provider: "polygon", status: 429 });
    expect(!result.ok && result.retryAfterMs).toBeGreaterThan(0);
    expect(sim.requests().map((r) => r.status)).toStrictEqual([200, 429]);
    expect(gate.asked).toBe(1);
  });

  it.each([
    [200, undefined],
    [429, 429],
  ] as const)("FMP: 'Limit Reach' (HTTP %i) on the dividends request", async (rateLimitStatus, status) => {
    const key = `fmp-limited-key-${rateLimitStatus}`;
    sim.configure({ fmp: { rateLimit: { limit: 2, windowMs: 60_000 }, rateLimitStatus, retryAfter: true } });
    const result = await simProvider(sim, "fmp", key).fetchHistory!("SPY", { kind: "full", days: 300 });
    expect(result).toMatchObject({ ok: false, kind: "rate-limited", provider: "fmp" });
    expect(!result.ok && result.status).toBe(status);
    expect(!result.ok && result.message).toMatch(/^FMP limit reached: Limit Reach/);
    expect(!result.ok && result.retryAfterMs).toBeGreaterThan(0);
    expect(sim.requests().map((r) => r.status)).toStrictEqual([200, 200, rateLimitStatus]);
  });
});
