import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { SCREEN_FIELDS, type ScreenValues } from "./fields.ts";
import { compileScreen, type PRESETS } from "./screen.ts";

/** Screen values with every field set, then the given ones. */
function values(over: Partial<ScreenValues>): ScreenValues {
  const base = Object.fromEntries(Object.keys(SCREEN_FIELDS).map((f) => [f, 0])) as ScreenValues;
  return { ...base, trend_template: false, new_high: false, macd_stage: "none", ...over };
}

/** A grid of tickers' values: every combination of a few levels of the fields the presets read. */
function grid(): ScreenValues[] {
  const out: ScreenValues[] = [];
  for (const rs of [50, 80, 89, 90, 99])
    for (const trend of [5, 7, 8])
      for (const composite of [60, 79.99, 80, 95, null])
        for (const macd_stage of ["bullish-crossover", "bearish-fading"])
          for (const new_high of [true, false])
            out.push(values({ rs, trend, trend_template: trend === 8, composite, macd_stage, new_high }));
  return out;
}

const problem = (text: string) => {
  try {
    compileScreen(text, "screen");
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.join("; ");
    throw error;
  }
  throw new Error(`"${text}" compiled`);
};

describe("screens", () => {
  it("match as the hand-written filters they stand for", () => {
    const hand: Record<keyof typeof PRESETS, (v: ScreenValues) => boolean> = {
      "trend-template": (v) => v.trend === 8,
      "rs-leaders": (v) => (v.rs as number) >= 90,
      canslim: (v) => v.composite !== null && (v.composite as number) >= 80 && (v.trend as number) >= 7,
      "new-highs": (v) => v.new_high === true,
      "macd-bullish-cross": (v) => v.macd_stage === "bullish-crossover",
    };
    const all = grid();
    for (const [name, filter] of Object.entries(hand)) {
      const screen = compileScreen(name);
      expect(screen.name).toBe(name);
      const picked = all.filter((v) => screen.matches(v));
      expect(picked).toStrictEqual(all.filter(filter));
      expect(picked.length).toBeGreaterThan(0);
      expect(picked.length).toBeLessThan(all.length);
    }
  });

  it("compiles an expression over the fields, with and, or, not and strings", () => {
    const s = compileScreen("rs >= 80 and trend >= 7 and close > sma50 and volume_ratio > 1.5");
    expect(s.matches(values({ rs: 85, trend: 7, close: 10, sma50: 9, volume_ratio: 2 }))).toBe(true);
    expect(s.matches(values({ rs: 85, trend: 7, close: 10, sma50: 11, volume_ratio: 2 }))).toBe(false);
    const t = compileScreen('not new_high or macd_stage in ("bullish-crossover", "bullish-expanding")');
    expect(t.matches(values({ new_high: true, macd_stage: "bullish-expanding" }))).toBe(true);
    expect(t.matches(values({ new_high: true, macd_stage: "none" }))).toBe(false);
  });

  it("leaves out a ticker without a field the screen needs, rather than failing", () => {
    const s = compileScreen("close > sma200");
    expect(s.matches(values({ close: 10, sma200: null }))).toBe(false);
    expect(compileScreen("canslim").matches(values({ composite: null, trend: 8 }))).toBe(false);
  });

  it("refuses an unknown field, naming it and where to find the fields", () => {
    expect(problem("rs >= 80 and rsi > 70 and foo")).toMatch(
      /^unknown fields "rsi", "foo" in "rs >= 80 and rsi > 70 and foo": the fields are listed by `tickerfleet screen --fields`/,
    );
    expect(problem("trend-templat")).toMatch(/unknown field/);
    // A string is a value, not a field; a function call is not a field.
    expect(() => compileScreen('macd_stage == "zzz" and abs(change_pct) > 2')).not.toThrow();
  });

  it("refuses a syntax error, naming the column where it breaks", () => {
    expect(problem("rs >= and trend")).toBe(
      "syntax error at column 7 in \"rs >= and trend\": expecting '-', 'not', 'if', '(', 'Number', 'Symbol', 'String', got 'and'",
    );
    expect(problem("")).toMatch(/empty/);
  });
});
