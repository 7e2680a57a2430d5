import { describe, expect, it } from "vitest";
import { assemblyGroups, chunksOfGroup, groupCount, groupsOf, splitStaged } from "./assembly-groups.ts";
import { planChunks } from "./chunks.ts";

const tickers = Array.from({ length: 1234 }, (_, i) => `S${String(i).padStart(4, "0")}`);
const chunks = planChunks("s1", tickers, "SPY", 10);
const groups = assemblyGroups(chunks, "SPY");

describe("assembly groups", () => {
  it("groups 500 tickers' whole chunks, then the benchmark's chunk alone", () => {
    expect(groups).toStrictEqual({ starts: ["S0000", "S0500", "S1000"], benchmark: "SPY" });
    expect(groupCount(groups)).toBe(4);
    const sizes = [0, 1, 2, 3].map((g) => chunksOfGroup(chunks, groups, g).flatMap((c) => c.tickers).length);
    expect(sizes).toStrictEqual([500, 500, 234, 1]);
    expect(chunksOfGroup(chunks, groups, 3)).toStrictEqual([chunks.at(-1)]);
    // Every chunk in exactly one group.
    const all = [0, 1, 2, 3].flatMap((g) => chunksOfGroup(chunks, groups, g).map((c) => c.chunk));
    expect(all).toStrictEqual(chunks.map((c) => c.chunk));
  });

  it("keeps a chunk of a larger size whole", () => {
    const big = assemblyGroups(planChunks("s1", tickers, "SPY", 300), "SPY");
    expect(big.starts).toStrictEqual(["S0000", "S0300", "S0600", "S0900", "S1200"]);
  });

  it("sends the benchmark's data to its own group as well as the universe group it falls in", () => {
    expect(groupsOf(groups, "S0499")).toStrictEqual([0]);
    expect(groupsOf(groups, "S0500")).toStrictEqual([1]);
    expect(groupsOf(groups, "SPY")).toStrictEqual([2, 3]);
    // Before the first symbol: no universe group.
    expect(groupsOf(groups, "A")).toStrictEqual([]);
  });

  it("splits a market day by group, every group keeping the day even without a bar in it", () => {
    const day = {
      kind: "market-day" as const,
      provider: "polygon" as const,
      date: "2026-12-02",
      bars: [
        ["S0001", 1, 1, 1, 1, 1],
        ["SPY", 2, 2, 2, 2, 2],
      ] as [string, number, number, number, number, number][],
    };
    const shares = splitStaged(day, groups);
    expect(shares.map((s) => s.kind === "market-day" && [s.date, s.bars.map((b) => b[0])])).toStrictEqual([
      ["2026-12-02", ["S0001"]],
      ["2026-12-02", []],
      ["2026-12-02", ["SPY"]],
      ["2026-12-02", ["SPY"]],
    ]);
  });

  it("splits a page group's symbols and the market's actions, and gives a failure to every group", () => {
    const pages = splitStaged(
      {
        kind: "symbol-pages",
        provider: "alpaca",
        from: "2026-01-02",
        to: "2026-12-02",
        symbols: ["S0498", "S0499", "S0500"],
        bars: { S0499: "x", S0500: "y" },
      },
      groups,
    );
    expect(pages.map((p) => p.kind === "symbol-pages" && [p.symbols, Object.keys(p.bars)])).toStrictEqual([
      [["S0498", "S0499"], ["S0499"]],
      [["S0500"], ["S0500"]],
      [[], []],
      [[], []],
    ]);
    const split = {
      type: "split" as const,
      exDate: "2026-06-01",
      from: 1,
      to: 2,
      provider: "polygon" as const,
    };
    const actions = splitStaged(
      { kind: "market-actions", provider: "polygon", from: "a", to: "b", actions: { S1001: [split] } },
      groups,
    );
    expect(actions.map((a) => a.kind === "market-actions" && Object.keys(a.actions))).toStrictEqual([
      [],
      [],
      ["S1001"],
      [],
    ]);
    const failed = {
      kind: "failed" as const,
      provider: "polygon" as const,
      step: { kind: "market-day" as const, date: "2026-12-02" },
      reason: "http-503",
      message: "down",
    };
    expect(splitStaged(failed, groups)).toStrictEqual([failed, failed, failed, failed]);
  });
});
