/**
 * End to end on the local stack: the same handlers as in AWS, in the local
 * Lambda runtime, against the SQS server, dynalite, Upstash REST + redis-server
 * and the market simulator, with a rate limit low enough to bind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUniverse } from "../../packages/core/universes.ts";
import { maxRequestsInAnyWindow } from "../../packages/local/sim/index.ts";
import { startTestStack, type TestStack } from "./harness.ts";

const LIMIT = { limit: 100, windowMs: 1000 };

describe("a scan on the local stack", () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ rateLimit: LIMIT, latency: { kind: "lognormal", medianMs: 40, p99Ms: 250 } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("scans the S&P 500 COMPLETE, every ticker scored exactly once, the provider never over its limit", async () => {
    const since = Date.now();
    const { scanId } = await t.startScan({ universe: "sp500", scanId: "e2e-sp500-1" });
    const scan = await t.waitForScan(scanId, 240_000);
    const sp500 = loadUniverse("sp500").map((l) => l.symbol);

    const results = await t.results(scanId);
    const tickers = results.map((r) => r.ticker);
    expect(new Set(tickers).size).toBe(tickers.length);
    expect([...tickers].sort()).toStrictEqual([...sp500].sort());
    expect(results.filter((r) => r.status !== "scored")).toStrictEqual([]);
    expect(scan.status).toBe("COMPLETE");
    expect(scan.summary).toMatchObject({
      scored: 503,
      failed: 0,
      unaccounted: 0,
      benchmarkSource: "benchmark",
    });

    const log = await t.stack.sim.requests(since);
    expect(maxRequestsInAnyWindow(log, LIMIT.windowMs)).toBeLessThanOrEqual(LIMIT.limit);
    // 503 tickers plus the benchmark, once each: nothing refused, nothing fetched twice.
    expect(log.filter((r) => r.status === 429)).toStrictEqual([]);
    expect(log.length).toBe(504);

    const board = await t.store.leaderboard(scanId);
    expect(board?.length).toBe(100);
    expect(board?.map((r) => r.rank)).toStrictEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  }, 300_000);

  it("serves a second scan within the cache TTL without a provider request", async () => {
    const since = Date.now();
    const { scanId } = await t.startScan({ universe: "sp500", scanId: "e2e-sp500-2" });
    const scan = await t.waitForScan(scanId, 120_000);
    expect(scan.status).toBe("COMPLETE");
    expect(scan.summary?.cacheHits).toBe(503);
    expect(await t.stack.sim.requests(since)).toStrictEqual([]);
  }, 180_000);

  it("does not enqueue twice when started twice with the same scanId", async () => {
    const again = await t.startScan({ universe: "sp500", scanId: "e2e-sp500-2" });
    expect(again).toMatchObject({ scanId: "e2e-sp500-2", alreadyStarted: true, status: "COMPLETE" });
  });

  it("ends PARTIAL naming unknown symbols with their reason", async () => {
    const { scanId } = await t.startScan({
      universe: ["AAPL", "msft", "BRK-B", "ZZZZQ", "QQQQX"],
      scanId: "e2e-unknown",
    });
    const scan = await t.waitForScan(scanId, 120_000);
    expect(scan.status).toBe("PARTIAL");
    expect(scan.summary).toMatchObject({ scored: 3, failed: 2, unaccounted: 0 });
    const failed = (await t.results(scanId))
      .filter((r) => r.status === "failed")
      .map((r) => ({ ticker: r.ticker, reason: r.status === "failed" ? r.reason : "" }))
      .sort((a, b) => a.ticker.localeCompare(b.ticker));
    expect(failed).toStrictEqual([
      { ticker: "QQQQX", reason: "not-found" },
      { ticker: "ZZZZQ", reason: "not-found" },
    ]);
  }, 180_000);

  it("scores C and A from FMP's income statements when the scan asks for fundamentals", async () => {
    const tickers = ["AAPL", "MSFT", "NVDA", "JPM", "XOM", "KO", "PEP", "WMT"];
    const { scanId } = await t.startScan({
      universe: tickers,
      provider: "fmp",
      fundamentals: true,
      scanId: "e2e-fundamentals",
    });
    const scan = await t.waitForScan(scanId, 120_000);
    expect(scan.status).toBe("COMPLETE");
    const results = await t.results(scanId);
    // Every scored ticker carries its earnings growth (an object, possibly empty after a loss).
    for (const r of results) {
      expect(r.status).toBe("scored");
      if (r.status === "scored") expect(r.fundamentals).toBeTypeOf("object");
    }
    const withBoth = results.filter(
      (r) =>
        r.status === "scored" &&
        r.fundamentals?.epsGrowthQuarterlyPct !== undefined &&
        r.fundamentals.epsGrowthAnnualPct !== undefined,
    );
    expect(withBoth.length).toBeGreaterThan(0);
    // Those rank with every CANSLIM letter present: confidence 1 (0.65 without C and A).
    const board = (await t.store.leaderboard(scanId)) ?? [];
    for (const r of withBoth) expect(board.find((row) => row.ticker === r.ticker)?.confidence).toBe(1);
    // A second scan within a day reads them from the cache: bars and fundamentals alike.
    const again = await t.startScan({
      universe: tickers,
      provider: "fmp",
      fundamentals: true,
      scanId: "e2e-fundamentals-2",
    });
    expect((await t.waitForScan(again.scanId, 120_000)).status).toBe("COMPLETE");
    expect(
      (await t.results(again.scanId)).filter((r) => r.status === "scored" && r.fundamentals !== undefined),
    ).toHaveLength(tickers.length);
  }, 180_000);

  it("rejects a bad payload naming every problem and writes nothing", async () => {
    const before = await t.store.recentScans({ limit: 50 });
    await expect(
      t.startScan({ universe: "sp501", provider: "bloomberg", days: -3, colour: "red" }),
    ).rejects.toThrow(/universe.*provider.*days.*colour|universe[\s\S]*provider[\s\S]*days[\s\S]*colour/);
    expect(await t.store.recentScans({ limit: 50 })).toHaveLength(before.length);
  });
});
