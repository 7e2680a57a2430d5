/**
 * The market simulator: an HTTP server that answers as Yahoo's chart API,
 * Financial Modeling Prep, Polygon/Massive, Alpha Vantage and Alpaca do, with
 * deterministic synthetic data and configurable latency, rate limits and
 * faults. Tests, benchmarks and `tickerfleet scan --local` run against it.
 */

export type { ClockMove, ClockState } from "./clock.ts";
export type {
  AlphaVantageBehaviour,
  FaultKind,
  FaultRatios,
  FmpBehaviour,
  LatencyDistribution,
  ProviderBehaviour,
  RateLimit,
  SimulatorConfig,
  SimulatorConfigPatch,
  YahooBehaviour,
} from "./config.ts";
export { defaultConfig, FAULT_KINDS, parseConfigPatch } from "./config.ts";
export { parseLatency } from "./latency.ts";
export type { PrerenderRequest, PrerenderResult, RenderCacheStats } from "./render-cache.ts";
export { DEFAULT_RENDER_CACHE_BYTES } from "./render-cache.ts";
export type { SimOutcome, SimRequestLog } from "./request-log.ts";
export { maxRequestsInAnyWindow } from "./request-log.ts";
export type { Simulator, SimulatorOptions } from "./server.ts";
export { startMarketSimulator } from "./server.ts";
export { combinePatches, parseLatencySpec, parseRateLimitSpec, parseWindow } from "./spec.ts";
export type { SimSplitInfo, SimSymbolInfo, SymbolFilter } from "./symbol-info.ts";
export type { Truth, TruthBar } from "./truth.ts";
