import { GRID_SIZE } from "./grid.ts";
import { normal, uniform } from "./prng.ts";
import { SECTORS } from "./universe.ts";

/**
 * The shared drivers of every simulated price: one market factor with
 * volatility regimes and one trending factor per GICS sector. Each is a
 * cumulative log return over the whole grid, computed once per seed (a few
 * hundred microseconds) and shared by all symbols.
 */
export interface MarketFactors {
  /** Cumulative market log return at each grid index (0 at the epoch). */
  readonly market: Float64Array;
  /** Cumulative log return of each sector (same order as SECTORS). */
  readonly sectors: readonly Float64Array[];
  /** 1 where the market is in its volatile regime. */
  readonly volatile: Uint8Array;
}

const STREAM_MARKET = 0x6d6b74;
const STREAM_SECTOR = 0x736563;

/** Regime parameters, per trading day. */
const CALM = { drift: 0.0007, vol: 0.0075 };
const VOLATILE = { drift: -0.0003, vol: 0.017 };
/** A sell-off: a volatile episode with a strongly negative drift. */
const DRAWDOWN_DRIFT = -0.0035;
const P_CALM_TO_VOLATILE = 0.008;
const P_VOLATILE_TO_CALM = 0.035;
const P_VOLATILE_IS_DRAWDOWN = 0.35;

const cache = new Map<number, MarketFactors>();

export function marketFactors(seed: number): MarketFactors {
  const cached = cache.get(seed);
  if (cached) return cached;

  const n = GRID_SIZE + 1;
  const market = new Float64Array(n);
  const volatile = new Uint8Array(n);
  let inVolatile = false;
  let inDrawdown = false;
  for (let t = 1; t < n; t++) {
    const switchDraw = uniform(seed, STREAM_MARKET, t, 1);
    if (inVolatile && switchDraw < P_VOLATILE_TO_CALM) {
      inVolatile = false;
      inDrawdown = false;
    } else if (!inVolatile && switchDraw < P_CALM_TO_VOLATILE) {
      inVolatile = true;
      inDrawdown = uniform(seed, STREAM_MARKET, t, 2) < P_VOLATILE_IS_DRAWDOWN;
    }
    const regime = inVolatile ? VOLATILE : CALM;
    let z = normal(seed, STREAM_MARKET, t, 3);
    // Fat tails: now and then a shock two to three times the regime's usual size.
    if (uniform(seed, STREAM_MARKET, t, 4) < 0.01) z *= 2.5;
    const drift = inDrawdown ? DRAWDOWN_DRIFT : regime.drift;
    market[t] = market[t - 1]! + drift + regime.vol * z;
    volatile[t] = inVolatile ? 1 : 0;
  }

  // Sectors: noise plus a slowly mean-reverting drift, so sectors lead and lag
  // for months at a time (sector rotation).
  const sectors = SECTORS.map((_, k) => {
    const path = new Float64Array(n);
    let drift = 0;
    for (let t = 1; t < n; t++) {
      drift = 0.995 * drift + 0.00005 * normal(seed, STREAM_SECTOR, k, t * 2);
      path[t] = path[t - 1]! + drift + 0.005 * normal(seed, STREAM_SECTOR, k, t * 2 + 1);
    }
    return path;
  });

  const factors = { market, sectors, volatile };
  cache.set(seed, factors);
  return factors;
}
