import { describe, expect, it } from "vitest";
import { dayNumber, isCalendarDate, isoFromDay } from "./days.ts";
import { ValidationError } from "./errors.ts";

describe("day numbers", () => {
  it("agree with Date for every day from 1900 to 2100, both ways", () => {
    const mismatches: string[] = [];
    for (let day = -25_567; day <= 47_482; day++) {
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (isoFromDay(day) !== iso || dayNumber(iso) !== day) mismatches.push(`${day} ${iso}`);
    }
    expect(mismatches).toStrictEqual([]);
    expect(dayNumber("2024-02-29")).toBe(19_782);
  });

  it.each(["2026-13-01", "26-1-1", "2026-01-0x", "2026/01/01", "", "2026-02-29", "2026-04-31"])(
    "names a bad date: %j",
    (bad) => {
      expect(() => dayNumber(bad)).toThrow(ValidationError);
      expect(isCalendarDate(bad)).toBe(false);
    },
  );
});
