import type { ScanChanges } from "../changes/changes.ts";
import type { ScanRecord } from "../pipeline/records.ts";
import type { ScreenedTicker } from "../screens/scan-screens.ts";
import type { Screen } from "../screens/screen.ts";

/** A screen as an alert shows it: how many passed, and the best of them by composite score. */
export interface AlertScreen {
  name: string;
  expression: string;
  count: number;
  top: { ticker: string; composite: number | null; rs: number | null; close: number | null }[];
}

/**
 * What every channel says about a finished scan, before any channel's format: the scan, its
 * changes since the previous scan of the universe, each alerting screen's top list and the
 * report's link. The generic webhook sends it as JSON.
 */
export interface AlertContent {
  scanId: string;
  universe: string;
  status: string;
  finishedAt: string;
  session: string | null;
  counts: { total: number; scored: number; failed: number; unaccounted: number };
  market: { state: string; score: number } | null;
  /** Null on a scan that kept no changes (finished before changes were kept). */
  changes: ScanChanges | null;
  screens: AlertScreen[];
  reportUrl: string | null;
}

const round = (v: unknown, digits: number) =>
  typeof v === "number" && Number.isFinite(v) ? Number(v.toFixed(digits)) : null;

/** The content of a finished scan's alerts; `screened` is best composite first (screenScan). */
export function alertContent(input: {
  scan: ScanRecord;
  changes: ScanChanges | undefined;
  screens: readonly Screen[];
  screened: readonly ScreenedTicker[];
  topN: number;
  reportUrl?: string;
}): AlertContent {
  const { scan } = input;
  const summary = scan.summary;
  return {
    scanId: scan.scanId,
    universe: scan.universe,
    status: scan.status,
    finishedAt: scan.finishedAt ?? "",
    session: scan.session ?? null,
    counts: {
      total: scan.total,
      scored: summary?.scored ?? 0,
      failed: summary?.failed ?? 0,
      unaccounted: summary?.unaccounted ?? 0,
    },
    market: summary ? { state: summary.market.state, score: summary.market.score } : null,
    changes: input.changes ?? null,
    screens: input.screens.map((screen) => {
      const members = input.screened.filter((t) => t.matches.includes(screen.name));
      return {
        name: screen.name,
        expression: screen.expression,
        count: members.length,
        top: members.slice(0, input.topN).map((t) => ({
          ticker: t.ticker,
          composite: round(t.values.composite, 1),
          rs: round(t.values.rs, 0),
          close: round(t.values.close_raw, 2),
        })),
      };
    }),
    reportUrl: input.reportUrl ?? null,
  };
}
