import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProviderPools } from "../../packages/adapters/providers/index.ts";
import { type FetchCommandIo, fetchCommand } from "../../packages/cli/commands/fetch.ts";
import { expectedBars } from "./expected.ts";
import { type FixtureServer, fixtureText, sendText, startFixtureServer } from "./fixture-server.ts";

const KEY = "cli-secret-key-31337";
let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
});

afterAll(async () => {
  await closeProviderPools();
  await server.close();
});

/** Runs the command against the fixture server and captures what it prints. */
async function run(symbol: string, opts: Parameters<typeof fetchCommand>[1], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const io: FetchCommandIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {
      TICKERFLEET_YAHOO_URL: `${server.origin}/yahoo`,
      TICKERFLEET_FMP_URL: `${server.origin}/fmp`,
      TICKERFLEET_POLYGON_URL: `${server.origin}/polygon`,
      TICKERFLEET_ALPHAVANTAGE_URL: `${server.origin}/alphavantage`,
      ...env,
    },
  };
  const code = await fetchCommand(symbol, opts, io);
  return { code, stdout, stderr };
}

describe("tickerfleet fetch", () => {
  it("--json prints exactly {symbol, provider, bars} in ascending order and exits 0", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("yahoo/chart-aapl.json"));
    const out = await run("aapl", { json: true });
    expect(out.code).toBe(0);
    expect(out.stderr).toBe("");
    const printed = JSON.parse(out.stdout);
    const want = expectedBars({ adjusted: "provider", dropNullBar: true, nullVolumeAsZero: true });
    expect(Object.keys(printed)).toStrictEqual(["symbol", "provider", "bars"]);
    expect(printed.symbol).toBe("AAPL");
    expect(printed.provider).toBe("yahoo");
    expect(printed.bars.map((b: { date: string }) => b.date)).toStrictEqual(want.map((b) => b.date));
    expect(Object.keys(printed.bars[0])).toStrictEqual([
      "date",
      "open",
      "high",
      "low",
      "close",
      "adjClose",
      "volume",
    ]);
    expect(printed.bars[0]).toMatchObject({ date: "2024-01-02", open: want[0]!.open, close: want[0]!.close });
  });

  it("--days trims (a numeric string from the argument parser too), and a provider spelling is accepted as input (BRK-B → BRK.B)", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("yahoo/chart-aapl.json"));
    const before = server.requests.length;
    const out = await run("BRK-B", { json: true, days: "3" as unknown as number });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      symbol: "BRK.B",
      bars: [{ date: "2024-02-09" }, { date: "2024-02-12" }, { date: "2024-02-13" }],
    });
    expect(new URL(server.requests[before]!, server.origin).pathname).toBe("/yahoo/v8/finance/chart/BRK-B");
  });

  it("without --json prints a table of the last 15 bars and the count", async () => {
    server.handler = (_req, res) => sendText(res, 200, fixtureText("yahoo/chart-aapl.json"));
    const out = await run("AAPL", {});
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("AAPL from yahoo: 29 bars, 2024-01-02 to 2024-02-13 (last 15 shown)");
    expect(lines[1]).toMatch(/^date\s+open\s+high\s+low\s+close\s+adj close\s+volume$/);
    expect(lines).toHaveLength(2 + 15);
    expect(lines[16]).toMatch(
      /^2024-02-13 +188\.3200 +189\.5400 +185\.1700 +186\.4600 +186\.4600 +57108027$/,
    );
  });

  it("works against the other providers, configured from the environment (Polygon with next_url)", async () => {
    server.handler = (_req, res, url) => {
      if (url.searchParams.has("cursor")) sendText(res, 200, fixtureText("polygon/aggs-aapl-page2.json"));
      else sendText(res, 200, fixtureText("polygon/aggs-aapl-page1.json", `${server.origin}/polygon`));
    };
    const out = await run("AAPL", { provider: "polygon", json: true }, { POLYGON_API_KEY: KEY });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).bars).toHaveLength(30);
  });

  it.each([
    [
      "rate-limited",
      429,
      "Too Many Requests",
      { "retry-after": "30" },
      4,
      "fetch failed: rate-limited (HTTP 429) from yahoo for AAPL: too many requests: Too Many Requests; retry after 30 s\n",
    ],
    [
      "not-found",
      404,
      fixtureText("yahoo/chart-not-found.json"),
      {},
      3,
      "fetch failed: not-found (HTTP 404) from yahoo for AAPL: Yahoo does not know AAPL: No data found, symbol may be delisted\n",
    ],
    [
      "transient",
      502,
      "Bad Gateway",
      {},
      5,
      "fetch failed: transient (HTTP 502) from yahoo for AAPL: server error: Bad Gateway\n",
    ],
    [
      "invalid-response",
      200,
      '{"chart":{}}',
      {},
      6,
      "fetch failed: invalid-response from yahoo for AAPL: expected chart.result[0], got undefined\n",
    ],
    [
      "unauthorized",
      403,
      "Forbidden",
      {},
      7,
      "fetch failed: unauthorized (HTTP 403) from yahoo for AAPL: key missing, rejected or not entitled: Forbidden\n",
    ],
  ])(
    "a %s failure goes to stderr with its own exit code",
    async (_kind, status, body, headers, code, stderr) => {
      server.handler = (_req, res) => sendText(res, status, body, headers);
      const out = await run("AAPL", { json: true });
      expect(out).toStrictEqual({ code, stdout: "", stderr });
    },
  );

  it("never prints the key, even when the provider echoes the request", async () => {
    server.handler = (req, res) =>
      sendText(res, 401, JSON.stringify({ "Error Message": `Invalid API KEY for ${req.url}` }));
    const out = await run("AAPL", { provider: "fmp" }, { FMP_API_KEY: KEY });
    expect(out.code).toBe(7);
    expect(out.stderr).toMatch(
      /^fetch failed: unauthorized \(HTTP 401\) from fmp for AAPL: FMP rejected the key: Invalid API KEY/,
    );
    expect(out.stderr + out.stdout).not.toContain(KEY);
  });

  it.each([
    ["a bad symbol", "BRK;B", {}, {}, 'fetch failed: invalid symbol "BRK;B": contains ";"'],
    [
      "a missing key",
      "AAPL",
      { provider: "fmp" },
      {},
      "fetch failed: fmp needs an API key: set FMP_API_KEY\n",
    ],
    [
      "an unknown provider",
      "AAPL",
      { provider: "bloomberg" },
      {},
      'fetch failed: unknown provider "bloomberg"; use one of yahoo, fmp, polygon, alphavantage, alpaca\n',
    ],
    [
      "bad --days",
      "AAPL",
      { days: 0 },
      {},
      "fetch failed: --days must be a whole number from 1 to 10000, got 0\n",
    ],
    [
      "a bad base URL",
      "AAPL",
      {},
      { TICKERFLEET_YAHOO_URL: "ftp://example.com" },
      'fetch failed: yahoo baseUrl must be http(s), got "ftp:"\n',
    ],
  ])("%s → exit 2 with a clear message and no stack trace", async (_name, symbol, opts, env, message) => {
    const before = server.requests.length;
    const out = await run(symbol, opts, env);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr.startsWith(message)).toBe(true);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests.length).toBe(before);
  });
});
