import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools } from "../../packages/adapters/providers/index.ts";
import { sortActions } from "../../packages/core/history/actions.ts";
import { adjustedBars } from "../../packages/core/history/adjust.ts";
import type { HistorySuccess, ProviderName } from "../../packages/core/market-data.port.ts";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { simProvider, succeeded, worstRelativeError } from "./history-support.ts";

/**
 * Every adapter's fetchHistory against the simulator's ground truth (`/_sim/truth`, its own
 * split- and dividend-adjusted series as of today): the raw bars and actions an adapter reads,
 * adjusted by core (history/adjust.ts), are the truth to 1e-9 relative, bar by bar, for a
 * forward split, a reverse split and a dividend payer.
 *
 * Yahoo's answer does not carry all of it: its volumes are split-adjusted and spelled in whole
 * shares, so before a reverse split the adapter's un-splitting cannot give back what the rounding
 * took. Its tests say exactly where the difference lies.
 */

const TOLERANCE = 1e-9;
let sim: Simulator;
let symbols: { forward: string; thirds: string; forwardNoDividend: string; reverse: string; payer: string };

beforeAll(async () => {
  sim = await startMarketSimulator({ seed: 42 });
  const one = (filter: Parameters<Simulator["findSymbols"]>[0]) => {
    const [symbol] = sim.findSymbols({ ...filter, limit: 1 });
    if (!symbol) throw new Error(`the simulator has no symbol with ${JSON.stringify(filter)}`);
    return symbol;
  };
  symbols = {
    forward: one({ split: "forward", dividend: true }),
    // A 3-for-1 with dividends before it: a third of an amount is no whole number of cents.
    thirds: one({ split: "3:1", dividend: true }),
    forwardNoDividend: one({ split: "forward", dividend: false }),
    reverse: one({ split: "reverse" }),
    payer: "SPY",
  };
});

afterAll(async () => {
  await closeProviderPools();
  await sim?.close();
});

/** The whole served history, as one full request asks for it. */
async function fullHistory(provider: ProviderName, symbol: string): Promise<HistorySuccess> {
  const sessions = sim.truth(symbol)!.bars.length;
  return succeeded(await simProvider(sim, provider).fetchHistory!(symbol, { kind: "full", days: sessions }));
}

function truthFrom(history: HistorySuccess) {
  return sim.truth(history.bars.symbol, history.bars.dates[0])!.bars;
}

describe.each(["polygon", "fmp", "alphavantage", "alpaca"] as const)(
  "%s history adjusted by core",
  (provider) => {
    it.each([
      ["a forward split (and dividends)", "forward"],
      ["a reverse split", "reverse"],
      ["a dividend payer", "payer"],
    ] as const)("is the simulator's truth to 1e-9 for %s", async (_name, kind) => {
      const symbol = symbols[kind];
      const history = await fullHistory(provider, symbol);
      const truth = sim.truth(symbol)!.bars;
      // The whole served history came back, every session of it.
      expect(history.bars.dates).toStrictEqual(truth.map((b) => b.date));
      const info = sim.symbolInfo(symbol)!;
      const splits = history.actions.filter((a) => a.type === "split");
      expect(splits).toStrictEqual(
        info.splits.map((s) => ({
          type: "split",
          exDate: s.date,
          from: s.denominator,
          to: s.numerator,
          provider,
        })),
      );
      const dividendDates = history.actions.filter((a) => a.type === "dividend").map((a) => a.exDate);
      expect(dividendDates.sort()).toStrictEqual(info.dividends.map((d) => d.date));
      const { error, where } = worstRelativeError(adjustedBars(history.bars, history.actions), truth);
      expect(error, where).toBeLessThan(TOLERANCE);
    });
  },
);

describe("yahoo history adjusted by core", () => {
  it("is the simulator's truth to 1e-9 for a dividend payer without a split", async () => {
    const history = await fullHistory("yahoo", symbols.payer);
    const { error, where } = worstRelativeError(
      adjustedBars(history.bars, history.actions),
      truthFrom(history),
    );
    expect(error, where).toBeLessThan(TOLERANCE);
  });

  it("is the simulator's truth to 1e-9 for a forward split without dividends (prices un-split exactly)", async () => {
    const history = await fullHistory("yahoo", symbols.forwardNoDividend);
    expect(history.actions.some((a) => a.type === "split")).toBe(true);
    const { error, where } = worstRelativeError(
      adjustedBars(history.bars, history.actions),
      truthFrom(history),
    );
    expect(error, where).toBeLessThan(TOLERANCE);
  });

  it("equals the truth after a forward split, dividends before it included: Yahoo spells them split-adjusted, not rounded", async () => {
    const yahoo = await fullHistory("yahoo", symbols.thirds);
    const polygon = await fullHistory("polygon", symbols.thirds);
    // The bars are the raw bars exactly: Yahoo's split-adjusted prices, un-split, are as traded.
    expect(yahoo.bars.dates).toStrictEqual(polygon.bars.dates);
    for (const column of ["open", "high", "low", "close", "volume"] as const)
      expect(yahoo.bars[column]).toStrictEqual(polygon.bars[column]);
    // Its dividends, un-split, are the amounts as paid.
    const raw = sortActions(polygon.actions).filter((a) => a.type === "dividend");
    const said = sortActions(yahoo.actions).filter((a) => a.type === "dividend");
    expect(said.map((d) => d.exDate)).toStrictEqual(raw.map((d) => d.exDate));
    expect(said.map((d) => (d as { amount: number }).amount)).toStrictEqual(
      raw.map((d) => (d as { amount: number }).amount),
    );
    expect(yahoo.actions.some((a) => a.type === "split")).toBe(true);
    const own = worstRelativeError(adjustedBars(yahoo.bars, yahoo.actions), truthFrom(yahoo));
    expect(own.error, own.where).toBeLessThan(TOLERANCE);
  });

  it("differs from the truth after a reverse split only by volumes, which Yahoo split-adjusts to whole shares", async () => {
    const history = await fullHistory("yahoo", symbols.reverse);
    const truth = truthFrom(history);
    const adjusted = adjustedBars(history.bars, history.actions);
    const prices = worstRelativeError(adjusted, truth, ["open", "high", "low", "close"]);
    expect(prices.error, prices.where).toBeLessThan(TOLERANCE);
    // The adjusted volume is Yahoo's own: the truth's, to the whole share.
    expect(adjusted.map((b) => b.volume)).toStrictEqual(truth.map((b) => Math.round(b.volume)));
  });
});
