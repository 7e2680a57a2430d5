import { describe, expect, it } from "vitest";
import { compareForLeaderboard, leaderboard, leaderboardRanks, type Rankable } from "./ranks.ts";

const item = (symbol: string, score: number | null, rsRaw: number | null): Rankable => ({
  symbol,
  score,
  rsRaw,
});

describe("leaderboard order", () => {
  const items = [
    item("D", 70, 1.1),
    item("A", 80, 1.0),
    item("C", 80, 1.2),
    item("B", 80, 1.2),
    item("E", null, 2.0),
    item("F", 70, null),
    item("G", 70, Number.NaN),
  ];

  it("sorts by score, then RS raw, then symbol; missing values last", () => {
    expect(leaderboard(items).map((x) => x.symbol)).toStrictEqual(["B", "C", "A", "D", "F", "G", "E"]);
    expect(leaderboard(items, 2).map((x) => x.symbol)).toStrictEqual(["B", "C"]);
    expect(items[0]!.symbol).toBe("D"); // input untouched
  });

  it("gives 1-based positions in input order", () => {
    expect(Array.from(leaderboardRanks(items))).toStrictEqual([4, 3, 2, 1, 7, 5, 6]);
  });

  it("is a consistent comparator", () => {
    for (const a of items) {
      expect(compareForLeaderboard(a, a)).toBe(0);
      for (const b of items)
        expect(Math.sign(compareForLeaderboard(a, b)) + Math.sign(compareForLeaderboard(b, a))).toBe(0);
    }
  });
});
