import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools, createProvider } from "../../packages/adapters/providers/index.ts";
import { ValidationError } from "../../packages/core/errors.ts";
import type { MarketDataProvider } from "../../packages/core/market-data.port.ts";
import { type FixtureServer, fixtureText, sendText, startFixtureServer } from "./fixture-server.ts";

/**
 * FMP's whole-market methods against recorded shapes: the eod-bulk CSV (columns by name,
 * quoting, listings abroad, rows of another date, a row that does not fit, a body cut short,
 * JSON where CSV was asked for) and the calendars' rows (malformed ones of a US symbol refused,
 * abroad ones counted, a server that ignores `page`). The simulator tests (market-wide) cover
 * paging, windows, limits and keys end to end.
 */

const KEY = "fmp-market-key-31c9";
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

const HEADER = '"symbol","date","open","low","high","close","adjClose","volume"\n';

function serveText(text: string, status = 200): void {
  server.handler = (_req, res) => sendText(res, status, text);
}

describe("FMP fetchMarketDay (eod-bulk)", () => {
  it("reads US rows by column name, counts listings abroad, and asks once with the date and key", async () => {
    const body =
      `${HEADER}"AAPL","2024-01-09",183.92,182.73,185.15,185.14,184.8,42841809\n` +
      `"BRK-B","2024-01-09",363.11,361.21,364.2,362.73,362.73,3284539\n` +
      `"BAC-PL","2024-01-09",1208.0,1201.0,1212.5,1210.0,1210.0,3510\n` +
      `"VOD.L","2024-01-09",70.1,69.5,70.4,70.0,70.0,51234567\n` +
      `"EGS745W1C011.CA","2024-01-09",2.67,2.5,2.67,2.5,2.5,1400\n` +
      `"NOPRICE","2024-01-09",,,,,,0\n` +
      `"OLD","2024-01-08",10.0,9.0,11.0,10.5,10.5,100\n`;
    serveText(body);
    const before = server.requests.length;
    const result = await fmp.fetchMarketDay!("2024-01-09");
    if (!result.ok) throw new Error(result.message);
    const sent = new URL(server.requests[before]!, server.origin);
    expect(`${sent.pathname}?${sent.searchParams}`).toBe(
      `/fmp/stable/eod-bulk?date=2024-01-09&apikey=${KEY}`,
    );
    expect(server.requests.length - before).toBe(1);
    expect([...result.bars.keys()]).toStrictEqual(["AAPL", "BRK.B", "BAC$L"]);
    expect(result.bars.get("BRK.B")).toStrictEqual({
      date: "2024-01-09",
      open: 363.11,
      high: 364.2,
      low: 361.21,
      close: 362.73,
      volume: 3284539,
      provider: "fmp",
    });
    expect(result.unmapped).toBe(2);
    expect(result.bytes).toBe(body.length);
  });

  it("reads columns in another order, CRLF lines, unquoted strings and a byte-order mark", async () => {
    serveText(
      '\ufeff"date","symbol","volume","close","high","low","open"\r\n2024-01-09,MSFT,20829756,375.79,375.99,371.19,372.01\r\n',
    );
    const result = await fmp.fetchMarketDay!("2024-01-09");
    expect(result.ok && result.bars.get("MSFT")).toStrictEqual({
      date: "2024-01-09",
      open: 372.01,
      high: 375.99,
      low: 371.19,
      close: 375.79,
      volume: 20829756,
      provider: "fmp",
    });
  });

  it("counts a row that does not fit the header as unmapped", async () => {
    serveText(`${HEADER}"AAPL","2024-01-09",1,1,1,1,1,1\n"ODD,ROW","2024-01-09",1,1,1,1,1,1\n`);
    const result = await fmp.fetchMarketDay!("2024-01-09");
    expect(result.ok && { bars: result.bars.size, unmapped: result.unmapped }).toStrictEqual({
      bars: 1,
      unmapped: 1,
    });
  });

  it("answers transient for a body cut short (no last newline), not a smaller market", async () => {
    serveText(`${HEADER}"AAPL","2024-01-09",183.92,182.73,185.15,185.14,184.8,428`);
    expect(await fmp.fetchMarketDay!("2024-01-09")).toMatchObject({
      ok: false,
      kind: "transient",
      provider: "fmp",
      symbol: "*",
      message: expect.stringMatching(/truncated/),
    });
  });

  it.each([
    ["the header alone", HEADER],
    ["an empty body", ""],
    ["an empty JSON array", "[]"],
  ])("answers %s as no bars: transient on a trading session, none on a holiday", async (_name, body) => {
    serveText(body);
    expect(await fmp.fetchMarketDay!("2024-01-09")).toMatchObject({ ok: false, kind: "transient" });
    const holiday = await fmp.fetchMarketDay!("2024-01-15");
    expect(holiday.ok && holiday.bars.size).toBe(0);
  });

  it.each([
    [200, undefined],
    [429, 429],
  ] as const)(
    "reads 'Limit Reach' with HTTP %i as rate-limited, never as an empty day",
    async (status, expected) => {
      serveText(fixtureText("fmp/limit-reach.json"), status);
      const result = await fmp.fetchMarketDay!("2024-01-09");
      expect(result).toMatchObject({ ok: false, kind: "rate-limited", provider: "fmp", symbol: "*" });
      expect(!result.ok && result.status).toBe(expected);
    },
  );

  it("reads a bare 429 as rate-limited and an 'Invalid API KEY' as unauthorized, without the key", async () => {
    serveText("Too Many Requests", 429);
    expect(await fmp.fetchMarketDay!("2024-01-09")).toMatchObject({ kind: "rate-limited", status: 429 });
    serveText(fixtureText("fmp/invalid-key.json"), 401);
    const refused = await fmp.fetchMarketDay!("2024-01-09");
    expect(refused).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
    expect(JSON.stringify(refused)).not.toContain(KEY);
  });

  it("answers invalid-response for a header without the columns it reads, or JSON rows", async () => {
    serveText('"symbol","date","price"\n"AAPL","2024-01-09",185.14\n');
    const noColumns = await fmp.fetchMarketDay!("2024-01-09");
    expect(noColumns).toMatchObject({ ok: false, kind: "invalid-response" });
    expect(!noColumns.ok && noColumns.message).toMatch(/no open, high, low, close, volume column/);
    serveText('[{"symbol":"AAPL","date":"2024-01-09","close":185.14}]');
    expect(await fmp.fetchMarketDay!("2024-01-09")).toMatchObject({
      ok: false,
      kind: "invalid-response",
      message: "expected CSV, got JSON array",
    });
  });

  it("throws ValidationError for a date that is not YYYY-MM-DD", async () => {
    await expect(fmp.fetchMarketDay!("2024-1-9")).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("FMP fetchMarketActions (calendars)", () => {
  const split = (symbol: string, date: string) => ({
    symbol,
    date,
    numerator: 2,
    denominator: 1,
    splitType: "stock-split",
  });
  const dividend = (symbol: string, date: string, amount: unknown) => ({
    symbol,
    date,
    recordDate: date,
    paymentDate: "",
    declarationDate: "",
    adjDividend: amount,
    dividend: amount,
    yield: 1.2,
    frequency: "Quarterly",
  });

  function serveCalendars(splits: unknown[], dividends: unknown[][]): void {
    server.handler = (_req, res, url) => {
      const page = Number(url.searchParams.get("page") ?? 0);
      const body = url.pathname.endsWith("/splits-calendar") ? splits : (dividends[page] ?? []);
      sendText(res, 200, JSON.stringify(body));
    };
  }

  it("keeps US symbols' actions in the range, counting the rest, a window of splits per 89 days", async () => {
    serveCalendars(
      [split("NVDA", "2024-06-10"), split("7203.T", "2024-03-28"), split("AAPL", "2023-12-29")],
      [
        [
          dividend("AAPL", "2024-05-10", 0.25),
          dividend("BRK-B", "2024-03-01", 0),
          dividend("SAP.DE", "2024-05-02", null),
          dividend("BAC-PL", "2024-01-12", 18.125),
        ],
      ],
    );
    const before = server.requests.length;
    let gate = 0;
    const result = await fmp.fetchMarketActions!("2024-01-01", "2024-06-30", {
      nextRequest: async () => void gate++,
    });
    if (!result.ok) throw new Error(result.message);
    const sent = server.requests.slice(before).map((r) => new URL(r, server.origin));
    expect(sent.map((u) => `${u.pathname}?${u.searchParams}`)).toStrictEqual([
      `/fmp/stable/splits-calendar?from=2024-01-01&to=2024-03-29&apikey=${KEY}`,
      `/fmp/stable/splits-calendar?from=2024-03-30&to=2024-06-26&apikey=${KEY}`,
      `/fmp/stable/splits-calendar?from=2024-06-27&to=2024-06-30&apikey=${KEY}`,
      `/fmp/stable/dividends-calendar?from=2024-01-01&to=2024-06-30&apikey=${KEY}`,
    ]);
    expect(gate).toBe(3);
    expect(Object.fromEntries(result.actions)).toStrictEqual({
      NVDA: [{ type: "split", exDate: "2024-06-10", from: 1, to: 2, provider: "fmp" }],
      AAPL: [{ type: "dividend", exDate: "2024-05-10", amount: 0.25, provider: "fmp" }],
      BAC$L: [{ type: "dividend", exDate: "2024-01-12", amount: 18.125, provider: "fmp" }],
    });
    // 7203.T three times over (one per window: the fixture answers every window alike), SAP.DE once.
    expect(result.unmapped).toBe(4);
  });

  it("pages the dividends on while a page is full (4000 rows)", async () => {
    const full = Array.from({ length: 4000 }, (_, k) => dividend(`T${k}`, "2024-02-01", 0.1));
    serveCalendars([], [full, [dividend("AAPL", "2024-01-05", 0.24)]]);
    const before = server.requests.length;
    const result = await fmp.fetchMarketActions!("2024-01-01", "2024-02-01");
    if (!result.ok) throw new Error(result.message);
    const pages = server.requests
      .slice(before)
      .map((r) => new URL(r, server.origin))
      .filter((u) => u.pathname.endsWith("/dividends-calendar"))
      .map((u) => u.searchParams.get("page"));
    expect(pages).toStrictEqual([null, "1"]);
    expect(result.actions.size).toBe(4001);
  });

  it("stops with invalid-response when `page` is ignored (a page repeats)", async () => {
    const full = Array.from({ length: 4000 }, (_, k) => dividend(`T${k}`, "2024-02-01", 0.1));
    serveCalendars([], [full, full]);
    expect(await fmp.fetchMarketActions!("2024-01-01", "2024-02-01")).toMatchObject({
      ok: false,
      kind: "invalid-response",
      message: "dividends-calendar: page 1 repeats page 0",
    });
  });

  it("answers invalid-response for a US symbol's malformed row, naming it", async () => {
    serveCalendars([], [[dividend("AAPL", "2024-05-10", "0.25")]]);
    expect(await fmp.fetchMarketActions!("2024-05-01", "2024-05-31")).toStrictEqual({
      ok: false,
      kind: "invalid-response",
      provider: "fmp",
      symbol: "*",
      message: 'dividend 0 (AAPL): dividend "0.25" is not a positive amount',
    });
  });

  it("reads a 200 'Limit Reach' on a later request as rate-limited", async () => {
    server.handler = (_req, res, url) =>
      sendText(
        res,
        200,
        url.pathname.endsWith("/dividends-calendar") ? fixtureText("fmp/limit-reach.json") : "[]",
      );
    expect(await fmp.fetchMarketActions!("2024-05-01", "2024-05-31")).toMatchObject({
      ok: false,
      kind: "rate-limited",
      symbol: "*",
    });
  });

  it("throws ValidationError for a range that ends before it starts", async () => {
    await expect(fmp.fetchMarketActions!("2024-05-31", "2024-05-01")).rejects.toBeInstanceOf(ValidationError);
  });
});
