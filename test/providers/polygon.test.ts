import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import { ValidationError } from "../../packages/core/errors.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { barsOf, expectedBars, rounded } from "./expected.ts";
import { type FixtureServer, fixtureText, sendJson, sendText, startFixtureServer } from "./fixture-server.ts";

const KEY = "pgn_TestKey_9d8c7b6a";
let server: FixtureServer;
let polygon: MarketDataProvider;

beforeAll(async () => {
  server = await startFixtureServer();
  polygon = createProvider("polygon", { baseUrl: `${server.origin}/polygon`, apiKey: KEY, timeoutMs: 2_000 });
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

const range = { days: 260, to: "2024-02-13" };

/** Serves page 1 for the aggregates path and page 2 for the cursor, with `next_url` pointing at `nextBase`. */
function twoPages(nextBase: string) {
  server.handler = (_req, res, url) => {
    if (url.searchParams.has("cursor")) sendText(res, 200, fixtureText("polygon/aggs-aapl-page2.json"));
    else sendText(res, 200, fixtureText("polygon/aggs-aapl-page1.json", nextBase));
  };
}

describe("Polygon aggregates adapter", () => {
  it("follows next_url to the second page, appends the key, and normalises both pages", async () => {
    twoPages(`${server.origin}/polygon`);
    const before = server.requests.length;
    const result = await polygon.fetchDaily("AAPL", range);
    if (!result.ok) throw new Error(result.message);
    expect(barsOf(result.series)).toStrictEqual(
      rounded(expectedBars({ adjusted: "close", dropNullBar: false, nullVolumeAsZero: false })),
    );
    const [first, second] = server.requests.slice(before).map((r) => new URL(r, server.origin));
    expect(first!.pathname).toBe("/polygon/v2/aggs/ticker/AAPL/range/1/day/2023-01-22/2024-02-13");
    expect(Object.fromEntries(first!.searchParams)).toStrictEqual({
      adjusted: "true",
      sort: "asc",
      limit: "50000",
      apiKey: KEY,
    });
    expect(second!.pathname).toMatch(/^\/polygon\/v2\/aggs\/ticker\/AAPL\/range\/1\/day\/\d+\/2024-02-13$/);
    expect(Object.fromEntries(second!.searchParams)).toStrictEqual({
      cursor: "bGltaXQ9MTYmc29ydD1hc2M",
      apiKey: KEY,
    });
    expect(server.requests.length - before).toBe(2);
  });

  it("re-roots a next_url on another host onto the configured base URL, so the key never leaves it", async () => {
    twoPages("https://api.polygon.io");
    const before = server.requests.length;
    const result = await polygon.fetchDaily("AAPL", range);
    expect(result.ok).toBe(true);
    const second = new URL(server.requests[before + 1]!, server.origin);
    expect(second.pathname).toMatch(/^\/polygon\/v2\/aggs\/ticker\/AAPL\//);
    expect(second.searchParams.get("apiKey")).toBe(KEY);
  });

  it("stops a next_url loop after a bounded number of pages", async () => {
    server.handler = (_req, res) =>
      sendText(res, 200, fixtureText("polygon/aggs-aapl-page1.json", `${server.origin}/polygon`));
    const before = server.requests.length;
    const result = await polygon.fetchDaily("AAPL", range);
    expect(result).toMatchObject({ ok: false, kind: "invalid-response" });
    expect(!result.ok && result.message).toMatch(/more than 20 pages/);
    expect(server.requests.length - before).toBe(20);
  });

  it("spells class shares, preferreds, warrants and rights the Polygon way", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("polygon/aggs-empty.json"));
    const before = server.requests.length;
    for (const symbol of ["BRK.B", "ABR$D", "ACHR.W", "AIIA.R"]) await polygon.fetchDaily(symbol, range);
    const tickers = server.requests
      .slice(before)
      .map((r) => new URL(r, server.origin).pathname.split("/")[5]);
    expect(tickers).toStrictEqual(["BRK.B", "ABRpD", "ACHR.WS", "AIIAr"]);
  });

  it("answers not-found for resultsCount 0 (unknown ticker and empty window look the same)", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("polygon/aggs-empty.json"));
    const result = await polygon.fetchDaily("ZZZZ", range);
    expect(result).toMatchObject({ ok: false, kind: "not-found", provider: "polygon", symbol: "ZZZZ" });
    expect(!result.ok && result.message).toMatch(/no bars for ZZZZ .* unknown symbol the same way/);
  });

  it("reads Polygon's 429 body as rate-limited", async () => {
    server.handler = (_req, res) => sendText(res, 429, fixtureText("polygon/rate-limit.json"));
    expect(await polygon.fetchDaily("AAPL", range)).toStrictEqual({
      ok: false,
      kind: "rate-limited",
      provider: "polygon",
      symbol: "AAPL",
      status: 429,
      message:
        "Polygon rate limit: You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
    });
  });

  it.each([
    [401, "polygon/unknown-key.json", /Unknown API Key/],
    [403, "polygon/not-authorized.json", /not entitled/],
  ])("reads HTTP %i as unauthorized", async (status, fixture, why) => {
    server.handler = (_req, res) => sendText(res, status, fixtureText(fixture));
    const result = await polygon.fetchDaily("AAPL", range);
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status });
    expect(!result.ok && result.message).toMatch(why);
  });

  it.each([
    ["results not an array", { status: "OK", resultsCount: 1, results: {} }, /results is object/],
    [
      "a bar without t",
      { status: "OK", resultsCount: 1, results: [{ o: 1, h: 1, l: 1, c: 1, v: 1 }] },
      /numeric t/,
    ],
    ["an unknown status", { status: "WEIRD", results: [] }, /status "WEIRD"/],
  ])("answers invalid-response for %s", async (_name, body, why) => {
    server.handler = (_req, res) => sendJson(res, 200, body);
    const result = await polygon.fetchDaily("AAPL", range);
    expect(result).toMatchObject({ ok: false, kind: "invalid-response" });
    expect(!result.ok && result.message).toMatch(why);
  });
});

describe("Polygon grouped daily (fetchMarketDay)", () => {
  it("maps every ticker to its canonical symbol in one request, counting ones without a canonical form, skipping ones without prices", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("polygon/grouped-2024-01-09.json"));
    const before = server.requests.length;
    const result = await polygon.fetchMarketDay!("2024-01-09");
    if (!result.ok) throw new Error(result.message);
    const url = new URL(server.requests[before]!, server.origin);
    expect(url.pathname).toBe("/polygon/v2/aggs/grouped/locale/us/market/stocks/2024-01-09");
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({ adjusted: "false", apiKey: KEY });
    expect(server.requests.length - before).toBe(1);
    expect([...result.bars.keys()].sort()).toStrictEqual(
      ["AAC.U", "AAPL", "ACHR.W", "AIIA.R", "BAC$L", "BRK.B", "DCOM$", "KIM$L", "MSFT", "ZVZZT"].sort(),
    );
    // ABCw, a when-issued line, has no canonical form.
    expect(result.unmapped).toBe(1);
    expect(result.bars.get("BRK.B")).toStrictEqual({
      date: "2024-01-09",
      open: 363.11,
      high: 364.2,
      low: 361.21,
      close: 362.73,
      volume: 3284539,
      provider: "polygon",
    });
    expect(result.bytes).toBe(fixtureText("polygon/grouped-2024-01-09.json").length);
  });

  it("answers ok with no bars for a market holiday", async () => {
    server.handler = (_req, res) =>
      sendJson(res, 200, { queryCount: 0, resultsCount: 0, adjusted: false, status: "OK", request_id: "x" });
    const result = await polygon.fetchMarketDay!("2024-01-15");
    expect(result.ok && result.bars.size).toBe(0);
  });

  it("answers transient for the same empty answer on a trading session: not published yet", async () => {
    server.handler = (_req, res) =>
      sendJson(res, 200, { queryCount: 0, resultsCount: 0, adjusted: false, status: "OK", request_id: "x" });
    expect(await polygon.fetchMarketDay!("2024-01-16")).toMatchObject({
      ok: false,
      kind: "transient",
      provider: "polygon",
      symbol: "*",
    });
  });

  it("classifies failures like the per-ticker endpoint, with symbol '*'", async () => {
    server.handler = (_req, res) =>
      sendText(res, 429, fixtureText("polygon/rate-limit.json"), { "retry-after": "12" });
    expect(await polygon.fetchMarketDay!("2024-01-09")).toMatchObject({
      ok: false,
      kind: "rate-limited",
      symbol: "*",
      status: 429,
      retryAfterMs: 12_000,
    });
  });

  it("throws ValidationError for a date that is not YYYY-MM-DD", async () => {
    await expect(polygon.fetchMarketDay!("01/09/2024")).rejects.toBeInstanceOf(ValidationError);
  });
});
