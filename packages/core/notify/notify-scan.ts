import { alertContent } from "../alerts/alert-content.ts";
import { alertText } from "../alerts/alert-text.ts";
import type { ChannelProblem, ConfiguredChannel } from "../alerts/channels.ts";
import { type AlertRecord, type DeliverDeps, deliverAlerts } from "../alerts/deliver.ts";
import type { ScanChanges } from "../changes/changes.ts";
import type { ChangeSettings } from "../changes/settings.ts";
import type { StoredTicker } from "../history/ticker-history.ts";
import type { ResultRecord, ScanRecord, ScanReportRecord, ScoredResult } from "../pipeline/records.ts";
import type { StoredBreadth } from "../pipeline/stored-breadth.ts";
import { gatherReport } from "../report/gather-report.ts";
import type { ReportData } from "../report/report-data.ts";
import { type ScreenedTicker, screenScan } from "../screens/scan-screens.ts";

/** What notify reads of a finished scan, and writes back on it. */
export interface NotifyStore {
  getScan(scanId: string): Promise<ScanRecord | undefined>;
  results(scanId: string): AsyncIterable<ResultRecord>;
  changes(scanId: string): Promise<ScanChanges | undefined>;
  breadth(scanId: string): Promise<StoredBreadth | undefined>;
  bars(tickers: readonly string[], since: string): Promise<Map<string, StoredTicker>>;
  recordReport(scanId: string, report: ScanReportRecord): Promise<void>;
}

/** Writes a report where people can open it: the object's key, a link valid `linkSeconds`, its size. */
export interface ReportPublisher {
  publish(scanId: string, html: string): Promise<{ key: string; url: string; bytes: number }>;
}

export interface NotifyDeps extends Omit<DeliverDeps, "ledger"> {
  store: NotifyStore;
  ledger: DeliverDeps["ledger"];
  /** The report's renderer (pure): data in, one HTML page out. */
  render: (data: ReportData) => string;
  /** Absent when the deployment has no reports bucket. */
  publisher?: ReportPublisher;
  channels: readonly ConfiguredChannel[];
  problems: readonly ChannelProblem[];
  /** The screens alerts list and the top-N size. */
  settings: ChangeSettings;
  /** How long a report's link is valid. @default 7 days */
  linkSeconds?: number;
  /** Publishing tries. @default 3 */
  publishAttempts?: number;
}

export type NotifyOutcome =
  | { scanId: string; notified: false; reason: string }
  | {
      scanId: string;
      notified: true;
      report: ScanReportRecord | null;
      alerts: AlertRecord[];
      /** What the alerts said first: their title and summary line. */
      headline: { title: string; summary: string };
    };

const FINISHED = new Set(["COMPLETE", "PARTIAL"]);

/**
 * After finalize: publishes the scan's report (once: a redelivered message reuses the recorded
 * link) and sends its alerts (at most once per channel, deliver.ts). Publishing is tried a few
 * times and then recorded failed; neither a failed publish nor a failed channel fails the scan
 * or stops the alerts. Only a store that cannot be read or written fails the message (SQS then
 * delivers it again, and what was done is not done twice).
 */
export async function notifyScan(scanId: string, deps: NotifyDeps): Promise<NotifyOutcome> {
  const scan = await deps.store.getScan(scanId);
  if (!scan) return { scanId, notified: false, reason: "no such scan" };
  if (!FINISHED.has(scan.status) || !scan.summary)
    return { scanId, notified: false, reason: `scan is ${scan.status}: notify follows finalize` };
  const [scored, changes, breadth] = await Promise.all([
    scoredOf(deps.store.results(scanId)),
    deps.store.changes(scanId),
    deps.store.breadth(scanId),
  ]);
  // Scored again as finalize scored them, once: for the report's rows and the alerts' top lists.
  const screened = screenScan(scored, scan.summary, deps.settings.screens);
  const report = await publishReport(scan, scored, screened, changes, breadth, deps);
  const content = alertContent({
    scan,
    changes,
    screens: deps.settings.screens,
    screened,
    topN: deps.settings.topN,
    ...(report?.url ? { reportUrl: report.url } : {}),
  });
  const alerts = await deliverAlerts(content, deps.channels, deps.problems, deps);
  const { title, summary } = alertText(content);
  return { scanId, notified: true, report, alerts, headline: { title, summary } };
}

async function scoredOf(results: AsyncIterable<ResultRecord>): Promise<ScoredResult[]> {
  const scored: ScoredResult[] = [];
  for await (const r of results) if (r.status === "scored") scored.push(r);
  return scored;
}

async function publishReport(
  scan: ScanRecord,
  scored: ScoredResult[],
  screened: readonly ScreenedTicker[],
  changes: ScanChanges | undefined,
  breadth: StoredBreadth | undefined,
  deps: NotifyDeps,
): Promise<ScanReportRecord | null> {
  if (!deps.publisher) return null;
  if (scan.report?.url) return scan.report;
  const attempts = deps.publishAttempts ?? 3;
  const linkSeconds = deps.linkSeconds ?? 7 * 86_400;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let error = "";
  let tried = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    tried = attempt;
    try {
      const data = await gatherReport({
        scan,
        scored,
        screened,
        screens: deps.settings.screens,
        ...(changes ? { changes } : {}),
        ...(breadth ? { breadth } : {}),
        bars: (tickers, since) => deps.store.bars(tickers, since),
      });
      const published = await deps.publisher.publish(scan.scanId, deps.render(data));
      const now = deps.now?.() ?? new Date();
      const record: ScanReportRecord = {
        key: published.key,
        url: published.url,
        bytes: published.bytes,
        publishedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + linkSeconds * 1000).toISOString(),
        attempts: attempt,
      };
      await deps.store.recordReport(scan.scanId, record);
      return record;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (attempt < attempts && deps.remainingMs() > 30_000) await sleep(500 * 2 ** attempt);
      else break;
    }
  }
  const failed: ScanReportRecord = { attempts: tried, error };
  await deps.store.recordReport(scan.scanId, failed);
  return failed;
}
