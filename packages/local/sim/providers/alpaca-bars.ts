import { fromProviderSymbol } from "../../../core/symbols.ts";
import type { SimSeries } from "../price-path.ts";
import {
  boundMs,
  decodeToken,
  encodeToken,
  JSON_TYPE,
  messageAnswer,
  pageOptions,
  round,
  sessionTime,
} from "./alpaca-wire.ts";
import {
  answerFrom,
  type ParsedRequest,
  type ProviderEnv,
  renderedAnswer,
  type SimAnswer,
} from "./provider.ts";

/**
 * Alpaca's historical stock bars, `GET /v2/stocks/bars`, as of the simulator's today:
 *
 * - `symbols` (required, comma-separated, Alpaca's spelling), `timeframe` (required; the
 *   simulator serves `1Day`/`1D` only), `start` and `end` (RFC-3339 or a date, which is the
 *   whole day; default: today's start, and now), `adjustment` (`raw` default, `split`,
 *   `dividend`, `spin-off`, `all`, or several comma-separated; there are no spin-offs here),
 *   `feed` (`sip` or `iex`; default `iex`, as for a key without a paid plan), `limit`
 *   (1–10,000, default 1,000, counted across every symbol of the page), `sort` (`asc` default,
 *   `desc`), `page_token`, `asof` (accepted, not used: symbols are never renamed here),
 *   `currency` (`USD` only, then echoed).
 * - → `{"bars": {"SYM": [{"t", "o", "h", "l", "c", "v", "n", "vw"}]}, "next_page_token": ...}`,
 *   symbols in order, then bars in time order; a page ends after `limit` bars wherever that
 *   falls; the token (base64 of `SYM|D|<t of its last bar>`, as Alpaca's decode) is null when
 *   no bar is left. A symbol that is unknown or has no bar in the range is absent.
 * - `t` is the session's 00:00 New York time in UTC. Raw prices and volumes are as traded;
 *   adjusted prices are rounded to 1/10,000, adjusted volumes to whole shares. `n` (trades) is
 *   the volume over the symbol's usual trade size; `vw` is (h + l + c) / 3.
 * - `iex` is one exchange's share of the consolidated tape: the same prices, a fortieth of the
 *   volume (IEX's own prints differ a little; the simulator keeps the consolidated ones).
 * - The free plan's refusal of SIP data of the last 15 minutes is not simulated: an end after
 *   now reads as now.
 */

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
const ADJUSTMENTS = new Set(["raw", "split", "dividend", "spin-off", "all"]);
/** IEX's share of the consolidated volume. */
const IEX_SHARE = 1 / 40;

interface BarsQuery {
  /** Provider spellings asked for, in answer order, each with the simulator's symbol (null: unknown). */
  symbols: [string, string | null][];
  startMs: number;
  endMs: number;
  split: boolean;
  dividend: boolean;
  iex: boolean;
  limit: number;
  desc: boolean;
  /** Where the page starts: after this symbol's bar at this time. */
  after: { symbol: string; t: string } | undefined;
  currency: boolean;
}

function readQuery(env: ProviderEnv, url: URL): BarsQuery | SimAnswer {
  const bad = (message: string) => messageAnswer(400, message, "bad-request");
  const param = (name: string) => url.searchParams.get(name);
  const symbolsText = param("symbols");
  if (!symbolsText?.trim()) return bad("symbols is required");
  const timeframe = param("timeframe");
  if (timeframe === null) return bad("timeframe is required");
  if (timeframe !== "1Day" && timeframe !== "1D")
    return bad(`invalid timeframe ${JSON.stringify(timeframe)}: the simulator serves 1Day bars only`);
  const startText = param("start");
  const endText = param("end");
  const startMs =
    startText === null ? Date.parse(`${env.model.asOf}T00:00:00Z`) : boundMs(startText, "start");
  if (startMs === undefined) return bad(`invalid start: ${JSON.stringify(startText)}`);
  const endMs = endText === null ? Number.POSITIVE_INFINITY : boundMs(endText, "end");
  if (endMs === undefined) return bad(`invalid end: ${JSON.stringify(endText)}`);
  if (endMs < startMs) return bad("end should not be before start");
  const adjustments = (param("adjustment") ?? "raw").split(",").map((a) => a.trim());
  const unknown = adjustments.find((a) => !ADJUSTMENTS.has(a));
  if (unknown !== undefined) return bad(`invalid adjustment: ${JSON.stringify(unknown)}`);
  const all = adjustments.includes("all");
  const feed = param("feed") ?? "iex";
  if (feed !== "sip" && feed !== "iex")
    return bad(`invalid feed ${JSON.stringify(feed)}: the simulator serves sip and iex`);
  const page = pageOptions(param, { byDefault: DEFAULT_LIMIT, most: MAX_LIMIT });
  if (typeof page === "string") return bad(page);
  const { limit, sort } = page;
  const currency = param("currency");
  if (currency !== null && currency !== "USD") return bad("the simulator serves prices in USD only");
  const tokenText = param("page_token");
  let after: BarsQuery["after"];
  if (tokenText !== null) {
    const parts = decodeToken(tokenText)?.split("|");
    if (parts?.length !== 3 || parts[1] !== "D") return bad("invalid page token");
    after = { symbol: parts[0]!, t: parts[2]!.replace(/\.0+Z$/, "Z") };
  }
  const spelled = [...new Set(symbolsText.split(",").map((s) => s.trim().toUpperCase()))]
    .filter(Boolean)
    .sort();
  const symbols = spelled.map((s): [string, string | null] => {
    const canonical = fromProviderSymbol(s, "alpaca");
    return [s, canonical !== undefined && env.model.has(canonical) ? canonical : null];
  });
  return {
    symbols,
    startMs,
    endMs,
    split: all || adjustments.includes("split"),
    dividend: all || adjustments.includes("dividend"),
    iex: feed === "iex",
    limit,
    desc: sort === "desc",
    after,
    currency: currency !== null,
  };
}

/** One bar as Alpaca writes it, adjusted as asked. */
function barJson(q: BarsQuery, series: SimSeries, i: number, t: string): string {
  const m = q.split ? series.multiplier[i]! : 1;
  const f = q.dividend ? series.dividendFactor[i]! : 1;
  const price = (raw: number) => (m === 1 && f === 1 ? raw : round((raw * f) / m, 4));
  const o = price(series.open[i]!);
  const h = price(series.high[i]!);
  const l = price(series.low[i]!);
  const c = price(series.close[i]!);
  const traded = q.iex ? Math.max(1, Math.round(series.volume[i]! * IEX_SHARE)) : series.volume[i]!;
  const v = m === 1 ? traded : Math.round(traded * m);
  const n = Math.max(1, Math.round(traded / series.profile.tradeSize));
  const vw = round((h + l + c) / 3, 6);
  return `{"t":"${t}","o":${o},"h":${h},"l":${l},"c":${c},"v":${v},"n":${n},"vw":${vw}}`;
}

/** The query's bars of one symbol, in answer order, after the page token's position when it is this symbol's. */
function barsOf(
  env: ProviderEnv,
  q: BarsQuery,
  spelled: string,
  symbol: string,
): { series: SimSeries; picked: [number, string][] } | undefined {
  const series = env.model.history(
    symbol,
    env.model.indexOnOrAfter(new Date(q.startMs).toISOString().slice(0, 10)),
  );
  if (!series) return undefined;
  const picked: [number, string][] = [];
  for (let i = 0; i < series.length; i++) {
    const t = sessionTime(series.dates[i]!);
    const ms = Date.parse(t);
    if (ms >= q.startMs && ms <= q.endMs) picked.push([i, t]);
  }
  if (q.desc) picked.reverse();
  if (q.after?.symbol !== spelled) return { series, picked };
  const at = picked.findIndex(([, t]) => t === q.after!.t);
  return { series, picked: picked.slice(at + 1) };
}

/** `/v2/stocks/bars`, or undefined for another path. */
export function alpacaBars(
  env: ProviderEnv,
  url: URL,
  key: string | undefined,
): ParsedRequest | SimAnswer | undefined {
  if (url.pathname !== "/v2/stocks/bars") return undefined;
  const q = readQuery(env, url);
  if ("status" in q) return q;
  const render = () => {
    const groups: string[] = [];
    let left = q.limit;
    let last: string | undefined;
    let more = false;
    for (const [spelled, symbol] of q.symbols) {
      if (symbol === null || (q.after && spelled < q.after.symbol)) continue;
      const bars = barsOf(env, q, spelled, symbol);
      if (!bars || bars.picked.length === 0) continue;
      if (left === 0) {
        more = true;
        break;
      }
      const page = bars.picked.slice(0, left);
      left -= page.length;
      groups.push(
        `${JSON.stringify(spelled)}:[${page.map(([i, t]) => barJson(q, bars.series, i, t)).join(",")}]`,
      );
      last = `${spelled}|D|${page.at(-1)![1].replace(/Z$/, ".000000000Z")}`;
      if (page.length < bars.picked.length) {
        more = true;
        break;
      }
    }
    const next = more && last !== undefined ? JSON.stringify(encodeToken(last)) : "null";
    const currency = q.currency ? ',"currency":"USD"' : "";
    return renderedAnswer({ status: 200, contentType: JSON_TYPE, outcome: "ok" }, [
      `{"bars":{${groups.join(",")}},"next_page_token":${next}${currency}}`,
    ]);
  };
  const known = q.symbols.some(([, s]) => s !== null);
  const respond = () => answerFrom(render(), () => "");
  // The log's and the faults' symbol: the one asked for, when there is one.
  const symbol = q.symbols.length === 1 ? q.symbols[0]![1] : null;
  if (!known) return { key, symbol, respond };
  const params = [...url.searchParams].filter(([name]) => name !== "symbols").sort();
  return {
    key,
    symbol,
    respond,
    renderKey: JSON.stringify(["bars", params, q.symbols.map(([s]) => s)]),
    render,
  };
}
