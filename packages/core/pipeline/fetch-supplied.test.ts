import { describe, expect, it } from "vitest";
import { historyFromBars } from "../history/raw-history.ts";
import { DEFAULT_HISTORY_POLICY, emptyTicker, type StoredTicker } from "../history/ticker-history.ts";
import { addTradingDays, tradingDaysBetween } from "../trading-calendar.ts";
import type { HistoryWork } from "./fetch-history.ts";
import { fromSupply } from "./fetch-supplied.ts";
import type { TickerSupply } from "./plan-supply.ts";

const SESSION = "2026-12-02";
const bars = (symbol: string, from: string, to: string) =>
  historyFromBars(
    symbol,
    tradingDaysBetween(from, to).map((date, i) => ({
      date,
      open: 10 + i * 0.01,
      high: 11,
      low: 9,
      close: 10 + i * 0.01,
      volume: 1000,
      provider: "polygon" as const,
    })),
  );
const work = (stored: StoredTicker, days = 30): HistoryWork => ({
  input: {
    id: "m",
    message: {
      v: 1,
      kind: "fetch",
      scanId: "s",
      chunk: 0,
      chunkSize: 1,
      chunkCount: 2,
      provider: "polygon",
      days,
      session: SESSION,
      tickers: [{ s: stored.bars.symbol, attempts: 0 }],
    },
  },
  ticker: { s: stored.bars.symbol, attempts: 0 },
  key: "k",
  stored,
  request:
    stored.bars.dates.length >= days
      ? { kind: "incremental", from: stored.bars.dates.at(-3)! }
      : { kind: "full", days },
});
const held = (to: string): StoredTicker => ({
  bars: bars("AAA", addTradingDays(to, -39), to),
  actions: [],
  meta: {},
});
const supplied = (from: string, to = SESSION): TickerSupply => ({
  kind: "bars",
  from,
  bars: bars("AAA", from, to),
  actions: [],
});

describe("fromSupply", () => {
  it("merges a market day that follows the last stored session, as an incremental answer", () => {
    const d = fromSupply(work(held("2026-12-01")), supplied(SESSION), SESSION, DEFAULT_HISTORY_POLICY);
    expect(
      d.kind === "merged" && [d.request, d.merged.ticker.bars.dates.at(-1), d.merged.changedFrom],
    ).toStrictEqual([{ kind: "incremental", from: SESSION }, SESSION, SESSION]);
  });

  it("keeps a ticker that did not trade in the supplied sessions as it is, without a request", () => {
    const empty: TickerSupply = {
      kind: "bars",
      from: SESSION,
      bars: historyFromBars("AAA", []),
      actions: [],
    };
    const d = fromSupply(work(held("2026-11-20")), empty, SESSION, DEFAULT_HISTORY_POLICY);
    expect(d.kind === "merged" && d.merged.changedFrom).toBeUndefined();
  });

  it("fetches per ticker one that traded but whose stored bars stop sessions before the supply", () => {
    expect(
      fromSupply(work(held("2026-11-20")), supplied(SESSION), SESSION, DEFAULT_HISTORY_POLICY).kind,
    ).toBe("per-ticker");
  });

  it("takes a supply that reaches back over the lookback as a whole history, and not one that does not", () => {
    const lookback = addTradingDays(SESSION, -29);
    const whole = fromSupply(work(emptyTicker("AAA")), supplied(lookback), SESSION, DEFAULT_HISTORY_POLICY);
    expect(whole.kind === "merged" && [whole.request, whole.merged.ticker.bars.dates.length]).toStrictEqual([
      { kind: "full", days: 30 },
      30,
    ]);
    const short = fromSupply(
      work(emptyTicker("AAA")),
      supplied(addTradingDays(lookback, 1)),
      SESSION,
      DEFAULT_HISTORY_POLICY,
    );
    expect(short.kind).toBe("per-ticker");
  });

  it("fails a ticker with the plan's reason, and fetches per ticker one the plan did not serve", () => {
    const failed = fromSupply(
      work(held("2026-12-01")),
      { kind: "failed", reason: "transient", message: "polygon market day: 503" },
      SESSION,
      DEFAULT_HISTORY_POLICY,
    );
    expect(failed).toStrictEqual({
      kind: "failed",
      outcome: {
        kind: "failed",
        s: "AAA",
        reason: "transient",
        message: "polygon market day: 503",
        attempts: 0,
      },
    });
    expect(fromSupply(work(held("2026-12-01")), undefined, SESSION, DEFAULT_HISTORY_POLICY).kind).toBe(
      "per-ticker",
    );
  });
});
