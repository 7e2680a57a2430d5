import { ALERT_SECRETS, type AlertSecretName } from "../../../stacks/topology/index.ts";
import type { AlertChannelSettings } from "../../core/alerts/channels.ts";

/** What an optional SST secret holds until it is set (stacks/sst/secrets.ts). */
const UNSET_SECRET = "unset";

export type AlertSecrets = Readonly<Partial<Record<AlertSecretName, string>>>;

/**
 * The alert channels' settings: each URL, token and secret from its SST secret when that is set,
 * else from its TICKERFLEET_ALERT_* variable (what `local up` and `sst dev` pass); email when
 * TICKERFLEET_ALERT_EMAIL names an address (the topic's subscriber) and the topic is linked.
 */
export function alertChannelSettings(
  env: NodeJS.ProcessEnv,
  secrets: AlertSecrets,
  emailTopicArn: string | undefined,
): AlertChannelSettings {
  const value = (name: AlertSecretName): string | undefined => {
    const secret = secrets[name]?.trim();
    const chosen = secret && secret !== UNSET_SECRET ? secret : env[ALERT_SECRETS[name]]?.trim();
    return chosen || undefined;
  };
  const settings: AlertChannelSettings = {};
  const set = <K extends keyof AlertChannelSettings>(key: K, v: string | undefined) => {
    if (v) settings[key] = v;
  };
  set("slackUrl", value("AlertSlackUrl"));
  set("discordUrl", value("AlertDiscordUrl"));
  set("telegramToken", value("AlertTelegramToken"));
  set("telegramChatId", value("AlertTelegramChatId"));
  set("telegramApiUrl", env.TICKERFLEET_TELEGRAM_URL?.trim());
  set("webhookUrl", value("AlertWebhookUrl"));
  set("webhookSecret", value("AlertWebhookSecret"));
  if (env.TICKERFLEET_ALERT_EMAIL?.trim()) set("emailTopic", emailTopicArn);
  return settings;
}
