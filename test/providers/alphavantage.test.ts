import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { barsOf, expectedBars, rounded } from "./expected.ts";
import { type FixtureServer, fixtureText, sendJson, sendText, startFixtureServer } from "./fixture-server.ts";

const KEY = "AVTESTKEY0123456";
let server: FixtureServer;
let av: MarketDataProvider;

beforeAll(async () => {
  server = await startFixtureServer();
  av = createProvider("alphavantage", {
    baseUrl: `${server.origin}/alphavantage`,
    apiKey: KEY,
    timeoutMs: 2_000,
  });
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

const range = { days: 260, to: "2024-02-13" };

describe("Alpha Vantage adapter", () => {
  it("normalises TIME_SERIES_DAILY (string values, newest first), adjClose = close", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("alphavantage/daily-ibm.json"));
    const result = await av.fetchDaily("IBM", range);
    if (!result.ok) throw new Error(result.message);
    expect(barsOf(result.series)).toStrictEqual(
      rounded(expectedBars({ adjusted: "close", dropNullBar: false, nullVolumeAsZero: false })),
    );
  });

  it("accepts TIME_SERIES_DAILY_ADJUSTED rows: '5. adjusted close' and '6. volume'", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("alphavantage/daily-adjusted-ibm.json"));
    const result = await av.fetchDaily("IBM", range);
    if (!result.ok) throw new Error(result.message);
    expect(barsOf(result.series)).toStrictEqual(
      rounded(expectedBars({ adjusted: "provider", dropNullBar: false, nullVolumeAsZero: false })),
    );
  });

  it("asks compact for a short recent range and full for a long one, in AV's spelling, with the key", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("alphavantage/daily-ibm.json"));
    const before = server.requests.length;
    await av.fetchDaily("ABR$D", { days: 20 });
    await av.fetchDaily("BRK.B", { days: 260 });
    const [short, long] = server.requests.slice(before).map((r) => new URL(r, server.origin));
    expect(short!.pathname).toBe("/alphavantage/query");
    expect(Object.fromEntries(short!.searchParams)).toStrictEqual({
      function: "TIME_SERIES_DAILY",
      symbol: "ABR-P-D",
      outputsize: "compact",
      apikey: KEY,
    });
    expect(Object.fromEntries(long!.searchParams)).toStrictEqual({
      function: "TIME_SERIES_DAILY",
      symbol: "BRK-B",
      outputsize: "full",
      apikey: KEY,
    });
  });

  it.each([
    [
      "Information (25 requests per day)",
      "alphavantage/information-rate-limit.json",
      /^Alpha Vantage limit \(Information\): Thank you/,
    ],
    [
      "Note (5 calls per minute)",
      "alphavantage/note-rate-limit.json",
      /^Alpha Vantage limit \(Note\): Thank you/,
    ],
  ])("reads HTTP 200 + %s as rate-limited", async (_name, fixture, why) => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText(fixture));
    const result = await av.fetchDaily("IBM", range);
    expect(result).toMatchObject({
      ok: false,
      kind: "rate-limited",
      provider: "alphavantage",
      symbol: "IBM",
    });
    expect(!result.ok && result.message).toMatch(why);
  });

  it("scrubs the key when Alpha Vantage quotes it back ('We have detected your API key as ...')", async () => {
    server.handler = (_req, res) =>
      sendJson(res, 200, {
        Information: `We have detected your API key as ${KEY} and our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.`,
      });
    const result = await av.fetchDaily("IBM", range);
    expect(result).toMatchObject({ ok: false, kind: "rate-limited" });
    expect(!result.ok && result.message).toMatch(
      /^Alpha Vantage limit \(Information\): We have detected your API key as \*\*\* and/,
    );
    expect(JSON.stringify(result)).not.toContain(KEY);
  });

  it("reads the premium 'outputsize=full' Information as unauthorized, saying what to do", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("alphavantage/information-premium.json"));
    const result = await av.fetchDaily("IBM", { days: 260 });
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", provider: "alphavantage" });
    expect(!result.ok && result.message).toMatch(
      /ask for at most 100 days or use a premium key.*premium feature/,
    );
  });

  it("reads 'Invalid API call' as not-found", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("alphavantage/error-invalid-call.json"));
    const result = await av.fetchDaily("ZZZZ", range);
    expect(result).toMatchObject({ ok: false, kind: "not-found", symbol: "ZZZZ" });
    expect(!result.ok && result.message).toMatch(/^Alpha Vantage does not know ZZZZ: Invalid API call/);
  });

  it("reads 'apikey is invalid or missing' as unauthorized", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("alphavantage/error-invalid-key.json"));
    expect(await av.fetchDaily("IBM", range)).toMatchObject({ ok: false, kind: "unauthorized" });
  });

  it.each([
    ["an empty object", {}, /no "Time Series \(Daily\)"/],
    ["a bad date key", { "Time Series (Daily)": { yesterday: { "1. open": "1" } } }, /bad bar yesterday/],
    ["an unknown Information", { Information: "Something else entirely." }, /Information instead of data/],
    ["an array", [], /expected an object/],
  ])("answers invalid-response for %s", async (_name, body, why) => {
    server.handler = (_req, res) => sendJson(res, 200, body);
    const result = await av.fetchDaily("IBM", range);
    expect(result).toMatchObject({ ok: false, kind: "invalid-response" });
    expect(!result.ok && result.message).toMatch(why);
  });
});
