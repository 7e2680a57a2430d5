import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../packages/core/market-data.port.ts";
import { type Simulator, startMarketSimulator } from "../../packages/local/sim/index.ts";
import { type CliRun, runCli } from "./run-cli.ts";

let sim: Simulator;

beforeAll(async () => {
  sim = await startMarketSimulator({ seed: 7 });
});
afterAll(async () => {
  await sim?.close();
});

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...extraEnv };
  for (const p of ["yahoo", "fmp", "polygon", "alphavantage", "alpaca"] as ProviderName[])
    env[`TICKERFLEET_${p.toUpperCase()}_URL`] = sim.urls[p];
  env.FMP_API_KEY = "test-fmp-key";
  env.POLYGON_API_KEY = "test-polygon-key";
  env.ALPHAVANTAGE_API_KEY = "test-av-key";
  env.APCA_API_KEY_ID = "test-alpaca-key-id";
  env.APCA_API_SECRET_KEY = "test-alpaca-secret-key";
  return runCli(args, { env: { ...env, ...extraEnv } });
}

describe("tickerfleet fetch against the simulator", () => {
  it.each(["yahoo", "fmp", "polygon", "alphavantage", "alpaca"] as const)(
    "%s: prints 250+ ascending bars as JSON",
    async (provider) => {
      const { code, stdout, stderr } = await run(["fetch", "AAPL", "--provider", provider, "--json"]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const body = JSON.parse(stdout) as {
        symbol: string;
        provider: string;
        bars: { date: string; close: number; adjClose: number }[];
      };
      expect(body.symbol).toBe("AAPL");
      expect(body.provider).toBe(provider);
      expect(body.bars.length).toBeGreaterThanOrEqual(250);
      expect(Object.keys(body.bars[0]!).sort()).toStrictEqual([
        "adjClose",
        "close",
        "date",
        "high",
        "low",
        "open",
        "volume",
      ]);
      const dates = body.bars.map((b) => b.date);
      expect([...dates].sort()).toStrictEqual(dates);
      expect(new Set(dates).size).toBe(dates.length);
    },
    60_000,
  );

  it("an unknown symbol: not-found, exit 3", async () => {
    const { code, stderr } = await run(["fetch", "ZZZZQ", "--provider", "yahoo", "--json"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/not-found .*yahoo.*ZZZZQ/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("a 429: rate-limited with the retry delay, exit 4", async () => {
    sim.configure({ polygon: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    await run(["fetch", "MSFT", "--provider", "polygon"]);
    const { code, stderr } = await run(["fetch", "MSFT", "--provider", "polygon", "--json"]);
    sim.configure({ polygon: { rateLimit: null } });
    expect(code).toBe(4);
    expect(stderr).toMatch(/rate-limited \(HTTP 429\) from polygon for MSFT.*retry after \d+ s/);
    expect(stderr).not.toContain("test-polygon-key");
  }, 60_000);

  it("Alpha Vantage's 200 + Information body: rate-limited, exit 4", async () => {
    sim.configure({ alphavantage: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    await run(["fetch", "IBM", "--provider", "alphavantage", "--days", "50"]);
    const { code, stderr } = await run([
      "fetch",
      "IBM",
      "--provider",
      "alphavantage",
      "--days",
      "50",
      "--json",
    ]);
    sim.configure({ alphavantage: { rateLimit: null } });
    expect(code).toBe(4);
    expect(stderr).toMatch(/rate-limited .*alphavantage.*IBM/);
    expect(stderr).not.toContain("test-av-key");
  }, 60_000);

  it("Alpaca's 429: rate-limited until X-RateLimit-Reset, exit 4, neither key printed", async () => {
    sim.configure({ alpaca: { rateLimit: { limit: 1, windowMs: 60_000 } } });
    await run(["fetch", "MSFT", "--provider", "alpaca"]);
    const { code, stderr } = await run(["fetch", "MSFT", "--provider", "alpaca", "--json"]);
    sim.configure({ alpaca: { rateLimit: { limit: 200, windowMs: 60_000 } } });
    expect(code).toBe(4);
    expect(stderr).toMatch(/rate-limited \(HTTP 429\) from alpaca for MSFT: .*retry after \d+ s/);
    expect(stderr).not.toMatch(/test-alpaca-key-id|test-alpaca-secret-key/);
  }, 60_000);

  it("Alpaca without its secret key: exit 2 naming the variable", async () => {
    const { code, stderr } = await run(["fetch", "MSFT", "--provider", "alpaca"], {
      APCA_API_SECRET_KEY: "",
    });
    expect(code).toBe(2);
    expect(stderr).toContain("alpaca needs an API key: set APCA_API_SECRET_KEY");
  }, 60_000);

  it("a truncated body: transient, exit 5", async () => {
    sim.configure({ fmp: { faultSymbols: { NVDA: "truncated" } } });
    const { code, stderr } = await run(["fetch", "NVDA", "--provider", "fmp", "--json"]);
    sim.configure({ fmp: { faultSymbols: {} } });
    expect(code).toBe(5);
    expect(stderr).toMatch(/transient .*fmp.*NVDA/);
    expect(stderr).not.toContain("test-fmp-key");
  }, 60_000);

  it("a bad symbol: a clear message, exit 2", async () => {
    const { code, stderr } = await run(["fetch", "AA;PL", "--json"]);
    expect(code).toBe(2);
    expect(stderr).toContain("AA;PL");
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
