import { PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import type { ClockMove, ClockState } from "./clock.ts";
import { mergeConfig, parseConfigPatch, type SimulatorConfig, type SimulatorConfigPatch } from "./config.ts";
import type { MarketModel } from "./market-model.ts";
import { Outages } from "./outage.ts";
import { hash4, RandomStream } from "./prng.ts";
import { alpacaProvider } from "./providers/alpaca.ts";
import { alphaVantageProvider } from "./providers/alphavantage.ts";
import { fmpProvider } from "./providers/fmp.ts";
import { polygonProvider } from "./providers/polygon.ts";
import type { ProviderEnv, SimProvider } from "./providers/provider.ts";
import { yahooProvider } from "./providers/yahoo.ts";
import { SlidingWindowLimiter } from "./rate-limiter.ts";
import { RenderCache } from "./render-cache.ts";
import { RequestLog } from "./request-log.ts";

/**
 * Everything one running simulator holds, shared by the parts that answer
 * requests: the provider routes, the admin API, prerendering, delivery. Each
 * of them reads and changes it here, so that, say, a new admin endpoint is a
 * function of this state and nothing else.
 */

/* Stream numbers of the seeded draws, one stream per provider for each use. */
const STREAM_LATENCY = 0x6c6174;
const STREAM_FAULT = 0x666c74;
const STREAM_REQUEST_ID = 0x726964;

export interface SimulatorStateOptions {
  model: MarketModel;
  /** The behaviour to start with, already validated. */
  config: SimulatorConfig;
  requestLogLimit: number;
  renderCacheBytes: number;
}

export class SimulatorState {
  readonly model: MarketModel;
  /** The current behaviour; replaced (never changed in place) by `configure`. */
  config: SimulatorConfig;
  readonly log: RequestLog;
  readonly renderCache: RenderCache;
  readonly limiters: Record<ProviderName, SlidingWindowLimiter>;
  readonly latencyStreams: Record<ProviderName, RandomStream>;
  readonly faultStreams: Record<ProviderName, RandomStream>;
  /** Providers down for a while (`POST /_sim/outage`): every request to them fails. */
  readonly outages = new Outages();
  /** The providers answering live requests; their error answers draw request ids of the live sequence. */
  readonly providers: Record<ProviderName, SimProvider>;
  /** The same providers for prerendering: an error answer they make draws no request id of the live sequence. */
  readonly quietProviders: Record<ProviderName, SimProvider>;
  /** Requests waiting out their latency or held by a timeout fault: how to drop each one. */
  readonly inFlight = new Set<() => void>();
  /** Base URL once listening, e.g. `http://127.0.0.1:40123`. */
  url = "";
  /** Set by close: long work (a prerender) stops at its next step. */
  closed = false;
  private requestCounter = 0;

  constructor(options: SimulatorStateOptions) {
    this.model = options.model;
    this.config = options.config;
    this.log = new RequestLog(options.requestLogLimit);
    this.renderCache = new RenderCache(options.renderCacheBytes);
    this.limiters = perProvider(() => new SlidingWindowLimiter());
    this.latencyStreams = perProvider((_, i) => new RandomStream(this.model.seed, STREAM_LATENCY + i));
    this.faultStreams = perProvider((_, i) => new RandomStream(this.model.seed, STREAM_FAULT + i));
    this.providers = this.providersWith(() => this.nextRequestId());
    this.quietProviders = this.providersWith(() => "0".repeat(32));
  }

  /** Base URL per provider, to put in TICKERFLEET_<P>_URL. */
  get urls(): Record<ProviderName, string> {
    return perProvider((p) => `${this.url}/${p}`);
  }

  /** The next request id of the live sequence: 32 hex digits, drawn from the seed. */
  nextRequestId(): string {
    const n = this.requestCounter++;
    let id = "";
    for (let k = 0; k < 4; k++)
      id += hash4(this.model.seed, STREAM_REQUEST_ID, n, k).toString(16).padStart(8, "0");
    return id;
  }

  /** Validates and applies a change (throws ValidationError naming bad fields); a new rateLimit resets that provider's counters. */
  configure(patch: SimulatorConfigPatch): SimulatorConfig {
    const valid = parseConfigPatch(patch);
    this.config = mergeConfig(this.config, valid);
    // Answers depend on no config today; dropped all the same, so that none outlives a change.
    this.renderCache.clear();
    for (const provider of PROVIDERS)
      if (valid[provider]?.rateLimit !== undefined) this.limiters[provider].reset();
    return this.config;
  }

  /**
   * Moves the market's today (validated: throws ValidationError naming the problem) and drops
   * every rendered answer, each of which was as of the old today.
   */
  moveClock(move: ClockMove): ClockState {
    const before = this.model.asOfIndex;
    const clock = this.model.moveClock(move);
    if (this.model.asOfIndex !== before) this.renderCache.clear();
    return clock;
  }

  private providersWith(requestId: () => string): Record<ProviderName, SimProvider> {
    const envFor = (provider: ProviderName): ProviderEnv => {
      const state = this;
      return {
        model: coverageOf(this.model, () => this.config[provider].unknownSymbols),
        get baseUrl() {
          return `${state.url}/${provider}`;
        },
        config: () => this.config,
        requestId,
      };
    };
    return {
      yahoo: yahooProvider(envFor("yahoo")),
      fmp: fmpProvider(envFor("fmp")),
      polygon: polygonProvider(envFor("polygon")),
      alphavantage: alphaVantageProvider(envFor("alphavantage")),
      alpaca: alpacaProvider(envFor("alpaca")),
    };
  }
}

function perProvider<T>(make: (provider: ProviderName, index: number) => T): Record<ProviderName, T> {
  return Object.fromEntries(PROVIDERS.map((p, i) => [p, make(p, i)])) as Record<ProviderName, T>;
}

/**
 * The market as one provider covers it: the symbols its configuration says it does not carry
 * (`unknownSymbols`) are unknown to it, per ticker and in its whole-market answers alike. The
 * rest of the model is the same object's. Checked per call, so a configuration change applies
 * at once (it also drops rendered answers).
 */
function coverageOf(model: MarketModel, unknown: () => readonly string[]): MarketModel {
  const carried = (symbol: string) => {
    const list = unknown();
    return list.length === 0 || !list.includes(symbol);
  };
  return new Proxy(model, {
    get(target, property) {
      if (property === "has") return (symbol: string) => carried(symbol) && target.has(symbol);
      if (property === "profile")
        return (symbol: string) => (carried(symbol) ? target.profile(symbol) : undefined);
      if (property === "history")
        return (symbol: string, fromIndex?: number) =>
          carried(symbol) ? target.history(symbol, fromIndex) : undefined;
      if (property === "symbols")
        return function* () {
          for (const symbol of target.symbols()) if (carried(symbol)) yield symbol;
        };
      if (property === "forEachBarOn")
        return (iso: string, visit: Parameters<MarketModel["forEachBarOn"]>[1]) =>
          target.forEachBarOn(iso, (symbol, bar, p) => {
            if (carried(symbol)) visit(symbol, bar, p);
          });
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
