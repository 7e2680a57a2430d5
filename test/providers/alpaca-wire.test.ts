import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import type { FetchFailure, HistoryResult } from "../../packages/core/market-data.port.ts";
import { type FixtureServer, fixtureJson, sendJson, startFixtureServer } from "./fixture-server.ts";

/**
 * Alpaca's adapter against a loopback server that answers what Alpaca might: the key headers it
 * sends (and never a key in a URL or a message), a history's bars paged by next_page_token with
 * every other parameter unchanged, and how each answer is classified: 400/422, 403 for recent
 * SIP data, 429 with X-RateLimit-Reset, and bodies of the wrong shape, each named.
 */

const KEY_ID = "PKTESTKEYID-0001-never-print";
const SECRET = "SeCrEt-alpaca-0002-never-print";
let server: FixtureServer;
let seen: IncomingMessage[];

beforeAll(async () => {
  server = await startFixtureServer();
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

beforeEach(() => {
  seen = [];
});

function alpaca() {
  return createProvider("alpaca", { baseUrl: `${server.origin}/alpaca`, apiKey: KEY_ID, apiSecret: SECRET });
}

/** Answers bars requests with `bars`, corporate actions with nothing, recording each request. */
function answer(bars: (url: URL) => { status?: number; body: unknown; headers?: Record<string, string> }) {
  server.handler = (req, res, url) => {
    seen.push(req);
    if (url.pathname === "/alpaca/v1/corporate-actions")
      return sendJson(res, 200, { corporate_actions: {}, next_page_token: null });
    const reply = bars(url);
    sendJson(res, reply.status ?? 200, reply.body, reply.headers);
  };
}

function failed(result: HistoryResult): FetchFailure {
  const text = JSON.stringify(result);
  expect(text).not.toContain(KEY_ID);
  expect(text).not.toContain(SECRET);
  if (result.ok) throw new Error("expected a failure");
  return result;
}

const aaplBars = () => fixtureJson<{ bars: { AAPL: unknown[] } }>("alpaca/bars-aapl.json").bars.AAPL;

describe("Alpaca requests", () => {
  it("sends both keys in their headers and never in the URL", async () => {
    answer(() => ({ body: { bars: { AAPL: aaplBars() }, next_page_token: null } }));
    const result = await alpaca().fetchHistory("AAPL", { kind: "incremental", from: "2024-01-02" });
    expect(result.ok).toBe(true);
    expect(seen).toHaveLength(2);
    for (const req of seen) {
      expect(req.headers["apca-api-key-id"]).toBe(KEY_ID);
      expect(req.headers["apca-api-secret-key"]).toBe(SECRET);
      expect(req.url).not.toContain(KEY_ID);
      expect(req.url).not.toContain(SECRET);
    }
  });

  it("follows next_page_token with every other parameter unchanged, and reads each page's bars", async () => {
    const all = aaplBars();
    answer((url) => {
      const token = url.searchParams.get("page_token");
      const page = token === null ? 0 : Number(Buffer.from(token, "base64").toString());
      const next = page < 2 ? Buffer.from(String(page + 1)).toString("base64") : null;
      return { body: { bars: { AAPL: all.slice(page * 10, page * 10 + 10) }, next_page_token: next } };
    });
    const result = await alpaca().fetchHistory("AAPL", { kind: "incremental", from: "2024-01-02" });
    if (!result.ok) throw new Error(result.message);
    expect(result.bars.dates).toStrictEqual(fixtureJson<{ days: string[] }>("expected-bars.json").days);
    const barRequests = seen
      .map((r) => new URL(r.url!, "http://x"))
      .filter((u) => u.pathname.endsWith("/bars"));
    expect(barRequests).toHaveLength(3);
    const withoutToken = (u: URL) => {
      const params = new URLSearchParams(u.search);
      params.delete("page_token");
      return params.toString();
    };
    expect(new Set(barRequests.map(withoutToken)).size).toBe(1);
    expect(barRequests.map((u) => u.searchParams.get("page_token"))).toStrictEqual([null, "MQ==", "Mg=="]);
  });

  it("asks a range that ends before today up to its end date, one that reaches today without an end", async () => {
    answer(() => ({ body: { bars: {}, next_page_token: null } }));
    await alpaca().fetchSymbolsHistory!(["AAPL"], "2024-01-02", "2024-02-13");
    await alpaca().fetchSymbolsHistory!(["AAPL"], "2024-01-02", "2099-01-02");
    const ends = seen.map((r) => new URL(r.url!, "http://x").searchParams.get("end"));
    expect(ends).toStrictEqual(["2024-02-13", null]);
  });
});

describe("Alpaca answers read as failures", () => {
  it.each([
    [
      400,
      { message: "invalid start: 2024-13-01" },
      "invalid-response",
      "Alpaca refused the request: invalid start: 2024-13-01",
    ],
    [422, { message: "invalid symbol" }, "invalid-response", "Alpaca refused the request: invalid symbol"],
    [401, { message: "unauthorized." }, "unauthorized", "Alpaca refused the keys: unauthorized."],
    [
      403,
      { message: "subscription does not permit querying recent SIP data" },
      "unauthorized",
      "Alpaca refused the keys: subscription does not permit querying recent SIP data (the plan serves SIP data older than 15 minutes only; TICKERFLEET_ALPACA_FEED=iex avoids it)",
    ],
    [502, "<html>Bad Gateway</html>", "transient", "server error: <html>Bad Gateway</html>"],
  ] as const)("HTTP %i %j → %s", async (status, body, kind, message) => {
    answer(() => ({ status, body }));
    const f = failed(await alpaca().fetchHistory("AAPL", { kind: "full", days: 30 }));
    expect(f).toMatchObject({ kind, status, message, provider: "alpaca", symbol: "AAPL" });
  });

  it("429 waits until X-RateLimit-Reset, in epoch seconds", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 42;
    answer(() => ({
      status: 429,
      body: { message: "too many requests." },
      headers: {
        "x-ratelimit-limit": "200",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(reset),
      },
    }));
    const f = failed(await alpaca().fetchHistory("AAPL", { kind: "full", days: 30 }));
    expect(f).toMatchObject({
      kind: "rate-limited",
      status: 429,
      message: "Alpaca rate limit: too many requests.",
    });
    expect(f.retryAfterMs).toBeGreaterThan(40_000);
    expect(f.retryAfterMs).toBeLessThanOrEqual(43_000);
  });

  it.each([
    [{ bars: [] }, "bars: expected an object of symbols"],
    [{ bars: { AAPL: {} } }, "bars of AAPL: expected an array"],
    [{ bars: { AAPL: [{ o: 1, h: 1, l: 1, c: 1, v: 1 }] } }, "bars of AAPL [0]: not a bar with a time t"],
    [{ bars: { MSFT: [] } }, "bars for MSFT, which was not asked for"],
    [{ bars: {}, next_page_token: 7 }, "next_page_token is not a string"],
    ["[1, 2]", "expected an object, got array"],
  ])("%j → invalid-response naming what is wrong", async (body, message) => {
    answer(() => ({ body }));
    const f = failed(await alpaca().fetchHistory("AAPL", { kind: "full", days: 30 }));
    expect(f).toMatchObject({ kind: "invalid-response", message });
  });

  it("a next_page_token that repeats is a loop, stopped", async () => {
    answer(() => ({ body: { bars: { AAPL: aaplBars().slice(0, 2) }, next_page_token: "c2FtZQ==" } }));
    const f = failed(await alpaca().fetchHistory("AAPL", { kind: "full", days: 30 }));
    expect(f).toMatchObject({
      kind: "invalid-response",
      message: "next_page_token repeats an earlier page's; stopped",
    });
    expect(seen).toHaveLength(2);
  });

  it("corporate actions of the wrong shape, or for another symbol, are refused", async () => {
    const cases: [unknown, string][] = [
      [{ corporate_actions: [] }, "corporate_actions is array, expected an object"],
      [
        { corporate_actions: { cash_dividends: {} } },
        "corporate actions: cash_dividends is object, expected an array",
      ],
      [
        {
          corporate_actions: {
            forward_splits: [{ symbol: "AAPL", ex_date: "2024-01-10", old_rate: 0, new_rate: 2 }],
          },
        },
        "forward_splits[0] (AAPL) old_rate 0 and new_rate 2 are not positive share counts",
      ],
      [
        { corporate_actions: { cash_dividends: [{ symbol: "AAPL", ex_date: "2024-02-30", rate: 0.24 }] } },
        'cash_dividends[0] (AAPL) has ex_date "2024-02-30"',
      ],
      [
        { corporate_actions: { cash_dividends: [{ symbol: "MSFT", ex_date: "2024-02-09", rate: 0.75 }] } },
        "corporate actions for MSFT, not AAPL: the symbols filter was not applied",
      ],
    ];
    for (const [body, message] of cases) {
      server.handler = (_req, res, url) =>
        url.pathname.endsWith("/bars")
          ? sendJson(res, 200, { bars: { AAPL: aaplBars() }, next_page_token: null })
          : sendJson(res, 200, body);
      const f = failed(await alpaca().fetchHistory("AAPL", { kind: "full", days: 30 }));
      expect(f, message).toMatchObject({ kind: "invalid-response", message });
    }
  });

  it("reads splits old_rate → new_rate and dividends as paid; a zero dividend is nothing", async () => {
    server.handler = (_req, res, url) =>
      url.pathname.endsWith("/bars")
        ? sendJson(res, 200, { bars: { AAPL: aaplBars() }, next_page_token: null })
        : sendJson(res, 200, {
            corporate_actions: {
              reverse_splits: [{ symbol: "AAPL", ex_date: "2024-01-10", old_rate: 10, new_rate: 1 }],
              cash_dividends: [
                { symbol: "AAPL", ex_date: "2024-02-09", rate: 0.24, special: false, foreign: false },
                { symbol: "AAPL", ex_date: "2024-02-12", rate: 0 },
              ],
              stock_dividends: [{ symbol: "AAPL", ex_date: "2024-01-05", rate: 0.05 }],
            },
            next_page_token: null,
          });
    const result = await alpaca().fetchHistory("AAPL", { kind: "full", days: 30 });
    if (!result.ok) throw new Error(result.message);
    expect(result.actions).toStrictEqual([
      { type: "split", exDate: "2024-01-10", from: 10, to: 1, provider: "alpaca" },
      { type: "dividend", exDate: "2024-02-09", amount: 0.24, provider: "alpaca" },
    ]);
  });
});
