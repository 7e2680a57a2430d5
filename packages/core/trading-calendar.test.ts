import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import {
  addTradingDays,
  isTradingDay,
  lastTradingDayOnOrBefore,
  previousTradingDay,
  tradingDaysBetween,
} from "./trading-calendar.ts";

/** NYSE full-day closures as published by NYSE for each year (observed dates). */
const NYSE_HOLIDAYS: Record<number, string[]> = {
  2023: [
    "2023-01-02", // New Year's Day (Sunday) observed Monday
    "2023-01-16",
    "2023-02-20",
    "2023-04-07",
    "2023-05-29",
    "2023-06-19",
    "2023-07-04",
    "2023-09-04",
    "2023-11-23",
    "2023-12-25",
  ],
  2024: [
    "2024-01-01",
    "2024-01-15",
    "2024-02-19",
    "2024-03-29",
    "2024-05-27",
    "2024-06-19",
    "2024-07-04",
    "2024-09-02",
    "2024-11-28",
    "2024-12-25",
  ],
  2025: [
    "2025-01-01",
    "2025-01-09", // National day of mourning for President Carter
    "2025-01-20",
    "2025-02-17",
    "2025-04-18",
    "2025-05-26",
    "2025-06-19",
    "2025-07-04",
    "2025-09-01",
    "2025-11-27",
    "2025-12-25",
  ],
  2026: [
    "2026-01-01",
    "2026-01-19",
    "2026-02-16",
    "2026-04-03",
    "2026-05-25",
    "2026-06-19",
    "2026-07-03", // Independence Day (Saturday) observed Friday
    "2026-09-07",
    "2026-11-26",
    "2026-12-25",
  ],
};

function weekdaysOf(year: number): string[] {
  const days: string[] = [];
  for (
    let d = new Date(Date.UTC(year, 0, 1));
    d.getUTCFullYear() === year;
    d.setUTCDate(d.getUTCDate() + 1)
  ) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

describe("trading calendar", () => {
  describe.each(Object.entries(NYSE_HOLIDAYS))("%s", (year, holidays) => {
    it("closes exactly on the published holidays among weekdays", () => {
      const closedWeekdays = weekdaysOf(Number(year)).filter((d) => !isTradingDay(d));
      expect(closedWeekdays).toStrictEqual(holidays);
    });

    it("tradingDaysBetween counts weekdays minus holidays", () => {
      const days = tradingDaysBetween(`${year}-01-01`, `${year}-12-31`);
      expect(days.length).toBe(weekdaysOf(Number(year)).length - holidays.length);
      expect(days).not.toContain(holidays[0]);
      expect([...days].sort()).toStrictEqual(days);
    });
  });

  it("has the known yearly session counts", () => {
    expect(tradingDaysBetween("2023-01-01", "2023-12-31")).toHaveLength(250);
    expect(tradingDaysBetween("2024-01-01", "2024-12-31")).toHaveLength(252);
    expect(tradingDaysBetween("2025-01-01", "2025-12-31")).toHaveLength(250);
  });

  it("does not observe a Saturday New Year's Day on the Friday before", () => {
    // 2022-01-01 and 2028-01-01 are Saturdays: NYSE was/is open on Dec 31.
    expect(isTradingDay("2021-12-31")).toBe(true);
    expect(isTradingDay("2027-12-31")).toBe(true);
  });

  it("observes Juneteenth only from 2022, moving a Sunday to Monday", () => {
    expect(isTradingDay("2021-06-18")).toBe(true);
    expect(isTradingDay("2022-06-20")).toBe(false);
    expect(isTradingDay("2022-06-17")).toBe(true);
  });

  it("treats weekends as closed", () => {
    expect(isTradingDay("2024-06-01")).toBe(false);
    expect(isTradingDay("2024-06-02")).toBe(false);
    expect(isTradingDay("2024-06-03")).toBe(true);
  });

  it("steps across weekends and holidays", () => {
    expect(previousTradingDay("2024-01-02")).toBe("2023-12-29");
    expect(previousTradingDay("2024-07-05")).toBe("2024-07-03");
    expect(lastTradingDayOnOrBefore("2024-07-04")).toBe("2024-07-03");
    expect(lastTradingDayOnOrBefore("2024-07-03")).toBe("2024-07-03");
    expect(lastTradingDayOnOrBefore("2026-04-05")).toBe("2026-04-02");
    expect(addTradingDays("2024-07-03", 1)).toBe("2024-07-05");
    expect(addTradingDays("2024-12-31", 1)).toBe("2025-01-02");
    expect(addTradingDays("2025-01-02", -1)).toBe("2024-12-31");
    expect(addTradingDays("2024-07-06", 0)).toBe("2024-07-05");
    expect(addTradingDays("2024-01-02", 251)).toBe("2024-12-31");
    expect(addTradingDays("2024-01-02", 252)).toBe("2025-01-02");
    expect(addTradingDays(addTradingDays("2023-03-15", 400), -400)).toBe("2023-03-15");
  });

  it("returns an empty range when from is after to", () => {
    expect(tradingDaysBetween("2024-02-01", "2024-01-01")).toStrictEqual([]);
  });

  it("rejects malformed dates with a ValidationError naming the value", () => {
    expect(() => isTradingDay("2024-02-30")).toThrow(ValidationError);
    expect(() => isTradingDay("2024/01/02")).toThrow(/2024\/01\/02/);
    expect(() => addTradingDays("2024-01-02", 1.5)).toThrow(ValidationError);
  });
});
