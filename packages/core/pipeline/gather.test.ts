/**
 * A plan unit's way through the fetcher, with in-memory stand-ins for its ports (the stage,
 * the scans table and the queue are tested against dynalite and the local SQS end to end in
 * test/e2e/plans.test.ts; here the question is what the step decides for each unit).
 */
import { describe, expect, it } from "vitest";
import type { RawBar } from "../history/raw-history.ts";
import type { FetchFailure, MarketDataProvider, MarketDayResult } from "../market-data.port.ts";
import { DEFAULT_FETCH_CONFIG } from "./fetch-types.ts";
import { type GatherDeps, gatherUnits } from "./gather.ts";
import type { FetchQueueMessage, GatherMessage } from "./messages.ts";
import type { StagedUnit } from "./plan-supply.ts";
import type { OutboundMessage, ProviderAccess } from "./ports.ts";
import type { ScanRecord } from "./records.ts";

const DATE = "2026-12-02";
const bar = (close: number): RawBar => ({
  date: DATE,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 100,
  provider: "polygon",
});
const day = (): MarketDayResult => ({
  ok: true,
  date: DATE,
  bars: new Map([
    ["AAA", bar(10)],
    ["SPY", bar(500)],
    ["ZZZ", bar(1)],
  ]),
  unmapped: 0,
  bytes: 1234,
});
const failing = (kind: FetchFailure["kind"], message: string): FetchFailure => ({
  ok: false,
  kind,
  provider: "polygon",
  symbol: "*",
  message,
});

function harness(
  answer: () => MarketDayResult | Promise<MarketDayResult>,
  options: { marketDay?: boolean; limiter?: ProviderAccess["limiter"] } = {},
) {
  const provider: MarketDataProvider = {
    name: "polygon",
    fetchDaily: async () => {
      throw new Error("not asked");
    },
    fetchHistory: async () => {
      throw new Error("not asked");
    },
    ...(options.marketDay === false ? {} : { fetchMarketDay: async () => answer() }),
  };
  const access: ProviderAccess = {
    provider,
    limiter: options.limiter ?? {
      maxTake: 5,
      take: async (n) => ({ granted: true, tokens: n }),
      holdOff: async () => undefined,
    },
  };
  /** Group 0's share of each unit (the universe's: one group here), and the benchmark group's. */
  const staged = new Map<number, StagedUnit>();
  const benchmarkShare = new Map<number, StagedUnit>();
  const counted = new Set<number>();
  const sent: OutboundMessage<FetchQueueMessage>[] = [];
  const failStage = { on: false };
  const deps: GatherDeps = {
    providers: { yahoo: access, fmp: access, polygon: access, alphavantage: access, alpaca: access },
    stage: {
      async put(_scanId, group, unit, value) {
        if (failStage.on) throw new Error("throttled");
        (group === 0 ? staged : benchmarkShare).set(unit, value);
      },
      read: async () => [...staged.values()],
    },
    progress: {
      getScan: async () => ({ benchmark: "SPY" }) as ScanRecord,
      tickers: async () => ["AAA", "BBB"],
      async markUnitStaged(_scanId, unit) {
        counted.add(unit);
        return counted.size;
      },
    },
    fetchQueue: { send: async (m) => void sent.push(...m) },
    remainingMs: () => 60_000,
    sleep: async () => undefined,
    random: () => 0.5,
  };
  return { deps, staged, benchmarkShare, counted, sent, failStage };
}

const unit = (n: number, units: number, attempts = 0): { id: string; message: GatherMessage } => ({
  id: `m${n}`,
  message: {
    v: 1,
    kind: "gather",
    scanId: "s1",
    provider: "polygon",
    unit: n,
    units,
    step: { kind: "market-day", date: DATE },
    groups: { starts: ["AAA"], benchmark: "SPY" },
    attempts,
  },
});

describe("gatherUnits", () => {
  it("stages a market day's bars of the scan's tickers only, counts the unit, and asks for assembly after the last", async () => {
    const h = harness(day);
    const first = await gatherUnits([unit(0, 2)], h.deps, DEFAULT_FETCH_CONFIG);
    expect(h.staged.get(0)).toStrictEqual({
      kind: "market-day",
      provider: "polygon",
      date: DATE,
      bars: [
        ["AAA", 10, 11, 9, 10, 100],
        ["SPY", 500, 501, 499, 500, 100],
      ],
    });
    // The benchmark's own group gets its bar alone.
    expect(h.benchmarkShare.get(0)).toMatchObject({ date: DATE, bars: [["SPY", 500, 501, 499, 500, 100]] });
    expect([first.staged, first.assembling, h.sent]).toStrictEqual([1, [], []]);
    const last = await gatherUnits([unit(1, 2)], h.deps, DEFAULT_FETCH_CONFIG);
    expect(last).toMatchObject({ staged: 1, assembling: ["s1"], providerRequests: 1, providerBytes: 1234 });
    expect(h.sent.map((m) => m.body)).toStrictEqual([
      { v: 1, kind: "assemble", scanId: "s1", group: 0 },
      { v: 1, kind: "assemble", scanId: "s1", group: 1 },
    ]);
  });

  it("sends a transiently failed unit back with its attempt counted and a delay, staging nothing", async () => {
    const h = harness(() => failing("transient", "503 Service Unavailable"));
    const report = await gatherUnits([unit(0, 1)], h.deps, DEFAULT_FETCH_CONFIG);
    expect(report).toMatchObject({ requeued: 1, staged: 0, failedUnits: 0 });
    expect(h.staged.size).toBe(0);
    const back = h.sent[0]!;
    expect(back.body).toMatchObject({
      kind: "gather",
      unit: 0,
      attempts: 1,
      lastReason: "transient: 503 Service Unavailable",
    });
    expect(back.delaySeconds).toBeGreaterThan(0);
  });

  it("stages the failure after the last attempt, so the scan goes on without the unit", async () => {
    const h = harness(() => failing("transient", "503"));
    const last = DEFAULT_FETCH_CONFIG.maxAttempts - 1;
    const report = await gatherUnits([unit(0, 1, last)], h.deps, DEFAULT_FETCH_CONFIG);
    expect(h.staged.get(0)).toStrictEqual({
      kind: "failed",
      provider: "polygon",
      step: { kind: "market-day", date: DATE },
      reason: "transient",
      message: `after ${DEFAULT_FETCH_CONFIG.maxAttempts} attempts: 503`,
    });
    expect(report).toMatchObject({ failedUnits: 1, assembling: ["s1"] });
  });

  it("with the provider's breaker open, fails the unit at once for a scan with a chain, and waits it out for one without", async () => {
    const limiter = {
      maxTake: 5,
      take: async () => ({ granted: false as const, retryAfterMs: 30_000, breakerOpen: true as const }),
      holdOff: async () => undefined,
    };
    const asked = { n: 0 };
    const answer = () => {
      asked.n++;
      return day();
    };
    const chained = harness(answer, { limiter });
    const withChain = unit(0, 1);
    await gatherUnits(
      [{ ...withChain, message: { ...withChain.message, fallback: true } }],
      chained.deps,
      DEFAULT_FETCH_CONFIG,
    );
    expect(chained.staged.get(0)).toMatchObject({
      kind: "failed",
      reason: "breaker-open",
      message: "polygon's circuit breaker is open: it failed repeatedly",
    });
    const alone = harness(answer, { limiter });
    await gatherUnits([unit(0, 1, 2)], alone.deps, DEFAULT_FETCH_CONFIG);
    expect(alone.staged.size).toBe(0);
    expect(alone.sent.map((m) => [m.delaySeconds, m.body])).toMatchObject([
      [30, { kind: "gather", attempts: 2 }],
    ]);
    expect(asked.n).toBe(0);
  });

  it("stages a permanent failure at once, and says so for a provider that cannot answer the step", async () => {
    const refused = harness(() => failing("unauthorized", "401 bad key"));
    await gatherUnits([unit(0, 1)], refused.deps, DEFAULT_FETCH_CONFIG);
    expect(refused.staged.get(0)).toMatchObject({
      kind: "failed",
      reason: "unauthorized",
      message: "401 bad key",
    });
    const unable = harness(day, { marketDay: false });
    await gatherUnits([unit(0, 1)], unable.deps, DEFAULT_FETCH_CONFIG);
    expect(unable.staged.get(0)).toMatchObject({
      kind: "failed",
      reason: "invalid-response",
      message: "polygon cannot answer a market day",
    });
  });

  it("reports the message for redelivery when the stage cannot be written, neither counting it nor assembling", async () => {
    const h = harness(day);
    h.failStage.on = true;
    const report = await gatherUnits([unit(0, 1)], h.deps, DEFAULT_FETCH_CONFIG);
    expect(report.failedIds).toStrictEqual(["m0"]);
    expect(report.errors).toStrictEqual(["s1 unit 0: throttled"]);
    expect([h.counted.size, h.sent]).toStrictEqual([0, []]);
  });
});
