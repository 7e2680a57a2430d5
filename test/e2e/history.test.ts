/**
 * The bars store end to end on the local stack: a first scan fetches each ticker's whole
 * lookback; after the simulated market moves on (across a split and dividends), the next scan
 * asks only for the sessions it lacks, its adjusted series equal the simulator's own truth, and
 * its scores, RS ratings and breadth equal a scan of the same day from an empty store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localTarget } from "../../packages/cli/target.ts";
import { type AdjustedBar, adjustedBars } from "../../packages/core/history/adjust.ts";
import type { ResultRecord } from "../../packages/core/pipeline/records.ts";
import { addTradingDays, tradingDaysBetween } from "../../packages/core/trading-calendar.ts";
import { emptyBarsTable } from "./bars-table.ts";
import { startTestStack, type TestStack } from "./harness.ts";

const SP500_SAMPLE = ["AAPL", "MSFT", "JNJ", "KO", "XOM", "JPM", "PG", "NVDA", "WMT", "HD"];

describe("the bars store across scans", () => {
  let t: TestStack;
  let simUrl: string;
  const sim = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${simUrl}${path}`, init);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  let tickers: string[] = [];
  let splitting: { symbol: string; date: string } | undefined;

  beforeAll(async () => {
    t = await startTestStack({ rateLimit: null });
    simUrl = t.stack.env.TICKERFLEET_SIM_URL!;
    // A forward and a reverse split in the next few sessions, dividend payers with an ex-date
    // in them, and some of the index.
    const forward = await sim<string[]>("/_sim/symbols?split=forward&upcoming=5&limit=2");
    const reverse = await sim<string[]>("/_sim/symbols?split=reverse&upcoming=5&limit=1");
    const payers = await sim<string[]>("/_sim/symbols?dividend=true&upcoming=5&limit=6");
    tickers = [...new Set([...forward, ...reverse, ...payers, ...SP500_SAMPLE])];
    const first = forward[0] ?? reverse[0];
    if (first) {
      const info = await sim<{ upcoming: { splits: { date: string }[] } }>(`/_sim/symbols/${first}`);
      splitting = { symbol: first, date: info.upcoming.splits[0]!.date };
    }
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const scan = async (scanId: string) => {
    const since = Date.now();
    await t.startScan({ universe: tickers, scanId });
    const record = await t.waitForScan(scanId, 180_000);
    const log = await t.stack.sim.requests(since);
    return { record, log, results: await t.results(scanId) };
  };
  const bytesPerTicker = (log: { bytes: number; symbol: string | null }[]) =>
    log.reduce((sum, r) => sum + r.bytes, 0) / new Set(log.map((r) => r.symbol)).size;

  let first: Awaited<ReturnType<typeof scan>>;
  let second: Awaited<ReturnType<typeof scan>>;

  it("finds tickers that split and pay dividends in the next sessions", () => {
    expect(splitting).toBeDefined();
    expect(tickers.length).toBeGreaterThanOrEqual(15);
  });

  it("fetches each ticker's whole lookback on the first scan", async () => {
    first = await scan("history-1");
    expect(first.record.status).toBe("COMPLETE");
    expect(first.record.summary?.history).toMatchObject({
      tickersFull: tickers.length,
      tickersIncremental: 0,
    });
  }, 240_000);

  it("after the market moves on across a split, asks only for the new sessions: at least 20× fewer bytes a ticker", async () => {
    const today = await sim<{ asOf: string }>("/_sim/clock");
    const sessions = Math.max(1, sessionsUntil(today.asOf, splitting!.date));
    await sim("/_sim/clock", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advanceSessions: sessions }),
    });
    second = await scan("history-2");
    expect(second.record.status).toBe("COMPLETE");
    const h = second.record.summary?.history;
    expect(h).toMatchObject({ tickersFull: 0, tickersIncremental: tickers.length });
    expect(h!.sessionsFetched).toBeLessThanOrEqual((tickers.length + 1) * (sessions + 3));
    const ratio = bytesPerTicker(first.log) / bytesPerTicker(second.log);
    expect(ratio).toBeGreaterThanOrEqual(20);
  }, 240_000);

  it("keeps adjusted series that equal the simulator's truth, the split between the scans included", async () => {
    const target = localTarget(t.stack.env);
    try {
      const stored = await target.bars.read(tickers, "1900-01-01");
      for (const symbol of tickers) {
        const held = stored.get(symbol)!;
        const ours = adjustedBars(held.bars, held.actions);
        const truth = await sim<{ bars: AdjustedBar[] }>(
          `/_sim/truth/${encodeURIComponent(symbol)}?from=${ours[0]!.date}`,
        );
        expect([symbol, ours.length]).toStrictEqual([symbol, truth.bars.length]);
        for (let i = 0; i < ours.length; i++) {
          const a = ours[i]!;
          const b = truth.bars[i]!;
          expect(a.date).toBe(b.date);
          for (const field of ["open", "high", "low", "close"] as const) {
            const relative = Math.abs(a[field] - b[field]) / Math.max(1e-12, Math.abs(b[field]));
            if (relative > 1e-9)
              throw new Error(`${symbol} ${a.date} ${field}: ${a[field]} vs truth ${b[field]}`);
          }
          // Yahoo spells volumes adjusted for later splits in whole shares: a session it first
          // reported after a reverse split is that close to the truth, and no closer.
          if (Math.abs(a.volume - b.volume) > Math.max(1e-9 * b.volume, 0.5))
            throw new Error(`${symbol} ${a.date} volume: ${a.volume} vs truth ${b.volume}`);
        }
      }
      const split = stored.get(splitting!.symbol)!.actions.filter((a) => a.type === "split");
      expect(split.map((a) => a.exDate)).toContain(splitting!.date);
    } finally {
      target.close();
    }
  }, 120_000);

  it("scores the same as a scan of the same day from an empty store", async () => {
    await emptyBarsTable(t);
    const fresh = await scan("history-3");
    expect(fresh.record.summary?.history).toMatchObject({
      tickersFull: tickers.length,
      tickersIncremental: 0,
    });
    const byTicker = (results: ResultRecord[]) => new Map(results.map((r) => [r.ticker, r]));
    const a = byTicker(second.results);
    const b = byTicker(fresh.results);
    expect([...a.keys()].sort()).toStrictEqual([...b.keys()].sort());
    for (const [ticker, r] of a) {
      const other = b.get(ticker)!;
      expect([ticker, r.status]).toStrictEqual([ticker, other.status]);
      if (r.status === "scored" && other.status === "scored") {
        expect([ticker, r.metrics]).toStrictEqual([ticker, other.metrics]);
        expect([ticker, [...r.breadth]]).toStrictEqual([ticker, [...other.breadth]]);
      }
    }
    expect(fresh.record.summary?.rsThresholds).toStrictEqual(second.record.summary?.rsThresholds);
    expect(await t.store.leaderboard("history-3")).toStrictEqual(await t.store.leaderboard("history-2"));
    expect(await t.store.breadth("history-3")).toStrictEqual(await t.store.breadth("history-2"));
  }, 240_000);
});

/** Trading sessions after `today` up to `date`, inclusive. */
function sessionsUntil(today: string, date: string): number {
  return tradingDaysBetween(addTradingDays(today, 1), date).length;
}
