import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { type FixtureServer, fixtureText, sendText, startFixtureServer } from "./fixture-server.ts";

/**
 * FMP's fetchHistory against recorded shapes: what it reads from the non-split-adjusted bars
 * (raw, whatever their adj names say), the splits and the dividends (the raw `dividend`, not
 * `adjDividend`), an incremental request's actions, and the bodies it refuses. The simulator
 * tests (history-requests, history-truth) cover the rest.
 */

const KEY = "fmp-history-key-77e1";
let server: FixtureServer;
let fmp: MarketDataProvider;

beforeAll(async () => {
  server = await startFixtureServer();
  fmp = createProvider("fmp", { baseUrl: `${server.origin}/fmp`, apiKey: KEY, timeoutMs: 2_000 });
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

const bars = [
  {
    symbol: "AAPL",
    date: "2020-09-01",
    adjOpen: 132.76,
    adjHigh: 134.8,
    adjLow: 130.53,
    adjClose: 134.18,
    volume: 151948100,
  },
  {
    symbol: "AAPL",
    date: "2020-08-31",
    adjOpen: 127.58,
    adjHigh: 131,
    adjLow: 126,
    adjClose: 129.04,
    volume: 225702700,
  },
  {
    symbol: "AAPL",
    date: "2020-08-28",
    adjOpen: 504.05,
    adjHigh: 505.77,
    adjLow: 498.31,
    adjClose: 499.23,
    volume: 46907479,
  },
];
const splits = [
  { symbol: "AAPL", date: "2020-08-31", numerator: 4, denominator: 1, splitType: "stock-split" },
  { symbol: "AAPL", date: "2014-06-09", numerator: 7, denominator: 1, splitType: "stock-split" },
];
const dividends = [
  {
    symbol: "AAPL",
    date: "2020-11-06",
    adjDividend: 0.205,
    dividend: 0.205,
    yield: 0.7,
    frequency: "Quarterly",
  },
  {
    symbol: "AAPL",
    date: "2020-08-07",
    adjDividend: 0.205,
    dividend: 0.82,
    yield: 0.7,
    frequency: "Quarterly",
  },
  {
    symbol: "AAPL",
    date: "2020-05-08",
    adjDividend: 0.205,
    dividend: 0.82,
    yield: 0.9,
    frequency: "Quarterly",
  },
];

function serve(answers: { bars?: unknown; splits?: unknown; dividends?: unknown }): string[] {
  const bodies: string[] = [];
  server.handler = (_req, res, url) => {
    const body = url.pathname.endsWith("/non-split-adjusted")
      ? (answers.bars ?? bars)
      : url.pathname.endsWith("/splits")
        ? (answers.splits ?? splits)
        : (answers.dividends ?? dividends);
    const text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    bodies.push(text);
    sendText(res, 200, text);
  };
  return bodies;
}

describe("FMP fetchHistory", () => {
  it("reads raw bars, splits and raw dividends in three requests, the last two behind the gate", async () => {
    const bodies = serve({});
    const before = server.requests.length;
    let asked = 0;
    const result = await fmp.fetchHistory!(
      "AAPL",
      { kind: "incremental", from: "2020-08-07" },
      { nextRequest: async () => void asked++ },
    );
    if (!result.ok) throw new Error(result.message);
    const sent = server.requests.slice(before).map((r) => new URL(r, server.origin));
    expect(sent.map((u) => u.pathname)).toStrictEqual([
      "/fmp/stable/historical-price-eod/non-split-adjusted",
      "/fmp/stable/splits",
      "/fmp/stable/dividends",
    ]);
    expect(sent[0]!.searchParams.get("from")).toBe("2020-08-07");
    expect(Object.fromEntries(sent[1]!.searchParams)).toStrictEqual({
      symbol: "AAPL",
      limit: "1000",
      apikey: KEY,
    });
    expect(asked).toBe(2);
    expect(result.bytes).toBe(bodies.reduce((n, b) => n + b.length, 0));
    expect(result.bars.dates).toStrictEqual(["2020-08-28", "2020-08-31", "2020-09-01"]);
    expect([...result.bars.close]).toStrictEqual([499.23, 129.04, 134.18]);
    expect([...result.bars.volume]).toStrictEqual([46907479, 225702700, 151948100]);
    // Only the actions from the request's date: the 2014 split and the May dividend are older.
    expect(result.actions).toStrictEqual([
      { type: "dividend", exDate: "2020-08-07", amount: 0.82, provider: "fmp" },
      { type: "split", exDate: "2020-08-31", from: 1, to: 4, provider: "fmp" },
      { type: "dividend", exDate: "2020-11-06", amount: 0.205, provider: "fmp" },
    ]);
  });

  it("asks nothing more after a whole-history request finds no bar (FMP's [] for an unknown symbol)", async () => {
    serve({ bars: [] });
    const before = server.requests.length;
    const result = await fmp.fetchHistory!("ZZZZ", { kind: "full", days: 30 });
    expect(result).toMatchObject({ ok: false, kind: "not-found", provider: "fmp", symbol: "ZZZZ" });
    expect(server.requests.length - before).toBe(1);
  });

  it("reads a 200 'Limit Reach' on the splits request as the whole history rate-limited", async () => {
    serve({ splits: fixtureText("fmp/limit-reach.json") });
    expect(await fmp.fetchHistory!("AAPL", { kind: "full", days: 30 })).toMatchObject({
      ok: false,
      kind: "rate-limited",
      provider: "fmp",
    });
  });

  it.each([
    [
      "bars that are not an array",
      { bars: { symbol: "AAPL" } },
      "/stable/historical-price-eod/non-split-adjusted: expected an array, got object",
    ],
    ["a bar without a date", { bars: [{ adjClose: 1 }] }, "bar 0 has date undefined"],
    [
      "a split row that is a string",
      { splits: ["4:1"] },
      "/stable/splits: row 0 is string, expected an object",
    ],
    [
      "a split without a denominator",
      { splits: [{ date: "2020-08-31", numerator: 4 }] },
      "split 0: numerator 4 and denominator undefined are not positive share counts",
    ],
    [
      "a dividend with only the split-adjusted amount",
      { dividends: [{ date: "2020-08-07", adjDividend: 0.205 }] },
      "dividend 0: dividend undefined is not a positive amount",
    ],
  ])("answers invalid-response for %s, naming it", async (_name, answers, message) => {
    serve(answers);
    expect(await fmp.fetchHistory!("AAPL", { kind: "full", days: 30 })).toStrictEqual({
      ok: false,
      kind: "invalid-response",
      provider: "fmp",
      symbol: "AAPL",
      message,
    });
  });

  it("reads an 'Invalid API KEY' on the bars request as unauthorized, without the key", async () => {
    server.handler = (_req, res) => sendText(res, 401, fixtureText("fmp/invalid-key.json"));
    const result = await fmp.fetchHistory!("AAPL", { kind: "full", days: 30 });
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
    expect(JSON.stringify(result)).not.toContain(KEY);
  });

  it("answers an empty {} as no rows", async () => {
    serve({ splits: {}, dividends: {} });
    const result = await fmp.fetchHistory!("AAPL", { kind: "full", days: 30 });
    expect(result.ok && result.actions).toStrictEqual([]);
  });
});
