import { fromProviderSymbol } from "../../../core/symbols.ts";
import type { RateLimit } from "../config.ts";
import type { SimSeries } from "../price-path.ts";
import { pythonFloat, roundTo } from "./format.ts";
import {
  gatewayErrorAnswer,
  type ParsedRequest,
  type ProviderEnv,
  renderedAnswer,
  type SimAnswer,
  type SimProvider,
  windowPhrase,
} from "./provider.ts";

/**
 * Alpha Vantage: `GET /query?function=TIME_SERIES_DAILY&symbol=IBM&outputsize=compact|full&apikey=`
 * → `{"Meta Data": {...}, "Time Series (Daily)": {"2024-01-02": {"1. open": "160.0000", ...}}}`,
 * newest first, values as strings, prices as traded (not adjusted), compact =
 * the latest 100 days. `TIME_SERIES_DAILY_ADJUSTED` adds "5. adjusted close",
 * "7. dividend amount" and "8. split coefficient" (Python float spellings,
 * as in current responses). Bodies are pretty-printed with four spaces.
 * `datatype=csv` answers the CSV form. Every answer is HTTP 200: errors are
 * `{"Error Message": ...}` (missing key, unknown symbol) and the limit is
 * `{"Information": ...}` (or the older `{"Note": ...}`), as Alpha Vantage does.
 */

const JSON_TYPE = "application/json";
const COMPACT_DAYS = 100;
const MISSING_KEY =
  "the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.";

function jsonAnswer(value: Record<string, string>, outcome: SimAnswer["outcome"]): SimAnswer {
  return { status: 200, body: JSON.stringify(value, null, 4), contentType: JSON_TYPE, outcome };
}

function invalidCall(fn: string): SimAnswer {
  return jsonAnswer(
    {
      "Error Message": `Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for ${fn}.`,
    },
    "not-found",
  );
}

type Fn = "TIME_SERIES_DAILY" | "TIME_SERIES_DAILY_ADJUSTED";

function timeSeriesJson(fn: Fn, series: SimSeries, spelled: string, full: boolean, asOf: string): string {
  const adjusted = fn === "TIME_SERIES_DAILY_ADJUSTED";
  const first = full ? 0 : Math.max(0, series.length - COMPACT_DAYS);
  const meta = {
    "1. Information": adjusted
      ? "Daily Time Series with Splits and Dividend Events"
      : "Daily Prices (open, high, low, close) and Volumes",
    "2. Symbol": spelled,
    "3. Last Refreshed": asOf,
    "4. Output Size": full ? "Full size" : "Compact",
    "5. Time Zone": "US/Eastern",
  };
  const split = series.profile.split;
  const days: string[] = [];
  for (let i = series.length - 1; i >= first; i--) {
    const fields = adjusted
      ? [
          `"1. open": "${pythonFloat(series.open[i]!)}"`,
          `"2. high": "${pythonFloat(series.high[i]!)}"`,
          `"3. low": "${pythonFloat(series.low[i]!)}"`,
          `"4. close": "${pythonFloat(series.close[i]!)}"`,
          `"5. adjusted close": "${pythonFloat(roundTo((series.close[i]! / series.multiplier[i]!) * series.dividendFactor[i]!, 4))}"`,
          `"6. volume": "${series.volume[i]}"`,
          `"7. dividend amount": "${series.dividend[i]!.toFixed(4)}"`,
          `"8. split coefficient": "${
            split && split.index === series.startIndex + i
              ? pythonFloat(split.numerator / split.denominator)
              : "1.0"
          }"`,
        ]
      : [
          `"1. open": "${series.open[i]!.toFixed(4)}"`,
          `"2. high": "${series.high[i]!.toFixed(4)}"`,
          `"3. low": "${series.low[i]!.toFixed(4)}"`,
          `"4. close": "${series.close[i]!.toFixed(4)}"`,
          `"5. volume": "${series.volume[i]}"`,
        ];
    days.push(`        "${series.dates[i]}": {\n            ${fields.join(",\n            ")}\n        }`);
  }
  const metaJson = JSON.stringify(meta, null, 4).replace(/\n/g, "\n    ");
  return `{\n    "Meta Data": ${metaJson},\n    "Time Series (Daily)": {\n${days.join(",\n")}\n    }\n}`;
}

function timeSeriesCsv(fn: Fn, series: SimSeries, full: boolean): string {
  const adjusted = fn === "TIME_SERIES_DAILY_ADJUSTED";
  const first = full ? 0 : Math.max(0, series.length - COMPACT_DAYS);
  const split = series.profile.split;
  const lines = [
    adjusted
      ? "timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient"
      : "timestamp,open,high,low,close,volume",
  ];
  for (let i = series.length - 1; i >= first; i--) {
    const price = adjusted ? pythonFloat : (x: number) => x.toFixed(4);
    const base = `${series.dates[i]},${price(series.open[i]!)},${price(series.high[i]!)},${price(series.low[i]!)},${price(series.close[i]!)}`;
    if (!adjusted) {
      lines.push(`${base},${series.volume[i]}`);
      continue;
    }
    const adjClose = roundTo((series.close[i]! / series.multiplier[i]!) * series.dividendFactor[i]!, 4);
    const coefficient =
      split && split.index === series.startIndex + i ? split.numerator / split.denominator : 1;
    lines.push(
      `${base},${adjClose},${series.volume[i]},${series.dividend[i]!.toFixed(4)},${pythonFloat(coefficient)}`,
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

export function alphaVantageProvider(env: ProviderEnv): SimProvider {
  return {
    name: "alphavantage",

    parse(url: URL): ParsedRequest | SimAnswer {
      if (url.pathname !== "/query") {
        return { status: 404, body: "Not Found", contentType: "text/plain", outcome: "bad-request" };
      }
      const key = url.searchParams.get("apikey") || undefined;
      const fn = url.searchParams.get("function") ?? "";
      if (fn !== "TIME_SERIES_DAILY" && fn !== "TIME_SERIES_DAILY_ADJUSTED") {
        return jsonAnswer({ "Error Message": `This API function (${fn}) does not exist.` }, "bad-request");
      }
      const spelled = (url.searchParams.get("symbol") ?? "").toUpperCase();
      const canonical = spelled ? fromProviderSymbol(spelled, "alphavantage") : undefined;
      const symbol = canonical !== undefined && env.model.has(canonical) ? canonical : null;
      const full = url.searchParams.get("outputsize") === "full";
      const csv = url.searchParams.get("datatype") === "csv";
      const respond = (): SimAnswer => {
        const fromIndex = full ? undefined : env.model.asOfIndex - COMPACT_DAYS;
        const series = symbol === null ? undefined : env.model.history(symbol, fromIndex);
        if (!series) return invalidCall(fn);
        if (csv) {
          return {
            status: 200,
            body: timeSeriesCsv(fn, series, full),
            contentType: "application/x-download",
            outcome: "ok",
          };
        }
        return {
          status: 200,
          body: timeSeriesJson(fn, series, spelled, full, env.model.asOf),
          contentType: JSON_TYPE,
          outcome: "ok",
        };
      };
      if (symbol === null) return { key, symbol, respond };
      return {
        key,
        symbol,
        respond,
        renderKey: JSON.stringify([fn, spelled, full, csv]),
        render() {
          const answer = respond();
          return renderedAnswer(answer, [answer.body]);
        },
      };
    },

    unauthorized() {
      return jsonAnswer({ "Error Message": MISSING_KEY }, "unauthorized");
    },

    rateLimited(key: string | null, rule: RateLimit): SimAnswer {
      const per = windowPhrase(rule.windowMs);
      if (env.config().alphavantage.rateLimitStyle === "note") {
        return jsonAnswer(
          {
            Note: `Thank you for using Alpha Vantage! Our standard API call frequency is ${rule.limit} calls per ${per}. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.`,
          },
          "rate-limited",
        );
      }
      // Alpha Vantage quotes the caller's own key back; clients must not log this body.
      return jsonAnswer(
        {
          Information: `We have detected your API key as ${key ?? ""} and our standard API rate limit is ${rule.limit} requests per ${per}. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.`,
        },
        "rate-limited",
      );
    },

    serverError: gatewayErrorAnswer,
  };
}
