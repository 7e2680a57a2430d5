import { describe, expect, it } from "vitest";
import { historyToBars } from "../../core/history/raw-history.ts";
import { RawBarCollector } from "./history-window.ts";

describe("RawBarCollector", () => {
  it("keeps no bar for a session without trades: nulls, zeros and negative prices are not bars", () => {
    const c = new RawBarCollector("yahoo");
    c.add("2026-11-27", 10, 11, 9, 10.5, 1000);
    c.add("2026-11-30", null, null, null, null, null);
    c.add("2026-12-01", 0, 0, 0, 0, 0);
    c.add("2026-12-02", 10, 11, 9, -1, 1000);
    c.add("2026-12-03", 10.25, 10.75, 10, 10.5, undefined);
    expect(historyToBars(c.history("T")).map((b) => [b.date, b.close, b.volume])).toStrictEqual([
      ["2026-11-27", 10.5, 1000],
      ["2026-12-03", 10.5, 0],
    ]);
    expect(c.offered).toBe(5);
  });

  it("orders, keeps the later of two reports of one session, and puts prices on their quanta", () => {
    const c = new RawBarCollector("alphavantage");
    c.add("2026-12-02", 1, 1, 1, 1, 5);
    c.add("2026-12-01", Math.fround(12.34), 13, 12, Math.fround(12.5), 1.4);
    c.add("2026-12-02", 2, 2, 2, 2, 6);
    expect(historyToBars(c.history("T"))).toStrictEqual([
      {
        date: "2026-12-01",
        open: 12.34,
        high: 13,
        low: 12,
        close: 12.5,
        volume: 1,
        provider: "alphavantage",
      },
      { date: "2026-12-02", open: 2, high: 2, low: 2, close: 2, volume: 6, provider: "alphavantage" },
    ]);
  });
});
