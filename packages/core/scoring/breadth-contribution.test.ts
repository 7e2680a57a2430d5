import { describe, expect, it } from "vitest";
import { mulberry32, syntheticSeries } from "../../../test/support/synthetic-series.ts";
import { dayNumber } from "../days.ts";
import { ValidationError } from "../errors.ts";
import type { Series } from "../series.ts";
import { BreadthAccumulator } from "./breadth-accumulator.ts";
import {
  BREADTH_HEADER_BYTES,
  breadthContribution,
  contributionStart,
  decodeBreadthDay,
  isoFromWeekdayIndex,
  weekdayIndex,
} from "./breadth-contribution.ts";

describe("weekday numbers", () => {
  it("count Mondays to Fridays from Monday 1970-01-05", () => {
    expect(weekdayIndex("1970-01-05")).toBe(0);
    expect(weekdayIndex("1970-01-09")).toBe(4);
    expect(weekdayIndex("1970-01-10")).toBe(-1);
    expect(weekdayIndex("1970-01-11")).toBe(-1);
    expect(weekdayIndex("1970-01-12")).toBe(5);
    expect(isoFromWeekdayIndex(5)).toBe("1970-01-12");
  });

  it("agree with Date for random dates and round-trip", () => {
    const random = mulberry32(5);
    for (let k = 0; k < 2000; k++) {
      const t = Date.UTC(1971, 0, 1) + Math.floor(random() * 80 * 365.25) * 86_400_000;
      const iso = new Date(t).toISOString().slice(0, 10);
      expect(dayNumber(iso)).toBe(t / 86_400_000);
      const day = new Date(t).getUTCDay();
      const index = weekdayIndex(iso);
      if (day === 0 || day === 6) expect(index).toBe(-1);
      else expect(isoFromWeekdayIndex(index)).toBe(iso);
    }
  });

  it("reject malformed dates", () => {
    for (const bad of ["2024-1-05", "2024/01/05", "20240105xx", "2024-13-01", "abcd-01-01", "1970-01-02"]) {
      expect(() => weekdayIndex(bad)).toThrow(ValidationError);
    }
  });
});

describe("adjusted prices", () => {
  it("a 2:1 split (raw close halves, adjClose continuous) is no decline and no new low", () => {
    const base = syntheticSeries("S", 11, 460, { volatility: 0.01 });
    // Split on an up day (adjusted), so that "no decline" is the real claim.
    let k = 400;
    while (base.adjClose[k]! <= base.adjClose[k - 1]!) k++;
    const split: Series = {
      ...base,
      open: base.open.map((x, i) => (i < k ? x * 2 : x)),
      high: base.high.map((x, i) => (i < k ? x * 2 : x)),
      low: base.low.map((x, i) => (i < k ? x * 2 : x)),
      close: base.close.map((x, i) => (i < k ? x * 2 : x)),
      adjClose: base.adjClose.slice(),
    };
    // The raw close really does drop by about half on the split day...
    expect(split.close[k]! / split.close[k - 1]!).toBeLessThan(0.6);
    const plain = breadthContribution(base);
    const adjusted = breadthContribution(split);
    // ...yet every day reads as it does without the split.
    expect(Array.from(adjusted)).toStrictEqual(Array.from(plain));
    const slot = weekdayIndex(base.dates[k]!) - contributionStart(adjusted).weekday;
    const onSplitDay = decodeBreadthDay(adjusted[BREADTH_HEADER_BYTES + slot]!);
    const adj = base.adjClose;
    const expectedMove = adj[k]! > adj[k - 1]! ? "advance" : adj[k]! < adj[k - 1]! ? "decline" : "unchanged";
    expect(onSplitDay.move).toBe(expectedMove);
    expect(expectedMove).not.toBe("decline");
    expect(onSplitDay.newLow).toBe(false);
  });
});

describe("contributions", () => {
  it("stay small: 200 trading days in ≲ 260 bytes", () => {
    const s = syntheticSeries("X", 3, 500);
    const contribution = breadthContribution(s);
    expect(contribution.length).toBe(BREADTH_HEADER_BYTES + 200);
    expect(contribution.length).toBeLessThanOrEqual(260);
    const shortOne = breadthContribution(syntheticSeries("Y", 4, 30));
    expect(shortOne.length).toBe(BREADTH_HEADER_BYTES + 30);
    expect(breadthContribution({ ...s, dates: [], adjClose: new Float64Array(0) }).length).toBe(
      BREADTH_HEADER_BYTES,
    );
  });

  it("reject unordered dates, bad windows and malformed bytes", () => {
    const s = syntheticSeries("X", 3, 5);
    const swapped = { ...s, dates: [s.dates[0]!, s.dates[2]!, s.dates[1]!, s.dates[3]!, s.dates[4]!] };
    expect(() => breadthContribution(swapped)).toThrow(/strictly ascending/);
    expect(() => breadthContribution(s, 0)).toThrow(RangeError);
    const acc = new BreadthAccumulator();
    expect(() => acc.add(new Uint8Array(3))).toThrow(ValidationError);
    expect(() => acc.add(Uint8Array.of(2, 0, 0, 0, 0))).toThrow(/format version 2/);
    expect(() => acc.add(Uint8Array.of(1, 0, 0, 0, 0, 0b1100))).toThrow(/invalid SMA state/);
    expect(acc.contributions).toBe(0);
  });

  it("accumulate across far-apart start dates (the counts re-base and grow)", () => {
    const early = syntheticSeries("E", 1, 260, { firstDate: "2015-01-05" });
    const late = syntheticSeries("L", 2, 260, { firstDate: "2024-01-01" });
    const acc = new BreadthAccumulator({ window: 1000 });
    acc.add(breadthContribution(late, 100));
    acc.add(breadthContribution(early, 100));
    const r = acc.result();
    expect(r.dates.length).toBe(200);
    expect(r.dates[0]).toBe(early.dates[160]);
    expect(r.dates[199]).toBe(late.dates[259]);
    expect(Array.from(r.issues).every((x) => x === 1)).toBe(true);
    // Re-based in both directions, the earlier counts survive: same as adding in the other order.
    const other = new BreadthAccumulator({ window: 1000 });
    other.add(breadthContribution(early, 100));
    other.add(breadthContribution(late, 100));
    expect(other.result()).toStrictEqual(r);
  });

  it("refuse a span of dates no scan has (a stray far-off date), adding nothing", () => {
    const acc = new BreadthAccumulator();
    acc.add(breadthContribution(syntheticSeries("N", 1, 30, { firstDate: "2024-01-01" })));
    const far = breadthContribution(syntheticSeries("F", 2, 30, { firstDate: "2099-01-05" }));
    expect(() => acc.add(far)).toThrow(/span more than/);
    expect(acc.contributions).toBe(1);
    expect(acc.result().dates.length).toBe(29); // the listing day itself counts for nothing
  });
});
