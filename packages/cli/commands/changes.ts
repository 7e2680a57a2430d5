import type { Moves, ScanChanges } from "../../core/changes/changes.ts";
import { CliError } from "../errors.ts";
import { print, type ReadOptions, scanOrLatest, withTarget } from "./read.ts";

/** A list of tickers, shortened past a dozen. */
function list(tickers: readonly string[]): string {
  if (tickers.length === 0) return "–";
  const shown = tickers.slice(0, 12).join(" ");
  return tickers.length > 12 ? `${shown} … (${tickers.length})` : shown;
}

const moves = (label: string, m: Moves) =>
  `  ${label.padEnd(20)} entered ${m.entered.length}: ${list(m.entered)}; left ${m.left.length}: ${list(m.left)}`;

export function changesText(scanId: string, c: ScanChanges): string {
  if (c.previousScanId === null)
    return `scan ${scanId}: the first finished scan of its universe, so nothing to compare with yet`;
  return [
    `scan ${scanId} against ${c.previousScanId}:`,
    c.market ? `  market turned from ${c.market.from} to ${c.market.to}` : "  market direction unchanged",
    ...Object.entries(c.screens).map(([name, m]) => moves(name, m)),
    moves(`top ${c.top.size}`, c.top),
    ...Object.entries(c.rs).map(
      ([level, r]) =>
        `  ${`RS ${level}`.padEnd(20)} crossed above ${r.crossedAbove.length}: ${list(r.crossedAbove)}; below ${r.crossedBelow.length}: ${list(r.crossedBelow)}`,
    ),
  ].join("\n");
}

/** `tickerfleet changes [--scan ID]`: what changed since the previous finished scan of the same universe. */
export async function changesCommand(options: ReadOptions & { scan?: string }): Promise<number> {
  return withTarget(options, async (target) => {
    const scan = await scanOrLatest(target, options.scan);
    const changes = await target.store.changes(scan.scanId);
    if (!changes)
      throw new CliError(
        `scan "${scan.scanId}" kept no changes (it has not finished, or finished before changes were kept)`,
        3,
      );
    print(options.json, { scanId: scan.scanId, universe: scan.universe, ...changes }, () =>
      changesText(scan.scanId, changes),
    );
    return 0;
  });
}
