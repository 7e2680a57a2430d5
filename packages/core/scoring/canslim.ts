/**
 * A CANSLIM-style composite, 0–100, after William O'Neil's "How to Make
 * Money in Stocks" (4th ed., 2009), from what a scan can know: price and
 * volume for every ticker, the universe's breadth, and earnings growth when
 * the caller supplies fundamentals. Each letter becomes a component in 0..1:
 *
 * | letter | input | component | weight |
 * | --- | --- | --- | --- |
 * | C | quarterly EPS growth g, % year over year | clamp(g / 50): 0 at ≤ 0%, 0.5 at O'Neil's 25% minimum, 1 at ≥ 50% | 0.20 |
 * | A | annual EPS growth g, % | clamp(g / 50), same scale | 0.15 |
 * | N | price / 52-week high | clamp((ratio − 0.75) / 0.20): 0 at ≥ 25% below the high, 1 within 5% of it | 0.15 |
 * | S | 50-day up/down volume ratio U/D; last day's volume vs its 50-day average, rv | 0.7 · clamp((U/D − 0.5) / 1.0) + 0.3 · v, where v = clamp(0.5 ± (rv − 1) / 0.8), + on an up day, − on a down day, 0.5 unchanged | 0.15 |
 * | L | RS rating 1..99 | rating / 99 | 0.20 |
 * | M | market direction from breadth | its score (0..1) | 0.15 |
 *
 * (clamp = to 0..1.) I (institutional sponsorship) is not observable from
 * bars and is left out. S rewards accumulation (U/D > 1 counts volume on up
 * days against down days) and a heavy-volume up day — O'Neil's +40% breakout
 * volume maps to 1 — or a light-volume down day; a heavy-volume down day
 * (distribution) maps to 0.
 *
 * Missing inputs (no fundamentals, no RS rating, no breadth, short history)
 * do not count as zeros: the score is renormalised over the components
 * present, `score = 100 · Σ w·c / Σ w (present)`, and
 * `confidence = Σ w (present) / Σ w (all)`. With price, volume, RS and
 * breadth but no fundamentals, confidence is 0.65.
 */
import type { MarketDirection } from "./market-direction.ts";

/** Optional earnings data from a fundamentals provider. */
export interface Fundamentals {
  /** Latest quarter's EPS growth vs the same quarter a year earlier, in percent. */
  epsGrowthQuarterlyPct?: number;
  /** Annual EPS growth (latest year, or the 3-year compound rate), in percent. */
  epsGrowthAnnualPct?: number;
}

export type CanslimLetter = "C" | "A" | "N" | "S" | "L" | "M";

export const CANSLIM_WEIGHTS: Readonly<Record<CanslimLetter, number>> = {
  C: 0.2,
  A: 0.15,
  N: 0.15,
  S: 0.15,
  L: 0.2,
  M: 0.15,
};

export interface CanslimInputs {
  /** Last adjusted close. */
  price: number;
  /** Highest adjusted high of the last 52 weeks; null without history. */
  high52w: number | null;
  /** Σ volume on up days / Σ volume on down days over the last 50 bars; null without history. */
  upDownVolumeRatio50: number | null;
  /** Last bar's volume / average volume of the 50 bars before it; null without history. */
  relativeVolume: number | null;
  /** Last bar's % change of the adjusted close; null for a first bar. */
  changePct: number | null;
  /** 1..99, or 0 = no rating. */
  rsRating: number;
  /** Market direction; null or `defined: false` leaves M out. */
  market: MarketDirection | null;
  fundamentals?: Fundamentals;
}

export interface CanslimScore {
  /** 0..100 over the components present; null when none is. */
  score: number | null;
  /** Σ weights present / Σ weights (0..1). */
  confidence: number;
  /** Each letter's component in 0..1, or null when its input is missing. */
  components: Record<CanslimLetter, number | null>;
}

export function canslimScore(inputs: CanslimInputs): CanslimScore {
  const f = inputs.fundamentals;
  const components: Record<CanslimLetter, number | null> = {
    C: growthComponent(f?.epsGrowthQuarterlyPct),
    A: growthComponent(f?.epsGrowthAnnualPct),
    N: nearHighComponent(inputs.price, inputs.high52w),
    S: supplyDemandComponent(inputs.upDownVolumeRatio50, inputs.relativeVolume, inputs.changePct),
    L: inputs.rsRating >= 1 ? inputs.rsRating / 99 : null,
    M: inputs.market?.defined ? clamp01(inputs.market.score) : null,
  };
  let weighted = 0;
  let present = 0;
  let total = 0;
  for (const letter of Object.keys(CANSLIM_WEIGHTS) as CanslimLetter[]) {
    const w = CANSLIM_WEIGHTS[letter];
    total += w;
    const c = components[letter];
    if (c === null) continue;
    weighted += w * c;
    present += w;
  }
  return {
    score: present > 0 ? (100 * weighted) / present : null,
    confidence: Math.round((present / total) * 1e12) / 1e12,
    components,
  };
}

/** C and A: EPS growth in percent → 0..1 (0 at ≤ 0%, 1 at ≥ 50%). */
export function growthComponent(growthPct: number | undefined): number | null {
  return growthPct === undefined || !Number.isFinite(growthPct) ? null : clamp01(growthPct / 50);
}

/** N: 0 at 25% or more below the 52-week high, 1 within 5% of it, linear between. */
export function nearHighComponent(price: number, high52w: number | null): number | null {
  if (high52w === null || !(high52w > 0) || !Number.isFinite(price)) return null;
  return clamp01((price / high52w - 0.75) / 0.2);
}

/** S: 0.7 · up/down-volume part + 0.3 · last-day volume part (see the module doc). */
export function supplyDemandComponent(
  upDownVolumeRatio: number | null,
  relativeVolume: number | null,
  changePct: number | null,
): number | null {
  if (upDownVolumeRatio === null || relativeVolume === null || changePct === null) return null;
  const accumulation = clamp01((upDownVolumeRatio - 0.5) / 1.0);
  const direction = changePct > 0 ? 1 : changePct < 0 ? -1 : 0;
  const lastDay = clamp01(0.5 + (direction * (relativeVolume - 1)) / 0.8);
  return 0.7 * accumulation + 0.3 * lastDay;
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}
