import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_URL_CHARS, SYMBOLS_PER_REQUEST } from "../../packages/adapters/providers/alpaca-market.ts";
import { closeProviderPools } from "../../packages/adapters/providers/index.ts";
import { ValidationError } from "../../packages/core/errors.ts";
import type { CorporateAction } from "../../packages/core/history/actions.ts";
import { type FetchFailure, TokenWaitError } from "../../packages/core/market-data.port.ts";
import { toProviderSymbol } from "../../packages/core/symbols.ts";
import { defaultConfig, type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { countingGate, logged, simProvider, succeeded } from "./history-support.ts";

/**
 * Alpaca's whole-market methods against the simulator over HTTP: fetchSymbolsHistory (symbols
 * chunked so that a request names at most 200 and its URL stays under 2,000 characters, each
 * chunk paged by next_page_token, every request after the first behind the gate, the bars the
 * same as one history's) and fetchMarketActions (the whole market's splits and dividends by
 * ex-date, paged; Alpaca's range bounds the booking date, so the query reaches past it).
 */

let sim: Simulator;
/** Listed symbols of the simulated market without a recent IPO, in directory order. */
let universe: string[];

beforeAll(async () => {
  sim = await startMarketSimulator({ seed: 42 });
  universe = [...new Set([...sim.findSymbols({ ipo: false, limit: 2000 })])];
});

afterAll(async () => {
  await closeProviderPools();
  await sim?.close();
});

beforeEach(() => {
  sim.configure({ alpaca: { ...defaultConfig().alpaca, rateLimit: null } });
  sim.clearRequests();
});

const alpaca = () => simProvider(sim, "alpaca");

function requested(): URL[] {
  return sim.requests().map((r) => new URL(r.path, "http://sim.invalid"));
}

describe("Alpaca fetchSymbolsHistory", () => {
  it("chunks 450 symbols into requests of at most 200 with URLs under 2,000 characters, and gates all but the first", async () => {
    const symbols = ["SPY", ...universe.filter((s) => s !== "SPY").slice(0, 449)];
    const gate = countingGate(sim, "alpaca");
    const from = "2026-11-02";
    const to = "2026-11-13";
    const result = whole(await alpaca().fetchSymbolsHistory!(symbols, from, to, gate));
    const urls = requested();
    expect(urls.length).toBe(logged(sim, "alpaca"));
    expect(gate.asked).toBe(urls.length - 1);
    const named = urls.map((u) => u.searchParams.get("symbols")!.split(","));
    expect(named.flat()).toStrictEqual(symbols.map((s) => toProviderSymbol(s, "alpaca")));
    for (const [i, u] of urls.entries()) {
      expect(named[i]!.length).toBeLessThanOrEqual(SYMBOLS_PER_REQUEST);
      expect(`${sim.urls.alpaca}${u.pathname}${u.search}`.length).toBeLessThanOrEqual(MAX_URL_CHARS);
      expect(u.searchParams.get("adjustment")).toBe("raw");
      expect(u.searchParams.get("start")).toBe(from);
      expect(u.searchParams.get("end")).toBe(to);
    }
    expect(urls.length).toBe(3);
    // Every symbol that traded has its ten sessions; the bars are the ones a history holds.
    const sessions = sim
      .truth("SPY", from)!
      .bars.filter((b) => b.date <= to)
      .map((b) => b.date);
    expect(result.bars.get("SPY")?.dates ?? []).toStrictEqual(sessions);
    for (const symbol of [symbols[0]!, symbols[225]!, symbols[449]!]) {
      const one = succeeded(await alpaca().fetchHistory(symbol, { kind: "incremental", from }));
      const bars = result.bars.get(symbol)!;
      const cut = one.bars.dates.filter((d) => d <= to).length;
      expect(bars.dates).toStrictEqual(one.bars.dates.slice(0, cut));
      expect([...bars.close]).toStrictEqual([...one.bars.close.subarray(0, cut)]);
      expect([...bars.volume]).toStrictEqual([...one.bars.volume.subarray(0, cut)]);
    }
    expect(result.bytes).toBeGreaterThan(0);
  });

  it("pages a chunk whose bars overflow 10,000, asking the gate before each next page", async () => {
    const symbols = universe.slice(0, 12);
    const gate = countingGate(sim, "alpaca");
    const result = whole(await alpaca().fetchSymbolsHistory!(symbols, "2022-01-03", "2026-11-30", gate));
    const urls = requested();
    expect(urls.length).toBeGreaterThanOrEqual(2);
    expect(urls.slice(1).every((u) => u.searchParams.has("page_token"))).toBe(true);
    expect(gate.asked).toBe(urls.length - 1);
    const total = [...result.bars.values()].reduce((n, h) => n + h.dates.length, 0);
    expect(total).toBeGreaterThan(10_000);
    for (const history of result.bars.values()) {
      expect(history.dates.at(-1)! <= "2026-11-30").toBe(true);
      expect(new Set(history.dates).size).toBe(history.dates.length);
    }
  });

  it("leaves out symbols without bars; refuses a bad range or symbol as the caller's bug", async () => {
    const result = whole(await alpaca().fetchSymbolsHistory!(["SPY", "ZZZQX"], "2026-11-02", "2026-11-06"));
    expect([...result.bars.keys()]).toStrictEqual(["SPY"]);
    await expect(alpaca().fetchSymbolsHistory!(["SPY"], "2026-11-06", "2026-11-02")).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(alpaca().fetchSymbolsHistory!(["BRK-B"], "2026-11-02", "2026-11-06")).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("fails with the first refused request's failure, its symbol *, and lets a TokenWaitError through", async () => {
    sim.configure({ alpaca: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    const limited = await alpaca().fetchSymbolsHistory!(universe.slice(0, 300), "2026-11-02", "2026-11-06");
    expect(limited).toMatchObject({ ok: false, kind: "rate-limited", symbol: "*", status: 429 });
    sim.configure({ alpaca: { rateLimit: null } });
    sim.clearRequests();
    const nextRequest = async () => {
      throw new TokenWaitError(900);
    };
    await expect(
      alpaca().fetchSymbolsHistory!(universe.slice(0, 300), "2026-11-02", "2026-11-06", { nextRequest }),
    ).rejects.toBeInstanceOf(TokenWaitError);
    expect(logged(sim, "alpaca")).toBe(1);
  });
});

describe("Alpaca fetchMarketActions", () => {
  it("reads the whole market's splits and dividends by ex-date, querying bookings up to 90 days past the range", async () => {
    const from = "2026-10-01";
    const to = "2026-11-13";
    const gate = countingGate(sim, "alpaca");
    const result = await alpaca().fetchMarketActions!(from, to, gate);
    if (!result.ok) throw new Error(result.message);
    const urls = requested();
    expect(urls[0]!.pathname).toBe("/v1/corporate-actions");
    expect(Object.fromEntries(urls[0]!.searchParams)).toStrictEqual({
      types: "forward_split,reverse_split,cash_dividend",
      start: from,
      end: "2027-02-11",
      limit: "1000",
      sort: "asc",
    });
    expect(urls.length).toBeGreaterThan(1);
    expect(gate.asked).toBe(urls.length - 1);
    expect(result.unmapped).toBe(0);
    const all = [...result.actions.values()].flat();
    expect(all.every((a) => a.exDate >= from && a.exDate <= to && a.provider === "alpaca")).toBe(true);
    // SPY's dividends and a split symbol's split, exactly as the simulator knows them.
    const spy = sim.symbolInfo("SPY")!.dividends.filter((d) => d.date >= from && d.date <= to);
    expect(result.actions.get("SPY") ?? []).toStrictEqual(
      spy.map(
        (d): CorporateAction => ({ type: "dividend", exDate: d.date, amount: d.amount, provider: "alpaca" }),
      ),
    );
    const splitters = sim
      .findSymbols({ split: "any", limit: 5000 })
      .filter((s) => sim.symbolInfo(s)!.splits.some((x) => x.date >= from && x.date <= to));
    expect(splitters.length).toBeGreaterThan(0);
    for (const symbol of splitters) {
      const split = sim.symbolInfo(symbol)!.splits[0]!;
      expect(result.actions.get(symbol)).toContainEqual({
        type: "split",
        exDate: split.date,
        from: split.denominator,
        to: split.numerator,
        provider: "alpaca",
      });
    }
  });
});

/** A whole-market answer that must have succeeded (the failure's message otherwise). */
function whole<R extends { ok: true }>(result: R | FetchFailure): R {
  if (!result.ok) throw new Error(`${result.kind}: ${result.message}`);
  return result;
}
