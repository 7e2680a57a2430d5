import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { barsOf, expectedBars, rounded } from "./expected.ts";
import { type FixtureServer, fixtureText, sendJson, sendText, startFixtureServer } from "./fixture-server.ts";

const KEY = "fmp-test-key-5f1c0a";
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

const range = { days: 260, to: "2024-02-13" };

describe("FMP adapter", () => {
  it("normalises the stable /full body (newest first) to ascending bars, adjClose = close", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("fmp/eod-full-aapl.json"));
    const result = await fmp.fetchDaily("AAPL", range);
    if (!result.ok) throw new Error(result.message);
    expect(barsOf(result.series)).toStrictEqual(
      rounded(expectedBars({ adjusted: "close", dropNullBar: false, nullVolumeAsZero: false })),
    );
  });

  it("asks /stable/historical-price-eod/full under the prefix, with from/to and the key, in FMP's spelling", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("fmp/eod-full-aapl.json"));
    const before = server.requests.length;
    await fmp.fetchDaily("ABR$D", { days: 20, to: "2024-02-13" });
    const url = new URL(server.requests[before]!, server.origin);
    expect(url.pathname).toBe("/fmp/stable/historical-price-eod/full");
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({
      symbol: "ABR-PD",
      from: "2024-01-07",
      to: "2024-02-13",
      apikey: KEY,
    });
  });

  it("accepts the v3 {symbol, historical} shape and takes its adjClose", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("fmp/v3-historical-price-full-aapl.json"));
    const result = await fmp.fetchDaily("AAPL", range);
    if (!result.ok) throw new Error(result.message);
    expect(barsOf(result.series)).toStrictEqual(
      rounded(expectedBars({ adjusted: "provider", dropNullBar: false, nullVolumeAsZero: false })),
    );
  });

  it.each([
    ["[]", []],
    ["{}", {}],
    ["{historical: []}", { symbol: "ZZZZ", historical: [] }],
  ])("answers not-found for an empty answer %s", async (_name, body) => {
    server.handler = (_req, res) => sendJson(res, 200, body);
    const result = await fmp.fetchDaily("ZZZZ", range);
    expect(result).toMatchObject({ ok: false, kind: "not-found", provider: "fmp", symbol: "ZZZZ" });
  });

  it("reads 'Limit Reach' with HTTP 200 as rate-limited", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("fmp/limit-reach.json"));
    expect(await fmp.fetchDaily("AAPL", range)).toStrictEqual({
      ok: false,
      kind: "rate-limited",
      provider: "fmp",
      symbol: "AAPL",
      message:
        "FMP limit reached: Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/",
    });
  });

  it("reads 'Limit Reach' with HTTP 429 and Retry-After as rate-limited with the wait", async () => {
    server.handler = (_req, res) =>
      sendText(res, 429, fixtureText("fmp/limit-reach.json"), { "retry-after": "42" });
    expect(await fmp.fetchDaily("AAPL", range)).toMatchObject({
      ok: false,
      kind: "rate-limited",
      status: 429,
      retryAfterMs: 42_000,
    });
  });

  it.each([200, 401])("reads 'Invalid API KEY' (HTTP %i) as unauthorized", async (status) => {
    server.handler = (_req, res) => sendText(res, status, fixtureText("fmp/invalid-key.json"));
    const result = await fmp.fetchDaily("AAPL", range);
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", provider: "fmp" });
    expect(!result.ok && result.message).toMatch(/^FMP rejected the key: Invalid API KEY/);
  });

  it("reads a plan restriction as unauthorized", async () => {
    server.handler = (_req, res) =>
      sendJson(res, 402, {
        "Error Message":
          "Premium Query Parameter: 'Special Endpoint : This value set for 'symbol' is not available under your current subscription please visit our subscription page to upgrade your plan at https://financialmodelingprep.com/",
      });
    expect(await fmp.fetchDaily("AAPL", range)).toMatchObject({
      ok: false,
      kind: "unauthorized",
      status: 402,
    });
  });

  it.each([
    ["an object without bars", { symbol: "AAPL" }, /expected an array of bars/],
    ["a bar without a date", [{ open: 1, high: 1, low: 1, close: 1 }], /bar 0 has date undefined/],
    ["a bar that is a string", ["2024-01-02"], /bar 0 is string/],
    ["a number", 42, /got number/],
  ])("answers invalid-response for %s", async (_name, body, why) => {
    server.handler = (_req, res) => sendJson(res, 200, body);
    const result = await fmp.fetchDaily("AAPL", range);
    expect(result).toMatchObject({ ok: false, kind: "invalid-response" });
    expect(!result.ok && result.message).toMatch(why);
  });
});

describe("FMP fundamentals", () => {
  it("reads quarterly income statements into EPS growth: the quarter a year on, the last four quarters against the four before", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("fmp/income-statement-quarter-aapl.json"));
    const before = server.requests.length;
    const result = await fmp.fetchFundamentals!("BRK.B");
    const url = new URL(server.requests[before]!, server.origin);
    expect(url.pathname).toBe("/fmp/stable/income-statement");
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({
      symbol: "BRK-B",
      period: "quarter",
      limit: "8",
      apikey: KEY,
    });
    if (!result.ok) throw new Error(result.message);
    // Diluted EPS: 0.97 against 1.46 a year earlier; TTM 0.97+1.40+1.53+2.18 = 6.08 against
    // 1.46+1.26+1.52+1.88 = 6.12.
    expect(result.fundamentals).toStrictEqual({
      epsGrowthQuarterlyPct: Math.round(((0.97 - 1.46) / 1.46) * 10000) / 100,
      epsGrowthAnnualPct: Math.round(((6.08 - 6.12) / 6.12) * 10000) / 100,
    });
  });

  it("has no growth rate from a loss, from too few quarters, or for a symbol without statements", async () => {
    const statements = JSON.parse(fixtureText("fmp/income-statement-quarter-aapl.json")) as Record<
      string,
      unknown
    >[];
    statements[4]!.epsDiluted = -0.2;
    server.handler = (_req, res) => sendJson(res, 200, statements);
    const fromLoss = await fmp.fetchFundamentals!("AAPL");
    expect(fromLoss).toMatchObject({ ok: true, fundamentals: { epsGrowthAnnualPct: expect.any(Number) } });
    expect(fromLoss.ok && "epsGrowthQuarterlyPct" in fromLoss.fundamentals).toBe(false);

    server.handler = (_req, res) =>
      sendJson(
        res,
        200,
        statements.slice(0, 5).map((r) => ({ ...r, epsDiluted: 1 })),
      );
    expect(await fmp.fetchFundamentals!("AAPL")).toStrictEqual({
      ok: true,
      fundamentals: { epsGrowthQuarterlyPct: 0 },
    });

    server.handler = (_req, res) => sendText(res, 200, "[]");
    expect(await fmp.fetchFundamentals!("SPY")).toStrictEqual({ ok: true, fundamentals: {} });
  });

  it("names a malformed statement, and reads FMP's limit answer as rate-limited", async () => {
    server.handler = (_req, res) => sendJson(res, 200, [{ date: "2024-09-28", epsDiluted: "0.97" }]);
    expect(await fmp.fetchFundamentals!("AAPL")).toMatchObject({
      ok: false,
      kind: "invalid-response",
      message: expect.stringContaining('statement 0 has EPS "0.97"'),
    });
    server.handler = (_req, res) => sendText(res, 429, fixtureText("fmp/limit-reach.json"));
    expect(await fmp.fetchFundamentals!("AAPL")).toMatchObject({ ok: false, kind: "rate-limited" });
  });
});
