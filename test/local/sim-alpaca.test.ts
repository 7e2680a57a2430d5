import { Agent, request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addTradingDays } from "../../packages/core/trading-calendar.ts";
import { defaultConfig, type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import type { Json } from "./sim-client.ts";

/**
 * The simulated Alpaca market data API over HTTP: `/v2/stocks/bars` (shapes, times, symbols
 * absent or sorted, adjustments, feeds, `limit` counted across symbols and paging by
 * `next_page_token`), `/v1/corporate-actions` (Alpaca's groups and fields, ranges on the
 * booking date, filters, paging), its two key headers, its 429 with `X-RateLimit-*` headers, the
 * clock, the request log, faults and the body cache.
 */

const ANCHOR = "2026-12-02";
const KEY_ID = "sim-alpaca-test-id";
const SECRET = "sim-alpaca-test-secret";
const KEYS = { "APCA-API-KEY-ID": KEY_ID, "APCA-API-SECRET-KEY": SECRET };
let sim: Simulator;
const agent = new Agent({ keepAliveTimeout: 1_000, connections: 8 });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
  text: string;
}

async function get(path: string, headers: Record<string, string> = KEYS): Promise<Reply> {
  const res = await request(`${sim.urls.alpaca}${path}`, { dispatcher: agent, headers });
  const text = await res.body.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body, text };
}

const bars = (query: string) => get(`/v2/stocks/bars?timeframe=1Day&${query}`);
const actions = (query: string) => get(`/v1/corporate-actions?${query}`);

/** Every page of a request, its bars merged by symbol, and how many pages it took. */
async function allBarPages(query: string): Promise<{ bars: Record<string, Json[]>; pages: number }> {
  const merged: Record<string, Json[]> = {};
  let token: string | null = null;
  let pages = 0;
  do {
    const reply = await bars(`${query}${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
    expect(reply.status).toBe(200);
    pages++;
    for (const [symbol, list] of Object.entries(reply.body.bars as Record<string, Json[]>))
      merged[symbol] = [...(merged[symbol] ?? []), ...list];
    token = reply.body.next_page_token;
  } while (token !== null);
  return { bars: merged, pages };
}

beforeAll(async () => {
  sim = await startMarketSimulator({ asOf: ANCHOR, seed: 42 });
}, 30_000);

afterAll(async () => {
  await agent.close();
  await sim?.close();
});

beforeEach(() => {
  sim.configure(defaultConfig());
  sim.clearRequests();
});

describe("Alpaca stock bars: GET /v2/stocks/bars", () => {
  it("answers Alpaca's shape: bars by symbol in symbol order, unknown symbols absent, t at 00:00 New York in UTC", async () => {
    const { status, body, headers } = await bars(
      "symbols=SPY,AAPL,ZZZZZZ&start=2026-06-29&end=2026-07-02&adjustment=raw&feed=sip",
    );
    expect(status).toBe(200);
    expect(headers["content-type"]).toBe("application/json; charset=UTF-8");
    expect(Object.keys(body)).toStrictEqual(["bars", "next_page_token"]);
    expect(Object.keys(body.bars)).toStrictEqual(["AAPL", "SPY"]);
    expect(body.next_page_token).toBeNull();
    const aapl = body.bars.AAPL as Json[];
    expect(aapl.map((b) => b.t)).toStrictEqual([
      "2026-06-29T04:00:00Z",
      "2026-06-30T04:00:00Z",
      "2026-07-01T04:00:00Z",
      "2026-07-02T04:00:00Z",
    ]);
    for (const bar of aapl) {
      expect(Object.keys(bar)).toStrictEqual(["t", "o", "h", "l", "c", "v", "n", "vw"]);
      expect(Number.isInteger(bar.v) && Number.isInteger(bar.n)).toBe(true);
      expect(bar.h).toBeGreaterThanOrEqual(Math.max(bar.o, bar.c, bar.l));
    }
    // Winter sessions are stamped 05:00Z (EST).
    const winter = await bars("symbols=AAPL&start=2026-01-05&end=2026-01-05&feed=sip");
    expect(winter.body.bars.AAPL.map((b: Json) => b.t)).toStrictEqual(["2026-01-05T05:00:00Z"]);
  });

  it("answers an unknown symbol alone with no bars, not an error", async () => {
    const { status, body } = await bars("symbols=ZZZZZZ&start=2026-06-01");
    expect(status).toBe(200);
    expect(body).toStrictEqual({ bars: {}, next_page_token: null });
  });

  it("raw bars are as traded, adjustment=all is the truth (to its 1/10,000 rounding), split and dividend in between", async () => {
    const [symbol] = sim.findSymbols({ split: "forward", dividend: true, limit: 1 });
    const truth = sim.truth(symbol!)!.bars;
    const all = await allBarPages(`symbols=${symbol}&start=2020-01-01&adjustment=all&feed=sip&limit=10000`);
    const adjusted = all.bars[symbol!]!;
    expect(adjusted.map((b) => b.t.slice(0, 10))).toStrictEqual(truth.map((b) => b.date));
    adjusted.forEach((b, i) => {
      expect(Math.abs(b.c - truth[i]!.close)).toBeLessThanOrEqual(0.00005 + 1e-9);
      expect(Math.abs(b.v - truth[i]!.volume)).toBeLessThanOrEqual(0.5);
    });
    const split = sim.symbolInfo(symbol!)!.splits[0]!;
    const ratio = split.numerator / split.denominator;
    const before = addTradingDays(split.date, -1);
    const one = async (adjustment: string) =>
      (await bars(`symbols=${symbol}&start=${before}&end=${before}&adjustment=${adjustment}&feed=sip`)).body
        .bars[symbol!][0];
    const raw = await one("raw");
    const splitOnly = await one("split");
    expect(splitOnly.c).toBeCloseTo(raw.c / ratio, 4);
    expect(splitOnly.v).toBe(Math.round(raw.v * ratio));
    const dividendOnly = await one("dividend");
    expect(dividendOnly.c).toBeLessThan(raw.c);
    expect((await one("split,dividend")).c).toBe((await one("all")).c);
  });

  it("limit counts bars across symbols: a page ends inside a symbol, the token resumes right after it", async () => {
    const range = "start=2026-09-01&end=2026-09-30&adjustment=raw&feed=sip";
    const whole = await bars(`symbols=AAPL,MSFT,SPY&${range}&limit=10000`);
    const perSymbol = (whole.body.bars.AAPL as Json[]).length;
    expect(perSymbol).toBeGreaterThan(15);
    const first = await bars(`symbols=AAPL,MSFT,SPY&${range}&limit=${perSymbol + 5}`);
    expect(Object.keys(first.body.bars)).toStrictEqual(["AAPL", "MSFT"]);
    expect(first.body.bars.MSFT).toHaveLength(5);
    const token = first.body.next_page_token as string;
    expect(Buffer.from(token, "base64").toString()).toBe(
      `MSFT|D|${first.body.bars.MSFT[4].t.replace("Z", ".000000000Z")}`,
    );
    const paged = await allBarPages(`symbols=AAPL,MSFT,SPY&${range}&limit=${perSymbol + 5}`);
    expect(paged.pages).toBe(3);
    expect(paged.bars).toStrictEqual(whole.body.bars);
    // A page that ends exactly with the last bar says there is nothing more.
    const exact = await bars(`symbols=AAPL,MSFT,SPY&${range}&limit=${3 * perSymbol}`);
    expect(exact.body.next_page_token).toBeNull();
  });

  it("defaults: a start of today, the iex feed (a fortieth of the volume, the same prices), 1,000 bars a page", async () => {
    const today = await bars("symbols=SPY&feed=sip");
    expect(today.body.bars.SPY.map((b: Json) => b.t.slice(0, 10))).toStrictEqual([ANCHOR]);
    const sip = (await bars("symbols=SPY&start=2026-11-02&end=2026-11-02&feed=sip")).body.bars.SPY[0];
    const iex = (await bars("symbols=SPY&start=2026-11-02&end=2026-11-02")).body.bars.SPY[0];
    expect([iex.o, iex.h, iex.l, iex.c]).toStrictEqual([sip.o, sip.h, sip.l, sip.c]);
    expect(iex.v).toBe(Math.round(sip.v / 40));
    const long = await bars("symbols=AAPL,SPY&start=2022-01-03&feed=sip");
    const count = Object.values(long.body.bars as Record<string, Json[]>).reduce((n, l) => n + l.length, 0);
    expect(count).toBe(1000);
    expect(long.body.next_page_token).not.toBeNull();
  });

  it.each([
    ["timeframe=1Min&symbols=SPY", /1Day bars only/],
    ["timeframe=1Day", /symbols is required/],
    ["timeframe=1Day&symbols=SPY&limit=0", /invalid limit/],
    ["timeframe=1Day&symbols=SPY&limit=10001", /invalid limit/],
    ["timeframe=1Day&symbols=SPY&feed=otc", /invalid feed/],
    ["timeframe=1Day&symbols=SPY&adjustment=none", /invalid adjustment/],
    ["timeframe=1Day&symbols=SPY&start=yesterday", /invalid start/],
    ["timeframe=1Day&symbols=SPY&start=2026-06-02&end=2026-06-01", /end should not be before start/],
    ["timeframe=1Day&symbols=SPY&page_token=%21%21", /invalid page token/],
  ])("refuses %s with a 400 message", async (query, why) => {
    const { status, body } = await get(`/v2/stocks/bars?${query}`);
    expect(status).toBe(400);
    expect(Object.keys(body)).toStrictEqual(["message"]);
    expect(body.message).toMatch(why);
  });
});

describe("Alpaca corporate actions: GET /v1/corporate-actions", () => {
  it("a forward split, a reverse split and cash dividends with Alpaca's fields, old_rate → new_rate", async () => {
    const [forward] = sim.findSymbols({ split: "2:1", limit: 1 });
    const [reverse] = sim.findSymbols({ split: "1:10", limit: 1 });
    const f = sim.symbolInfo(forward!)!.splits[0]!;
    const r = sim.symbolInfo(reverse!)!.splits[0]!;
    const { status, body } = await actions(
      `symbols=${forward},${reverse}&types=forward_split,reverse_split&start=2020-01-01&end=${ANCHOR}&limit=1000`,
    );
    expect(status).toBe(200);
    expect(Object.keys(body)).toStrictEqual(["corporate_actions", "next_page_token"]);
    expect(Object.keys(body.corporate_actions)).toStrictEqual(["forward_splits", "reverse_splits"]);
    const [fs] = body.corporate_actions.forward_splits;
    expect(Object.keys(fs)).toStrictEqual([
      "cusip",
      "ex_date",
      "id",
      "new_rate",
      "old_rate",
      "process_date",
      "record_date",
      "symbol",
    ]);
    expect(fs).toMatchObject({
      symbol: forward,
      ex_date: f.date,
      process_date: f.date,
      old_rate: 1,
      new_rate: 2,
    });
    expect(fs.record_date).toBe(addTradingDays(f.date, -1));
    expect(fs.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fs.cusip).toMatch(/^[0-9A-F]{9}$/);
    const [rs] = body.corporate_actions.reverse_splits;
    expect(rs).toMatchObject({
      symbol: reverse,
      ex_date: r.date,
      process_date: r.date,
      record_date: r.date,
      payable_date: r.date,
      old_rate: 10,
      new_rate: 1,
    });
    expect(Object.keys(rs)).toContain("old_cusip");
    expect(Object.keys(rs)).toContain("new_cusip");
  });

  it("cash dividends are booked on payment, ten sessions after the ex-date: start and end bound that date", async () => {
    const dividends = sim.symbolInfo("SPY")!.dividends;
    const last = dividends.at(-2)!;
    const paid = addTradingDays(last.date, 10);
    const query = (start: string, end: string) =>
      actions(`symbols=SPY&types=cash_dividend&start=${start}&end=${end}`);
    const { body } = await query(paid, paid);
    expect(body.corporate_actions.cash_dividends).toStrictEqual([
      expect.objectContaining({
        symbol: "SPY",
        ex_date: last.date,
        record_date: last.date,
        payable_date: paid,
        process_date: paid,
        rate: last.amount,
        special: false,
        foreign: false,
      }),
    ]);
    expect(Object.keys(body.corporate_actions.cash_dividends[0])).toStrictEqual([
      "cusip",
      "ex_date",
      "foreign",
      "id",
      "payable_date",
      "process_date",
      "rate",
      "record_date",
      "special",
      "symbol",
    ]);
    // Its ex-date alone is not its booking date.
    expect((await query(last.date, last.date)).body).toStrictEqual({
      corporate_actions: {},
      next_page_token: null,
    });
  });

  it("the whole market pages by limit across types, in booking order, with an opaque token", async () => {
    const range = "start=2026-11-02&end=2026-11-06&types=forward_split,reverse_split,cash_dividend";
    const whole = await actions(`${range}&limit=1000`);
    const count = (b: Json) =>
      Object.values(b.corporate_actions as Record<string, Json[]>).reduce((n, l) => n + l.length, 0);
    const total = count(whole.body);
    expect(total).toBeGreaterThan(60);
    expect(total).toBeLessThan(1000);
    const seen: Json[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const reply = await actions(
        `${range}&limit=50${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      );
      pages++;
      for (const list of Object.values(reply.body.corporate_actions as Record<string, Json[]>))
        seen.push(...list);
      token = reply.body.next_page_token;
    } while (token !== null);
    expect(pages).toBe(Math.ceil(total / 50));
    const key = (a: Json) => a.id as string;
    expect(seen.map(key).sort()).toStrictEqual(
      Object.values(whole.body.corporate_actions as Record<string, Json[]>)
        .flat()
        .map(key)
        .sort(),
    );
    const processDates = seen.map((a) => a.process_date as string);
    expect(processDates).toStrictEqual([...processDates].sort());
  });

  it("defaults to today's bookings, refuses bad parameters with a 400 message", async () => {
    const today = await actions("types=cash_dividend");
    for (const row of today.body.corporate_actions.cash_dividends ?? [])
      expect(row.process_date).toBe(ANCHOR);
    for (const [query, why] of [
      ["types=merger", /invalid types/],
      ["start=2026-13-01", /invalid start/],
      ["start=2026-06-02&end=2026-06-01", /end should not be before start/],
      ["limit=1001", /invalid limit/],
      ["page_token=bm9wZQ%3D%3D", /invalid page token/],
      ["ids=abc", /ids or cusips/],
    ] as const) {
      const { status, body } = await actions(query);
      expect(status, query).toBe(400);
      expect(body.message, query).toMatch(why);
    }
  });
});

describe("Alpaca keys, limit, clock, log, faults and cache", () => {
  it("wants both key headers: missing ones 401 unauthorized., a rejected key id 403 forbidden.", async () => {
    const path = "/v2/stocks/bars?timeframe=1Day&symbols=SPY";
    expect(await get(path, {})).toMatchObject({ status: 401, body: { message: "unauthorized." } });
    expect(await get(path, { "APCA-API-KEY-ID": KEY_ID })).toMatchObject({
      status: 401,
      body: { message: "unauthorized." },
    });
    sim.configure({ alpaca: { rejectedKeys: [KEY_ID] } });
    expect(await get(path)).toMatchObject({ status: 403, body: { message: "forbidden." } });
    const outcomes = sim.requests().map((r) => [r.status, r.outcome]);
    expect(outcomes).toStrictEqual([
      [401, "unauthorized"],
      [401, "unauthorized"],
      [403, "unauthorized"],
    ]);
  });

  it("holds its free plan's 200 a minute by default; over the limit, 429 with X-RateLimit-* headers and no Retry-After", async () => {
    expect(sim.config.alpaca.rateLimit).toStrictEqual({ limit: 200, windowMs: 60_000 });
    expect(sim.config.alpaca.retryAfter).toBe(false);
    sim.configure({ alpaca: { rateLimit: { limit: 2, windowMs: 60_000 } } });
    const path = "/v2/stocks/bars?timeframe=1Day&symbols=SPY";
    expect((await get(path)).status).toBe(200);
    expect((await get(path)).status).toBe(200);
    const before = Math.floor(Date.now() / 1000);
    const refused = await get(path);
    expect(refused.status).toBe(429);
    expect(refused.body).toStrictEqual({ message: "too many requests." });
    expect(refused.headers["x-ratelimit-limit"]).toBe("2");
    expect(refused.headers["x-ratelimit-remaining"]).toBe("0");
    const reset = Number(refused.headers["x-ratelimit-reset"]);
    expect(reset).toBeGreaterThanOrEqual(before + 59);
    expect(reset).toBeLessThanOrEqual(before + 61);
    expect(refused.headers["retry-after"]).toBeUndefined();
    // Another key has its own window.
    expect((await get(path, { "APCA-API-KEY-ID": "other", "APCA-API-SECRET-KEY": "x" })).status).toBe(200);
  });

  it("answers as of the clock: a new session's bar, and a split once its ex-date is today", async () => {
    const [symbol] = sim.findSymbols({ split: "any", upcoming: 5, limit: 1 });
    const upcoming = sim.symbolInfo(symbol!)!.upcoming.splits[0]!;
    const splitsOf = async () =>
      (await actions(`symbols=${symbol}&types=forward_split,reverse_split&start=2020-01-01&end=2027-12-31`))
        .body.corporate_actions;
    try {
      expect(await splitsOf()).toStrictEqual({});
      await sim.moveClock({ asOf: upcoming.date });
      const after = await splitsOf();
      expect(Object.values(after).flat()).toStrictEqual([
        expect.objectContaining({ ex_date: upcoming.date }),
      ]);
      const last = await bars(`symbols=${symbol}&start=2026-11-01&feed=sip`);
      expect(last.body.bars[symbol!].at(-1).t.slice(0, 10)).toBe(upcoming.date);
    } finally {
      sim.moveClock({ asOf: ANCHOR });
    }
  });

  it("logs each request with its key id and symbol, never the keys; forced faults and the body cache apply", async () => {
    await bars("symbols=SPY&start=2026-11-02&feed=sip");
    await bars("symbols=SPY,AAPL&start=2026-11-02&feed=sip");
    const [one, two] = sim.requests();
    expect(one).toMatchObject({ provider: "alpaca", symbol: "SPY", status: 200, outcome: "ok" });
    expect(one!.keyId).toMatch(/^[0-9a-f]{10}$/);
    expect(two!.symbol).toBeNull();
    expect(JSON.stringify(sim.requests())).not.toMatch(new RegExp(`${KEY_ID}|${SECRET}`));
    const hits = sim.renderCacheStats().hits;
    await bars("symbols=SPY&start=2026-11-02&feed=sip");
    expect(sim.renderCacheStats().hits).toBe(hits + 1);
    sim.configure({ alpaca: { faultSymbols: { SPY: "status5xx" } } });
    const failed = await bars("symbols=SPY&start=2026-11-02&feed=sip");
    expect([502, 503]).toContain(failed.status);
    expect(failed.text).toMatch(/<html>/);
  });
});
