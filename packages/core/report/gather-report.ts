import type { ScanChanges } from "../changes/changes.ts";
import type { StoredTicker } from "../history/ticker-history.ts";
import type { ResultRecord, ScanRecord, ScoredResult } from "../pipeline/records.ts";
import type { StoredBreadth } from "../pipeline/stored-breadth.ts";
import { type ScreenedTicker, screenScan } from "../screens/scan-screens.ts";
import type { Screen } from "../screens/screen.ts";
import { addTradingDays } from "../trading-calendar.ts";
import { CHART_SESSIONS, CHART_WARMUP, priceChart } from "./price-chart.ts";
import type { ReportData, ReportRow } from "./report-data.ts";

/** Tickers with a price chart in a report. */
export const CHARTED = 20;

/** Where a finished scan's report reads from: its results, changes and breadth, and the bars store. */
export interface ReportReads {
  results(scanId: string): AsyncIterable<ResultRecord>;
  changes(scanId: string): Promise<ScanChanges | undefined>;
  breadth(scanId: string): Promise<StoredBreadth | undefined>;
  bars(tickers: readonly string[], since: string): Promise<Map<string, StoredTicker>>;
}

/**
 * A finished scan's report sources, read at once and screened once: what notify publishes and
 * alerts from, and what `tickerfleet report` renders.
 */
export async function readReportSources(
  scan: ScanRecord & { summary: NonNullable<ScanRecord["summary"]> },
  reads: ReportReads,
  screens: readonly Screen[],
): Promise<ReportSources & { screened: ScreenedTicker[] }> {
  const scored: ScoredResult[] = [];
  const [changes, breadth] = await Promise.all([
    reads.changes(scan.scanId),
    reads.breadth(scan.scanId),
    (async () => {
      for await (const r of reads.results(scan.scanId)) if (r.status === "scored") scored.push(r);
    })(),
  ]);
  return {
    scan,
    scored,
    screens,
    screened: screenScan(scored, scan.summary, screens),
    ...(changes ? { changes } : {}),
    ...(breadth ? { breadth } : {}),
    bars: (tickers, since) => reads.bars(tickers, since),
  };
}

/** What a report is made of, read from the stores by the caller. */
export interface ReportSources {
  scan: ScanRecord;
  scored: readonly ScoredResult[];
  screens: readonly Screen[];
  changes?: ScanChanges;
  breadth?: StoredBreadth;
  /** The scored tickers already screened (screenScan over `scored` and `screens`), when the caller has them. */
  screened?: readonly ScreenedTicker[];
  /** The stored bars of the given tickers (the bars store), for the top tickers' charts. */
  bars(tickers: readonly string[], since: string): Promise<Map<string, StoredTicker>>;
  now?: () => Date;
}

const num = (v: unknown, digits?: number): number | null =>
  typeof v === "number" && Number.isFinite(v) ? (digits === undefined ? v : Number(v.toFixed(digits))) : null;

/** The session the charts end on, and the first one their reads need. */
function chartWindow(scan: ScanRecord): { session: string | undefined; since: string } {
  const session = scan.session;
  const end = session ?? (scan.finishedAt ?? scan.createdAt).slice(0, 10);
  return { session, since: addTradingDays(end, -(CHART_SESSIONS + CHART_WARMUP + 5)) };
}

/**
 * A finished scan's report data: every scored ticker scored again as finalize scored it (the
 * same screen fields `tickerfleet export` lists), the screens each passes, the summary, the
 * changes, the breadth and the top tickers' price charts from the bars store.
 */
export async function gatherReport(sources: ReportSources): Promise<ReportData> {
  const { scan } = sources;
  const summary = scan.summary;
  if (!summary) throw new Error(`scan ${scan.scanId} has not finished: a report is of a finished scan`);
  const screened = sources.screened ?? screenScan(sources.scored, summary, sources.screens);
  const provider = new Map(sources.scored.map((r) => [r.ticker, r.provider ?? scan.provider]));
  const screenIndex = new Map(sources.screens.map((s, i) => [s.name, i]));
  const rows: ReportRow[] = screened.map((t, i) => ({
    rank: i + 1,
    ticker: t.ticker,
    composite: num(t.values.composite, 2),
    rs: num(t.values.rs),
    trend: num(t.values.trend),
    close: num(t.values.close_raw),
    changePct: num(t.values.change_pct, 3),
    volumeRatio: num(t.values.volume_ratio, 3),
    rsi14: num(t.values.rsi14, 2),
    pctFromHigh: num(t.values.pct_from_high, 2),
    macdStage: typeof t.values.macd_stage === "string" ? t.values.macd_stage : null,
    provider: provider.get(t.ticker) ?? null,
    screens: t.matches.map((name) => screenIndex.get(name)!),
  }));
  const top = rows.slice(0, CHARTED);
  const window = chartWindow(scan);
  const stored =
    top.length > 0
      ? await sources.bars(
          top.map((r) => r.ticker),
          window.since,
        )
      : new Map();
  const charts = top.flatMap((row) => {
    const history = stored.get(row.ticker);
    const chart = history ? priceChart(history, window.session, row.rank) : undefined;
    return chart ? [chart] : [];
  });
  return {
    scan: {
      scanId: scan.scanId,
      universe: scan.universe,
      provider: scan.provider,
      ...(scan.providers ? { providers: scan.providers } : {}),
      ...(scan.plan ? { plan: { requests: scan.plan.requests, seconds: scan.plan.seconds } } : {}),
      status: scan.status,
      ...(scan.session ? { session: scan.session } : {}),
      createdAt: scan.createdAt,
      ...(scan.finishedAt ? { finishedAt: scan.finishedAt } : {}),
      durationMs: summary.durationMs,
      total: scan.total,
      scored: summary.scored,
      failed: summary.failed,
      unaccounted: summary.unaccounted,
      providerRequests: scan.providerRequests ?? null,
      // A scan's dollars are measured on the local stack by `scan --local`, not per scan in AWS.
      costUsd: null,
      ...(summary.byProvider ? { byProvider: summary.byProvider } : {}),
      cacheHits: summary.cacheHits,
      market: summary.market,
      failures: summary.failures,
    },
    rows,
    screens: sources.screens.map((s) => ({ name: s.name, expression: s.expression })),
    ...(sources.changes ? { changes: sources.changes } : {}),
    ...(sources.breadth ? { breadth: sources.breadth } : {}),
    charts,
    generatedAt: (sources.now?.() ?? new Date()).toISOString(),
  };
}
