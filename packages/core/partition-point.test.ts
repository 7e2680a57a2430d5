import { describe, expect, it } from "vitest";
import { partitionPoint } from "./partition-point.ts";

describe("partitionPoint", () => {
  const sorted = [1, 2, 2, 2, 5, 8];
  const lower = (x: number) => partitionPoint(sorted.length, (i) => sorted[i]! < x);
  const upper = (x: number) => partitionPoint(sorted.length, (i) => sorted[i]! <= x);

  it("finds the lower and upper bounds of a value in a sorted array", () => {
    expect([lower(2), upper(2)]).toStrictEqual([1, 4]);
    expect([lower(3), upper(3)]).toStrictEqual([4, 4]);
    expect([lower(0), upper(0)]).toStrictEqual([0, 0]);
    expect([lower(8), upper(8)]).toStrictEqual([5, 6]);
    expect([lower(9), upper(9)]).toStrictEqual([6, 6]);
  });

  it("answers 0 for an empty range and agrees with a linear scan everywhere", () => {
    expect(partitionPoint(0, () => true)).toBe(0);
    for (let length = 0; length < 40; length++) {
      for (let split = 0; split <= length; split++) {
        expect(partitionPoint(length, (i) => i < split)).toBe(split);
      }
    }
  });
});
