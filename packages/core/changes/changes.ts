import { byComposite, type ScreenValues } from "../screens/fields.ts";
import type { Screen } from "../screens/screen.ts";

/**
 * What changed between two finished scans of one universe: per screen, the tickers that entered
 * and left it; the tickers that moved into and out of the top N by composite score; RS ratings
 * crossing 80 and 90 either way; the market's direction changing. Each scan keeps a snapshot of
 * what these are read from (a few lists of tickers, not its results), so the next scan's changes
 * cost one read.
 */

/** RS levels whose crossing is a change. */
export const RS_LEVELS = [80, 90] as const;

export interface ScanSnapshot {
  /** Tickers passing each screen, by the screen's name, sorted. */
  screens: Record<string, string[]>;
  /** The top N by composite score, best first. */
  top: string[];
  /** Tickers with an RS rating at or above each level, sorted. */
  rs: Record<`${(typeof RS_LEVELS)[number]}`, string[]>;
  /** The market direction's state. */
  market: string;
}

export interface Moves {
  entered: string[];
  left: string[];
}

export interface ScanChanges {
  /** The scan compared with; null for a universe's first finished scan (nothing is reported as changed then). */
  previousScanId: string | null;
  screens: Record<string, Moves>;
  top: Moves & { size: number };
  rs: Record<`${(typeof RS_LEVELS)[number]}`, { crossedAbove: string[]; crossedBelow: string[] }>;
  market: { from: string; to: string } | null;
}

const sorted = (list: Iterable<string>) => [...list].sort();

/** A scan's snapshot from its scored tickers' screen fields (best composite first). */
export function snapshotOf(
  tickers: readonly { ticker: string; values: ScreenValues }[],
  screens: readonly Screen[],
  topN: number,
  market: string,
): ScanSnapshot {
  const ranked = [...tickers].sort(byComposite);
  return {
    screens: Object.fromEntries(
      screens.map((s) => [s.name, sorted(tickers.filter((t) => s.matches(t.values)).map((t) => t.ticker))]),
    ),
    top: ranked.slice(0, topN).map((t) => t.ticker),
    rs: Object.fromEntries(
      RS_LEVELS.map((level) => [
        String(level),
        sorted(tickers.filter((t) => (t.values.rs as number) >= level).map((t) => t.ticker)),
      ]),
    ) as ScanSnapshot["rs"],
    market,
  };
}

function moves(before: readonly string[], after: readonly string[]): Moves {
  const was = new Set(before);
  const is = new Set(after);
  return {
    entered: sorted(after.filter((t) => !was.has(t))),
    left: sorted(before.filter((t) => !is.has(t))),
  };
}

/**
 * The changes from `previous` (the universe's last finished scan) to `next`. A screen the
 * previous scan did not keep is new: nothing entered or left it. A ticker this scan did not score
 * (failed, delisted) has not crossed below a level; one the previous scan did not rate and this
 * one rates at a level has crossed above it (the snapshot keeps who was rated high, not everyone).
 */
export function scanChanges(
  previous: { scanId: string; snapshot: ScanSnapshot } | undefined,
  next: ScanSnapshot,
  scoredNow: (ticker: string) => boolean,
): ScanChanges {
  if (!previous) {
    return {
      previousScanId: null,
      screens: Object.fromEntries(Object.keys(next.screens).map((name) => [name, { entered: [], left: [] }])),
      top: { size: next.top.length, entered: [], left: [] },
      rs: Object.fromEntries(
        RS_LEVELS.map((l) => [String(l), { crossedAbove: [] as string[], crossedBelow: [] as string[] }]),
      ) as unknown as ScanChanges["rs"],
      market: null,
    };
  }
  const before = previous.snapshot;
  const rs = Object.fromEntries(
    RS_LEVELS.map((level) => {
      const key = String(level) as keyof ScanSnapshot["rs"];
      const m = moves(before.rs[key] ?? [], next.rs[key]);
      return [key, { crossedAbove: m.entered, crossedBelow: m.left.filter(scoredNow) }];
    }),
  ) as ScanChanges["rs"];
  return {
    previousScanId: previous.scanId,
    screens: Object.fromEntries(
      Object.entries(next.screens).map(([name, members]) => [
        name,
        before.screens[name] === undefined ? { entered: [], left: [] } : moves(before.screens[name], members),
      ]),
    ),
    top: { size: next.top.length, ...moves(before.top, next.top) },
    rs,
    market: before.market !== next.market ? { from: before.market, to: next.market } : null,
  };
}
