import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ValidationError } from "../../core/errors.ts";
import { isProviderName, PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import { toProviderSymbol } from "../../core/symbols.ts";
import { lastTradingDayOnOrBefore } from "../../core/trading-calendar.ts";
import {
  defaultConfig,
  FAULT_KINDS,
  type FaultKind,
  mergeConfig,
  parseConfigPatch,
  rateLimitWindows,
  type SimulatorConfig,
  type SimulatorConfigPatch,
} from "./config.ts";
import { sampleLatency } from "./latency.ts";
import { MarketModel, type SimSymbolInfo, type SymbolFilter } from "./market-model.ts";
import { hash4, RandomStream } from "./prng.ts";
import { alphaVantageProvider } from "./providers/alphavantage.ts";
import { fmpProvider } from "./providers/fmp.ts";
import { polygonProvider } from "./providers/polygon.ts";
import {
  answerFrom,
  isAnswer,
  type ParsedRequest,
  type ProviderEnv,
  type SimAnswer,
  type SimProvider,
} from "./providers/provider.ts";
import { yahooProvider } from "./providers/yahoo.ts";
import { SlidingWindowLimiter } from "./rate-limiter.ts";
import {
  DEFAULT_RENDER_CACHE_BYTES,
  type PrerenderRequest,
  type PrerenderResult,
  parsePrerenderRequest,
  RenderCache,
  type RenderCacheStats,
} from "./render-cache.ts";
import { keyIdOf, nowMs, RequestLog, redactPath, type SimRequestLog } from "./request-log.ts";

export interface SimulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** Seed of all generated data and of latency/fault draws. @default 42 */
  seed?: number;
  /**
   * Last trading day with data (ISO). A non-trading day means the trading day before it.
   * @default the last trading day on or before today (UTC)
   */
  asOf?: string;
  /** Behaviour to start with, merged over the defaults (no limits, no latency, no faults). */
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
  /** The last trading day with data. */
  readonly asOf: string;
  /** Every request so far (up to the log limit), in arrival order. */
  requests(): readonly SimRequestLog[];
  clearRequests(): void;
  /** Validates and applies a change (throws ValidationError naming bad fields). A new rateLimit resets that provider's counters. */
  configure(patch: SimulatorConfigPatch): void;
  /** The current behaviour (a snapshot; change it with configure). */
  readonly config: SimulatorConfig;
  /** Ground truth about a simulated symbol (sector, IPO, splits, dividends), or undefined if unknown. */
  symbolInfo(symbol: string): SimSymbolInfo | undefined;
  /** Canonical symbols matching a filter, e.g. `{ split: "2:1", limit: 1 }`. */
  findSymbols(filter: SymbolFilter): string[];
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

const STREAM_LATENCY = 0x6c6174;
const STREAM_FAULT = 0x666c74;
const STREAM_REQUEST_ID = 0x726964;
const MAX_ADMIN_BODY = 1 << 20;
/** A prerender request may list every symbol with its whole path. */
const MAX_PRERENDER_BODY = 32 << 20;
/** A prerender gives way to live requests this often. */
const PRERENDER_SLICE_MS = 20;

function defaultAsOf(): string {
  return lastTradingDayOnOrBefore(new Date().toISOString().slice(0, 10));
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit = MAX_ADMIN_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ValidationError("request body", [`larger than ${limit} bytes`]);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads a JSON body, runs `act` on it and answers its result; a body that is not JSON, or that
 * `act` rejects with a ValidationError, is answered 400 with the problems named.
 */
async function answerJsonCommand(
  req: IncomingMessage,
  res: ServerResponse,
  what: string,
  maxBytes: number,
  act: (body: unknown) => unknown,
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, maxBytes));
  } catch (error) {
    const problem = error instanceof ValidationError ? error.problems.join("; ") : "body is not valid JSON";
    sendJson(res, 400, { error: what, problems: [problem] });
    return;
  }
  try {
    sendJson(res, 200, await act(body));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    sendJson(res, 400, { error: error.message, problems: error.problems });
  }
}

/**
 * Starts the market simulator: one HTTP server answering as Yahoo's chart
 * API (`/yahoo`), FMP (`/fmp`), Polygon (`/polygon`) and Alpha Vantage
 * (`/alphavantage`) do, with deterministic synthetic data, and `/_sim/*`
 * for the request log, the behaviour config, health, and the body cache
 * (`GET /_sim/render-cache` its counters, `POST /_sim/prerender` a
 * PrerenderRequest to render ahead of time).
 */
export async function startMarketSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? 42;
  const model = new MarketModel({
    seed,
    asOf: options.asOf ?? defaultAsOf(),
    historyYears: options.historyYears ?? 5,
    cacheSymbols: options.cacheSymbols ?? 512,
  });
  let config = options.config
    ? mergeConfig(defaultConfig(), parseConfigPatch(options.config))
    : defaultConfig();
  const log = new RequestLog(options.requestLogLimit ?? 200_000);
  const renderCache = new RenderCache(options.renderCacheBytes ?? DEFAULT_RENDER_CACHE_BYTES);
  const limiters = Object.fromEntries(PROVIDERS.map((p) => [p, new SlidingWindowLimiter()])) as Record<
    ProviderName,
    SlidingWindowLimiter
  >;
  const latencyStreams = Object.fromEntries(
    PROVIDERS.map((p, i) => [p, new RandomStream(model.seed, STREAM_LATENCY + i)]),
  ) as Record<ProviderName, RandomStream>;
  const faultStreams = Object.fromEntries(
    PROVIDERS.map((p, i) => [p, new RandomStream(model.seed, STREAM_FAULT + i)]),
  ) as Record<ProviderName, RandomStream>;
  /** Requests waiting out their latency or held by a timeout fault: how to drop each one. */
  const inFlight = new Set<() => void>();
  let requestCounter = 0;
  let url = "";

  const requestId = (): string => {
    const n = requestCounter++;
    let id = "";
    for (let k = 0; k < 4; k++)
      id += hash4(model.seed, STREAM_REQUEST_ID, n, k).toString(16).padStart(8, "0");
    return id;
  };
  const envFor = (provider: ProviderName, nextRequestId: () => string): ProviderEnv => ({
    model,
    get baseUrl() {
      return `${url}/${provider}`;
    },
    config: () => config,
    requestId: nextRequestId,
  });
  const providersWith = (nextRequestId: () => string): Record<ProviderName, SimProvider> => ({
    yahoo: yahooProvider(envFor("yahoo", nextRequestId)),
    fmp: fmpProvider(envFor("fmp", nextRequestId)),
    polygon: polygonProvider(envFor("polygon", nextRequestId)),
    alphavantage: alphaVantageProvider(envFor("alphavantage", nextRequestId)),
  });
  const providers = providersWith(requestId);
  /** The same providers for prerendering: an error answer they make draws no request id of the live sequence. */
  const quietProviders = providersWith(() => "0".repeat(32));
  let closed = false;

  /** The answer respond({}) gives, from the body cache when the request is cacheable. */
  function plainAnswer(provider: ProviderName, parsed: ParsedRequest): SimAnswer {
    if (parsed.renderKey === undefined || !parsed.render) return parsed.respond({});
    return answerFrom(renderCache.answer(provider, parsed.renderKey, parsed.render), requestId);
  }

  async function prerender(input: PrerenderRequest): Promise<PrerenderResult> {
    const request = parsePrerenderRequest(input);
    const { provider } = request;
    const spell = (symbol: string): string | null => {
      try {
        return encodeURIComponent(toProviderSymbol(symbol, provider));
      } catch {
        return null; // not a canonical symbol: nothing the provider could be asked for
      }
    };
    const paths: (string | null)[] =
      request.paths ??
      request.symbols!.map((symbol) => {
        const spelled = spell(symbol);
        return spelled === null ? null : request.path!.replaceAll("{symbol}", spelled);
      });
    const startMs = performance.now();
    const result: Omit<PrerenderResult, "ms" | "cache"> = {
      requests: paths.length,
      rendered: 0,
      alreadyCached: 0,
      notCacheable: 0,
      renderedBytes: 0,
    };
    let sliceStart = performance.now();
    for (const path of paths) {
      if (closed) break;
      if (performance.now() - sliceStart > PRERENDER_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      let parsed: ParsedRequest | SimAnswer | null = null;
      try {
        if (path !== null)
          parsed = quietProviders[provider].parse(new URL(path, "http://simulator.invalid"), {});
      } catch {
        // A path the live server would answer with a 500 (say, a malformed escape): nothing to keep.
      }
      if (
        !renderCache.enabled ||
        parsed === null ||
        isAnswer(parsed) ||
        parsed.renderKey === undefined ||
        !parsed.render
      ) {
        result.notCacheable++;
      } else if (renderCache.has(provider, parsed.renderKey)) {
        result.alreadyCached++;
      } else {
        const rendered = parsed.render();
        renderCache.put(provider, parsed.renderKey, rendered);
        result.rendered++;
        result.renderedBytes += rendered.size;
      }
    }
    return { ...result, ms: Math.round(performance.now() - startMs), cache: renderCache.stats() };
  }

  const configure = (patch: SimulatorConfigPatch): SimulatorConfig => {
    const valid = parseConfigPatch(patch);
    config = mergeConfig(config, valid);
    // Answers depend on no config today; dropped all the same, so that none outlives a change.
    renderCache.clear();
    for (const provider of PROVIDERS)
      if (valid[provider]?.rateLimit !== undefined) limiters[provider].reset();
    return config;
  };

  function decideFault(provider: ProviderName, symbol: string | null): FaultKind | undefined {
    const behaviour = config[provider];
    const forced = symbol !== null ? behaviour.faultSymbols[symbol] : undefined;
    let kind = forced;
    if (kind === undefined) {
      const total = FAULT_KINDS.reduce((sum, k) => sum + behaviour.faults[k], 0);
      if (total <= 0) return undefined;
      const u = faultStreams[provider].next();
      let acc = 0;
      for (const k of FAULT_KINDS) {
        acc += behaviour.faults[k];
        if (u < acc) {
          kind = k;
          break;
        }
      }
    }
    // Null quote entries are a Yahoo habit; the others have no such shape.
    if (kind === "nulls" && provider !== "yahoo") return undefined;
    return kind;
  }

  /** Sends `answer` after `delayMs`, shaped by the fault, and keeps the log entry up to date. */
  function deliver(
    req: IncomingMessage,
    res: ServerResponse,
    entry: SimRequestLog,
    answer: SimAnswer,
    delayMs: number,
    fault: FaultKind | undefined,
  ): void {
    res.on("close", () => {
      entry.endMs ??= nowMs();
    });
    entry.outcome = fault && fault !== "status5xx" ? `fault:${fault}` : answer.outcome;
    const send = () => {
      const socket = req.socket;
      if (socket.destroyed) return;
      if (fault === "timeout") {
        const drop = () => socket.destroy();
        const timer = setTimeout(drop, config.timeoutHoldMs);
        const release = () => {
          clearTimeout(timer);
          drop();
        };
        inFlight.add(release);
        res.on("close", () => {
          clearTimeout(timer);
          inFlight.delete(release);
        });
        return;
      }
      entry.status = answer.status;
      const headers: Record<string, string | number> = {
        "content-type": answer.contentType,
        ...answer.headers,
      };
      if (fault === "reset") {
        const body = typeof answer.body === "string" ? Buffer.from(answer.body, "utf8") : answer.body;
        headers["content-length"] = body.length;
        res.writeHead(answer.status, headers);
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => socket.destroy());
        return;
      }
      if (fault === "truncated") {
        const body = typeof answer.body === "string" ? Buffer.from(answer.body, "utf8") : answer.body;
        res.writeHead(answer.status, headers);
        res.end(body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
        return;
      }
      headers["content-length"] = Buffer.byteLength(answer.body, "utf8");
      res.writeHead(answer.status, headers);
      res.end(answer.body);
    };
    if (delayMs <= 0) {
      send();
      return;
    }
    const drop = () => {
      clearTimeout(timer);
      req.socket.destroy();
    };
    const timer = setTimeout(() => {
      inFlight.delete(drop);
      send();
    }, delayMs);
    inFlight.add(drop);
  }

  function handleProvider(
    provider: ProviderName,
    subPath: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const startMs = nowMs();
    const requestUrl = new URL(subPath, "http://simulator.invalid");
    const entry = log.add({
      provider,
      keyId: null,
      method: req.method ?? "GET",
      path: redactPath(requestUrl.pathname + requestUrl.search),
      symbol: null,
      status: null,
      outcome: "pending",
      startMs,
      endMs: null,
    });
    const behaviour = config[provider];
    const impl = providers[provider];
    const latency = sampleLatency(behaviour.latency, latencyStreams[provider]);
    const parsed = impl.parse(requestUrl, req.headers);
    if (isAnswer(parsed)) {
      deliver(req, res, entry, parsed, latency, undefined);
      return;
    }
    entry.symbol = parsed.symbol;
    if (typeof parsed.key === "string") entry.keyId = keyIdOf(parsed.key);
    if (parsed.key === undefined) {
      deliver(req, res, entry, impl.unauthorized("missing"), latency, undefined);
      return;
    }
    if (parsed.key !== null && behaviour.rejectedKeys.includes(parsed.key)) {
      deliver(req, res, entry, impl.unauthorized("rejected"), latency, undefined);
      return;
    }
    const rules = rateLimitWindows(behaviour.rateLimit);
    if (rules.length > 0) {
      const decision = limiters[provider].admit(parsed.key ?? "*", startMs, rules);
      if (!decision.accepted) {
        const answer = impl.rateLimited(parsed.key, decision.rule);
        if (behaviour.retryAfter) {
          answer.headers = {
            ...answer.headers,
            "retry-after": String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
          };
        }
        deliver(req, res, entry, answer, latency, undefined);
        return;
      }
    }
    const fault = decideFault(provider, parsed.symbol);
    let answer: SimAnswer;
    if (fault === "status5xx") {
      answer = impl.serverError(faultStreams[provider].next() < 0.5 ? 502 : 503);
    } else if (fault === "nulls") {
      const stream = faultStreams[provider];
      answer = parsed.respond({ nullBars: { draw: () => stream.next() } });
    } else {
      answer = plainAnswer(provider, parsed);
    }
    deliver(req, res, entry, answer, latency, fault);
  }

  async function handleAdmin(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(path, "http://simulator.invalid");
    const method = req.method ?? "GET";
    if (url.pathname === "/_sim/health") {
      sendJson(res, 200, { status: "ok", seed: model.seed, asOf: model.asOf, urls: simulator.urls });
      return;
    }
    if (url.pathname === "/_sim/requests") {
      if (method === "DELETE") {
        log.clear();
        res.writeHead(204).end();
        return;
      }
      const since = url.searchParams.get("since");
      if (since !== null && !Number.isFinite(Number(since))) {
        sendJson(res, 400, {
          error: "invalid since",
          problems: [`since: expected epoch milliseconds, got ${since}`],
        });
        return;
      }
      sendJson(res, 200, since === null ? log.all() : log.since(Number(since)));
      return;
    }
    if (url.pathname === "/_sim/render-cache") {
      sendJson(res, 200, renderCache.stats());
      return;
    }
    if (url.pathname === "/_sim/prerender" && method === "POST") {
      await answerJsonCommand(req, res, "invalid prerender request", MAX_PRERENDER_BODY, (body) =>
        prerender(body as PrerenderRequest),
      );
      return;
    }
    if (url.pathname === "/_sim/config") {
      if (method === "POST" || method === "PATCH") {
        await answerJsonCommand(req, res, "invalid simulator config", MAX_ADMIN_BODY, (body) =>
          configure(body as SimulatorConfigPatch),
        );
        return;
      }
      sendJson(res, 200, config);
      return;
    }
    const symbolPath = /^\/_sim\/symbols\/(.+)$/.exec(url.pathname);
    if (symbolPath) {
      const info = model.info(decodeURIComponent(symbolPath[1]!));
      if (info) sendJson(res, 200, info);
      else sendJson(res, 404, { error: `unknown symbol ${symbolPath[1]}` });
      return;
    }
    if (url.pathname === "/_sim/symbols") {
      const q = url.searchParams;
      const bool = (name: string) => (q.has(name) ? q.get(name) === "true" : undefined);
      const split = q.get("split");
      const limit = q.get("limit");
      const problems: string[] = [];
      if (split !== null && !["2:1", "3:1", "1:10", "any"].includes(split)) {
        problems.push(`split: expected 2:1, 3:1, 1:10 or any, got ${split}`);
      }
      if (limit !== null && !(Number.isInteger(Number(limit)) && Number(limit) > 0)) {
        problems.push(`limit: expected a positive integer, got ${limit}`);
      }
      if (problems.length) {
        sendJson(res, 400, { error: "invalid symbol query", problems });
        return;
      }
      sendJson(
        res,
        200,
        model.findSymbols({
          ...(split ? { split: split as SymbolFilter["split"] } : {}),
          ...(q.has("ipo") ? { ipo: bool("ipo") } : {}),
          ...(q.has("etf") ? { etf: bool("etf") } : {}),
          ...(q.has("dividend") ? { dividend: bool("dividend") } : {}),
          limit: limit === null ? 100 : Number(limit),
        }),
      );
      return;
    }
    sendJson(res, 404, { error: `no such simulator endpoint: ${method} ${url.pathname}` });
  }

  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const prefix = /^\/([^/?]+)/.exec(path)?.[1] ?? "";
    try {
      if (prefix === "_sim") {
        handleAdmin(path, req, res).catch((error: unknown) => {
          console.error("market simulator: admin request failed", error);
          if (!res.headersSent) sendJson(res, 500, { error: "internal simulator error" });
          else res.destroy();
        });
      } else if (isProviderName(prefix)) {
        handleProvider(prefix, path.slice(prefix.length + 1) || "/", req, res);
      } else {
        res
          .writeHead(404, { "content-type": "text/plain" })
          .end(`Not Found: expected /yahoo, /fmp, /polygon, /alphavantage or /_sim\n`);
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
  url = `http://${host}:${address.port}`;
  const urls = Object.fromEntries(PROVIDERS.map((p) => [p, `${url}/${p}`])) as Record<ProviderName, string>;

  let closing: Promise<void> | undefined;
  const simulator: Simulator = {
    url,
    urls,
    seed: model.seed,
    asOf: model.asOf,
    requests: () => log.all(),
    clearRequests: () => log.clear(),
    configure: (patch) => {
      configure(patch);
    },
    get config() {
      return structuredClone(config);
    },
    symbolInfo: (symbol) => model.info(symbol),
    findSymbols: (filter) => model.findSymbols(filter),
    prerender,
    renderCacheStats: () => renderCache.stats(),
    close() {
      closed = true;
      closing ??= new Promise<void>((resolve, reject) => {
        for (const drop of inFlight) drop();
        inFlight.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return simulator;
}
