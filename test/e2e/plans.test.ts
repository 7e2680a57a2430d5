/**
 * Request plans end to end on the local stack: a universe backfilled from an empty store by
 * whole-market requests (Polygon's grouped daily, Alpaca's symbol pages, FMP's bulk days) and the
 * market's actions; after the simulated market moves on a session, the daily scan makes at
 * most three requests, and its scores equal a per-ticker scan of the same day from an empty store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultRecord, ScanRecord } from "../../packages/core/pipeline/records.ts";
import { emptyBarsTable } from "./bars-table.ts";
import { startTestStack, type TestStack } from "./harness.ts";

const PROVIDERS = ["polygon", "alpaca", "fmp"] as const;
const DAYS = 70;

describe.each(PROVIDERS)("a planned sp500 scan on %s", (provider) => {
  let t: TestStack;
  let simUrl: string;
  const sim = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${simUrl}${path}`, init);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const scan = async (scanId: string, payload: Record<string, unknown> = {}) => {
    const since = Date.now();
    // 70 sessions (scoring needs 64), not the default 460: the same plan, a sixth of the requests.
    await t.startScan({ universe: "sp500", provider, scanId, days: DAYS, ...payload });
    const record = await t.waitForScan(scanId, 400_000);
    const log = (await t.stack.sim.requests(since)).filter((r) => r.provider === provider);
    return { record, log, results: await t.results(scanId) };
  };
  let daily: { record: ScanRecord; results: ResultRecord[] };

  beforeAll(async () => {
    t = await startTestStack({ rateLimit: { limit: 200, windowMs: 1000 } });
    simUrl = t.stack.env.TICKERFLEET_SIM_URL!;
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it("backfills from an empty store by whole-market requests, as planned, under the limit", async () => {
    const first = await scan(`${provider}-plan-1`);
    expect(first.record.summary?.failures.slice(0, 3)).toStrictEqual([]);
    expect(first.record.status).toBe("COMPLETE");
    const plan = first.record.plan!;
    expect(plan.stored).toStrictEqual({ tickers: 0, through: null });
    expect(plan.steps.map((s) => s.kind)).toStrictEqual(
      provider === "alpaca" ? ["symbol-pages", "market-actions"] : ["market-days", "market-actions"],
    );
    expect(first.record.summary).toMatchObject({ scored: 503, failed: 0, unaccounted: 0 });
    // The simulator counted what the plan said, give or take the pages it could not know.
    expect(first.log.length).toBeGreaterThanOrEqual(plan.requests);
    expect(first.log.length).toBeLessThanOrEqual(plan.requests * 1.1 + 10);
    expect(first.log.filter((r) => r.status === 429)).toStrictEqual([]);
  }, 600_000);

  it("after the market moves on a session, scans the whole universe in at most three requests (Alpaca: a page a 200 symbols, and the actions)", async () => {
    await sim("/_sim/clock", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceSessions: 1 }),
    });
    const second = await scan(`${provider}-plan-2`);
    expect(second.record.status).toBe("COMPLETE");
    expect(second.record.plan!.stored.tickers).toBe(504);
    expect(second.log.length).toBeLessThanOrEqual(provider === "alpaca" ? Math.ceil(504 / 200) + 1 : 3);
    expect(second.log.length).toBe(second.record.plan!.requests);
    expect(second.record.summary).toMatchObject({ scored: 503, failed: 0, unaccounted: 0 });
    daily = second;
  }, 600_000);

  it("scores the same as a per-ticker scan of the same day from an empty store", async () => {
    await emptyBarsTable(t);
    const fresh = await scan(`${provider}-plan-3`, { mode: "per-ticker" });
    expect(fresh.record.plan).toBeUndefined();
    expect(fresh.log.length).toBeGreaterThan(503);
    const byTicker = (results: ResultRecord[]) => new Map(results.map((r) => [r.ticker, r]));
    const a = byTicker(daily.results);
    const b = byTicker(fresh.results);
    expect([...a.keys()].sort()).toStrictEqual([...b.keys()].sort());
    for (const [ticker, r] of a) {
      const other = b.get(ticker)!;
      expect([ticker, r.status]).toStrictEqual([ticker, other.status]);
      if (r.status === "scored" && other.status === "scored")
        expect([ticker, r.metrics]).toStrictEqual([ticker, other.metrics]);
    }
    expect(fresh.record.summary?.rsThresholds).toStrictEqual(daily.record.summary?.rsThresholds);
    expect(await t.store.breadth(fresh.record.scanId)).toStrictEqual(
      await t.store.breadth(daily.record.scanId),
    );
  }, 600_000);

  it("writes every function log line as Powertools' JSON, and no key or token it used into any", () => {
    // The provider keys (the simulator checks them) and the Upstash token; AWS's local
    // credentials are the word "local", which is no secret.
    const secrets = Object.entries(t.stack.env)
      .filter(([name]) => /KEY|SECRET|TOKEN/.test(name) && !name.startsWith("AWS_"))
      .map(([name, value]) => [name, value ?? ""] as const);
    expect(secrets.map(([name]) => name)).toEqual(
      expect.arrayContaining(["POLYGON_API_KEY", "APCA_API_SECRET_KEY", "UPSTASH_REDIS_REST_TOKEN"]),
    );
    expect(secrets.every(([, value]) => value.length >= 8)).toBe(true);
    // Every line of the three scans above: scan-start, fetchers (units, assembly, chunks), scorers,
    // finalize, and notify (its report and alerts).
    const functions = new Set(t.logs.map((line) => line.slice(0, line.indexOf("/"))));
    expect([...functions].sort()).toStrictEqual(["Fetcher", "Finalize", "Notify", "ScanStart", "Scorer"]);
    expect(t.logs.length).toBeGreaterThan(20);
    expect(t.logs.length).toBeLessThan(20_000);
    // Each is Powertools' JSON: a Logger line (level, message, service, the function's context), or
    // a Metrics line in CloudWatch's embedded metric format.
    const unstructured = t.logs.filter((line) => {
      try {
        const item = JSON.parse(line.slice(line.indexOf(" ") + 1)) as Record<string, unknown>;
        if (item._aws !== undefined) return typeof item.service !== "string";
        return !(
          typeof item.level === "string" &&
          typeof item.message === "string" &&
          typeof item.timestamp === "string" &&
          item.service === "tickerfleet" &&
          typeof item.function_request_id === "string"
        );
      } catch {
        return true;
      }
    });
    expect(unstructured.slice(0, 5)).toStrictEqual([]);
    const leaks = t.logs.flatMap((line) =>
      secrets.filter(([, value]) => line.includes(value)).map(([name]) => `${name} in ${line.slice(0, 120)}`),
    );
    expect(leaks).toStrictEqual([]);
  });
});
