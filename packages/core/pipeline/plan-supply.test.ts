import { describe, expect, it } from "vitest";
import { historyFromBars, historyToBars } from "../history/raw-history.ts";
import { assembleSupply, decodeSupply, encodeSupply, type StagedUnit } from "./plan-supply.ts";

const bar = (date: string, close: number) => ({
  date,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  volume: 1000,
  provider: "alpaca" as const,
});

describe("assembleSupply", () => {
  const days: StagedUnit[] = [
    { kind: "market-day", provider: "polygon", date: "2026-12-01", bars: [["AAA", 10, 11, 9, 10.5, 100]] },
    {
      kind: "market-day",
      provider: "polygon",
      date: "2026-12-02",
      bars: [
        ["AAA", 10.5, 12, 10, 11, 200],
        ["BBB", 5, 5, 5, 5, 50],
      ],
    },
    {
      kind: "market-actions",
      provider: "polygon",
      from: "2026-12-01",
      to: "2026-12-02",
      actions: { BBB: [{ type: "split", exDate: "2026-12-02", from: 1, to: 2, provider: "polygon" }] },
    },
  ];

  it("gives every ticker the market days' bars from the first day, its actions, and no bar for a day it did not trade", () => {
    const supply = assembleSupply(days, ["AAA", "BBB", "CCC"]);
    const aaa = supply.get("AAA")!;
    expect(aaa.kind === "bars" && [aaa.from, aaa.bars.dates, [...aaa.bars.close], aaa.actions]).toStrictEqual(
      ["2026-12-01", ["2026-12-01", "2026-12-02"], [10.5, 11], []],
    );
    const bbb = supply.get("BBB")!;
    expect(bbb.kind === "bars" && [bbb.bars.dates, bbb.actions.map((a) => a.type)]).toStrictEqual([
      ["2026-12-02"],
      ["split"],
    ]);
    const ccc = supply.get("CCC")!;
    expect(ccc.kind === "bars" && [ccc.from, ccc.bars.dates.length]).toStrictEqual(["2026-12-01", 0]);
  });

  it("fails every ticker with a failed market day's reason, naming the day", () => {
    const failed: StagedUnit = {
      kind: "failed",
      provider: "polygon",
      step: { kind: "market-day", date: "2026-12-02" },
      reason: "transient",
      message: "after 5 attempts: 503",
    };
    const supply = assembleSupply([days[0]!, failed, days[2]!], ["AAA", "BBB"]);
    expect(supply.get("AAA")).toStrictEqual({
      kind: "failed",
      reason: "transient",
      message: "polygon market day 2026-12-02: after 5 attempts: 503",
      provider: "polygon",
    });
    expect(supply.get("BBB")?.kind).toBe("failed");
  });

  it("fails only the symbols of a failed page group; tickers no unit served get no supply (fetched per ticker)", () => {
    const pages: StagedUnit = {
      kind: "symbol-pages",
      provider: "alpaca",
      from: "2026-11-30",
      to: "2026-12-02",
      symbols: ["AAA"],
      bars: {},
    };
    const group: StagedUnit = {
      kind: "failed",
      provider: "alpaca",
      step: { kind: "symbol-pages", symbols: ["BBB"], from: "2026-11-30", to: "2026-12-02" },
      reason: "unauthorized",
      message: "403",
    };
    const supply = assembleSupply([pages, group], ["AAA", "BBB", "CCC"]);
    expect(supply.get("AAA")?.kind).toBe("bars");
    expect(supply.get("BBB")?.kind).toBe("failed");
    expect(supply.has("CCC")).toBe(false);
  });
});

describe("encodeSupply / decodeSupply", () => {
  it("round-trips bars, actions and failures", () => {
    const bars = historyFromBars("AAA", [bar("2026-11-30", 10.01), bar("2026-12-01", 10.02)]);
    const supply = new Map([
      [
        "AAA",
        {
          kind: "bars" as const,
          from: "2026-11-30",
          bars,
          actions: [
            { type: "dividend" as const, exDate: "2026-12-01", amount: 0.25, provider: "alpaca" as const },
          ],
        },
      ],
      ["BBB", { kind: "failed" as const, reason: "transient", message: "503" }],
    ]);
    const back = decodeSupply(encodeSupply(supply));
    const aaa = back.get("AAA")!;
    expect(aaa.kind === "bars" && [aaa.from, historyToBars(aaa.bars), aaa.actions]).toStrictEqual([
      "2026-11-30",
      historyToBars(bars),
      supply.get("AAA")!.actions,
    ]);
    expect(back.get("BBB")).toStrictEqual(supply.get("BBB"));
  });

  it("names what is wrong with a supply that is not one", () => {
    expect(() => decodeSupply("bm90IGRlZmxhdGVk")).toThrow(/^supply: /);
  });
});
