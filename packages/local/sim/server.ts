import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { isProviderName, type ProviderName } from "../../core/market-data.port.ts";
import { lastTradingDayOnOrBefore } from "../../core/trading-calendar.ts";
import { handleAdminRequest } from "./admin.ts";
import type { ClockMove, ClockState } from "./clock.ts";
import {
  defaultConfig,
  mergeConfig,
  parseConfigPatch,
  type SimulatorConfig,
  type SimulatorConfigPatch,
} from "./config.ts";
import { sendJson } from "./http-json.ts";
import { MarketModel } from "./market-model.ts";
import { prerender } from "./prerender.ts";
import { handleProviderRequest } from "./provider-requests.ts";
import {
  DEFAULT_RENDER_CACHE_BYTES,
  type PrerenderRequest,
  type PrerenderResult,
  type RenderCacheStats,
} from "./render-cache.ts";
import type { SimRequestLog } from "./request-log.ts";
import { SimulatorState } from "./state.ts";
import { findSymbols, type SimSymbolInfo, type SymbolFilter, symbolInfo } from "./symbol-info.ts";
import { type Truth, truthOf } from "./truth.ts";

export interface SimulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Seed of all generated data and of latency/fault draws. @default 42 */
  seed?: number;
  /**
   * The anchor: the market's first today, the last trading day with data until the clock
   * moves (ISO; a non-trading day means the trading day before it). Recent IPOs and splits
   * are placed relative to it.
   * @default the last trading day on or before today (UTC)
   */
  asOf?: string;
  /** Behaviour to start with, merged over the defaults (no limits but Alpaca's 200 a minute, no latency, no faults). */
  config?: SimulatorConfigPatch;
  /** Years of daily history up to asOf. @default 5 */
  historyYears?: number;
  /** Generated histories kept in memory (about 100 KB each); others are regenerated on demand. @default 512 */
  cacheSymbols?: number;
  /** Request log entries kept (oldest dropped first). @default 200000 */
  requestLogLimit?: number;
  /**
   * Bytes of rendered answers kept (least recently used dropped first; all
   * dropped by `configure`): a repeated request is answered from them, after
   * the same rate limit, latency, faults and logging as any other. 0 turns the
   * cache off. @default 600 MiB
   */
  renderCacheBytes?: number;
}

export interface Simulator {
  /** Base URL of the server, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Base URL per provider, to put in TICKERFLEET_<P>_URL. */
  readonly urls: Record<ProviderName, string>;
  readonly seed: number;
  /** Today: the last trading day with data (moves with the clock). */
  readonly asOf: string;
  /** The starting today, which recent IPOs and splits are placed relative to. */
  readonly anchor: string;
  /** Moves today, like `POST /_sim/clock` (throws ValidationError naming a bad move). */
  moveClock(move: ClockMove): ClockState;
  /** Every request so far (up to the log limit), in arrival order. */
  requests(): readonly SimRequestLog[];
  clearRequests(): void;
  /** Validates and applies a change (throws ValidationError naming bad fields). A new rateLimit resets that provider's counters. */
  configure(patch: SimulatorConfigPatch): void;
  /** The current behaviour (a snapshot; change it with configure). */
  readonly config: SimulatorConfig;
  /** Ground truth about a simulated symbol as of today (sector, IPO, splits, dividends), or undefined if unknown. */
  symbolInfo(symbol: string): SimSymbolInfo | undefined;
  /** Canonical symbols matching a filter, e.g. `{ split: "2:1", limit: 1 }` or `{ split: "any", upcoming: 5 }`. */
  findSymbols(filter: SymbolFilter): string[];
  /** The symbol's split- and dividend-adjusted bars as of today, like `GET /_sim/truth/{symbol}`. */
  truth(symbol: string, from?: string): Truth | undefined;
  /**
   * Renders the answers to these requests into the body cache ahead of time,
   * so that serving them later costs a lookup: e.g. `{ provider: "yahoo",
   * path: "/v8/finance/chart/{symbol}?range=2y&interval=1d", symbols }`.
   * Touches no rate limit, request log, fault or latency draw and no request
   * id; yields to live requests as it goes. Resolves when done; throws
   * ValidationError for a malformed request. `configure` empties the cache:
   * prerender after configuring.
   */
  prerender(request: PrerenderRequest): Promise<PrerenderResult>;
  /** The body cache's size and hit counts. */
  renderCacheStats(): RenderCacheStats;
  /** Stops listening, drops held and delayed requests, closes every connection. */
  close(): Promise<void>;
}

function defaultAsOf(): string {
  return lastTradingDayOnOrBefore(new Date().toISOString().slice(0, 10));
}

/**
 * Starts the market simulator: one HTTP server answering as Yahoo's chart
 * API (`/yahoo`), FMP (`/fmp`), Polygon (`/polygon`), Alpha Vantage
 * (`/alphavantage`) and Alpaca's market data API (`/alpaca`) do, with deterministic synthetic data, and `/_sim/*`
 * for the request log, the behaviour config, health, the body cache
 * (`GET /_sim/render-cache` its counters, `POST /_sim/prerender` a
 * PrerenderRequest to render ahead of time), the clock (`/_sim/clock`) and
 * ground truth (`/_sim/truth/{symbol}`, `/_sim/symbols`). The parts live beside this
 * file and share one SimulatorState: provider-requests.ts (limits, faults,
 * latency via faults.ts and delivery.ts), admin.ts (the `/_sim` routes),
 * prerender.ts.
 */
export async function startMarketSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimulatorState({
    model: new MarketModel({
      seed: options.seed ?? 42,
      asOf: options.asOf ?? defaultAsOf(),
      historyYears: options.historyYears ?? 5,
      cacheSymbols: options.cacheSymbols ?? 512,
    }),
    config: options.config ? mergeConfig(defaultConfig(), parseConfigPatch(options.config)) : defaultConfig(),
    requestLogLimit: options.requestLogLimit ?? 200_000,
    renderCacheBytes: options.renderCacheBytes ?? DEFAULT_RENDER_CACHE_BYTES,
  });

  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const prefix = /^\/([^/?]+)/.exec(path)?.[1] ?? "";
    try {
      if (prefix === "_sim") {
        handleAdminRequest(state, path, req, res).catch((error: unknown) => {
          console.error("market simulator: admin request failed", error);
          if (!res.headersSent) sendJson(res, 500, { error: "internal simulator error" });
          else res.destroy();
        });
      } else if (isProviderName(prefix)) {
        handleProviderRequest(state, prefix, path.slice(prefix.length + 1) || "/", req, res);
      } else {
        res
          .writeHead(404, { "content-type": "text/plain" })
          .end(`Not Found: expected /yahoo, /fmp, /polygon, /alphavantage, /alpaca or /_sim\n`);
      }
    } catch (error) {
      console.error("market simulator: request failed", error);
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "text/plain" }).end("internal simulator error\n");
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  state.url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: state.url,
    urls: state.urls,
    seed: state.model.seed,
    get asOf() {
      return state.model.asOf;
    },
    anchor: state.model.anchor,
    moveClock: (move) => state.moveClock(move),
    requests: () => state.log.all(),
    clearRequests: () => state.log.clear(),
    configure: (patch) => {
      state.configure(patch);
    },
    get config() {
      return structuredClone(state.config);
    },
    symbolInfo: (symbol) => symbolInfo(state.model, symbol),
    findSymbols: (filter) => findSymbols(state.model, filter),
    truth: (symbol, from) => truthOf(state.model, symbol, from),
    prerender: (request) => prerender(state, request),
    renderCacheStats: () => state.renderCache.stats(),
    close() {
      state.closed = true;
      closing ??= new Promise<void>((resolve, reject) => {
        for (const drop of state.inFlight) drop();
        state.inFlight.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
