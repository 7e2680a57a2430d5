import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CorporateAction } from "../../packages/core/history/actions.ts";
import { type AdjustedBar, adjustedBars } from "../../packages/core/history/adjust.ts";
import { historyFromBars, type RawBar } from "../../packages/core/history/raw-history.ts";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { allPages, fmp, type Json, polygon, type SimClient, simClient } from "./sim-client.ts";

/**
 * `GET /_sim/truth/{symbol}`, the simulator's own split- and dividend-adjusted
 * series, is what the pipeline's adjustment (packages/core/history/adjust.ts)
 * makes of the raw bars and the actions the providers report, to 1e-9
 * relative: from Polygon's unadjusted aggregates and its splits and dividends
 * endpoints, and from FMP's non-split-adjusted prices and its splits and
 * dividends, for a forward split, a reverse split and a dividend payer, and
 * for a split that happens after the clock moves.
 */

const ANCHOR = "2026-12-02";
let sim: Simulator;
let client: SimClient;

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: ANCHOR, seed: 42 });
  client = simClient(sim.url);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

async function truthOf(symbol: string): Promise<AdjustedBar[]> {
  const { status, body } = await client.getJson(`/_sim/truth/${encodeURIComponent(symbol)}`);
  expect(status).toBe(200);
  expect(body.symbol).toBe(symbol);
  return body.bars;
}

/** Raw bars and actions as Polygon reports them (`from` the first date of the truth). */
async function fromPolygon(
  symbol: string,
  from: string,
): Promise<{ raw: RawBar[]; actions: CorporateAction[] }> {
  const today = (await client.getJson("/_sim/clock")).body.asOf;
  const pages = await allPages(
    client,
    sim.url,
    polygon(`/v2/aggs/ticker/${symbol}/range/1/day/${from}/${today}?adjusted=false&limit=500`),
  );
  const raw = pages.flat().map(
    (r: Json): RawBar => ({
      date: new Date(r.t + 12 * 3_600_000).toISOString().slice(0, 10),
      open: r.o,
      high: r.h,
      low: r.l,
      close: r.c,
      volume: r.v,
      provider: "polygon",
    }),
  );
  const splits = (await allPages(client, sim.url, polygon(`/stocks/v1/splits?ticker=${symbol}`))).flat();
  const dividends = (
    await allPages(client, sim.url, polygon(`/stocks/v1/dividends?ticker=${symbol}&limit=7`))
  ).flat();
  return {
    raw,
    actions: [
      ...splits.map(
        (s: Json): CorporateAction => ({
          type: "split",
          exDate: s.execution_date,
          from: s.split_from,
          to: s.split_to,
          provider: "polygon",
        }),
      ),
      ...dividends.map(
        (d: Json): CorporateAction => ({
          type: "dividend",
          exDate: d.ex_dividend_date,
          amount: d.cash_amount,
          provider: "polygon",
        }),
      ),
    ],
  };
}

/** Raw bars and actions as FMP reports them. */
async function fromFmp(symbol: string, from: string): Promise<{ raw: RawBar[]; actions: CorporateAction[] }> {
  const rows = (
    await client.getJson<Json[]>(
      fmp(`/stable/historical-price-eod/non-split-adjusted?symbol=${symbol}&from=${from}`),
    )
  ).body;
  const splits = (await client.getJson<Json[]>(fmp(`/stable/splits?symbol=${symbol}`))).body;
  const dividends = (await client.getJson<Json[]>(fmp(`/stable/dividends?symbol=${symbol}`))).body;
  return {
    raw: rows.map((r) => ({
      date: r.date,
      open: r.adjOpen,
      high: r.adjHigh,
      low: r.adjLow,
      close: r.adjClose,
      volume: r.volume,
      provider: "fmp",
    })),
    actions: [
      ...splits.map(
        (s): CorporateAction => ({
          type: "split",
          exDate: s.date,
          from: s.denominator,
          to: s.numerator,
          provider: "fmp",
        }),
      ),
      ...dividends.map(
        (d): CorporateAction => ({ type: "dividend", exDate: d.date, amount: d.dividend, provider: "fmp" }),
      ),
    ],
  };
}

/** The largest relative difference between two series of bars, field by field (their dates must agree). */
function worstRelativeError(actual: AdjustedBar[], expected: AdjustedBar[]): number {
  expect(actual.map((b) => b.date)).toStrictEqual(expected.map((b) => b.date));
  let worst = 0;
  actual.forEach((a, i) => {
    const e = expected[i]!;
    for (const field of ["open", "high", "low", "close", "volume"] as const)
      worst = Math.max(worst, Math.abs(a[field] - e[field]) / Math.abs(e[field]));
  });
  return worst;
}

/** Truth against the pipeline's adjustment of each provider's raw bars and actions. */
async function expectTruthMatchesProviders(symbol: string): Promise<{ actions: CorporateAction[] }> {
  const truth = await truthOf(symbol);
  const from = truth[0]!.date;
  const polygonReport = await fromPolygon(symbol, from);
  const fmpReport = await fromFmp(symbol, from);
  for (const report of [polygonReport, fmpReport]) {
    const adjusted = adjustedBars(historyFromBars(symbol, report.raw), report.actions);
    expect(worstRelativeError(adjusted, truth)).toBeLessThan(1e-9);
  }
  return polygonReport;
}

describe("the simulator's truth", () => {
  it("equals the raw bars adjusted by the reported actions: a forward split", async () => {
    const [symbol] = (await client.getJson<string[]>("/_sim/symbols?split=forward&dividend=true&limit=1"))
      .body;
    const { actions } = await expectTruthMatchesProviders(symbol!);
    expect(actions.some((a) => a.type === "split" && a.to > a.from)).toBe(true);
    expect(actions.some((a) => a.type === "dividend")).toBe(true);
  });

  it("equals the raw bars adjusted by the reported actions: a reverse split", async () => {
    const [symbol] = (await client.getJson<string[]>("/_sim/symbols?split=reverse&limit=1")).body;
    const { actions } = await expectTruthMatchesProviders(symbol!);
    expect(actions.some((a) => a.type === "split" && a.to < a.from)).toBe(true);
  });

  it("equals the raw bars adjusted by the reported actions: a dividend payer (BRK.B's spelling too)", async () => {
    const { actions } = await expectTruthMatchesProviders("SPY");
    expect(actions.filter((a) => a.type === "dividend").length).toBeGreaterThan(15);
    const info = (await client.getJson("/_sim/symbols/SPY")).body;
    expect(actions.map((a) => a.exDate)).toStrictEqual(info.dividends.map((d: Json) => d.date));
    await expectTruthMatchesProviders("AAPL");
    const brk = await truthOf("BRK.B");
    expect(brk.length).toBeGreaterThan(1000);
  });

  it("follows the clock: a split after the anchor is in it from its ex-date on", async () => {
    try {
      const [symbol] = (await client.getJson<string[]>("/_sim/symbols?split=3:2&upcoming=10&limit=1")).body;
      const exDate = (await client.getJson(`/_sim/symbols/${symbol}`)).body.upcoming.splits[0].date;
      const before = await truthOf(symbol!);
      await client.moveClock({ asOf: exDate });
      const after = await truthOf(symbol!);
      expect(after.slice(0, before.length).map((b) => b.date)).toStrictEqual(before.map((b) => b.date));
      expect(after.at(-1)!.date).toBe(exDate);
      expect(before.at(-1)!.date < exDate).toBe(true);
      // Prices before the ex-date are now two thirds, volumes one and a half times.
      const last = before.at(-1)!;
      const same = after.find((b) => b.date === last.date)!;
      expect(same.close / last.close).toBeCloseTo(2 / 3, 2);
      const { actions } = await expectTruthMatchesProviders(symbol!);
      expect(actions.filter((a) => a.type === "split")).toStrictEqual([
        { type: "split", exDate, from: 2, to: 3, provider: "polygon" },
      ]);
    } finally {
      await client.moveClock({ asOf: ANCHOR });
    }
  });

  it("takes ?from=, answers 404 for an unknown symbol and 400 for a bad date", async () => {
    const { body } = await client.getJson("/_sim/truth/SPY?from=2026-11-25");
    expect(body.bars.map((b: Json) => b.date)).toStrictEqual([
      "2026-11-25",
      "2026-11-27",
      "2026-11-30",
      "2026-12-01",
      ANCHOR,
    ]);
    expect(Object.keys(body.bars[0])).toStrictEqual(["date", "open", "high", "low", "close", "volume"]);
    expect(await client.getJson("/_sim/truth/NOSUCHTICKER")).toStrictEqual({
      status: 404,
      body: { error: "unknown symbol NOSUCHTICKER" },
    });
    expect((await client.getJson("/_sim/truth/SPY?from=yesterday")).status).toBe(400);
    expect(sim.truth("SPY", "2026-11-25")).toStrictEqual(body);
  });
});
