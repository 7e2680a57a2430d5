import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimulatorConfigPatch } from "./config.ts";
import { answerJsonCommand, MAX_ADMIN_BODY, sendJson } from "./http-json.ts";
import type { SymbolFilter } from "./market-model.ts";
import { prerender } from "./prerender.ts";
import type { PrerenderRequest } from "./render-cache.ts";
import type { SimulatorState } from "./state.ts";

/**
 * The simulator's own API, under `/_sim`: health, the request log, the
 * behaviour config, the body cache and prerendering, and ground truth about
 * the simulated symbols. One table of routes; an endpoint is one entry.
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
      sendJson(res, 200, { status: "ok", seed: state.model.seed, asOf: state.model.asOf, urls: state.urls }),
  },
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
  { path: /^\/_sim\/symbols\/(.+)$/, handle: symbolInfo },
  { path: "/_sim/symbols", handle: findSymbols },
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

/** Ground truth about one symbol (sector, IPO, splits, dividends), or 404. */
function symbolInfo({ state, param, res }: AdminRequest): void {
  const info = state.model.info(decodeURIComponent(param));
  if (info) sendJson(res, 200, info);
  else sendJson(res, 404, { error: `unknown symbol ${param}` });
}

/** Symbols matching `?split=2:1|3:1|1:10|any&ipo=&etf=&dividend=&limit=` (default 100). */
function findSymbols({ state, url, res }: AdminRequest): void {
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
    state.model.findSymbols({
      ...(split ? { split: split as SymbolFilter["split"] } : {}),
      ...(q.has("ipo") ? { ipo: bool("ipo") } : {}),
      ...(q.has("etf") ? { etf: bool("etf") } : {}),
      ...(q.has("dividend") ? { dividend: bool("dividend") } : {}),
      limit: limit === null ? 100 : Number(limit),
    }),
  );
}
