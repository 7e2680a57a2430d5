import { deflateRawSync, inflateRawSync } from "node:zlib";
import { z } from "zod";
import { actionProblem, type CorporateAction } from "../history/actions.ts";
import { decodeBars, encodeBars } from "../history/bars-codec.ts";
import { historyFromBars, historyToBars, type RawBar, type RawHistory } from "../history/raw-history.ts";
import { PROVIDERS, type ProviderName } from "../market-data.port.ts";
import type { GatherStep } from "./messages.ts";

/**
 * What a scan's plan units fetched, as they are staged between the gather and the chunks
 * (gather.ts, assemble.ts), and what each chunk is handed: per ticker, its bars and actions
 * from a session on, or the failure that left it without them.
 */

/** One unit's result as staged: what it brought for the scan's tickers, or why it brought nothing. */
export type StagedUnit =
  | {
      kind: "market-day";
      provider: ProviderName;
      date: string;
      bars: [string, number, number, number, number, number][];
    }
  | {
      kind: "symbol-pages";
      provider: ProviderName;
      from: string;
      to: string;
      symbols: string[];
      bars: Record<string, string>;
    }
  | {
      kind: "market-actions";
      provider: ProviderName;
      from: string;
      to: string;
      actions: Record<string, CorporateAction[]>;
    }
  | { kind: "failed"; provider: ProviderName; step: GatherStep; reason: string; message: string };

/** A ticker's share of the plan. */
export type TickerSupply =
  | { kind: "bars"; from: string; bars: RawHistory; actions: CorporateAction[] }
  | {
      kind: "failed";
      reason: string;
      message: string /** The provider whose unit failed. */;
      provider?: ProviderName;
    };

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/** A market day's bars for the scan's tickers only (the provider answers for every listing). */
export function stageMarketDay(
  provider: ProviderName,
  date: string,
  bars: ReadonlyMap<string, RawBar>,
  tickers: ReadonlySet<string>,
): StagedUnit {
  const rows: [string, number, number, number, number, number][] = [];
  for (const [symbol, b] of bars)
    if (tickers.has(symbol)) rows.push([symbol, b.open, b.high, b.low, b.close, b.volume]);
  return { kind: "market-day", provider, date, bars: rows };
}

export function stageSymbolPages(
  provider: ProviderName,
  step: Extract<GatherStep, { kind: "symbol-pages" }>,
  bars: ReadonlyMap<string, RawHistory>,
): StagedUnit {
  const encoded: Record<string, string> = {};
  for (const [symbol, history] of bars) encoded[symbol] = b64(encodeBars(history));
  return {
    kind: "symbol-pages",
    provider,
    from: step.from,
    to: step.to,
    symbols: step.symbols,
    bars: encoded,
  };
}

export function stageMarketActions(
  provider: ProviderName,
  from: string,
  to: string,
  actions: ReadonlyMap<string, CorporateAction[]>,
  tickers: ReadonlySet<string>,
): StagedUnit {
  const kept: Record<string, CorporateAction[]> = {};
  for (const [symbol, list] of actions) if (tickers.has(symbol)) kept[symbol] = list;
  return { kind: "market-actions", provider, from, to, actions: kept };
}

/**
 * Each ticker's supply from the staged units of its scan. A failed unit fails the tickers it
 * would have served (a market day or the market's actions: every ticker; a page group: its
 * symbols), with its reason. A ticker no unit served has no supply: its chunk fetches it per
 * ticker. The first session of a ticker's supply is the earliest its units cover: market days
 * cover every ticker (one that did not trade on a day simply has no bar for it).
 */
export function assembleSupply(
  units: readonly StagedUnit[],
  tickers: readonly string[],
): Map<string, TickerSupply> {
  const bars = new Map<string, RawBar[]>();
  const pages = new Map<string, RawHistory[]>();
  const from = new Map<string, string>();
  const actions = new Map<string, CorporateAction[]>();
  const failedAll: StagedUnit[] = [];
  const failedSome = new Map<string, StagedUnit>();
  let marketFrom: string | undefined;
  const earliest = (symbol: string, date: string) => {
    const was = from.get(symbol);
    if (was === undefined || date < was) from.set(symbol, date);
  };

  for (const unit of units) {
    if (unit.kind === "market-day") {
      if (marketFrom === undefined || unit.date < marketFrom) marketFrom = unit.date;
      for (const [symbol, open, high, low, close, volume] of unit.bars) {
        const list = bars.get(symbol) ?? [];
        list.push({ date: unit.date, open, high, low, close, volume, provider: unit.provider });
        bars.set(symbol, list);
      }
    } else if (unit.kind === "symbol-pages") {
      for (const symbol of unit.symbols) earliest(symbol, unit.from);
      for (const [symbol, text] of Object.entries(unit.bars)) {
        const list = pages.get(symbol) ?? [];
        list.push(decodeBars(symbol, unb64(text)));
        pages.set(symbol, list);
      }
    } else if (unit.kind === "market-actions") {
      for (const [symbol, list] of Object.entries(unit.actions))
        actions.set(symbol, [...(actions.get(symbol) ?? []), ...list]);
    } else if (unit.step.kind === "symbol-pages") {
      for (const symbol of unit.step.symbols) failedSome.set(symbol, unit);
    } else {
      failedAll.push(unit);
    }
  }

  const supply = new Map<string, TickerSupply>();
  for (const symbol of tickers) {
    const failed = failedSome.get(symbol) ?? failedAll[0];
    if (failed?.kind === "failed") {
      const what = describeStep(failed.step);
      supply.set(symbol, {
        kind: "failed",
        reason: failed.reason,
        provider: failed.provider,
        message: `${failed.provider} ${what}: ${failed.message}`.slice(0, 500),
      });
      continue;
    }
    if (marketFrom !== undefined) earliest(symbol, marketFrom);
    const first = from.get(symbol);
    if (first === undefined) continue;
    // Pages and market days may overlap (one part by pages, the other by days): one bar a date.
    const history = historyFromBars(symbol, [
      ...(pages.get(symbol) ?? []).flatMap(historyToBars),
      ...(bars.get(symbol) ?? []),
    ]);
    supply.set(symbol, { kind: "bars", from: first, bars: history, actions: actions.get(symbol) ?? [] });
  }
  return supply;
}

export function describeStep(step: GatherStep): string {
  if (step.kind === "market-day") return `market day ${step.date}`;
  if (step.kind === "market-actions") return `market actions ${step.from} … ${step.to}`;
  return `bars of ${step.symbols.length} symbols ${step.from} … ${step.to}`;
}

const provider = z.enum(PROVIDERS);
const action = z.union([
  z.object({ type: z.literal("split"), exDate: z.string(), from: z.number(), to: z.number(), provider }),
  z.object({ type: z.literal("dividend"), exDate: z.string(), amount: z.number(), provider }),
]);
const encodedSupply = z.record(
  z.string(),
  z.union([
    z.object({ kind: z.literal("bars"), from: z.string(), bars: z.string(), actions: z.array(action) }),
    z.object({
      kind: z.literal("failed"),
      reason: z.string(),
      message: z.string(),
      provider: provider.optional(),
    }),
  ]),
);

/** A chunk's supply as its fetch message carries it: JSON, deflated, base64. */
export function encodeSupply(supply: ReadonlyMap<string, TickerSupply>): string {
  const plain: z.infer<typeof encodedSupply> = {};
  for (const [symbol, s] of supply) {
    plain[symbol] =
      s.kind === "failed"
        ? s
        : { kind: "bars", from: s.from, bars: b64(encodeBars(s.bars)), actions: s.actions };
  }
  return b64(deflateRawSync(JSON.stringify(plain)));
}

/** A fetch message's supply read back; throws naming what is wrong when it is not what encodeSupply wrote. */
export function decodeSupply(text: string): Map<string, TickerSupply> {
  let json: unknown;
  try {
    json = JSON.parse(inflateRawSync(Buffer.from(text, "base64")).toString("utf8"));
  } catch (error) {
    throw new Error(`supply: not deflated JSON (${(error as Error).message})`);
  }
  const parsed = encodedSupply.safeParse(json);
  if (!parsed.success) throw new Error(`supply: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const supply = new Map<string, TickerSupply>();
  for (const [symbol, s] of Object.entries(parsed.data)) {
    if (s.kind === "failed") {
      supply.set(symbol, s);
      continue;
    }
    const usable = s.actions.filter(
      (a) => actionProblem(a as CorporateAction) === undefined,
    ) as CorporateAction[];
    let bars: RawHistory;
    try {
      bars = decodeBars(symbol, unb64(s.bars));
    } catch (error) {
      throw new Error(`supply: bars of ${symbol}: ${(error as Error).message}`);
    }
    supply.set(symbol, { kind: "bars", from: s.from, bars, actions: usable });
  }
  return supply;
}
