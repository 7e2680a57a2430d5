import { describe, expect, it } from "vitest";
import { SCREEN_FIELDS, type ScreenValues } from "../screens/fields.ts";
import { compileScreen } from "../screens/screen.ts";
import { scanChanges, snapshotOf } from "./changes.ts";
import { screensFrom } from "./settings.ts";

const values = (over: Partial<ScreenValues>): ScreenValues => ({
  ...(Object.fromEntries(Object.keys(SCREEN_FIELDS).map((f) => [f, 0])) as ScreenValues),
  trend_template: false,
  new_high: false,
  macd_stage: "none",
  ...over,
});

const screens = [compileScreen("rs-leaders"), compileScreen("trend >= 7")];

describe("the changes between two scans", () => {
  const before = snapshotOf(
    [
      { ticker: "AAA", values: values({ rs: 95, trend: 8, composite: 90 }) },
      { ticker: "BBB", values: values({ rs: 85, trend: 6, composite: 70 }) },
      { ticker: "CCC", values: values({ rs: 60, trend: 7, composite: 50 }) },
      { ticker: "GONE", values: values({ rs: 82, trend: 2, composite: 40 }) },
    ],
    screens,
    2,
    "confirmed-uptrend",
  );
  const after = snapshotOf(
    [
      { ticker: "AAA", values: values({ rs: 88, trend: 8, composite: 85 }) },
      { ticker: "BBB", values: values({ rs: 92, trend: 7, composite: 95 }) },
      { ticker: "CCC", values: values({ rs: 79, trend: 5, composite: 20 }) },
      { ticker: "NEW", values: values({ rs: 81, trend: 1, composite: 10 }) },
    ],
    screens,
    2,
    "uptrend-under-pressure",
  );

  it("keeps per scan the screens' members, the top N and who is rated at 80 and 90", () => {
    expect(before).toStrictEqual({
      screens: { "rs-leaders": ["AAA"], "trend >= 7": ["AAA", "CCC"] },
      top: ["AAA", "BBB"],
      rs: { "80": ["AAA", "BBB", "GONE"], "90": ["AAA"] },
      market: "confirmed-uptrend",
    });
  });

  it("says who entered and left each screen and the top, who crossed 80 and 90 either way, and the market's turn", () => {
    const scored = new Set(["AAA", "BBB", "CCC", "NEW"]);
    const changes = scanChanges({ scanId: "s1", snapshot: before }, after, (t) => scored.has(t));
    expect(changes).toStrictEqual({
      previousScanId: "s1",
      screens: {
        "rs-leaders": { entered: ["BBB"], left: ["AAA"] },
        "trend >= 7": { entered: ["BBB"], left: ["CCC"] },
      },
      top: { size: 2, entered: [], left: [] },
      // GONE was not scored this time: it has not crossed below; NEW, unrated before, crossed above.
      rs: {
        "80": { crossedAbove: ["NEW"], crossedBelow: [] },
        "90": { crossedAbove: ["BBB"], crossedBelow: ["AAA"] },
      },
      market: { from: "confirmed-uptrend", to: "uptrend-under-pressure" },
    });
  });

  it("reports nothing as changed for a universe's first scan, and a screen new since the last as unchanged", () => {
    expect(scanChanges(undefined, after, () => true)).toMatchObject({
      previousScanId: null,
      screens: { "rs-leaders": { entered: [], left: [] } },
      market: null,
    });
    const wider = { ...after, screens: { ...after.screens, canslim: ["BBB"] } };
    expect(scanChanges({ scanId: "s1", snapshot: before }, wider, () => true).screens.canslim).toStrictEqual({
      entered: [],
      left: [],
    });
  });

  it("reads the screens a setting names, separated by semicolons, naming a bad one", () => {
    expect(screensFrom("rs-leaders; close > sma50 and rs >= 80", "S").map((s) => s.name)).toStrictEqual([
      "rs-leaders",
      "close > sma50 and rs >= 80",
    ]);
    expect(() => screensFrom("rs-leaders; rsi > 3", "TICKERFLEET_ALERT_SCREENS")).toThrow(
      /TICKERFLEET_ALERT_SCREENS.*"rsi > 3": unknown field "rsi"/,
    );
  });
});
