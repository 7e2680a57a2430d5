import { request } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeProviderPools } from "../../packages/adapters/providers/index.ts";
import { dayNumber } from "../../packages/core/days.ts";
import { barAt } from "../../packages/core/history/raw-history.ts";
import {
  type MarketActionsSuccess,
  type MarketDaySuccess,
  TokenWaitError,
} from "../../packages/core/market-data.port.ts";
import { fromProviderSymbol, isCanonicalSymbol } from "../../packages/core/symbols.ts";
import { addTradingDays } from "../../packages/core/trading-calendar.ts";
import { defaultConfig, type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { countingGate, logged, SIM_KEY, simProvider, succeeded } from "./history-support.ts";

/**
 * Polygon's and FMP's whole-market methods against the simulator over HTTP: one session of every
 * symbol (grouped daily, eod-bulk) equal to each symbol's raw bar from its own history, the
 * unmappable counted, a day without trading and a session not published yet; the market's
 * splits and dividends over a range equal to each symbol's own, every page or window behind the
 * gate; and the limit, keys, faults and a gate without a token.
 */

const ANCHOR = "2026-12-02";
const PROVIDERS = ["polygon", "fmp"] as const;
type Provider = (typeof PROVIDERS)[number];
let sim: Simulator;

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: ANCHOR, seed: 42 });
}, 30_000);

afterAll(async () => {
  await closeProviderPools();
  await sim?.close();
});

beforeEach(() => sim.clearRequests());

afterEach(() => {
  sim.configure(defaultConfig());
});

/** The provider's own answer, read here without the adapter: its symbols and its length. */
async function rawAnswer(provider: Provider, date: string): Promise<{ symbols: string[]; length: number }> {
  const path =
    provider === "polygon"
      ? `/v2/aggs/grouped/locale/us/market/stocks/${date}?adjusted=false&apiKey=${SIM_KEY}`
      : `/stable/eod-bulk?date=${date}&apikey=${SIM_KEY}`;
  const text = await (await request(`${sim.urls[provider]}${path}`)).body.text();
  const symbols =
    provider === "polygon"
      ? ((JSON.parse(text).results ?? []) as { T: string }[]).map((r) => r.T)
      : text
          .trim()
          .split("\n")
          .slice(1)
          .map((line) => line.slice(1, line.indexOf('"', 1)));
  return { symbols, length: text.length };
}

function day(result: Awaited<ReturnType<NonNullable<ReturnType<typeof simProvider>["fetchMarketDay"]>>>) {
  if (!result.ok) throw new Error(`${result.kind}: ${result.message}`);
  return result as MarketDaySuccess;
}

function actions(
  result: Awaited<ReturnType<NonNullable<ReturnType<typeof simProvider>["fetchMarketActions"]>>>,
) {
  if (!result.ok) throw new Error(`${result.kind}: ${result.message}`);
  return result as MarketActionsSuccess;
}

/** What the simulator was asked for a provider, in order (path and query, key redacted). */
function asked(provider: Provider): URL[] {
  return sim
    .requests()
    .filter((r) => r.provider === provider)
    .map((r) => new URL(r.path, "http://sim.invalid"));
}

describe.each(PROVIDERS)("%s fetchMarketDay", (provider) => {
  it("is every symbol's raw bar of the session in one request: each equal to its history's, the rest counted", async () => {
    const [split] = sim.findSymbols({ split: "2:1", limit: 1 });
    const [reverse] = sim.findSymbols({ split: "reverse", limit: 1 });
    // The session before a split: as traded, twice what the split-adjusted price says.
    const date = addTradingDays(sim.symbolInfo(split!)!.splits[0]!.date, -1);
    const gate = countingGate(sim, provider);
    const market = day(await simProvider(sim, provider).fetchMarketDay!(date, gate));
    expect(logged(sim, provider)).toBe(1);
    expect(gate.asked).toBe(0);
    expect(market.date).toBe(date);

    const raw = await rawAnswer(provider, date);
    const unmappable = raw.symbols.filter((s) => fromProviderSymbol(s, provider) === undefined);
    expect(market.unmapped).toBe(unmappable.length);
    expect(market.bars.size).toBe(raw.symbols.length - unmappable.length);
    expect(market.bytes).toBe(raw.length);
    if (provider === "fmp") expect(market.unmapped).toBeGreaterThan(1000);

    for (const symbol of ["SPY", "BRK.B", split!, reverse!]) {
      const history = succeeded(
        await simProvider(sim, provider).fetchHistory!(symbol, { kind: "incremental", from: date }),
      );
      expect(history.bars.dates[0]).toBe(date);
      expect(market.bars.get(symbol), symbol).toStrictEqual(barAt(history.bars, 0));
    }
  });

  it("leaves out a symbol before its first session", async () => {
    const [ipo] = sim.findSymbols({ ipo: true, limit: 1 });
    const first = sim.symbolInfo(ipo!)!.firstDate;
    const adapter = simProvider(sim, provider);
    expect(day(await adapter.fetchMarketDay!(first)).bars.has(ipo!)).toBe(true);
    expect(day(await adapter.fetchMarketDay!(addTradingDays(first, -1))).bars.has(ipo!)).toBe(false);
  });

  it.each([
    ["Thanksgiving", "2026-11-26"],
    ["a Saturday", "2026-11-28"],
  ])("answers %s, a day without trading, with no bars", async (_name, date) => {
    const result = day(await simProvider(sim, provider).fetchMarketDay!(date));
    expect({ date: result.date, bars: result.bars.size, unmapped: result.unmapped }).toStrictEqual({
      date,
      bars: 0,
      unmapped: 0,
    });
  });

  it("answers transient for a trading session answered without bars: not published yet", async () => {
    const next = addTradingDays(ANCHOR, 1);
    const result = await simProvider(sim, provider).fetchMarketDay!(next);
    expect(result).toMatchObject({ ok: false, kind: "transient", provider, symbol: "*" });
    expect(!result.ok && result.message).toContain(next);
  });

  it("answers transient for a server error, and unauthorized for a rejected key without naming it", async () => {
    sim.configure({ [provider]: { faults: { status5xx: 1 } } });
    expect(await simProvider(sim, provider).fetchMarketDay!(ANCHOR)).toMatchObject({
      ok: false,
      kind: "transient",
    });
    const key = `rejected-${provider}-market-key`;
    sim.configure({ [provider]: { faults: { status5xx: 0 }, rejectedKeys: [key] } });
    const refused = await simProvider(sim, provider, key).fetchMarketDay!(ANCHOR);
    expect(refused).toMatchObject({ ok: false, kind: "unauthorized", status: 401, symbol: "*" });
    expect(JSON.stringify(refused)).not.toContain(key);
  });
});

describe.each(PROVIDERS)("%s fetchMarketActions", (provider) => {
  it("is each symbol's own splits and dividends in the range, every page after the first behind the gate", async () => {
    // Splits that happen within the range: symbols whose split is still ahead, and the clock moved past it.
    const upcoming = sim.findSymbols({ split: "any", upcoming: 30, limit: 3 });
    expect(upcoming.length).toBeGreaterThan(0);
    const from = addTradingDays(ANCHOR, -60);
    try {
      sim.moveClock({ advanceSessions: 30 });
      const to = sim.asOf;
      sim.clearRequests();
      const gate = countingGate(sim, provider);
      const market = actions(await simProvider(sim, provider).fetchMarketActions!(from, to, gate));
      expect(logged(sim, provider)).toBe(gate.asked + 1);
      // The splits, and the dividends' pages (more than one).
      expect(gate.asked).toBeGreaterThanOrEqual(2);
      expect(market.bytes).toBeGreaterThan(0);
      for (const [symbol, list] of market.actions) {
        expect(isCanonicalSymbol(symbol), symbol).toBe(true);
        expect(list.every((a) => a.exDate >= from && a.exDate <= to && a.provider === provider)).toBe(true);
      }
      if (provider === "fmp") expect(market.unmapped).toBeGreaterThan(0);
      else expect(market.unmapped).toBe(0);
      const splitsInRange = [...market.actions.values()].flat().filter((a) => a.type === "split");
      expect(splitsInRange.length).toBeGreaterThanOrEqual(upcoming.length);

      const payers = sim.findSymbols({ dividend: true, limit: 3 });
      for (const symbol of [...upcoming, ...payers, "SPY"]) {
        const own = succeeded(
          await simProvider(sim, provider).fetchHistory!(symbol, { kind: "incremental", from }),
        );
        expect(market.actions.get(symbol) ?? [], symbol).toStrictEqual(own.actions);
      }
      expect(market.actions.get(upcoming[0]!)!.some((a) => a.type === "split")).toBe(true);

      const sent = asked(provider).slice(0, gate.asked + 1);
      if (provider === "polygon") {
        expect(`${sent[0]!.pathname}${sent[0]!.search}`).toBe(
          `/stocks/v1/splits?execution_date.gte=${from}&execution_date.lte=${to}&limit=5000&apiKey=REDACTED`,
        );
        expect(`${sent[1]!.pathname}${sent[1]!.search}`).toBe(
          `/stocks/v1/dividends?ex_dividend_date.gte=${from}&ex_dividend_date.lte=${to}&limit=5000&apiKey=REDACTED`,
        );
        // The dividends' further pages, by next_url's cursor.
        expect(sent.slice(2).length).toBeGreaterThan(0);
        for (const page of sent.slice(2)) {
          expect(page.pathname).toBe("/stocks/v1/dividends");
          expect(page.searchParams.get("cursor")).toBeTruthy();
        }
      } else {
        const windows = sent.filter((u) => u.pathname === "/stable/splits-calendar");
        // Windows of at most 89 days, one after another, from `from` to `to`.
        expect(windows.length).toBe(Math.ceil((dayNumber(to) - dayNumber(from) + 1) / 89));
        expect(windows[0]!.searchParams.get("from")).toBe(from);
        expect(windows.at(-1)!.searchParams.get("to")).toBe(to);
        for (const [k, w] of windows.entries()) {
          const span = dayNumber(w.searchParams.get("to")!) - dayNumber(w.searchParams.get("from")!);
          expect(span).toBeLessThanOrEqual(88);
          if (k > 0)
            expect(dayNumber(w.searchParams.get("from")!)).toBe(
              dayNumber(windows[k - 1]!.searchParams.get("to")!) + 1,
            );
        }
        const pages = sent.filter((u) => u.pathname === "/stable/dividends-calendar");
        expect(pages.length).toBeGreaterThan(1);
        expect(pages.map((u) => u.searchParams.get("page"))).toStrictEqual(
          pages.map((_, k) => (k === 0 ? null : String(k))),
        );
        expect(windows.length + pages.length).toBe(gate.asked + 1);
      }
    } finally {
      sim.moveClock({ asOf: ANCHOR });
    }
  });

  it("answers a range without actions with none", async () => {
    const result = actions(await simProvider(sim, provider).fetchMarketActions!("2030-01-01", "2030-01-02"));
    expect(result.actions.size).toBe(0);
  });

  it("lets the gate's TokenWaitError through, sending nothing more", async () => {
    const nextRequest = async () => {
      throw new TokenWaitError(2_000);
    };
    await expect(
      simProvider(sim, provider).fetchMarketActions!(addTradingDays(ANCHOR, -30), ANCHOR, { nextRequest }),
    ).rejects.toBeInstanceOf(TokenWaitError);
    expect(logged(sim, provider)).toBe(1);
  });

  it("answers unauthorized for a rejected key", async () => {
    const key = `rejected-${provider}-actions-key`;
    sim.configure({ [provider]: { rejectedKeys: [key] } });
    const result = await simProvider(sim, provider, key).fetchMarketActions!(ANCHOR, ANCHOR);
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status: 401, symbol: "*" });
    expect(JSON.stringify(result)).not.toContain(key);
  });
});

describe("the limit refuses a whole-market request: rate-limited, never an empty day", () => {
  it("Polygon: 429 with Retry-After, for a market day and for a later page of actions", async () => {
    const key = "polygon-market-limited-key";
    sim.configure({ polygon: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    const adapter = simProvider(sim, "polygon", key);
    const gate = countingGate(sim, "polygon");
    const refusedLater = await adapter.fetchMarketActions!(addTradingDays(ANCHOR, -20), ANCHOR, gate);
    expect(refusedLater).toMatchObject({ ok: false, kind: "rate-limited", provider: "polygon", status: 429 });
    expect(!refusedLater.ok && refusedLater.retryAfterMs).toBeGreaterThan(0);
    expect(sim.requests().map((r) => r.status)).toStrictEqual([200, 429]);
    expect(gate.asked).toBe(1);
    expect(await adapter.fetchMarketDay!(ANCHOR)).toMatchObject({
      ok: false,
      kind: "rate-limited",
      status: 429,
    });
  });

  it.each([
    [200, undefined],
    [429, 429],
  ] as const)(
    "FMP: 'Limit Reach' with HTTP %i, for a market day and for the actions",
    async (status, expected) => {
      const key = `fmp-market-limited-${status}`;
      sim.configure({ fmp: { rateLimit: { limit: 1, windowMs: 60_000 }, rateLimitStatus: status } });
      const adapter = simProvider(sim, "fmp", key);
      expect(day(await adapter.fetchMarketDay!(ANCHOR)).bars.size).toBeGreaterThan(12_000);
      for (const result of [
        await adapter.fetchMarketDay!(ANCHOR),
        await adapter.fetchMarketActions!(addTradingDays(ANCHOR, -20), ANCHOR),
      ]) {
        expect(result).toMatchObject({ ok: false, kind: "rate-limited", provider: "fmp", symbol: "*" });
        expect(!result.ok && result.status).toBe(expected);
        expect(!result.ok && result.message).toMatch(/Limit Reach/);
      }
    },
  );
});
