import type { CorporateAction } from "../../core/history/actions.ts";
import { type AdjustedBar, adjustedBars } from "../../core/history/adjust.ts";
import { historyToBars, type RawBar, sliceHistory } from "../../core/history/raw-history.ts";
import { canonicalSymbol } from "../../core/symbols.ts";
import { CliError } from "../errors.ts";
import { table } from "../format.ts";
import { wholeNumberOption } from "../number-option.ts";
import { print, type ReadOptions, withTarget } from "./read.ts";

export interface HistoryOptions extends ReadOptions {
  raw?: boolean;
  days?: string;
}

/** Every stored month is read: the store keeps a ticker's whole history. */
const ALL_MONTHS = "1900-01-01";

/**
 * `tickerfleet history <SYMBOL>`: the bars store's series of one ticker, adjusted for its splits
 * and dividends as of its last stored session (or raw, as traded, with the provider of each
 * bar), and the corporate actions it holds.
 */
export async function historyCommand(symbolInput: string, options: HistoryOptions): Promise<number> {
  let symbol: string;
  try {
    symbol = canonicalSymbol(symbolInput);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const days = options.days === undefined ? undefined : wholeNumberOption("--days", options.days, { min: 1 });
  return withTarget(options, async (target) => {
    const stored = (await target.bars.read([symbol], ALL_MONTHS)).get(symbol);
    if (!stored || stored.bars.dates.length === 0) {
      throw new CliError(
        `no stored history for ${symbol} on the ${target.label}: run a scan that includes it first`,
        3,
      );
    }
    const all = stored.bars.dates;
    const from = days === undefined ? undefined : all[Math.max(0, all.length - days)];
    const shown = from === undefined ? stored.bars : sliceHistory(stored.bars, from);
    const bars: Shown[] = options.raw
      ? historyToBars(shown)
      : adjustedBars(stored.bars, stored.actions).filter((b) => from === undefined || b.date >= from);
    const value = {
      symbol,
      asOf: all[all.length - 1]!,
      adjusted: !options.raw,
      bars,
      actions: stored.actions,
    };
    print(options.json, value, () =>
      [
        `${symbol}: ${all.length} sessions stored, ${all[0]} to ${value.asOf}; ${
          options.raw ? "raw, as traded" : `adjusted for splits and dividends as of ${value.asOf}`
        }`,
        "",
        table(bars, [
          { header: "date", value: (b) => b.date },
          { header: "open", value: (b) => price(b.open), align: "right" },
          { header: "high", value: (b) => price(b.high), align: "right" },
          { header: "low", value: (b) => price(b.low), align: "right" },
          { header: "close", value: (b) => price(b.close), align: "right" },
          { header: "volume", value: (b) => String(Math.round(b.volume)), align: "right" },
          ...(options.raw
            ? [{ header: "provider", value: (b: Shown) => ("provider" in b ? String(b.provider) : "") }]
            : []),
        ]),
        "",
        stored.actions.length === 0 ? "no corporate actions stored" : "corporate actions:",
        ...stored.actions.map((a) => `  ${describe(a)}`),
      ].join("\n"),
    );
    return 0;
  });
}

type Shown = AdjustedBar | RawBar;

function price(x: number): string {
  return x >= 1 ? x.toFixed(2) : x.toPrecision(4);
}

function describe(action: CorporateAction): string {
  if (action.type === "split") {
    const kind = action.to > action.from ? "split" : "reverse split";
    return `${action.exDate}  ${kind} ${action.to}-for-${action.from} (${action.provider})`;
  }
  return `${action.exDate}  cash dividend ${action.amount} (${action.provider})`;
}
