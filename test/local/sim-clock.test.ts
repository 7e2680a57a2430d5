import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simCommand } from "../../packages/cli/commands/sim.ts";
import { addTradingDays, tradingDaysBetween } from "../../packages/core/trading-calendar.ts";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { startSimulatorProcess } from "../../packages/local/sim/process.ts";
import { fmp, type Json, KEY, polygon, type SimClient, simClient } from "./sim-client.ts";

/**
 * The simulator's clock over real HTTP: `POST /_sim/clock` moves the market's
 * today by sessions or to a date, back and forth; raw bars never change; every
 * provider, the symbol info and the body cache answer as of today; an
 * upcoming split or dividend shows up exactly on its ex-date.
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

beforeEach(async () => {
  await client.moveClock({ asOf: ANCHOR });
});

const yahooDates = (body: Json): string[] =>
  (body.chart.result[0].timestamp as number[]).map((t) => new Date(t * 1000).toISOString().slice(0, 10));

/** The last bar's date as each provider reports it. */
async function lastDates(symbol: string): Promise<Record<string, string>> {
  const yahoo = await client.getJson(`/yahoo/v8/finance/chart/${symbol}?interval=1d&range=1mo`);
  const fmpFull = await client.getJson<Json[]>(fmp(`/stable/historical-price-eod/full?symbol=${symbol}`));
  const aggs = await client.getJson(polygon(`/v2/aggs/ticker/${symbol}/range/1/day/2026-01-01/2030-01-01`));
  const av = await client.getJson(
    `/alphavantage/query?function=TIME_SERIES_DAILY&symbol=${symbol}&apikey=${KEY}`,
  );
  return {
    yahoo: yahooDates(yahoo.body).at(-1)!,
    fmp: fmpFull.body[0].date,
    polygon: new Date(aggs.body.results.at(-1).t + 12 * 3_600_000).toISOString().slice(0, 10),
    alphavantage: av.body["Meta Data"]["3. Last Refreshed"],
  };
}

describe("the clock", () => {
  it("starts at the anchor; GET /_sim/clock and /_sim/health say so", async () => {
    expect(await client.getJson("/_sim/clock")).toStrictEqual({
      status: 200,
      body: { asOf: ANCHOR, anchor: ANCHOR },
    });
    expect((await client.getJson("/_sim/health")).body).toMatchObject({ asOf: ANCHOR, anchor: ANCHOR });
    expect(sim.asOf).toBe(ANCHOR);
    expect(sim.anchor).toBe(ANCHOR);
  });

  it("moves by sessions and by date, forward and back, and every provider answers as of today", async () => {
    const plus3 = addTradingDays(ANCHOR, 3);
    expect(await client.post("/_sim/clock", JSON.stringify({ advanceSessions: 3 }))).toStrictEqual({
      status: 200,
      body: { asOf: plus3, anchor: ANCHOR },
    });
    expect(await lastDates("AAPL")).toStrictEqual({
      yahoo: plus3,
      fmp: plus3,
      polygon: plus3,
      alphavantage: plus3,
    });
    expect((await client.getJson("/_sim/health")).body.asOf).toBe(plus3);
    expect(sim.asOf).toBe(plus3);

    // Back before the anchor, to a Saturday: the trading day before it.
    expect(await client.moveClock({ asOf: "2026-10-03" })).toBe("2026-10-02");
    expect(await lastDates("AAPL")).toStrictEqual({
      yahoo: "2026-10-02",
      fmp: "2026-10-02",
      polygon: "2026-10-02",
      alphavantage: "2026-10-02",
    });
    const grouped = (date: string) =>
      client.getJson(polygon(`/v2/aggs/grouped/locale/us/market/stocks/${date}?adjusted=false`));
    expect((await grouped("2026-10-05")).body.resultsCount).toBe(0);
    expect((await grouped("2026-10-02")).body.resultsCount).toBeGreaterThan(12_000);

    // Far ahead, past the anchor's history: years of new sessions.
    expect(await client.moveClock({ asOf: "2029-06-15" })).toBe("2029-06-15");
    expect(await lastDates("MSFT")).toMatchObject({ yahoo: "2029-06-15", polygon: "2029-06-15" });
    expect((await grouped("2029-06-15")).body.resultsCount).toBeGreaterThan(12_000);
    expect(await client.moveClock({ advanceSessions: 1 })).toBe("2029-06-18");
  });

  it("never changes a raw bar: the same days answer the same before and after moves", async () => {
    const [upcoming] = (await client.getJson<string[]>("/_sim/symbols?split=any&upcoming=10&limit=1")).body;
    const symbols = ["AAPL", "SPY", upcoming!];
    const raw = async (symbol: string) => ({
      polygon: (
        await client.getJson(
          polygon(`/v2/aggs/ticker/${symbol}/range/1/day/2026-06-01/2026-10-30?adjusted=false`),
        )
      ).body.results,
      fmp: (
        await client.getJson<Json[]>(
          fmp(
            `/stable/historical-price-eod/non-split-adjusted?symbol=${symbol}&from=2026-06-01&to=2026-10-30`,
          ),
        )
      ).body,
      av: Object.entries(
        (
          await client.getJson(
            `/alphavantage/query?function=TIME_SERIES_DAILY&symbol=${symbol}&outputsize=full&apikey=${KEY}`,
          )
        ).body["Time Series (Daily)"],
      ).filter(([date]) => date >= "2026-06-01" && date <= "2026-10-30"),
    });
    const atAnchor = await Promise.all(symbols.map(raw));
    await client.moveClock({ advanceSessions: 20 });
    expect(await Promise.all(symbols.map(raw))).toStrictEqual(atAnchor);
    await client.moveClock({ asOf: "2026-10-30" });
    expect(await Promise.all(symbols.map(raw))).toStrictEqual(atAnchor);
    await client.moveClock({ asOf: ANCHOR });
    expect(await Promise.all(symbols.map(raw))).toStrictEqual(atAnchor);
    expect(atAnchor[0]!.polygon).toHaveLength(tradingDaysBetween("2026-06-01", "2026-10-30").length);
  });

  it("refuses bad moves with a 400 naming the problem, and stays where it was", async () => {
    const refused = async (body: string, problem: RegExp) => {
      const reply = await client.post("/_sim/clock", body);
      expect(reply.status).toBe(400);
      expect(reply.body.problems.join("\n")).toMatch(problem);
    };
    await refused(JSON.stringify({ advanceSessions: 1, days: 2 }), /unknown field days/);
    await refused(
      JSON.stringify({ advanceSessions: -2 }),
      /advanceSessions: expected a whole number .*got -2/,
    );
    await refused(JSON.stringify({ advanceSessions: 0 }), /advanceSessions/);
    await refused(JSON.stringify({ advanceSessions: 1.5 }), /advanceSessions/);
    await refused(JSON.stringify({ advanceSessions: "3" }), /advanceSessions/);
    await refused(JSON.stringify({ advanceSessions: 100_000 }), /past the end of the simulated calendar/);
    await refused(JSON.stringify({ asOf: "2026-02-30" }), /asOf: expected a date YYYY-MM-DD/);
    await refused(
      JSON.stringify({ asOf: "1990-01-02" }),
      /asOf: 1990-01-02 is outside the simulated calendar/,
    );
    await refused(JSON.stringify({ asOf: "2099-01-02" }), /outside the simulated calendar/);
    await refused(JSON.stringify({ asOf: ANCHOR, advanceSessions: 1 }), /not both/);
    await refused(JSON.stringify({}), /give advanceSessions/);
    await refused(JSON.stringify([1]), /expected an object/);
    await refused("{not json", /not valid JSON/);
    expect((await client.getJson("/_sim/clock")).body).toStrictEqual({ asOf: ANCHOR, anchor: ANCHOR });
    expect(() => sim.moveClock({ advanceSessions: 0 })).toThrow(/advanceSessions/);
  });
});

describe("actions happen on their ex-dates", () => {
  it("an upcoming split is reported and applied exactly from its ex-date, by every provider", async () => {
    for (const kind of ["forward", "reverse"]) {
      await client.moveClock({ asOf: ANCHOR });
      const found = (await client.getJson<string[]>(`/_sim/symbols?split=${kind}&upcoming=10`)).body;
      expect(found.length).toBeGreaterThan(0);
      const symbol = found[0]!;
      const info = (await client.getJson(`/_sim/symbols/${symbol}`)).body;
      expect(info.splits).toStrictEqual([]);
      const split = info.upcoming.splits[0];
      expect(split.numerator > split.denominator).toBe(kind === "forward");
      const exDate: string = split.date;
      const before = addTradingDays(exDate, -1);
      const ratio = split.numerator / split.denominator;

      await client.moveClock({ asOf: before });
      const seen = await actionsSeen(symbol, before);
      expect(seen).toStrictEqual({ yahoo: [], polygon: [], fmp: [], alphavantage: [] });
      const rawBefore = await aggs(symbol, before, false);
      expect(await aggs(symbol, before, true)).toStrictEqual(rawBefore);
      expect((await client.getJson(`/_sim/symbols/${symbol}`)).body.upcoming.splits).toStrictEqual([split]);

      expect(await client.moveClock({ advanceSessions: 1 })).toBe(exDate);
      expect(await actionsSeen(symbol, exDate)).toStrictEqual({
        yahoo: [`${exDate} ${split.numerator}:${split.denominator}`],
        polygon: [`${exDate} ${split.denominator}->${split.numerator}`],
        fmp: [`${exDate} ${split.numerator}/${split.denominator}`],
        alphavantage: [`${exDate} ${Number(ratio.toFixed(6))}`],
      });
      expect((await client.getJson(`/_sim/symbols/${symbol}`)).body.splits).toStrictEqual([split]);
      // The raw bars are what they were; adjusted ones are divided by the ratio before the ex-date.
      expect(await aggs(symbol, before, false)).toStrictEqual(rawBefore);
      const adjusted = await aggs(symbol, before, true);
      expect(adjusted[0].c).toBeCloseTo(rawBefore[0].c / ratio, 3);
      expect(adjusted[0].v).toBeCloseTo(rawBefore[0].v * ratio, 3);
      const truth = (await client.getJson(`/_sim/truth/${symbol}?from=${before}`)).body.bars;
      expect(truth.map((b: Json) => b.date)).toStrictEqual([before, exDate]);
      expect(truth[0].volume).toBeCloseTo(rawBefore.at(-1).v * ratio, 6);
    }
  });

  it("an upcoming dividend is reported and applied exactly from its ex-date", async () => {
    const [symbol] = (await client.getJson<string[]>("/_sim/symbols?dividend=true&upcoming=5&limit=1")).body;
    const info = (await client.getJson(`/_sim/symbols/${symbol}`)).body;
    const dividend = info.upcoming.dividends[0];
    expect(dividend.amount).toBeGreaterThan(0);
    const before = addTradingDays(dividend.date, -1);
    const listed = async () =>
      (await client.getJson(polygon(`/stocks/v1/dividends?ticker=${symbol}&ex_dividend_date.gte=${before}`)))
        .body.results;
    const yahooAdjclose = async () =>
      (await client.getJson(`/yahoo/v8/finance/chart/${symbol}?interval=1d&range=1mo&events=div`)).body.chart
        .result[0];

    await client.moveClock({ asOf: before });
    expect(await listed()).toStrictEqual([]);
    const chartBefore = await yahooAdjclose();
    expect(chartBefore.events).toBeUndefined();
    // Nothing after today is adjusted for: the last close is its own adjusted close.
    expect(chartBefore.indicators.adjclose[0].adjclose.at(-1)).toBe(
      chartBefore.indicators.quote[0].close.at(-1),
    );

    await client.moveClock({ advanceSessions: 1 });
    const [reported] = await listed();
    expect(reported).toMatchObject({ ex_dividend_date: dividend.date, cash_amount: dividend.amount });
    const chartAfter = await yahooAdjclose();
    expect(Object.values(chartAfter.events.dividends)).toHaveLength(1);
    // The session before the ex-date is now adjusted by 1 − D / its close.
    const i = chartAfter.indicators.quote[0].close.length - 2;
    const close = chartAfter.indicators.quote[0].close[i];
    expect(chartAfter.indicators.adjclose[0].adjclose[i]).toBeCloseTo(
      close * (1 - dividend.amount / close),
      2,
    );
    expect((await client.getJson(`/_sim/symbols/${symbol}`)).body.dividends.at(-1)).toStrictEqual(dividend);
  });

  it("dividends are a function of the day: a window starting on an ex-date carries it", async () => {
    const info = (await client.getJson("/_sim/symbols/SPY")).body;
    const { date, amount } = info.dividends.at(-2);
    const period1 = Date.parse(`${date}T00:00:00Z`) / 1000;
    const period2 = period1 + 20 * 86_400;
    const chart = (
      await client.getJson(
        `/yahoo/v8/finance/chart/SPY?interval=1d&period1=${period1}&period2=${period2}&events=div`,
      )
    ).body.chart.result[0];
    expect(yahooDates({ chart: { result: [chart] } })[0]).toBe(date);
    expect(Object.values(chart.events.dividends)).toStrictEqual([
      { amount, date: Date.parse(`${date}T00:00:00Z`) / 1000 + chart.timestamp[0] - period1 },
    ]);
    const fmpDividends = (await client.getJson<Json[]>(fmp("/stable/dividends?symbol=SPY"))).body;
    expect(fmpDividends.map((d) => d.date)).toStrictEqual(info.dividends.map((d: Json) => d.date).reverse());
  });
});

describe("the body cache and prerendering", () => {
  it("never serve an answer rendered for another today", async () => {
    const path = "/yahoo/v8/finance/chart/AAPL?interval=1d&range=1mo";
    const first = await client.get(path);
    expect((await client.get(path)).text).toBe(first.text);
    const hitsBefore = sim.renderCacheStats().hits;
    await client.moveClock({ advanceSessions: 1 });
    const moved = await client.get(path);
    expect(yahooDates(JSON.parse(moved.text)).at(-1)).toBe(addTradingDays(ANCHOR, 1));
    expect(sim.renderCacheStats().hits).toBe(hitsBefore);

    // Prerendered at one today, asked at another: rendered afresh.
    const prerendered = await client.post(
      "/_sim/prerender",
      JSON.stringify({
        provider: "polygon",
        paths: ["/stocks/v1/splits?execution_date.gte=2026-01-01&limit=5000"],
      }),
    );
    expect(prerendered.body).toMatchObject({ rendered: 1 });
    await client.moveClock({ asOf: ANCHOR });
    expect(yahooDates(JSON.parse((await client.get(path)).text)).at(-1)).toBe(ANCHOR);
    expect((await client.get(path)).text).toBe(first.text);
    const splits = await client.getJson(
      polygon("/stocks/v1/splits?execution_date.gte=2026-01-01&limit=5000"),
    );
    expect(splits.body.results.every((s: Json) => s.execution_date <= ANCHOR)).toBe(true);
  });
});

/** Each provider's report of the symbol's splits in the month up to `today`, as short strings. */
async function actionsSeen(symbol: string, today: string): Promise<Record<string, string[]>> {
  const from = addTradingDays(today, -20);
  const period1 = Date.parse(`${from}T00:00:00Z`) / 1000;
  const yahoo = (
    await client.getJson(`/yahoo/v8/finance/chart/${symbol}?interval=1d&period1=${period1}&events=split`)
  ).body.chart.result[0];
  const polygonSplits = (await client.getJson(polygon(`/stocks/v1/splits?ticker=${symbol}`))).body.results;
  const fmpSplits = (await client.getJson<Json[]>(fmp(`/stable/splits?symbol=${symbol}`))).body;
  const av = (
    await client.getJson(
      `/alphavantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=${symbol}&apikey=${KEY}`,
    )
  ).body["Time Series (Daily)"];
  return {
    yahoo: Object.values(yahoo.events?.splits ?? {}).map(
      (s: Json) => `${new Date(s.date * 1000).toISOString().slice(0, 10)} ${s.splitRatio}`,
    ),
    polygon: polygonSplits.map((s: Json) => `${s.execution_date} ${s.split_from}->${s.split_to}`),
    fmp: fmpSplits.map((s) => `${s.date} ${s.numerator}/${s.denominator}`),
    alphavantage: Object.entries(av)
      .filter(([, bar]: [string, Json]) => bar["8. split coefficient"] !== "1.0")
      .map(([date, bar]: [string, Json]) => `${date} ${Number(bar["8. split coefficient"])}`),
  };
}

/** Polygon's daily aggregates of the symbol from 2026-11-01 to `to`. */
async function aggs(symbol: string, to: string, adjusted: boolean): Promise<Json[]> {
  return (
    await client.getJson(
      polygon(`/v2/aggs/ticker/${symbol}/range/1/day/2026-11-01/${to}?adjusted=${adjusted}`),
    )
  ).body.results;
}

describe("where the anchor comes from", () => {
  it("tickerfleet sim --as-of sets it (a Saturday means the Friday), and the clock moves from it", async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = simCommand(
      { asOf: "2026-12-05" },
      { stdout: { write: (t: string) => lines.push(t) }, stderr: { write: () => true }, signal: stop.signal },
    );
    try {
      for (let i = 0; i < 200 && lines.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
      const base = lines[0]!
        .trim()
        .split("=")[1]!
        .replace(/\/yahoo$/, "");
      const cli = simClient(base);
      expect((await cli.getJson("/_sim/clock")).body).toStrictEqual({
        asOf: "2026-12-04",
        anchor: "2026-12-04",
      });
      expect(await cli.moveClock({ advanceSessions: 2 })).toBe("2026-12-08");
      expect((await cli.getJson("/_sim/health")).body).toMatchObject({
        asOf: "2026-12-08",
        anchor: "2026-12-04",
      });
      await cli.close();
    } finally {
      stop.abort();
      await running;
    }
  });

  it("the simulator process (the local stack's) starts at its asOf and moves its clock", async () => {
    const child = await startSimulatorProcess({ asOf: ANCHOR, seed: 42, renderCacheBytes: 0 });
    try {
      expect(child.asOf).toBe(ANCHOR);
      expect(await child.moveClock({ asOf: "2026-11-13" })).toStrictEqual({
        asOf: "2026-11-13",
        anchor: ANCHOR,
      });
      await expect(child.moveClock({ advanceSessions: -1 })).rejects.toThrow(/advanceSessions/);
    } finally {
      await child.close();
    }
  });
});
