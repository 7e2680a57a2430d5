import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { type Bar, seriesFromBars } from "./series.ts";
import { decodeSeries, encodeSeries } from "./series-codec.ts";

function randomWalk(seed: number, n: number, start: number): Bar[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const bars: Bar[] = [];
  let close = start;
  let day = Date.UTC(2024, 0, 2);
  for (let i = 0; i < n; i++) {
    const open = close * (1 + (rand() - 0.5) * 0.01);
    close = Math.max(0.0001, close * (1 + (rand() - 0.5) * 0.05));
    const high = Math.max(open, close) * (1 + rand() * 0.01);
    const low = Math.min(open, close) * (1 - rand() * 0.01);
    bars.push({
      date: new Date(day).toISOString().slice(0, 10),
      open,
      high,
      low,
      close,
      adjClose: close * 0.98731,
      volume: Math.round(2e6 * Math.exp((rand() - 0.5) * 2)),
    });
    day += (rand() < 0.2 ? 3 : 1) * 86_400_000;
  }
  return bars;
}

describe("series codec", () => {
  it.each([
    ["a large-cap", 1, 150],
    ["a penny stock", 2, 0.35],
    ["a very high price", 3, 650_000],
  ])("round-trips %s within the documented precision, dates exact", (_name, seed, start) => {
    const series = seriesFromBars("BRK.B", randomWalk(seed, 500, start));
    const back = decodeSeries(encodeSeries(series));
    expect(back.symbol).toBe("BRK.B");
    expect(back.dates).toStrictEqual(series.dates);
    const maxAdj = Math.max(...series.adjClose);
    for (let i = 0; i < series.dates.length; i++) {
      expect(Math.abs(back.adjClose[i]! - series.adjClose[i]!)).toBeLessThanOrEqual(maxAdj * 5e-6);
      for (const col of ["open", "high", "low", "close"] as const) {
        expect(Math.abs(back[col][i]! / series[col][i]! - 1)).toBeLessThan(
          5e-6 + (maxAdj * 5e-6) / series.adjClose[i]!,
        );
      }
      expect(Math.abs(back.volume[i]! - series.volume[i]!)).toBeLessThanOrEqual(5e3 + 1e-9);
    }
  });

  it("keeps ten tickers of 500 bars under one 64 KiB SQS billing unit", () => {
    let total = 0;
    for (let seed = 1; seed <= 10; seed++)
      total += encodeSeries(seriesFromBars("X", randomWalk(seed, 500, 40 + seed * 13))).length;
    expect(total).toBeLessThan(60 * 1024);
  });

  it("encodes an empty series", () => {
    const back = decodeSeries(encodeSeries(seriesFromBars("EMPTY", [])));
    expect(back.dates).toStrictEqual([]);
    expect(back.symbol).toBe("EMPTY");
  });

  it.each([
    ["no marker", "hello"],
    ["bad base64 body", "TFS1!!!!"],
    ["a truncated body", encodeSeries(seriesFromBars("X", randomWalk(9, 50, 10))).slice(0, 40)],
  ])("rejects %s with a ValidationError", (_name, text) => {
    expect(() => decodeSeries(text)).toThrow(ValidationError);
  });
});
