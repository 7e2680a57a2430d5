/**
 * The SNS topics, one per topology topic: notify publishes a scan's alert to
 * the scan alerts topic, and with TICKERFLEET_ALERT_EMAIL set at deploy that
 * address is subscribed by email (AWS first sends it a confirmation email;
 * nothing is delivered until it is confirmed).
 */
import { type TopicId, topology } from "../topology/index.ts";
import { physicalName } from "./naming.ts";
import { alertEmail } from "./settings.ts";

const email = alertEmail(process.env);

function declareTopic(id: TopicId): sst.aws.SnsTopic {
  const spec = topology.topics[id];
  const topic = new sst.aws.SnsTopic(spec.name, {
    transform: {
      // The display name is the sender's name of the emails the topic sends.
      topic: { name: physicalName($app.stage, spec.name), displayName: `tickerfleet ${$app.stage}` },
    },
  });
  if (email) {
    new aws.sns.TopicSubscription(`${spec.name}Email`, {
      topic: topic.arn,
      protocol: "email",
      endpoint: email,
    });
  }
  return topic;
}

export const topics: Record<TopicId, sst.aws.SnsTopic> = {
  scanAlerts: declareTopic("scanAlerts"),
};
