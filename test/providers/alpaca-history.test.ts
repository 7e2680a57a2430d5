import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import { adjustedBars } from "../../packages/core/history/adjust.ts";
import {
  DEFAULT_HISTORY_POLICY,
  emptyTicker,
  historyRequest,
  mergeFetched,
} from "../../packages/core/history/ticker-history.ts";
import { TokenWaitError } from "../../packages/core/market-data.port.ts";
import { defaultConfig, type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import {
  countingGate,
  logged,
  SIM_KEY,
  SIM_SECRET,
  simProvider,
  succeeded,
  worstRelativeError,
} from "./history-support.ts";

/**
 * Alpaca's fetchHistory and fetchDaily against the simulator over HTTP: the two requests of a
 * history (bars with adjustment=raw, then the symbol's splits and cash dividends, the second
 * behind the gate), what they ask for, incremental requests, a history kept current across a
 * split with core's merge, the feed setting, and each failure: unknown symbol, missing or
 * rejected keys, the limit (also on the actions request), server errors, a gate without a token.
 */

let sim: Simulator;

beforeAll(async () => {
  sim = await startMarketSimulator({ seed: 42 });
});

afterAll(async () => {
  await closeProviderPools();
  await sim?.close();
});

beforeEach(() => sim.clearRequests());
afterEach(() => sim.configure({ alpaca: defaultConfig().alpaca }));

/** What the simulator was asked, in order (without the /alpaca prefix). */
function paths(): URL[] {
  return sim
    .requests()
    .filter((r) => r.provider === "alpaca")
    .map((r) => new URL(r.path, "http://sim.invalid"));
}

const alpaca = () => simProvider(sim, "alpaca");

describe("Alpaca fetchHistory", () => {
  it("takes two requests for a whole history, raw bars then actions, asking the gate right before the second", async () => {
    const gate = countingGate(sim, "alpaca");
    const history = succeeded(await alpaca().fetchHistory("SPY", { kind: "full", days: 300 }, gate));
    expect(logged(sim, "alpaca")).toBe(2);
    expect(gate.loggedAtAsk).toStrictEqual([1]);
    const [bars, actions] = paths();
    expect(bars!.pathname).toBe("/v2/stocks/bars");
    expect(Object.fromEntries(bars!.searchParams)).toStrictEqual({
      symbols: "SPY",
      timeframe: "1Day",
      start: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      adjustment: "raw",
      feed: "sip",
      limit: "10000",
      sort: "asc",
    });
    expect(actions!.pathname).toBe("/v1/corporate-actions");
    expect(Object.fromEntries(actions!.searchParams)).toStrictEqual({
      symbols: "SPY",
      types: "forward_split,reverse_split,cash_dividend",
      start: bars!.searchParams.get("start"),
      end: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      limit: "1000",
      sort: "asc",
    });
    // Bookings up to a year ahead: a dividend gone ex but not yet paid is in the answer.
    expect(actions!.searchParams.get("end")! > sim.asOf).toBe(true);
    expect(history.bars.dates.length).toBeGreaterThanOrEqual(300);
    expect(history.bars.dates.at(-1)).toBe(sim.asOf);
    expect(history.bars.provider.every((p) => p === "alpaca")).toBe(true);
    expect(history.actions.filter((a) => a.type === "dividend").map((a) => a.exDate)).toStrictEqual(
      sim
        .symbolInfo("SPY")!
        .dividends.map((d) => d.date)
        .filter((d) => d >= history.bars.dates[0]!),
    );
    const bodies = sim.requests().reduce((sum, r) => sum + r.bytes, 0);
    expect(history.bytes).toBe(bodies);
  });

  it("asks an incremental request for the sessions and the actions from its date on", async () => {
    const [symbol] = sim.findSymbols({ split: "forward", dividend: true, limit: 1 });
    const splitDate = sim.symbolInfo(symbol!)!.splits[0]!.date;
    const truthDates = sim.truth(symbol!)!.bars.map((b) => b.date);
    const from = truthDates[truthDates.indexOf(splitDate) - 5]!;
    const full = succeeded(await alpaca().fetchHistory(symbol!, { kind: "full", days: truthDates.length }));
    sim.clearRequests();
    const gate = countingGate(sim, "alpaca");
    const since = succeeded(await alpaca().fetchHistory(symbol!, { kind: "incremental", from }, gate));
    expect(since.bars.dates).toStrictEqual(truthDates.filter((d) => d >= from));
    expect(since.actions).toStrictEqual(full.actions.filter((a) => a.exDate >= from));
    expect(since.actions.some((a) => a.type === "split" && a.exDate === splitDate)).toBe(true);
    expect(gate.asked).toBe(1);
    const [bars, actions] = paths();
    expect(bars!.searchParams.get("start")).toBe(from);
    expect(actions!.searchParams.get("start")).toBe(from);
  });

  it("keeps a stored history current across a split after the clock moves", async () => {
    const [symbol] = sim.findSymbols({ split: "any", upcoming: 15, limit: 1 });
    const anchor = sim.asOf;
    try {
      const policy = DEFAULT_HISTORY_POLICY;
      const first = historyRequest(emptyTicker(symbol!), 400, policy);
      let stored = mergeFetched(
        emptyTicker(symbol!),
        succeeded(await alpaca().fetchHistory(symbol!, first)),
        first,
        policy,
      ).ticker;
      sim.moveClock({ advanceSessions: 20 });
      const next = historyRequest(stored, 400, policy);
      expect(next.kind).toBe("incremental");
      const merged = mergeFetched(
        stored,
        succeeded(await alpaca().fetchHistory(symbol!, next)),
        next,
        policy,
      );
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
    const gate = countingGate(sim, "alpaca");
    const result = await alpaca().fetchHistory("ZZZQX", { kind: "full", days: 300 }, gate);
    expect(result).toMatchObject({ ok: false, kind: "not-found", provider: "alpaca", symbol: "ZZZQX" });
    expect(logged(sim, "alpaca")).toBe(1);
    expect(gate.asked).toBe(0);
  });

  it("answers an incremental request with no session since as an empty history", async () => {
    const result = succeeded(await alpaca().fetchHistory("SPY", { kind: "incremental", from: "2099-01-02" }));
    expect(result.bars.dates).toStrictEqual([]);
    expect(result.actions).toStrictEqual([]);
    expect(logged(sim, "alpaca")).toBe(2);
  });

  it("sends the feed it is configured with", async () => {
    const iex = createProvider("alpaca", {
      baseUrl: sim.urls.alpaca,
      apiKey: SIM_KEY,
      apiSecret: SIM_SECRET,
      feed: "iex",
    });
    const viaIex = succeeded(await iex.fetchHistory("SPY", { kind: "incremental", from: "2026-11-02" }));
    const viaSip = succeeded(await alpaca().fetchHistory("SPY", { kind: "incremental", from: "2026-11-02" }));
    expect(paths().map((u) => u.searchParams.get("feed"))).toStrictEqual(["iex", null, "sip", null]);
    expect(viaIex.bars.close).toStrictEqual(viaSip.bars.close);
    expect(viaIex.bars.volume[0]).toBe(Math.round(viaSip.bars.volume[0]! / 40));
  });
});

describe("Alpaca failures", () => {
  it("unauthorized for a rejected key id (403) and for a missing secret (401), never naming a key", async () => {
    const key = "rejected-alpaca-key-id";
    sim.configure({ alpaca: { rejectedKeys: [key] } });
    const rejected = await simProvider(sim, "alpaca", key).fetchHistory("SPY", { kind: "full", days: 300 });
    expect(rejected).toMatchObject({ ok: false, kind: "unauthorized", status: 403 });
    expect(!rejected.ok && rejected.message).toBe("Alpaca refused the keys: forbidden.");
    expect(JSON.stringify(rejected)).not.toMatch(new RegExp(`${key}|${SIM_SECRET}`));
    // A secret the simulator never receives: the adapter is built with an empty one.
    const noSecret = createProvider("alpaca", { baseUrl: sim.urls.alpaca, apiKey: SIM_KEY, apiSecret: " " });
    const missing = await noSecret.fetchHistory("SPY", { kind: "full", days: 300 });
    expect(missing).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
  });

  it("rate-limited with the wait X-RateLimit-Reset names, also when the actions request is the one refused", async () => {
    sim.configure({ alpaca: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    const gate = countingGate(sim, "alpaca");
    const result = await simProvider(sim, "alpaca", "alpaca-limited-key").fetchHistory(
      "SPY",
      { kind: "full", days: 300 },
      gate,
    );
    expect(result).toMatchObject({ ok: false, kind: "rate-limited", provider: "alpaca", status: 429 });
    expect(!result.ok && result.message).toBe("Alpaca rate limit: too many requests.");
    // The reset is in whole seconds: up to a minute from now.
    expect(!result.ok && result.retryAfterMs).toBeGreaterThan(55_000);
    expect(!result.ok && result.retryAfterMs).toBeLessThanOrEqual(61_000);
    expect(sim.requests().map((r) => r.status)).toStrictEqual([200, 429]);
    expect(gate.asked).toBe(1);
  });

  it("transient for a server error", async () => {
    sim.configure({ alpaca: { faultSymbols: { SPY: "status5xx" } } });
    const result = await alpaca().fetchHistory("SPY", { kind: "full", days: 300 });
    expect(result).toMatchObject({ ok: false, kind: "transient" });
  });

  it("transient for a truncated body", async () => {
    sim.configure({ alpaca: { faultSymbols: { SPY: "truncated" } } });
    const result = await alpaca().fetchHistory("SPY", { kind: "full", days: 300 });
    expect(result).toMatchObject({
      ok: false,
      kind: "transient",
      message: "body is not JSON (truncated or an error page)",
    });
  });

  it("lets the gate's TokenWaitError through, sending nothing more", async () => {
    const nextRequest = async () => {
      throw new TokenWaitError(1_500);
    };
    await expect(
      alpaca().fetchHistory("SPY", { kind: "full", days: 300 }, { nextRequest }),
    ).rejects.toBeInstanceOf(TokenWaitError);
    expect(logged(sim, "alpaca")).toBe(1);
  });
});

describe("Alpaca fetchDaily", () => {
  it("reads split-adjusted bars of one symbol, the last `days` of them, adjClose the split-adjusted close", async () => {
    const [symbol] = sim.findSymbols({ split: "forward", limit: 1 });
    const result = await alpaca().fetchDaily(symbol!, { days: 120, to: sim.asOf });
    if (!result.ok) throw new Error(result.message);
    const truth = sim.truth(symbol!)!.bars.slice(-120);
    expect(result.series.dates).toStrictEqual(truth.map((b) => b.date));
    expect([...result.series.adjClose]).toStrictEqual([...result.series.close]);
    const [request] = paths();
    expect(request!.searchParams.get("adjustment")).toBe("split");
  });
});
