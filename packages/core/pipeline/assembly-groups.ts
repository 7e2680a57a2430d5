import type { StagedUnit } from "./plan-supply.ts";
import type { ChunkRecord } from "./records.ts";

/**
 * A planned scan is assembled in groups of adjacent chunks, each by its own invocation: a market
 * day arrives date-major (every ticker's bar of one session) and chunks need it ticker-major, so
 * each unit is staged split by group, and a group's assembly reads only its own tickers' share
 * of every unit. One assembly of `us-all`'s whole backfill (460 market days, ~620 MB of JSON
 * once inflated) would not fit one fetcher's memory or time; a group of 500 tickers reads ~4 MB.
 */

/** Tickers a group's assembly covers, at most (whole chunks of them). */
export const TICKERS_PER_ASSEMBLY = 500;

/**
 * How a scan's tickers are grouped: the first symbol of each universe group, in symbol order,
 * and the benchmark, whose chunk is a group of its own (the last), as it is a chunk of its own.
 * Carried by every gather message, so a unit is split without reading the scan's tickers.
 */
export interface AssemblyGroups {
  starts: string[];
  benchmark: string;
}

/** The groups of a scan's chunks (planChunks: universe chunks in symbol order, then the benchmark's). */
export function assemblyGroups(chunks: readonly ChunkRecord[], benchmark: string): AssemblyGroups {
  const universe = chunks.filter((c) => c.role === "universe");
  const size = Math.max(1, ...universe.map((c) => c.tickers.length));
  const perGroup = Math.max(1, Math.floor(TICKERS_PER_ASSEMBLY / size));
  const starts: string[] = [];
  for (let i = 0; i < universe.length; i += perGroup) starts.push(universe[i]!.tickers[0]!);
  return { starts, benchmark };
}

export const groupCount = (groups: AssemblyGroups): number => groups.starts.length + 1;

const benchmarkGroup = (groups: AssemblyGroups): number => groups.starts.length;

/** The universe group a symbol falls in (the last whose first symbol is not after it), if any. */
function universeGroup(groups: AssemblyGroups, symbol: string): number | undefined {
  let lo = 0;
  let hi = groups.starts.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (groups.starts[mid]! <= symbol) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Every group a symbol's data goes to: its universe group, and the benchmark's if it is the benchmark. */
export function groupsOf(groups: AssemblyGroups, symbol: string): number[] {
  const own = universeGroup(groups, symbol);
  const all = own === undefined ? [] : [own];
  if (symbol === groups.benchmark) all.push(benchmarkGroup(groups));
  return all;
}

/** The chunks a group assembles. */
export function chunksOfGroup(
  chunks: readonly ChunkRecord[],
  groups: AssemblyGroups,
  group: number,
): ChunkRecord[] {
  if (group === benchmarkGroup(groups)) return chunks.filter((c) => c.role === "benchmark");
  return chunks.filter((c) => c.role === "universe" && universeGroup(groups, c.tickers[0]!) === group);
}

/**
 * A staged unit split by group: each group gets the unit with only its symbols' data. Every
 * group gets every unit, empty or not: a market day's date is where each ticker's supply starts
 * (a ticker without a bar that day did not trade), and a failure fails whom it would have served.
 */
export function splitStaged(staged: StagedUnit, groups: AssemblyGroups): StagedUnit[] {
  const count = groupCount(groups);
  const each = <T>(make: () => T): T[] => Array.from({ length: count }, make);
  if (staged.kind === "failed") return each(() => staged);
  if (staged.kind === "market-day") {
    const rows = each((): typeof staged.bars => []);
    for (const row of staged.bars) for (const g of groupsOf(groups, row[0])) rows[g]!.push(row);
    return rows.map((bars) => ({ ...staged, bars }));
  }
  if (staged.kind === "market-actions") {
    const parts = each((): typeof staged.actions => ({}));
    for (const [symbol, list] of Object.entries(staged.actions))
      for (const g of groupsOf(groups, symbol)) parts[g]![symbol] = list;
    return parts.map((actions) => ({ ...staged, actions }));
  }
  const symbols = each((): string[] => []);
  const bars = each((): typeof staged.bars => ({}));
  for (const symbol of staged.symbols) for (const g of groupsOf(groups, symbol)) symbols[g]!.push(symbol);
  for (const [symbol, text] of Object.entries(staged.bars))
    for (const g of groupsOf(groups, symbol)) bars[g]![symbol] = text;
  return symbols.map((s, g) => ({ ...staged, symbols: s, bars: bars[g]! }));
}
