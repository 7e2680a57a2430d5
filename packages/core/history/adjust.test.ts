import { describe, expect, it } from "vitest";
import type { CorporateAction } from "./actions.ts";
import { adjustedBars, adjustmentFactors, scoringSeries } from "./adjust.ts";
import { historyFromBars, type RawBar } from "./raw-history.ts";

const bar = (date: string, close: number, volume = 1000): RawBar => ({
  date,
  open: close,
  high: close * 1.01,
  low: close * 0.99,
  close,
  volume,
  provider: "yahoo",
});

// 2-for-1 split on the 7th, a 0.58 dividend on the 8th.
const raw = historyFromBars("TEST", [
  bar("2026-01-05", 100),
  bar("2026-01-06", 110),
  bar("2026-01-07", 60),
  bar("2026-01-08", 58),
]);
const actions: CorporateAction[] = [
  { type: "split", exDate: "2026-01-07", from: 1, to: 2, provider: "yahoo" },
  { type: "dividend", exDate: "2026-01-08", amount: 0.58, provider: "yahoo" },
];

describe("adjustmentFactors", () => {
  it("multiplies every bar before a split by from/to and before a dividend by 1 - amount / previous close", () => {
    const f = adjustmentFactors(raw, actions);
    const d = 1 - 0.58 / 60;
    expect([...f.price]).toEqual([0.5 * d, 0.5 * d, d, 1]);
    expect([...f.split]).toEqual([0.5, 0.5, 1, 1]);
  });

  it("leaves out actions after the last session: they are not in effect yet", () => {
    const later: CorporateAction[] = [
      ...actions,
      { type: "split", exDate: "2026-01-09", from: 1, to: 4, provider: "yahoo" },
    ];
    expect(adjustmentFactors(raw, later)).toStrictEqual(adjustmentFactors(raw, actions));
  });

  it("applies an action between two bars even when its ex-date is not a session with a bar", () => {
    const gappy = historyFromBars("TEST", [bar("2026-01-05", 100), bar("2026-01-09", 50)]);
    const f = adjustmentFactors(gappy, [
      { type: "split", exDate: "2026-01-07", from: 1, to: 2, provider: "yahoo" },
    ]);
    expect([...f.price]).toEqual([0.5, 1]);
  });

  it("reverses a reverse split: 1-for-10 multiplies earlier prices by 10", () => {
    const r = historyFromBars("TEST", [bar("2026-01-05", 0.5), bar("2026-01-06", 5.2)]);
    const f = adjustmentFactors(r, [
      { type: "split", exDate: "2026-01-06", from: 10, to: 1, provider: "yahoo" },
    ]);
    expect([...f.price]).toEqual([10, 1]);
    expect(
      adjustedBars(r, [{ type: "split", exDate: "2026-01-06", from: 10, to: 1, provider: "yahoo" }])[0],
    ).toEqual({
      date: "2026-01-05",
      open: 5,
      high: 0.5 * 1.01 * 10,
      low: 0.5 * 0.99 * 10,
      close: 5,
      volume: 100,
    });
  });

  it("reads a dividend paid on a split's ex-date per new share", () => {
    const r = historyFromBars("TEST", [bar("2026-01-05", 100), bar("2026-01-06", 50)]);
    const f = adjustmentFactors(r, [
      { type: "split", exDate: "2026-01-06", from: 1, to: 2, provider: "yahoo" },
      { type: "dividend", exDate: "2026-01-06", amount: 1, provider: "yahoo" },
    ]);
    // The previous close on the new share basis is 50, so the dividend is 2 % of it.
    expect(f.price[0]).toBeCloseTo(0.5 * (1 - 1 / 50), 15);
  });

  it("treats a dividend of most of the price as bad data and leaves it out", () => {
    const f = adjustmentFactors(raw, [
      { type: "dividend", exDate: "2026-01-08", amount: 59, provider: "yahoo" },
    ]);
    expect([...f.price]).toEqual([1, 1, 1, 1]);
  });
});

describe("scoringSeries", () => {
  it("is split-adjusted in open, high, low, close and volume, and split- and dividend-adjusted in adjClose", () => {
    const s = scoringSeries(raw, actions);
    const d = 1 - 0.58 / 60;
    expect([...s.close]).toEqual([50, 55, 60, 58]);
    expect([...s.adjClose]).toEqual([100 * 0.5 * d, 110 * 0.5 * d, 60 * d, 58]);
    expect([...s.volume]).toEqual([2000, 2000, 1000, 1000]);
    expect([...s.high]).toEqual([100 * 1.01 * 0.5, 110 * 1.01 * 0.5, 60 * 1.01, 58 * 1.01]);
  });
});
