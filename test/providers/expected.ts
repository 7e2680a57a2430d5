import type { Bar, Series } from "../../packages/core/series.ts";
import { seriesToBars } from "../../packages/core/series.ts";
import { fixtureJson } from "./fixture-server.ts";

/**
 * The synthetic market every provider fixture was recorded from
 * (test/fixtures/providers/expected-bars.json): 30 sessions, 2024-01-02 to
 * 2024-02-13, with Yahoo's nulls at `nullIndex` (whole bar) and
 * `nullVolumeIndex` (volume only), and a dividend-adjusted close.
 */
export interface Market {
  bars: Array<{ date: string; o: number; h: number; l: number; c: number; v: number }>;
  adjClose: number[];
  nullIndex: number;
  nullVolumeIndex: number;
}

export const market = fixtureJson<Market>("expected-bars.json");

/** The market as Bars, with `adjClose` and `volume` as a given provider reports them. */
export function expectedBars(options: {
  adjusted: "provider" | "close";
  dropNullBar: boolean;
  nullVolumeAsZero: boolean;
}): Bar[] {
  const bars: Bar[] = [];
  market.bars.forEach((b, i) => {
    if (options.dropNullBar && i === market.nullIndex) return;
    bars.push({
      date: b.date,
      open: b.o,
      high: b.h,
      low: b.l,
      close: b.c,
      adjClose: options.adjusted === "provider" ? market.adjClose[i]! : b.c,
      volume: options.nullVolumeAsZero && i === market.nullVolumeIndex ? 0 : b.v,
    });
  });
  return bars;
}

/** A Series as plain bars, rounded the way the fixtures print numbers, for whole-object comparison. */
export function barsOf(series: Series): Bar[] {
  return seriesToBars(series).map((b) => ({
    ...b,
    adjClose: Math.round(b.adjClose * 10_000) / 10_000,
  }));
}

export function rounded(bars: Bar[]): Bar[] {
  return bars.map((b) => ({ ...b, adjClose: Math.round(b.adjClose * 10_000) / 10_000 }));
}
