/**
 * A CloudWatch alarm per dead-letter queue: a message there is a chunk or a
 * ticker the pipeline gave up on (the sweep finalizes its scan PARTIAL), worth
 * a look. With TICKERFLEET_ALERT_EMAIL set at deploy, the alarms email that
 * address through an SNS topic (AWS first sends a confirmation email).
 */
import { type QueueId, topology } from "../topology/index.ts";
import { physicalName } from "./naming.ts";
import { deadLetterQueues } from "./queues.ts";
import { alertEmail } from "./settings.ts";

const email = alertEmail(process.env);

/** The topic the alarms notify, when an alert email is configured. */
export const alertTopic = email
  ? new aws.sns.Topic("Alerts", { name: physicalName($app.stage, "Alerts") })
  : undefined;

if (alertTopic && email) {
  new aws.sns.TopicSubscription("AlertsEmail", { topic: alertTopic.arn, protocol: "email", endpoint: email });
}

function declareAlarm(id: QueueId): aws.cloudwatch.MetricAlarm {
  const spec = topology.queues[id];
  const actions = alertTopic ? [alertTopic.arn] : [];
  return new aws.cloudwatch.MetricAlarm(`${spec.dlqName}Alarm`, {
    name: physicalName($app.stage, `${spec.dlqName}Alarm`),
    alarmDescription: `Messages in ${spec.dlqName}: ${spec.name} messages that failed ${spec.maxReceiveCount} times. Inspect them in the SQS console; redrive once the cause is fixed.`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: deadLetterQueues[id].nodes.queue.name },
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    // SQS publishes no data for an idle, empty queue: that is the healthy state.
    treatMissingData: "notBreaching",
    alarmActions: actions,
    okActions: actions,
  });
}

export const alarms: Record<QueueId, aws.cloudwatch.MetricAlarm> = {
  fetch: declareAlarm("fetch"),
  score: declareAlarm("score"),
  finalize: declareAlarm("finalize"),
  notify: declareAlarm("notify"),
};
