import type { IncomingMessage, ServerResponse } from "node:http";
import { isCalendarDate } from "../../core/days.ts";
import type { ClockMove } from "./clock.ts";
import type { SimulatorConfigPatch } from "./config.ts";
import { answerJsonCommand, MAX_ADMIN_BODY, sendJson } from "./http-json.ts";
import { parseOutage } from "./outage.ts";
import { prerender } from "./prerender.ts";
import type { PrerenderRequest } from "./render-cache.ts";
import type { SimulatorState } from "./state.ts";
import { findSymbols, SPLIT_FILTERS, type SymbolFilter, symbolInfo } from "./symbol-info.ts";
import { truthOf } from "./truth.ts";

/**
 * The simulator's own API, under `/_sim`: health, the request log, the
 * behaviour config, the body cache and prerendering, the clock, and ground
 * truth about the simulated symbols. One table of routes; an endpoint is one
 * entry.
 *
 * - `GET /_sim/health` → `{ status, seed, asOf, anchor, urls }` (asOf: today).
 * - `GET /_sim/clock` → `{ asOf, anchor }`; `POST /_sim/clock` with
 *   `{"advanceSessions": n}` (n ≥ 1 trading sessions forward) or
 *   `{"asOf": "YYYY-MM-DD"}` (any trading day from the anchor's first served
 *   day to the end of the simulated calendar, forward or back; a non-trading
 *   day means the trading day before it) moves today and answers the new
 *   `{ asOf, anchor }`; a bad body is a 400 naming the problem. Every
 *   provider answer is as of today: a split or dividend after it has not
 *   happened yet.
 * - `POST /_sim/outage` with `{"provider": "polygon", "mode": "5xx" | "hang", "seconds": N}`:
 *   every request to that provider fails that way for N seconds from now (`"seconds": 0` ends
 *   it; see outage.ts); answers `{ outages: [{ provider, mode, until, secondsLeft }] }`, as does
 *   `GET /_sim/outage`.
 * - `GET /_sim/truth/{SYMBOL}[?from=YYYY-MM-DD]` → `{ symbol, bars: [{ date,
 *   open, high, low, close, volume }] }`: every bar up to today, split- and
 *   dividend-adjusted as of today (see truth.ts); 404 for a symbol unknown
 *   or not listed by today.
 * - `GET /_sim/symbols/{SYMBOL}` → what the simulator knows about a symbol as
 *   of today (symbol-info.ts), including its `upcoming` split and dividend.
 * - `GET /_sim/symbols?...` → canonical symbols matching every condition given,
 *   directory order, listed by today:
 *   - `split=2:1|3:1|3:2|1:10|forward|reverse|any`: a split of that ratio or kind
 *     up to today (with `upcoming`, within the next `upcoming` sessions instead);
 *   - `dividend=true|false`: pays dividends or not (with `upcoming` and `true`, has
 *     an ex-date within the next `upcoming` sessions);
 *   - `upcoming=N`: look N sessions past today for `split` and `dividend=true`
 *     (needs one of them), e.g. `split=any&upcoming=5`, `dividend=true&upcoming=3`;
 *   - `ipo=true|false` (a recent IPO), `etf=true|false`, `limit=N` (default 100).
 */

/** A prerender request may list every symbol with its whole path. */
const MAX_PRERENDER_BODY = 32 << 20;

export interface AdminRequest {
  state: SimulatorState;
  url: URL;
  method: string;
  /** What a RegExp route's first group matched (still URI-encoded). */
  param: string;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface AdminRoute {
  /** The path exactly, or a pattern whose first group becomes `param`. */
  path: string | RegExp;
  /** The methods it answers. @default every method */
  methods?: readonly string[];
  handle(request: AdminRequest): void | Promise<void>;
}

/** Tried in order: the first route whose path and method match answers. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    path: "/_sim/health",
    handle: ({ state, res }) =>
      sendJson(res, 200, {
        status: "ok",
        seed: state.model.seed,
        asOf: state.model.asOf,
        anchor: state.model.anchor,
        urls: state.urls,
      }),
  },
  {
    path: "/_sim/clock",
    methods: ["POST"],
    handle: ({ state, req, res }) =>
      answerJsonCommand(req, res, "invalid clock move", MAX_ADMIN_BODY, (body) =>
        state.moveClock(body as ClockMove),
      ),
  },
  {
    path: "/_sim/clock",
    methods: ["GET"],
    handle: ({ state, res }) => sendJson(res, 200, state.model.clock()),
  },
  {
    path: "/_sim/outage",
    methods: ["POST"],
    handle: ({ state, req, res }) =>
      answerJsonCommand(req, res, "invalid outage", MAX_ADMIN_BODY, (body) => ({
        outages: state.outages.set(parseOutage(body)),
      })),
  },
  {
    path: "/_sim/outage",
    methods: ["GET"],
    handle: ({ state, res }) => sendJson(res, 200, { outages: state.outages.list() }),
  },
  { path: /^\/_sim\/truth\/(.+)$/, methods: ["GET"], handle: truth },
  {
    path: "/_sim/requests",
    methods: ["DELETE"],
    handle: ({ state, res }) => {
      state.log.clear();
      res.writeHead(204).end();
    },
  },
  { path: "/_sim/requests", handle: listRequests },
  { path: "/_sim/render-cache", handle: ({ state, res }) => sendJson(res, 200, state.renderCache.stats()) },
  {
    path: "/_sim/prerender",
    methods: ["POST"],
    handle: ({ state, req, res }) =>
      answerJsonCommand(req, res, "invalid prerender request", MAX_PRERENDER_BODY, (body) =>
        prerender(state, body as PrerenderRequest),
      ),
  },
  {
    path: "/_sim/config",
    methods: ["POST", "PATCH"],
    handle: ({ state, req, res }) =>
      answerJsonCommand(req, res, "invalid simulator config", MAX_ADMIN_BODY, (body) =>
        state.configure(body as SimulatorConfigPatch),
      ),
  },
  { path: "/_sim/config", handle: ({ state, res }) => sendJson(res, 200, state.config) },
  { path: /^\/_sim\/symbols\/(.+)$/, handle: symbolInfoRoute },
  { path: "/_sim/symbols", handle: findSymbolsRoute },
];

/** Answers a `/_sim/...` request from the first matching route, or 404 naming what was asked. */
export async function handleAdminRequest(
  state: SimulatorState,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(path, "http://simulator.invalid");
  const method = req.method ?? "GET";
  for (const route of ADMIN_ROUTES) {
    if (route.methods && !route.methods.includes(method)) continue;
    const param = matchPath(route.path, url.pathname);
    if (param === undefined) continue;
    await route.handle({ state, url, method, param, req, res });
    return;
  }
  sendJson(res, 404, { error: `no such simulator endpoint: ${method} ${url.pathname}` });
}

/** "" for an exact match, the first group for a pattern, undefined for no match. */
function matchPath(route: string | RegExp, pathname: string): string | undefined {
  if (typeof route === "string") return route === pathname ? "" : undefined;
  const match = route.exec(pathname);
  return match ? (match[1] ?? "") : undefined;
}

/** The request log, all of it or `?since=<epoch ms>`. */
function listRequests({ state, url, res }: AdminRequest): void {
  const since = url.searchParams.get("since");
  if (since !== null && !Number.isFinite(Number(since))) {
    sendJson(res, 400, {
      error: "invalid since",
      problems: [`since: expected epoch milliseconds, got ${since}`],
    });
    return;
  }
  sendJson(res, 200, since === null ? state.log.all() : state.log.since(Number(since)));
}

/** A canonical symbol from a path segment, or undefined for a malformed escape. */
function decodedSymbol(param: string): string | undefined {
  try {
    return decodeURIComponent(param);
  } catch {
    return undefined;
  }
}

/** Ground truth about one symbol (sector, IPO, splits, dividends), or 404. */
function symbolInfoRoute({ state, param, res }: AdminRequest): void {
  const symbol = decodedSymbol(param);
  const info = symbol === undefined ? undefined : symbolInfo(state.model, symbol);
  if (info) sendJson(res, 200, info);
  else sendJson(res, 404, { error: `unknown symbol ${param}` });
}

/** The simulator's adjusted series of one symbol as of today, or 404. */
function truth({ state, param, url, res }: AdminRequest): void {
  const from = url.searchParams.get("from");
  if (from !== null && !isCalendarDate(from)) {
    sendJson(res, 400, {
      error: "invalid truth query",
      problems: [`from: expected YYYY-MM-DD, got ${from}`],
    });
    return;
  }
  const symbol = decodedSymbol(param);
  const series = symbol === undefined ? undefined : truthOf(state.model, symbol, from ?? undefined);
  if (series) sendJson(res, 200, series);
  else sendJson(res, 404, { error: `unknown symbol ${param}` });
}

/** Symbols matching the query (see the list at the top of this file). */
function findSymbolsRoute({ state, url, res }: AdminRequest): void {
  const q = url.searchParams;
  const problems: string[] = [];
  const bool = (name: string): boolean | undefined => {
    const value = q.get(name);
    if (value === null) return undefined;
    if (value !== "true" && value !== "false") problems.push(`${name}: expected true or false, got ${value}`);
    return value === "true";
  };
  const count = (name: string): number | undefined => {
    const value = q.get(name);
    if (value === null) return undefined;
    const n = Number(value);
    if (!(Number.isInteger(n) && n > 0)) problems.push(`${name}: expected a positive integer, got ${value}`);
    return n;
  };
  const split = q.get("split");
  if (split !== null && !(SPLIT_FILTERS as readonly string[]).includes(split)) {
    problems.push(`split: expected one of ${SPLIT_FILTERS.join(", ")}, got ${split}`);
  }
  const filter: SymbolFilter = {
    ...(split !== null ? { split: split as SymbolFilter["split"] } : {}),
    ...(q.has("ipo") ? { ipo: bool("ipo") } : {}),
    ...(q.has("etf") ? { etf: bool("etf") } : {}),
    ...(q.has("dividend") ? { dividend: bool("dividend") } : {}),
    ...(q.has("upcoming") ? { upcoming: count("upcoming") } : {}),
    limit: count("limit") ?? 100,
  };
  if (filter.upcoming !== undefined && filter.split === undefined && filter.dividend !== true) {
    problems.push("upcoming: looks ahead for split or dividend=true; give one of them");
  }
  if (problems.length) {
    sendJson(res, 400, { error: "invalid symbol query", problems });
    return;
  }
  sendJson(res, 200, findSymbols(state.model, filter));
}
