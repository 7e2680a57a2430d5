import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { configuredChannels } from "../../core/alerts/channels.ts";
import { ValidationError } from "../../core/errors.ts";
import { type NotifyOutcome, notifyScan } from "../../core/notify/notify-scan.ts";
import { parseNotifyMessage } from "../../core/pipeline/messages.ts";
import { renderReport } from "../../core/report/render-report.ts";
import { type AlertSecrets, alertChannelSettings } from "../alerts/settings.ts";
import { alertTransport } from "../alerts/transport.ts";
import {
  batchDocumentClient,
  documentClient,
  s3Client,
  s3SigningClient,
  snsClient,
  sqsClient,
} from "../aws-clients.ts";
import { changeSettings } from "../config.ts";
import { DynamoBarsStore } from "../dynamo/bars-store.ts";
import { DynamoNotifyRepository } from "../dynamo/notify-repository.ts";
import { DynamoScanReader } from "../dynamo/scan-reader.ts";
import { observability } from "../observability.ts";
import { S3ReportStore } from "../s3/report-store.ts";
import { failuresBackSoon } from "../sqs/retry-soon.ts";

export interface NotifyResources {
  /** The queue it is subscribed to: failed messages are handed back to it soon. */
  notifyQueueUrl: string;
  scansTable: string;
  resultsTable: string;
  barsTable: string;
  /** Absent: reports are not published. */
  reportsBucket?: string;
  /** The long-term key that signs reports' links, so they hold 7 days. Absent: the environment's credentials sign. */
  linkSigner?: { accessKeyId: string; secretAccessKey: string };
  /** Absent: no email channel. */
  alertsTopicArn?: string;
  secrets: AlertSecrets;
}

/**
 * notify's composition: for each notify message (a finished scan's id) publish its report and
 * send its alerts (core/notify/notify-scan.ts). A direct `{ "scanId": "..." }` invoke does the
 * same, which sends nothing twice. Logs each channel's outcome, never a URL or token.
 */
export function createNotify(resources: NotifyResources, env: NodeJS.ProcessEnv = process.env) {
  const clients = { documents: documentClient(), batches: batchDocumentClient() };
  const reader = new DynamoScanReader(clients, {
    scans: resources.scansTable,
    results: resources.resultsTable,
  });
  const ledger = new DynamoNotifyRepository(clients, resources.scansTable);
  const bars = new DynamoBarsStore(clients.documents, resources.barsTable);
  const reports = resources.reportsBucket
    ? new S3ReportStore(
        s3Client(),
        resources.reportsBucket,
        resources.linkSigner ? s3SigningClient(resources.linkSigner) : undefined,
      )
    : undefined;
  const sns = resources.alertsTopicArn
    ? { client: snsClient(), topicArn: resources.alertsTopicArn }
    : undefined;
  const { channels, problems } = configuredChannels(
    alertChannelSettings(env, resources.secrets, resources.alertsTopicArn),
  );
  const transport = alertTransport(sns);
  const settings = changeSettings(env);
  const obs = observability(env);
  const processor = new BatchProcessor(EventType.SQS);

  const notify = async (scanId: string, context: Context): Promise<NotifyOutcome> => {
    obs.scan(scanId);
    const started = Date.now();
    const outcome = await notifyScan(scanId, {
      store: {
        getScan: (id) => reader.getScan(id),
        results: (id) => reader.results(id),
        changes: (id) => reader.changes(id),
        breadth: (id) => reader.breadth(id),
        bars: (tickers, since) => bars.read(tickers, since),
        recordReport: (id, report) => ledger.recordReport(id, report),
      },
      ledger,
      transport,
      render: renderReport,
      ...(reports
        ? {
            publisher: {
              async publish(id: string, html: string) {
                const put = await reports.put(id, html);
                return { key: put.key, bytes: put.bytes, url: await reports.presignedUrl(put.key) };
              },
            },
          }
        : {}),
      channels,
      problems,
      settings,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    if (!outcome.notified) obs.logger.info("notify skipped", { event: "notify", ...outcome });
    else {
      const { report } = outcome;
      obs.logger.info("report", {
        event: "report",
        ...(report
          ? { published: !report.error, bytes: report.bytes, attempts: report.attempts, error: report.error }
          : { published: false, reason: "no reports bucket" }),
      });
      for (const alert of outcome.alerts)
        obs.logger.info("alert", { event: "alert", ...alert, ...outcome.headline });
      // Counted once: what this invocation finished (a redelivery finds the records and adds nothing).
      const mine = outcome.alerts.filter(
        (a) => a.finishedAt !== undefined && Date.parse(a.finishedAt) >= started,
      );
      obs.count("AlertsSent", mine.filter((a) => a.status === "sent").length);
      obs.count("AlertsFailed", mine.filter((a) => a.status === "failed").length);
      if (report?.publishedAt && Date.parse(report.publishedAt) >= started) obs.count("ReportsPublished", 1);
      if (report?.error) obs.count("ReportsFailed", 1);
    }
    return outcome;
  };

  const handler = async (event: unknown, context: Context): Promise<SQSBatchResponse | NotifyOutcome> => {
    const records = (event as SQSEvent | null)?.Records;
    if (Array.isArray(records) && records.every((r) => r?.eventSource === "aws:sqs")) {
      const handleRecord = async (record: SQSRecord) => {
        await notify(parseNotifyMessage(record.body).scanId, context);
      };
      const response = await processPartialResponse(event as SQSEvent, handleRecord, processor, { context });
      // Only a store that kept failing fails a message: it comes back in seconds, and what was done is not done twice.
      await failuresBackSoon(sqsClient(), resources.notifyQueueUrl, records as SQSRecord[], response);
      return response;
    }
    const scanId = (event as { scanId?: unknown } | null)?.scanId;
    if (typeof scanId === "string" && scanId.length > 0) return notify(scanId, context);
    throw new ValidationError("notify event", ['expected SQS notify messages or {"scanId": "..."}']);
  };

  return async (event: unknown, context: Context) => {
    obs.begin(context);
    try {
      return await handler(event, context);
    } finally {
      obs.end();
    }
  };
}
