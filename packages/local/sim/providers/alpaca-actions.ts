import { fromProviderSymbol, toProviderSymbol } from "../../../core/symbols.ts";
import { addTradingDays } from "../../../core/trading-calendar.ts";
import { gridDates } from "../grid.ts";
import { Lru } from "../lru.ts";
import type { MarketModel } from "../market-model.ts";
import {
  cusipOf,
  decodeToken,
  encodeToken,
  eventUuid,
  JSON_TYPE,
  messageAnswer,
  pageOptions,
} from "./alpaca-wire.ts";
import { isIsoDate } from "./format.ts";
import {
  answerFrom,
  type ParsedRequest,
  type ProviderEnv,
  renderedAnswer,
  type SimAnswer,
} from "./provider.ts";

/**
 * Alpaca's corporate actions, `GET /v1/corporate-actions`, as of the simulator's today:
 *
 * - `symbols` (comma-separated, Alpaca's spelling; none: the whole market), `types`
 *   (comma-separated; default every type; the simulated market has `forward_split`,
 *   `reverse_split` and `cash_dividend`, the other types are valid and empty), `start` and
 *   `end` (dates, inclusive, default today) bounding each action's `process_date`, `limit`
 *   (1–1,000, default 100, counted across every type), `sort` (`asc` default, `desc`, by
 *   `process_date`), `page_token`. `ids` and `cusips` filters are not simulated (400).
 * - → `{"corporate_actions": {"forward_splits": [...], "reverse_splits": [...],
 *   "cash_dividends": [...]}, "next_page_token": ...}`, a type without rows absent, fields in
 *   alphabetical order as Alpaca writes them.
 * - Splits: `old_rate` shares become `new_rate` (2-for-1: 1 and 2), booked (`process_date`) on
 *   the ex-date; a forward split's record date is the session before, a reverse split's every
 *   date its ex-date. Cash dividends: `rate` per share outstanding on `ex_date` (not adjusted
 *   for later splits), record date the ex-date (T+1 settlement), paid and booked ten sessions
 *   later. Nothing with an ex-date after today is reported.
 */

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Sessions between a dividend's ex-date and its payment (its `process_date`). */
const PAYMENT_SESSIONS = 10;
const TYPES = [
  "reverse_split",
  "forward_split",
  "unit_split",
  "cash_dividend",
  "stock_dividend",
  "spin_off",
  "cash_merger",
  "stock_merger",
  "stock_and_cash_merger",
  "redemption",
  "name_change",
  "worthless_removal",
  "rights_distribution",
];
/** The answer's groups, in the order they are written. */
const GROUPS = ["forward_splits", "reverse_splits", "cash_dividends"] as const;
type Group = (typeof GROUPS)[number];

interface Row {
  group: Group;
  symbol: string;
  processDate: string;
  exDate: string;
  json: string;
}

interface ActionsQuery {
  /** The simulator's symbols asked for, or null for the whole market. */
  symbols: string[] | null;
  groups: ReadonlySet<Group>;
  start: string;
  end: string;
  limit: number;
  desc: boolean;
  offset: number;
}

function readQuery(env: ProviderEnv, url: URL): ActionsQuery | SimAnswer {
  const bad = (message: string) => messageAnswer(400, message, "bad-request");
  const param = (name: string) => url.searchParams.get(name);
  if (param("ids") !== null || param("cusips") !== null)
    return bad("the simulator does not filter by ids or cusips");
  const types = (param("types") ?? TYPES.join(",")).split(",").map((t) => t.trim());
  const unknown = types.find((t) => !TYPES.includes(t));
  if (unknown !== undefined) return bad(`invalid types: ${JSON.stringify(unknown)}`);
  const groups = new Set<Group>();
  if (types.includes("forward_split")) groups.add("forward_splits");
  if (types.includes("reverse_split")) groups.add("reverse_splits");
  if (types.includes("cash_dividend")) groups.add("cash_dividends");
  const start = param("start") ?? env.model.asOf;
  const end = param("end") ?? env.model.asOf;
  if (!isIsoDate(start)) return bad(`invalid start: ${JSON.stringify(start)}`);
  if (!isIsoDate(end)) return bad(`invalid end: ${JSON.stringify(end)}`);
  if (end < start) return bad("end should not be before start");
  const page = pageOptions(param, { byDefault: DEFAULT_LIMIT, most: MAX_LIMIT });
  if (typeof page === "string") return bad(page);
  const { limit, sort } = page;
  const token = param("page_token");
  let offset = 0;
  if (token !== null) {
    const match = /^ca\|(\d+)$/.exec(decodeToken(token) ?? "");
    if (!match) return bad("invalid page token");
    offset = Number(match[1]);
  }
  const named = param("symbols");
  const symbols =
    named === null
      ? null
      : named
          .split(",")
          .map((s) => fromProviderSymbol(s.trim().toUpperCase(), "alpaca"))
          .filter((s): s is string => s !== undefined && env.model.has(s));
  return { symbols, groups, start, end, limit, desc: sort === "desc", offset };
}

/** Every action of the query's symbols booked from `start` to `end`, in no order. */
function matchingRows(model: MarketModel, q: ActionsQuery): Row[] {
  const rows: Row[] = [];
  const dates = gridDates();
  const dividendsFrom = model.indexOnOrAfter(addTradingDays(q.start, -PAYMENT_SESSIONS));
  for (const symbol of q.symbols ?? model.symbols()) {
    const p = model.profile(symbol);
    if (!p || !model.isListed(p)) continue;
    const spelled = toProviderSymbol(symbol, "alpaca");
    const s = p.split;
    if (s && s.index <= model.asOfIndex) {
      const exDate = dates[s.index]!;
      const forward = s.numerator > s.denominator;
      const group: Group = forward ? "forward_splits" : "reverse_splits";
      if (q.groups.has(group) && exDate >= q.start && exDate <= q.end) {
        const id = eventUuid(model.seed, "split", symbol, exDate);
        const cusip = cusipOf(model.seed, symbol);
        const fields = forward
          ? [
              `"cusip":"${cusip}"`,
              `"ex_date":"${exDate}"`,
              `"id":"${id}"`,
              `"new_rate":${s.numerator}`,
              `"old_rate":${s.denominator}`,
              `"process_date":"${exDate}"`,
              `"record_date":"${addTradingDays(exDate, -1)}"`,
              `"symbol":${JSON.stringify(spelled)}`,
            ]
          : [
              `"ex_date":"${exDate}"`,
              `"id":"${id}"`,
              `"new_cusip":"${cusipOf(model.seed, `${symbol}|${exDate}`)}"`,
              `"new_rate":${s.numerator}`,
              `"old_cusip":"${cusip}"`,
              `"old_rate":${s.denominator}`,
              `"payable_date":"${exDate}"`,
              `"process_date":"${exDate}"`,
              `"record_date":"${exDate}"`,
              `"symbol":${JSON.stringify(spelled)}`,
            ];
        rows.push({ group, symbol: spelled, processDate: exDate, exDate, json: `{${fields.join(",")}}` });
      }
    }
    if (!q.groups.has("cash_dividends")) continue;
    for (const d of model.dividends.of(symbol, dividendsFrom)) {
      const paid = addTradingDays(d.date, PAYMENT_SESSIONS);
      if (paid < q.start || paid > q.end) continue;
      const fields = [
        `"cusip":"${cusipOf(model.seed, symbol)}"`,
        `"ex_date":"${d.date}"`,
        `"foreign":false`,
        `"id":"${eventUuid(model.seed, "dividend", symbol, d.date)}"`,
        `"payable_date":"${paid}"`,
        `"process_date":"${paid}"`,
        `"rate":${d.amount}`,
        `"record_date":"${d.date}"`,
        `"special":false`,
        `"symbol":${JSON.stringify(spelled)}`,
      ];
      rows.push({
        group: "cash_dividends",
        symbol: spelled,
        processDate: paid,
        exDate: d.date,
        json: `{${fields.join(",")}}`,
      });
    }
  }
  return rows;
}

/** By process date (the query's direction), then group, symbol and ex-date, so that pages never overlap. */
function compareRows(desc: boolean): (a: Row, b: Row) => number {
  const direction = desc ? -1 : 1;
  return (a, b) => {
    if (a.processDate !== b.processDate) return (a.processDate < b.processDate ? -1 : 1) * direction;
    if (a.group !== b.group) return GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group);
    if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
    return a.exDate < b.exDate ? -1 : a.exDate > b.exDate ? 1 : 0;
  };
}

/** The corporate-actions route: one per simulated Alpaca, keeping the last few queries' sorted rows for their next pages. */
export function alpacaActions(
  env: ProviderEnv,
): (url: URL, key: string | undefined) => ParsedRequest | SimAnswer | undefined {
  const sorted = new Lru<string, Row[]>(4);
  return (url, key) => {
    if (url.pathname !== "/v1/corporate-actions") return undefined;
    const q = readQuery(env, url);
    if ("status" in q) return q;
    const params = [...url.searchParams].filter(([name]) => name !== "page_token").sort();
    const render = () => {
      // Today is part of the key: the rows of one query change when the clock moves.
      const rows = sorted.getOrCreate(
        JSON.stringify([params, env.model.asOf, env.config().alpaca.unknownSymbols]),
        () => matchingRows(env.model, q).sort(compareRows(q.desc)),
      );
      const page = rows.slice(q.offset, q.offset + q.limit);
      const groups = GROUPS.filter((g) => page.some((r) => r.group === g)).map(
        (g) =>
          `"${g}":[${page
            .filter((r) => r.group === g)
            .map((r) => r.json)
            .join(",")}]`,
      );
      const next =
        q.offset + q.limit < rows.length ? JSON.stringify(encodeToken(`ca|${q.offset + q.limit}`)) : "null";
      return renderedAnswer({ status: 200, contentType: JSON_TYPE, outcome: "ok" }, [
        `{"corporate_actions":{${groups.join(",")}},"next_page_token":${next}}`,
      ]);
    };
    return {
      key,
      symbol: q.symbols?.length === 1 ? q.symbols[0]! : null,
      respond: () => answerFrom(render(), () => ""),
      renderKey: JSON.stringify(["actions", params, q.offset]),
      render,
    };
  };
}
