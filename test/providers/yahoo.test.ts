import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { barsOf, expectedBars, market, rounded } from "./expected.ts";
import {
  type FixtureServer,
  fixtureJson,
  fixtureText,
  sendJson,
  sendText,
  startFixtureServer,
} from "./fixture-server.ts";

let server: FixtureServer;
let yahoo: MarketDataProvider;

beforeAll(async () => {
  server = await startFixtureServer();
  yahoo = createProvider("yahoo", { baseUrl: `${server.origin}/yahoo`, timeoutMs: 2_000 });
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

const range = { days: 260, to: "2024-02-13" };

describe("yahoo chart adapter", () => {
  it("normalises a recorded chart body: drops null bars, null volume → 0, adjclose from the provider", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("yahoo/chart-aapl.json"));
    const result = await yahoo.fetchDaily("AAPL", range);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.series.symbol).toBe("AAPL");
    expect(barsOf(result.series)).toStrictEqual(
      rounded(expectedBars({ adjusted: "provider", dropNullBar: true, nullVolumeAsZero: true })),
    );
  });

  it("asks for the real path under the base URL's prefix, in Yahoo's spelling, with a day window", async () => {
    let userAgent: string | undefined;
    server.handler = (req, res) => {
      userAgent = req.headers["user-agent"];
      sendText(res, 200, fixtureText("yahoo/chart-aapl.json"));
    };
    const before = server.requests.length;
    await yahoo.fetchDaily("BRK.B", { days: 10, to: "2024-02-13" });
    expect(userAgent).toBe("Mozilla/5.0 (compatible; tickerfleet/0.1)");
    const url = new URL(server.requests[before]!, server.origin);
    expect(url.pathname).toBe("/yahoo/v8/finance/chart/BRK-B");
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({
      period1: String(Date.UTC(2024, 1, 13) / 1000 - (Math.ceil((10 * 365) / 250) + 7) * 86_400),
      period2: String(Date.UTC(2024, 1, 14) / 1000),
      interval: "1d",
      events: "div|split",
      includeAdjustedClose: "true",
    });
    expect(server.requests[before]).toContain("events=div%7Csplit");
  });

  it("trims to the last `days` bars and drops bars after `to`", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("yahoo/chart-aapl.json"));
    const result = await yahoo.fetchDaily("AAPL", { days: 5, to: "2024-02-09" });
    if (!result.ok) throw new Error(result.message);
    expect(result.series.dates).toStrictEqual([
      "2024-02-05",
      "2024-02-06",
      "2024-02-07",
      "2024-02-08",
      "2024-02-09",
    ]);
  });

  it("dates sessions in the exchange's time zone (gmtoffset), not UTC", async () => {
    // An exchange at UTC+10 opening at 10:00 local: 00:00 UTC... shifted to 23:00 UTC the day before.
    const body = fixtureJson<{
      chart: { result: Array<{ meta: { gmtoffset: number }; timestamp: number[] }> };
    }>("yahoo/chart-aapl.json");
    const result0 = body.chart.result[0]!;
    result0.meta.gmtoffset = 39_600;
    result0.timestamp = result0.timestamp.map((ts) => ts - 15.5 * 3600);
    server.handler = (_req, res) => sendJson(res, 200, body);
    const result = await yahoo.fetchDaily("BHP", range);
    if (!result.ok) throw new Error(result.message);
    expect(result.series.dates).toStrictEqual(
      market.bars.filter((_, i) => i !== market.nullIndex).map((b) => b.date),
    );
  });

  it("answers not-found for an unknown symbol (404 with Yahoo's chart error)", async () => {
    server.handler = (_req, res) => sendText(res, 404, fixtureText("yahoo/chart-not-found.json"));
    expect(await yahoo.fetchDaily("ZZZZZ", range)).toStrictEqual({
      ok: false,
      kind: "not-found",
      provider: "yahoo",
      symbol: "ZZZZZ",
      status: 404,
      message: "Yahoo does not know ZZZZZ: No data found, symbol may be delisted",
    });
  });

  it("answers not-found when the symbol has no bars in the window (no timestamp, quote [{}])", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("yahoo/chart-empty.json"));
    const result = await yahoo.fetchDaily("BRK.B", range);
    expect(result).toMatchObject({ ok: false, kind: "not-found", symbol: "BRK.B" });
    expect(!result.ok && result.message).toMatch(
      /^no bars for BRK-B from \d{4}-\d\d-\d\d to 2024-02-13 \(the provider knows the symbol but has no bars in the window\)$/,
    );
  });

  it("reads a plain-text 429 as rate-limited", async () => {
    server.handler = (_req, res) => sendText(res, 429, "Too Many Requests\r\n");
    expect(await yahoo.fetchDaily("AAPL", range)).toStrictEqual({
      ok: false,
      kind: "rate-limited",
      provider: "yahoo",
      symbol: "AAPL",
      status: 429,
      message: "too many requests: Too Many Requests",
    });
  });

  it.each([
    ["no chart", { finance: { result: null } }, /expected \{"chart"/],
    ["result not an array", { chart: { result: {}, error: null } }, /chart\.result\[0\]/],
    [
      "columns of different lengths",
      {
        chart: {
          result: [
            {
              meta: {},
              timestamp: [1704205800, 1704292200],
              indicators: { quote: [{ open: [1], high: [1, 2], low: [1, 2], close: [1, 2] }] },
            },
          ],
          error: null,
        },
      },
      /open has 1 entries for 2 timestamps/,
    ],
    [
      "strings for prices",
      {
        chart: {
          result: [
            {
              meta: {},
              timestamp: [1704205800],
              indicators: { quote: [{ open: ["1"], high: [1], low: [1], close: [1] }] },
            },
          ],
          error: null,
        },
      },
      /open\[0\] is string/,
    ],
    [
      "no indicators",
      { chart: { result: [{ meta: {}, timestamp: [1704205800] }], error: null } },
      /indicators/,
    ],
  ])("answers invalid-response for a well-formed body of the wrong shape: %s", async (_name, body, why) => {
    server.handler = (_req, res) => sendJson(res, 200, body);
    const result = await yahoo.fetchDaily("AAPL", range);
    expect(result).toMatchObject({ ok: false, kind: "invalid-response", provider: "yahoo", symbol: "AAPL" });
    expect(!result.ok && result.message).toMatch(why);
  });

  it("reuses one keep-alive socket across requests, failures included", async () => {
    const bodies = [
      () => fixtureText("yahoo/chart-aapl.json"),
      () => fixtureText("yahoo/chart-not-found.json"),
      () => "Too Many Requests",
    ];
    let n = 0;
    server.handler = (_req, res) => {
      const i = n++ % bodies.length;
      sendText(res, [200, 404, 429][i]!, bodies[i]!());
    };
    await closeProviderPools();
    const fresh = createProvider("yahoo", { baseUrl: `${server.origin}/yahoo`, timeoutMs: 2_000 });
    const before = server.connections();
    const kinds: string[] = [];
    const run = async (times: number) => {
      for (let i = 0; i < times; i++) {
        const r = await fresh.fetchDaily("AAPL", range);
        kinds.push(r.ok ? "ok" : r.kind);
      }
    };
    await run(3); // warm-up: undici may open a second socket while the first is still settling
    const warm = server.connections();
    await run(6);
    expect(kinds).toStrictEqual(
      Array.from({ length: 9 }, (_, i) => ["ok", "not-found", "rate-limited"][i % 3]),
    );
    // Bodies read to the end (errors included) hand their sockets back: no new connection.
    expect(server.connections()).toBe(warm);
    expect(warm - before).toBeLessThanOrEqual(2);
  });
});
