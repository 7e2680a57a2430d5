import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dayNumber, isoFromDay } from "../../packages/core/days.ts";
import { fromProviderSymbol } from "../../packages/core/symbols.ts";
import { addTradingDays } from "../../packages/core/trading-calendar.ts";
import { defaultConfig, type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { fmp, type Json, type SimClient, simClient } from "./sim-client.ts";

/**
 * FMP's market-wide endpoints on the simulator: `/stable/eod-bulk` (one date, every symbol,
 * CSV, as traded), `/stable/splits-calendar` (90 days back from `to` at most) and
 * `/stable/dividends-calendar` (4000 rows a page), each as of the simulator's today, with the
 * rows of the per-symbol endpoints, and FMP's key, limits, log and body cache.
 */

const ANCHOR = "2026-12-02";
const HEADER = ["symbol", "date", "open", "low", "high", "close", "adjClose", "volume"];
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

beforeEach(() => {
  sim.configure(defaultConfig());
  sim.clearRequests();
});

/** An eod-bulk answer's rows, by FMP symbol, each as its columns. */
async function bulk(date: string): Promise<{ status: number; lines: string[]; rows: Map<string, string[]> }> {
  const reply = await client.get(fmp(`/stable/eod-bulk?date=${date}`));
  expect(reply.text.endsWith("\n")).toBe(true);
  const lines = reply.text.slice(0, -1).split("\n");
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const fields = line.split(",").map((f) => f.replace(/^"(.*)"$/, "$1"));
    rows.set(fields[0]!, fields);
  }
  return { status: reply.status, lines, rows };
}

const symbolsWith = async (query: string): Promise<string[]> =>
  (await client.getJson<string[]>(`/_sim/symbols?${query}`)).body;

describe("FMP eod-bulk: GET /stable/eod-bulk?date=", () => {
  it("every symbol's session as traded, FMP's columns, quoted strings, by symbol", async () => {
    const date = addTradingDays(ANCHOR, -3);
    const { status, lines, rows } = await bulk(date);
    expect(status).toBe(200);
    expect(lines[0]!.split(",")).toStrictEqual(HEADER.map((h) => `"${h}"`));
    expect(lines[1]).toMatch(/^"[A-Z][^"]*","\d{4}-\d\d-\d\d",[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,\d+$/);
    const symbols = [...rows.keys()];
    expect(symbols).toStrictEqual([...symbols].sort());
    expect(rows.size).toBeGreaterThan(12_000);
    expect([...rows.values()].every((r) => r[1] === date)).toBe(true);
    // The very bars of the per-symbol endpoints: raw from non-split-adjusted, adjClose from dividend-adjusted.
    const [split] = await symbolsWith("split=any&limit=1");
    for (const symbol of ["SPY", "BRK.B", split!]) {
      const spelled = symbol.replace(".", "-");
      const raw = (
        await client.getJson<Json[]>(
          fmp(`/stable/historical-price-eod/non-split-adjusted?symbol=${spelled}&from=${date}&to=${date}`),
        )
      ).body[0];
      const adjusted = (
        await client.getJson<Json[]>(
          fmp(`/stable/historical-price-eod/dividend-adjusted?symbol=${spelled}&from=${date}&to=${date}`),
        )
      ).body[0];
      const [, , open, low, high, close, adjClose, volume] = rows.get(spelled)!.map(Number);
      expect({ open, high, low, close, volume }).toStrictEqual({
        open: raw.adjOpen,
        high: raw.adjHigh,
        low: raw.adjLow,
        close: raw.adjClose,
        volume: raw.volume,
      });
      expect(adjClose).toBe(adjusted.adjClose);
    }
  });

  it("a date before a split is the file of that day: raw, and adjClose as of today", async () => {
    const [symbol] = await symbolsWith("split=2:1&limit=1");
    const info = (await client.getJson(`/_sim/symbols/${symbol}`)).body;
    const before = addTradingDays(info.splits[0].date, -1);
    const row = (await bulk(before)).rows.get(symbol!)!.map(Number);
    const raw = (
      await client.getJson<Json[]>(
        fmp(`/stable/historical-price-eod/non-split-adjusted?symbol=${symbol}&from=${before}&to=${before}`),
      )
    ).body[0];
    expect(row[5]).toBe(raw.adjClose);
    // Half the raw close, give or take the dividends since and a cent of rounding.
    expect(row[6]).toBeLessThan(row[5]! / 2 + 0.01);
    expect(row[6]).toBeGreaterThan(row[5]! / 2 - 0.01 - row[5]! * 0.1);
  });

  it("has listings abroad, which no canonical symbol names, with their US row's values", async () => {
    const { rows } = await bulk(addTradingDays(ANCHOR, -1));
    const abroad = [...rows.keys()].filter((s) => fromProviderSymbol(s, "fmp") === undefined);
    expect(abroad.length).toBeGreaterThan(rows.size / 12);
    expect(abroad.length).toBeLessThan(rows.size / 6);
    for (const symbol of abroad.slice(0, 20)) {
      const home = symbol.slice(0, symbol.lastIndexOf("."));
      expect(symbol).toMatch(/\.(L|TO|DE|PA|AX|NS)$/);
      expect(rows.get(symbol)!.slice(1)).toStrictEqual(rows.get(home)!.slice(1));
    }
  });

  it("leaves out a symbol before its first session", async () => {
    const [ipo] = await symbolsWith("ipo=true&limit=1");
    const first = (await client.getJson(`/_sim/symbols/${ipo}`)).body.firstDate as string;
    expect((await bulk(first)).rows.has(ipo!)).toBe(true);
    expect((await bulk(addTradingDays(first, -1))).rows.has(ipo!)).toBe(false);
  });

  it("answers the header alone for a day without trading and for a day after today", async () => {
    for (const date of ["2026-11-26", "2026-11-28", addTradingDays(ANCHOR, 1)]) {
      const { status, lines } = await bulk(date);
      expect({ date, status, lines: lines.length }).toStrictEqual({ date, status: 200, lines: 1 });
    }
  });

  it("moves with the clock: the next session appears, and adjClose is as of the new today", async () => {
    const next = addTradingDays(ANCHOR, 1);
    try {
      expect((await bulk(next)).lines.length).toBe(1);
      await client.moveClock({ advanceSessions: 1 });
      expect((await bulk(next)).rows.size).toBeGreaterThan(12_000);
    } finally {
      await client.moveClock({ asOf: ANCHOR });
    }
  });

  it("refuses a missing or malformed date with FMP's error body", async () => {
    for (const query of ["", "?date=2026-13-01", "?date=12/01/2026"]) {
      const reply = await client.getJson(fmp(`/stable/eod-bulk${query}`));
      expect(reply.status).toBe(400);
      expect(reply.body["Error Message"]).toMatch(/date/);
    }
  });

  it("asks for the key, counts toward FMP's limit (429 or 200 'Limit Reach'), logs and caches", async () => {
    const date = addTradingDays(ANCHOR, -2);
    const path = fmp(`/stable/eod-bulk?date=${date}`);
    const missing = await client.getJson(`/fmp/stable/eod-bulk?date=${date}`);
    expect(missing).toMatchObject({
      status: 401,
      body: { "Error Message": expect.stringMatching(/API KEY/) },
    });
    const first = await client.get(path);
    const hits = sim.renderCacheStats().hits;
    const second = await client.get(path);
    expect(sim.renderCacheStats().hits).toBe(hits + 1);
    expect(second.text).toBe(first.text);

    sim.configure({ fmp: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    expect((await client.get(path)).status).toBe(200);
    const limited = await client.getJson(path);
    expect(limited).toMatchObject({
      status: 429,
      body: { "Error Message": expect.stringMatching(/^Limit Reach/) },
    });
    sim.configure({ fmp: { rateLimitStatus: 200 } });
    const limited200 = await client.getJson(path);
    expect(limited200).toMatchObject({
      status: 200,
      body: { "Error Message": expect.stringMatching(/^Limit Reach/) },
    });

    const log = sim.requests().filter((e) => e.path.startsWith("/stable/eod-bulk"));
    expect(log.map((e) => e.outcome)).toStrictEqual([
      "unauthorized",
      "ok",
      "ok",
      "ok",
      "rate-limited",
      "rate-limited",
    ]);
    expect(log[1]).toMatchObject({ provider: "fmp", symbol: null, status: 200, bytes: first.text.length });
    expect(log[1]!.path).toBe(`/stable/eod-bulk?date=${date}&apikey=REDACTED`);
  });
});

describe("FMP splits calendar: GET /stable/splits-calendar?from=&to=", () => {
  it("the market's splits in the range, the per-symbol rows, newest first, abroad included", async () => {
    const [symbol] = await symbolsWith("split=any&upcoming=30&limit=1");
    const info = (await client.getJson(`/_sim/symbols/${symbol}`)).body;
    const date = info.upcoming.splits[0].date as string;
    try {
      await client.moveClock({ asOf: addTradingDays(date, 1) });
      const to = sim.asOf;
      const rows = (await client.getJson<Json[]>(fmp(`/stable/splits-calendar?from=${ANCHOR}&to=${to}`)))
        .body;
      const perSymbol = (await client.getJson<Json[]>(fmp(`/stable/splits?symbol=${symbol}`))).body;
      expect(rows.filter((r) => r.symbol === symbol)).toStrictEqual(perSymbol);
      expect(rows.map((r) => r.date)).toStrictEqual(
        rows
          .map((r) => r.date)
          .sort()
          .reverse(),
      );
      expect(rows.every((r) => r.date >= ANCHOR && r.date <= to)).toBe(true);
      expect(Object.keys(rows[0])).toStrictEqual(["symbol", "date", "numerator", "denominator", "splitType"]);
      // None after today, though the range reaches further.
      const later = (await client.getJson<Json[]>(fmp(`/stable/splits-calendar?from=${to}&to=2030-01-01`)))
        .body;
      expect(later.every((r) => r.date <= to)).toBe(true);
    } finally {
      await client.moveClock({ asOf: ANCHOR });
    }
  });

  it("reaches back 89 days from `to` at most, whatever `from` says, and has no second page", async () => {
    const wide = (await client.getJson<Json[]>(fmp(`/stable/splits-calendar?from=2020-01-01&to=${ANCHOR}`)))
      .body;
    const earliest = isoFromDay(dayNumber(ANCHOR) - 89);
    const window = (
      await client.getJson<Json[]>(fmp(`/stable/splits-calendar?from=${earliest}&to=${ANCHOR}`))
    ).body;
    expect(wide).toStrictEqual(window);
    expect(wide.length).toBeGreaterThan(0);
    const older = (
      await client.getJson<Json[]>(
        fmp(`/stable/splits-calendar?from=2020-01-01&to=${addTradingDays(earliest, -1)}`),
      )
    ).body;
    expect(older.every((r) => r.date < earliest)).toBe(true);
    expect(
      (await client.getJson<Json[]>(fmp(`/stable/splits-calendar?from=${earliest}&to=${ANCHOR}&page=1`)))
        .body,
    ).toStrictEqual([]);
  });
});

describe("FMP dividends calendar: GET /stable/dividends-calendar?from=&to=&page=", () => {
  it("4000 rows a page, newest first, pages on to the end, each the per-symbol row", async () => {
    const from = addTradingDays(ANCHOR, -100);
    const pages: Json[][] = [];
    for (let page = 0; pages.length === 0 || pages.at(-1)!.length === 4000; page++)
      pages.push(
        (
          await client.getJson<Json[]>(
            fmp(`/stable/dividends-calendar?from=${from}&to=${ANCHOR}&page=${page}`),
          )
        ).body,
      );
    expect(pages.length).toBeGreaterThan(1);
    const rows = pages.flat();
    expect(rows.map((r) => r.date)).toStrictEqual(
      rows
        .map((r) => r.date)
        .sort()
        .reverse(),
    );
    expect(rows.at(-1).date >= from && rows[0].date <= ANCHOR).toBe(true);
    // The first page is what a request without `page` answers; `limit` changes nothing.
    expect(
      (await client.getJson<Json[]>(fmp(`/stable/dividends-calendar?from=${from}&to=${ANCHOR}&limit=10`)))
        .body,
    ).toStrictEqual(pages[0]);
    const perSymbol = (await client.getJson<Json[]>(fmp("/stable/dividends?symbol=SPY"))).body;
    expect(rows.filter((r) => r.symbol === "SPY")).toStrictEqual(
      perSymbol.filter((r) => r.date >= from && r.date <= ANCHOR),
    );
    expect(rows.some((r) => fromProviderSymbol(r.symbol, "fmp") === undefined)).toBe(true);
  });

  it("refuses malformed dates and pages with FMP's error body", async () => {
    for (const query of ["from=2026-02-30", "to=yesterday", "page=-1", "page=x"]) {
      const reply = await client.getJson(fmp(`/stable/dividends-calendar?${query}`));
      expect(reply.status).toBe(400);
      expect(reply.body["Error Message"]).toBeTruthy();
    }
  });
});
