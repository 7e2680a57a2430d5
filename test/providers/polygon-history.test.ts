import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { type FixtureServer, sendJson, startFixtureServer } from "./fixture-server.ts";

/**
 * Polygon's (Massive's) fetchHistory against recorded shapes: the paging of the splits and
 * dividends lists (each page one more request behind the gate, a `next_url` on Massive's own
 * host re-rooted on the configured base URL), what it reads from each row, and the rows it
 * refuses. The simulator tests (history-requests, history-truth) cover the rest.
 */

const KEY = "pgn_HistoryKey_41d2";
const TODAY_T = Date.UTC(2024, 1, 13, 5); // 00:00 New York on 2024-02-13
const DAY = 86_400_000;
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

const aggs = {
  ticker: "BRK.B",
  adjusted: false,
  results: [
    { v: 1000, vw: 10, o: 10, c: 10.5, h: 11, l: 9.5, t: TODAY_T - DAY, n: 5 },
    { v: 2000, vw: 5, o: 5.2, c: 5.3, h: 5.4, l: 5.1, t: TODAY_T, n: 7 },
  ],
  status: "OK",
  request_id: "r1",
  resultsCount: 2,
};
const split = {
  adjustment_type: "forward_split",
  execution_date: "2024-02-13",
  historical_adjustment_factor: 0.5,
  id: "E1",
  split_from: 1,
  split_to: 2,
  ticker: "BRK.B",
};
const dividend = (date: string, cash: number) => ({
  cash_amount: cash,
  currency: "USD",
  distribution_type: "recurring",
  ex_dividend_date: date,
  frequency: 4,
  split_adjusted_cash_amount: cash / 2,
  ticker: "BRK.B",
});

/** Serves the aggregates, then each list in two pages, the second behind a Massive-host next_url. */
function twoPagesEach(overrides: { splits?: unknown[]; dividends?: unknown[] } = {}): string[] {
  const bodies: string[] = [];
  server.handler = (_req, res, url) => {
    const page2 = url.searchParams.has("cursor");
    let body: unknown;
    if (url.pathname.includes("/v2/aggs/")) body = aggs;
    else if (url.pathname.endsWith("/stocks/v1/splits"))
      body = page2
        ? { results: [], status: "OK", request_id: "s2" }
        : {
            results: overrides.splits ?? [split],
            status: "OK",
            request_id: "s1",
            next_url: "https://api.massive.com/stocks/v1/splits?cursor=c3BsaXRz",
          };
    else if (url.pathname.endsWith("/stocks/v1/dividends"))
      body = page2
        ? { results: [dividend("2023-11-08", 0.75)], status: "OK", request_id: "d2" }
        : {
            results: overrides.dividends ?? [dividend("2024-02-08", 0.8200000001)],
            status: "OK",
            request_id: "d1",
            next_url: "https://api.massive.com/stocks/v1/dividends?cursor=ZGl2cw",
          };
    else return sendJson(res, 404, "404 page not found");
    const text = JSON.stringify(body);
    bodies.push(text);
    sendJson(res, 200, text);
  };
  return bodies;
}

describe("Polygon fetchHistory", () => {
  it("pages through both lists, gating every request after the first, and reads raw bars and actions", async () => {
    const bodies = twoPagesEach();
    const before = server.requests.length;
    let asked = 0;
    const result = await polygon.fetchHistory!(
      "BRK.B",
      { kind: "incremental", from: "2023-11-01" },
      { nextRequest: async () => void asked++ },
    );
    if (!result.ok) throw new Error(result.message);
    const sent = server.requests.slice(before);
    expect(sent.map((r) => r.replace(/\/day\/.*\?/, "/day/…?"))).toStrictEqual([
      `/polygon/v2/aggs/ticker/BRK.B/range/1/day/…?adjusted=false&sort=asc&limit=50000&apiKey=${KEY}`,
      `/polygon/stocks/v1/splits?ticker=BRK.B&execution_date.gte=2023-11-01&limit=1000&apiKey=${KEY}`,
      `/polygon/stocks/v1/splits?cursor=c3BsaXRz&apiKey=${KEY}`,
      `/polygon/stocks/v1/dividends?ticker=BRK.B&ex_dividend_date.gte=2023-11-01&limit=1000&apiKey=${KEY}`,
      `/polygon/stocks/v1/dividends?cursor=ZGl2cw&apiKey=${KEY}`,
    ]);
    expect(asked).toBe(sent.length - 1);
    expect(result.bytes).toBe(bodies.reduce((n, b) => n + b.length, 0));
    expect(result.bars.dates).toStrictEqual(["2024-02-12", "2024-02-13"]);
    expect([...result.bars.close]).toStrictEqual([10.5, 5.3]);
    expect(result.actions).toStrictEqual([
      { type: "dividend", exDate: "2023-11-08", amount: 0.75, provider: "polygon" },
      { type: "dividend", exDate: "2024-02-08", amount: 0.82, provider: "polygon" },
      { type: "split", exDate: "2024-02-13", from: 1, to: 2, provider: "polygon" },
    ]);
  });

  it.each([
    [
      "a split without positive share counts",
      { splits: [{ ...split, split_from: 0 }] },
      "splits: split 0: split_from 0 and split_to 2 are not positive share counts",
    ],
    [
      "a row for another ticker (the filter was not applied)",
      { splits: [{ ...split, ticker: "AAPL" }] },
      "splits: split 0 is for AAPL, not BRK.B: the ticker filter was not applied",
    ],
    [
      "a dividend without a date",
      { dividends: [{ ...dividend("2024-02-08", 0.82), ex_dividend_date: null }] },
      "dividends: dividend 0: ex_dividend_date is null",
    ],
    [
      "a negative dividend",
      { dividends: [dividend("2024-02-08", -1)] },
      "dividends: dividend 0: cash_amount -1 is not a positive amount",
    ],
  ])("answers invalid-response for %s, naming it", async (_name, overrides, message) => {
    twoPagesEach(overrides);
    expect(await polygon.fetchHistory!("BRK.B", { kind: "full", days: 30 })).toStrictEqual({
      ok: false,
      kind: "invalid-response",
      provider: "polygon",
      symbol: "BRK.B",
      message,
    });
  });

  it("fails the whole history with the dividends request's 429", async () => {
    server.handler = (_req, res, url) => {
      if (url.pathname.endsWith("/dividends"))
        return sendJson(
          res,
          429,
          { status: "ERROR", error: "You've exceeded the maximum requests per minute" },
          {
            "retry-after": "7",
          },
        );
      sendJson(res, 200, url.pathname.includes("/v2/aggs/") ? aggs : { results: [], status: "OK" });
    };
    expect(await polygon.fetchHistory!("BRK.B", { kind: "full", days: 30 })).toMatchObject({
      ok: false,
      kind: "rate-limited",
      status: 429,
      retryAfterMs: 7_000,
    });
  });

  it("stops a next_url loop in a list after a bounded number of pages", async () => {
    server.handler = (_req, res, url) =>
      sendJson(
        res,
        200,
        url.pathname.includes("/v2/aggs/")
          ? aggs
          : { results: [], status: "OK", next_url: `${server.origin}/polygon/stocks/v1/splits?cursor=again` },
      );
    const result = await polygon.fetchHistory!("BRK.B", { kind: "full", days: 30 });
    expect(result).toMatchObject({ ok: false, kind: "invalid-response" });
    expect(!result.ok && result.message).toBe("splits: more than 20 pages of next_url; stopped");
  });
});
