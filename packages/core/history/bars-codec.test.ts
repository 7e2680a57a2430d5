import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { decodeBars, encodeBars, quantizeHistory, quantizePrice } from "./bars-codec.ts";
import { historyFromBars, historyToBars, type RawBar } from "./raw-history.ts";

const bars: RawBar[] = [
  {
    date: "2026-11-02",
    open: 12.34,
    high: 12.99,
    low: 12.01,
    close: 12.5,
    volume: 1_234_567,
    provider: "yahoo",
  },
  { date: "2026-11-03", open: 12.5, high: 13.1, low: 12.4, close: 13.05, volume: 987_654, provider: "yahoo" },
  { date: "2026-11-05", open: 13, high: 13.2, low: 12.8, close: 12.9, volume: 0, provider: "polygon" },
];

describe("bars codec", () => {
  it("gives back exactly the bars it was given, providers and gaps included", () => {
    const history = historyFromBars("BRK.B", bars);
    expect(historyToBars(decodeBars("BRK.B", encodeBars(history)))).toStrictEqual(bars);
  });

  it("stores a float32-widened price as its cents: the double Math.round(x * 100) / 100 gives", () => {
    const widened = bars.map((b) => ({ ...b, close: Math.fround(b.close), open: Math.fround(b.open) }));
    const back = historyToBars(decodeBars("X", encodeBars(historyFromBars("X", widened))));
    expect(back.map((b) => b.close)).toEqual([12.5, 13.05, 12.9]);
    expect(back.map((b) => b.open)).toEqual([12.34, 12.5, 13]);
  });

  it("keeps sub-penny prices to their own quantum", () => {
    const penny = bars.map((b) => ({ ...b, open: 0.0123, high: 0.0131, low: 0.0119, close: 0.0127 }));
    const back = historyToBars(decodeBars("X", encodeBars(historyFromBars("X", penny))));
    expect(back.map((b) => b.close)).toEqual([0.0127, 0.0127, 0.0127]);
  });

  it("takes about nine bytes a bar", () => {
    const month: RawBar[] = [];
    for (let d = 1; d <= 21; d++) {
      const close = 100 + d * 0.37;
      month.push({
        date: `2026-10-${String(d + 5).padStart(2, "0")}`,
        open: close - 0.5,
        high: close + 1.21,
        low: close - 1.3,
        close,
        volume: 3_000_000 + d * 12_345,
        provider: "yahoo",
      });
    }
    expect(encodeBars(historyFromBars("X", month)).length).toBeLessThan(21 * 12);
  });

  it("quantizes each price alone, so a quantized history reads back bit for bit whatever a block's exponent", () => {
    expect(quantizePrice(Math.fround(12.34))).toBe(12.34);
    expect(quantizePrice(150.0050048828125 * 2)).toBe(300.01);
    expect(quantizePrice(0.12339999675750732)).toBe(0.1234);
    const mixed = historyFromBars("X", [
      { ...bars[0]!, close: Math.fround(12.34) },
      { ...bars[1]!, close: 1 / 3 },
    ]);
    const quantized = quantizeHistory(mixed);
    expect(historyToBars(decodeBars("X", encodeBars(quantized)))).toStrictEqual(historyToBars(quantized));
    expect(quantized.close[0]).toBe(12.34);
  });

  it("refuses damaged bytes naming the symbol, rather than returning wrong bars", () => {
    const bytes = encodeBars(historyFromBars("AAPL", bars));
    expect(() => decodeBars("AAPL", bytes.subarray(0, bytes.length - 2))).toThrow(ValidationError);
    expect(() => decodeBars("AAPL", bytes.subarray(0, bytes.length - 2))).toThrow(/stored bars of AAPL/);
    expect(() => decodeBars("AAPL", Uint8Array.of(9, 0))).toThrow(/unknown version 9/);
  });
});
