import { fromProviderSymbol } from "../../../core/symbols.ts";
import type { RateLimit } from "../config.ts";
import { lastIndexOnOrBefore } from "../grid.ts";
import type { MarketModel } from "../market-model.ts";
import {
  gatewayErrorAnswer,
  type ParsedRequest,
  type ProviderEnv,
  type RespondOptions,
  renderedAnswer,
  type SimAnswer,
  type SimProvider,
} from "./provider.ts";
import { buildChart, type ChartParts, VALID_RANGES } from "./yahoo-chart.ts";
import { firstDayStampedAtOrAfter } from "./yahoo-timestamps.ts";

/**
 * Yahoo's chart API: `GET /v8/finance/chart/{symbol}?interval=1d&range=2y`
 * or `&period1=<epoch s>&period2=<epoch s>`, `events=div|split` to add
 * dividends and splits. Shapes follow captured responses (yahoo-finance2's
 * test fixtures): `chart.result[0]` with `meta`, `timestamp[]` (09:30 New
 * York of each day, epoch seconds), `indicators.quote[0]` arrays and
 * `indicators.adjclose[0].adjclose` (the body: yahoo-chart.ts). This file
 * reads the request (route, symbol, days, extras). Unknown symbols:
 * 404 `{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}`.
 * Over the limit: 429 with the edge's plain text (or JSON, configurable).
 */

const JSON_TYPE = "application/json;charset=utf-8";

function chartError(
  status: number,
  code: string,
  description: string,
  outcome: SimAnswer["outcome"],
): SimAnswer {
  return {
    status,
    body: JSON.stringify({ chart: { result: null, error: { code, description } } }),
    contentType: JSON_TYPE,
    outcome,
  };
}

const notFound = () => chartError(404, "Not Found", "No data found, symbol may be delisted", "not-found");
const badRequest = (description: string) => chartError(400, "Bad Request", description, "bad-request");

/** The grid days a request selects, [from, end) as grid indexes, or its error answer. */
function selectDays(params: URLSearchParams, model: MarketModel): [number, number] | SimAnswer {
  const end = model.asOfIndex + 1;
  const period1 = params.get("period1");
  const period2 = params.get("period2");
  if (period1 !== null || period2 !== null) {
    const from = period1 === null ? 0 : Number(period1);
    const to = period2 === null ? Number.POSITIVE_INFINITY : Number(period2);
    if (!Number.isFinite(from) || Number.isNaN(to)) {
      return badRequest(`Invalid input - period1=${period1}, period2=${period2} must be epoch seconds`);
    }
    if (to < from) {
      return badRequest(
        `Invalid input - start date cannot be after end date. startDate = ${from}, endDate = ${to}`,
      );
    }
    return [firstDayStampedAtOrAfter(from, end), Math.min(end, firstDayStampedAtOrAfter(to, end))];
  }
  const range = params.get("range") ?? "1mo";
  if (!VALID_RANGES.includes(range)) {
    return badRequest(
      `Invalid input - range=${range} is not supported. Valid ranges: ${VALID_RANGES.join(", ")}`,
    );
  }
  if (range === "max" || range === "10y") return [0, end];
  if (range === "1d" || range === "5d") return [end - Number(range[0]), end];
  let cutoff: string;
  if (range === "ytd") {
    cutoff = `${Number(model.asOf.slice(0, 4)) - 1}-12-31`;
  } else {
    const months = range.endsWith("mo") ? Number(range.slice(0, -2)) : Number(range.slice(0, -1)) * 12;
    const d = new Date(`${model.asOf}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - months);
    cutoff = d.toISOString().slice(0, 10);
  }
  return [lastIndexOnOrBefore(cutoff) + 1, end];
}

/** The `range` a chart's meta reports: the requested one, or "" for period1/period2. */
function metaRange(params: URLSearchParams): string {
  return params.get("period1") !== null || params.get("period2") !== null
    ? ""
    : (params.get("range") ?? "1mo");
}

/** The extras asked for: `events=div|split`, and adjclose unless `includeAdjustedClose=false`. */
function chartParts(params: URLSearchParams): ChartParts {
  const events = params.get("events") ?? "";
  return {
    dividends: events.includes("div"),
    splits: events.includes("split"),
    adjclose: params.get("includeAdjustedClose") !== "false",
  };
}

export function yahooProvider(env: ProviderEnv): SimProvider {
  return {
    name: "yahoo",

    parse(url: URL): ParsedRequest | SimAnswer {
      const match = /^\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
      if (!match) return notFound();
      let requested: string;
      try {
        requested = decodeURIComponent(match[1]!).toUpperCase();
      } catch {
        return notFound();
      }
      const interval = url.searchParams.get("interval") ?? "1d";
      if (interval !== "1d") {
        return badRequest(
          `Invalid input - interval=${interval} is not supported by the simulator. Valid intervals: [1d]`,
        );
      }
      const canonical = fromProviderSymbol(requested, "yahoo");
      const symbol = canonical !== undefined && env.model.has(canonical) ? canonical : null;
      if (symbol === null) return { key: null, symbol, respond: () => notFound() };
      const params = url.searchParams;
      const selected = selectDays(params, env.model);
      if (!Array.isArray(selected)) return { key: null, symbol, respond: () => selected };
      const [fromIndex, endIndex] = selected;
      const range = metaRange(params);
      const parts = chartParts(params);
      const chart = (options: RespondOptions): SimAnswer => {
        // One bar before the selection (chartPreviousClose) and a year (52-week range) at least.
        const series = env.model.history(symbol, Math.min(fromIndex - 1, env.model.asOfIndex - 251));
        if (!series) return notFound();
        const first = Math.min(series.length, Math.max(0, fromIndex - series.startIndex));
        const end = Math.min(series.length, Math.max(first, endIndex - series.startIndex));
        return {
          status: 200,
          body: buildChart(
            {
              series,
              yahooSymbol: requested,
              first,
              end,
              range,
              parts,
              asOf: env.model.asOf,
              firstTradeIndex: env.model.firstIndexOf(series.profile),
            },
            options,
          ),
          contentType: JSON_TYPE,
          outcome: "ok",
        };
      };
      return {
        key: null,
        symbol,
        respond: chart,
        // Everything the chart depends on: the spelling asked for, the days, and the extras.
        renderKey: JSON.stringify([
          requested,
          fromIndex,
          endIndex,
          range,
          parts.dividends,
          parts.splits,
          parts.adjclose,
        ]),
        render() {
          const answer = chart({});
          return renderedAnswer(answer, [answer.body]);
        },
      };
    },

    unauthorized() {
      // Yahoo's chart API takes no key; nothing to reject.
      return notFound();
    },

    rateLimited(_key: string | null, _rule: RateLimit): SimAnswer {
      if (env.config().yahoo.rateLimitBody === "json") {
        return chartError(429, "Too Many Requests", "Rate limited. Try after a while.", "rate-limited");
      }
      return {
        status: 429,
        body: "Edge: Too Many Requests",
        contentType: "text/plain;charset=utf-8",
        outcome: "rate-limited",
      };
    },

    serverError: gatewayErrorAnswer,
  };
}
