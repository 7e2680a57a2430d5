/**
 * The metrics the functions publish (Powertools Metrics, in CloudWatch's embedded metric format:
 * namespace and names from stacks/topology) on one CloudWatch dashboard, and an alarm when a
 * provider's circuit breaker opens (a provider failing again and again) and one when an alert
 * channel fails, each worth a look (the alerts topic emails them when TICKERFLEET_ALERT_EMAIL was
 * set at deploy, as the DLQ alarms do).
 */
import { topology } from "../topology/index.ts";
import { alertTopic } from "./alarms.ts";
import { physicalName } from "./naming.ts";

const { namespace, service } = topology.metrics;
const dimensions = { service, stage: $app.stage };
const metric = (name: string, label: string) => [
  namespace,
  name,
  "service",
  service,
  "stage",
  $app.stage,
  { stat: "Sum", label },
];

const widget = (title: string, metrics: unknown[], x: number, y: number) => ({
  type: "metric",
  x,
  y,
  width: 12,
  height: 6,
  properties: { title, metrics, view: "timeSeries", stacked: false, period: 300 },
});

export const dashboard = new aws.cloudwatch.Dashboard("Dashboard", {
  dashboardName: physicalName($app.stage, "Dashboard"),
  dashboardBody: aws.getRegionOutput().name.apply((region) =>
    JSON.stringify({
      widgets: [
        widget("Tickers", [metric("TickersScored", "scored"), metric("TickersFailed", "failed")], 0, 0),
        widget("Scans", [metric("ScansStarted", "started"), metric("ScansFinished", "finished")], 12, 0),
        widget(
          "Provider requests",
          [
            metric("ProviderRequests", "requests"),
            metric("CacheHits", "cache hits"),
            metric("Fallbacks", "fallbacks"),
          ],
          0,
          6,
        ),
        widget(
          "Limits and breakers",
          [
            metric("ProviderRefusals", "refusals (429)"),
            metric("ProviderHolds", "holds"),
            metric("BreakerOpens", "breaker opens"),
            metric("BreakerProbes", "breaker probes"),
            metric("LapsedTokens", "lapsed tokens"),
          ],
          12,
          6,
        ),
        widget(
          "Alerts and reports",
          [
            metric("AlertsSent", "alerts sent"),
            metric("AlertsFailed", "alerts failed"),
            metric("ReportsPublished", "reports published"),
            metric("ReportsFailed", "reports not published"),
          ],
          0,
          12,
        ),
      ].map((w) => ({ ...w, properties: { ...w.properties, region } })),
    }),
  ),
});

/** An alarm when a count the functions publish is above zero in 5 minutes; no data is the healthy state. */
function countAlarm(name: string, metricName: string, alarmDescription: string): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(name, {
    name: physicalName($app.stage, name),
    alarmDescription,
    namespace,
    metricName,
    dimensions,
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    alarmActions: alertTopic ? [alertTopic.arn] : [],
    okActions: alertTopic ? [alertTopic.arn] : [],
  });
}

export const breakerAlarm = countAlarm(
  "BreakerOpensAlarm",
  "BreakerOpens",
  "A provider's circuit breaker opened: it answered with failures (5xx, timeouts, resets) again and again. Scans fall back along their chain or wait the cool-down out; look at the fetcher's logs (breakerOpens) and the provider's status.",
);

export const alertsFailedAlarm = countAlarm(
  "AlertsFailedAlarm",
  "AlertsFailed",
  "An alert channel failed for a scan after its retries (or is set up wrong): its reason is on the scan (`tickerfleet status <scanId>`, the alert#<channel> item) and in notify's logs. Check the channel's secret and the service's status.",
);
