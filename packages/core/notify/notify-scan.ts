import { alertContent } from "../alerts/alert-content.ts";
import { alertText } from "../alerts/alert-text.ts";
import type { ChannelProblem, ConfiguredChannel } from "../alerts/channels.ts";
import { type AlertRecord, type DeliverDeps, deliverAlerts } from "../alerts/deliver.ts";
import type { ChangeSettings } from "../changes/settings.ts";
import type { ScanRecord, ScanReportRecord } from "../pipeline/records.ts";
import {
  gatherReport,
  type ReportReads,
  type ReportSources,
  readReportSources,
} from "../report/gather-report.ts";
import type { ReportData } from "../report/report-data.ts";

/** What notify reads of a finished scan, and writes back on it. */
export interface NotifyStore extends ReportReads {
  getScan(scanId: string): Promise<ScanRecord | undefined>;
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
  // Read, and scored again as finalize scored them, once: for the report's rows and the alerts' top lists.
  const sources = await readReportSources(
    { ...scan, summary: scan.summary },
    deps.store,
    deps.settings.screens,
  );
  const report = await publishReport(sources, deps);
  const content = alertContent({
    scan,
    changes: sources.changes,
    screens: deps.settings.screens,
    screened: sources.screened,
    topN: deps.settings.topN,
    ...(report?.url ? { reportUrl: report.url } : {}),
  });
  const alerts = await deliverAlerts(content, deps.channels, deps.problems, deps);
  const { title, summary } = alertText(content);
  return { scanId, notified: true, report, alerts, headline: { title, summary } };
}

async function publishReport(sources: ReportSources, deps: NotifyDeps): Promise<ScanReportRecord | null> {
  const { scan } = sources;
  if (!deps.publisher) return null;
  if (scan.report?.url) return scan.report;
  const attempts = deps.publishAttempts ?? 3;
  const linkSeconds = deps.linkSeconds ?? 7 * 86_400;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let error = "";
  let attempt = 0;
  while (attempt < attempts) {
    attempt++;
    try {
      const data = await gatherReport(sources);
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
      if (attempt === attempts || deps.remainingMs() <= 30_000) break;
      await sleep(500 * 2 ** attempt);
    }
  }
  const failed: ScanReportRecord = { attempts: attempt, error };
  await deps.store.recordReport(scan.scanId, failed);
  return failed;
}
