/**
 * notify: subscribed to the notify queue, which finalize writes a finished scan's id to.
 * Publishes the scan's report to the reports bucket, its link signed by the ReportLinkSigner
 * key (7 days), and sends its alerts, once per scan and channel. Partial batch responses.
 */
import { Resource } from "sst";
import { createNotify } from "../packages/adapters/compose/notify.ts";
import { ALERT_SECRETS, type AlertSecretName } from "../stacks/topology/index.ts";

export const handler = createNotify({
  notifyQueueUrl: Resource.NotifyQueue.url,
  scansTable: Resource.ScansTable.name,
  resultsTable: Resource.ResultsTable.name,
  barsTable: Resource.BarsTable.name,
  reportsBucket: Resource.ReportsBucket.name,
  // Empty locally (packages/local/runtime): there the default credentials sign.
  ...(Resource.ReportLinkSigner.accessKeyId && Resource.ReportLinkSigner.secretAccessKey
    ? {
        linkSigner: {
          accessKeyId: Resource.ReportLinkSigner.accessKeyId,
          secretAccessKey: Resource.ReportLinkSigner.secretAccessKey,
        },
      }
    : {}),
  alertsTopicArn: Resource.ScanAlertsTopic.arn,
  secrets: Object.fromEntries(
    (Object.keys(ALERT_SECRETS) as AlertSecretName[]).map((name) => [name, Resource[name].value]),
  ),
});
