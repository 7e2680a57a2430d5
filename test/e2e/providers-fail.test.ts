/**
 * Providers that fail, end to end on the local stack: a fallback chain serves every ticker from
 * the next provider while the first is down; the circuit breaker, shared through Upstash, keeps
 * the requests to a provider that is down to its threshold and its probes; a ticker one provider
 * does not know is scored from the next. Counts come from the simulator's own request log.
 */
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { loadUniverse } from "../../packages/core/universes.ts";
import { startTestStack, type TestStack } from "./harness.ts";

const tickers = loadUniverse("sp500")
  .slice(0, 30)
  .map((l) => l.symbol);
/** The breaker's threshold in these tests (TICKERFLEET_BREAKER_FAILURES). */
const N = 5;

async function post(t: TestStack, path: string, body: unknown): Promise<void> {
  const res = await request(`${t.stack.sim.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${text}`);
}

/** The fetch logs' sums of one limiter counter (breakerOpens, breakerProbes, …). */
function logged(t: TestStack, field: string): number {
  return t.logs
    .filter((l) => l.includes('"event":"fetch"') || l.includes('"event":"plan-gather"'))
    .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as Record<string, number>)
    .reduce((sum, r) => sum + (r[field] ?? 0), 0);
}

describe("providers that fail", () => {
  let t: TestStack | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it("serves every ticker from Yahoo while Polygon is down for the whole scan, Polygon asked no more than the breaker's threshold and probes", async () => {
    t = await startTestStack({
      rateLimit: { limit: 5, windowMs: 1000 },
      env: { TICKERFLEET_BREAKER_FAILURES: String(N), TICKERFLEET_BREAKER_COOLDOWN_SECONDS: "5" },
    });
    await post(t, "/_sim/outage", { provider: "polygon", mode: "5xx", seconds: 600 });
    const since = Date.now();
    const { scanId } = await t.startScan({
      universe: tickers,
      provider: ["polygon", "yahoo"],
      scanId: "down-1",
    });
    const scan = await t.waitForScan(scanId, 240_000);

    expect(scan.status).toBe("COMPLETE");
    expect(scan.providers).toStrictEqual(["polygon", "yahoo"]);
    expect(scan.summary).toMatchObject({ scored: 30, failed: 0, unaccounted: 0, byProvider: { yahoo: 30 } });
    expect(scan.summary?.breakerOpens).toBeGreaterThanOrEqual(1);
    const results = await t.results(scanId);
    expect(results.map((r) => r.ticker).sort()).toStrictEqual([...tickers].sort());
    for (const r of results) expect(r).toMatchObject({ status: "scored", provider: "yahoo" });

    const log = await t.stack.sim.requests(since);
    const polygon = log.filter((r) => r.provider === "polygon");
    const probes = logged(t, "breakerProbes");
    expect(polygon.length).toBeGreaterThan(0);
    expect(polygon.length).toBeLessThanOrEqual(N + probes);
    // Yahoo served each ticker and the benchmark, each once.
    expect(log.filter((r) => r.provider === "yahoo")).toHaveLength(31);
  }, 300_000);

  it("waits out a 10-second outage of its only provider behind the open breaker, and accounts for every ticker once", async () => {
    t = await startTestStack({
      rateLimit: { limit: 5, windowMs: 1000 },
      env: { TICKERFLEET_BREAKER_FAILURES: String(N), TICKERFLEET_BREAKER_COOLDOWN_SECONDS: "4" },
    });
    const since = Date.now();
    const { scanId } = await t.startScan({
      universe: tickers,
      provider: "polygon",
      mode: "per-ticker",
      scanId: "blip-1",
    });
    // A third of the way in (Polygon: bars, splits, dividends a ticker, at 5/s), the outage.
    const deadline = Date.now() + 60_000;
    while ((await t.stack.sim.requests(since)).length < 30 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const outageFrom = Date.now();
    await post(t, "/_sim/outage", { provider: "polygon", mode: "5xx", seconds: 10 });
    const scan = await t.waitForScan(scanId, 240_000);

    expect(scan.status).toBe("COMPLETE");
    expect(scan.summary).toMatchObject({
      scored: 30,
      failed: 0,
      unaccounted: 0,
      byProvider: { polygon: 30 },
    });
    expect(scan.summary?.breakerOpens).toBeGreaterThanOrEqual(1);
    const results = await t.results(scanId);
    expect(results.map((r) => r.ticker).sort()).toStrictEqual([...tickers].sort());

    // While it was down, Polygon saw the breaker's threshold of failures, then only the probes.
    const during = (await t.stack.sim.requests(outageFrom)).filter(
      (r) => r.provider === "polygon" && r.startMs < outageFrom + 10_000,
    );
    const failed = during.filter((r) => (r.status ?? 0) >= 500);
    expect(failed.length).toBeGreaterThanOrEqual(N);
    expect(failed.length).toBeLessThanOrEqual(N + logged(t, "breakerProbes"));
  }, 300_000);

  it("scores a ticker the first provider does not know from the second", async () => {
    t = await startTestStack({ rateLimit: null, sim: { polygon: { unknownSymbols: ["MSFT"] } } });
    const { scanId } = await t.startScan({
      universe: ["AAPL", "MSFT", "NVDA"],
      provider: ["polygon", "fmp"],
      scanId: "coverage-1",
    });
    const scan = await t.waitForScan(scanId, 120_000);
    expect(scan.summary).toMatchObject({ scored: 3, failed: 0, byProvider: { polygon: 2, fmp: 1 } });
    const byTicker = Object.fromEntries((await t.results(scanId)).map((r) => [r.ticker, r]));
    expect(byTicker.MSFT).toMatchObject({ status: "scored", provider: "fmp" });
    expect(byTicker.AAPL).toMatchObject({ status: "scored", provider: "polygon" });
  }, 180_000);
});
