import type { Channel, ChannelName } from "./channel.ts";
import { discordChannel } from "./discord.ts";
import { emailChannel } from "./email.ts";
import { slackChannel } from "./slack.ts";
import { telegramChannel } from "./telegram.ts";
import { webhookChannel } from "./webhook.ts";

/**
 * Where alerts go, as the deployment configured it (SST secrets in AWS, TICKERFLEET_ALERT_*
 * locally). Unset (or the `unset` placeholder) turns a channel off.
 */
export interface AlertChannelSettings {
  slackUrl?: string;
  discordUrl?: string;
  telegramToken?: string;
  telegramChatId?: string;
  /** The Bot API's origin (TICKERFLEET_TELEGRAM_URL). @default https://api.telegram.org */
  telegramApiUrl?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  /** Email goes through the scan alerts topic when it exists. */
  emailTopic?: string;
}

/** A configured channel, with the values no log or record may show. */
export interface ConfiguredChannel {
  channel: Channel;
  secrets: string[];
}

export interface ChannelProblem {
  channel: ChannelName;
  reason: string;
}

function httpUrl(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${setting} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(`${setting} is not an http(s) URL`);
  return value;
}

/**
 * The channels the settings turn on, and the ones set up wrong, each named with its problem (a
 * channel set up wrong is recorded failed on the scan; the others still send). Problems never
 * quote a value: URLs and tokens are secrets.
 */
export function configuredChannels(settings: AlertChannelSettings): {
  channels: ConfiguredChannel[];
  problems: ChannelProblem[];
} {
  const channels: ConfiguredChannel[] = [];
  const problems: ChannelProblem[] = [];
  const add = (name: ChannelName, make: () => ConfiguredChannel) => {
    try {
      channels.push(make());
    } catch (error) {
      problems.push({ channel: name, reason: (error as Error).message });
    }
  };
  const s = settings;
  if (s.slackUrl) {
    const url = s.slackUrl;
    add("slack", () => ({ channel: slackChannel(httpUrl(url, "the Slack webhook URL")), secrets: [url] }));
  }
  if (s.discordUrl) {
    const url = s.discordUrl;
    add("discord", () => ({
      channel: discordChannel(httpUrl(url, "the Discord webhook URL")),
      secrets: [url],
    }));
  }
  if (s.telegramToken || s.telegramChatId) {
    const { telegramToken: token, telegramChatId: chatId } = s;
    add("telegram", () => {
      if (!token)
        throw new Error("a Telegram chat id is set but no bot token (TICKERFLEET_ALERT_TELEGRAM_TOKEN)");
      if (!chatId)
        throw new Error("a Telegram bot token is set but no chat id (TICKERFLEET_ALERT_TELEGRAM_CHAT_ID)");
      const apiUrl = s.telegramApiUrl ? httpUrl(s.telegramApiUrl, "TICKERFLEET_TELEGRAM_URL") : undefined;
      return {
        channel: telegramChannel({ token, chatId, ...(apiUrl ? { apiUrl } : {}) }),
        secrets: [token],
      };
    });
  }
  if (s.emailTopic) add("email", () => ({ channel: emailChannel(), secrets: [] }));
  if (s.webhookUrl) {
    const { webhookUrl: url, webhookSecret: secret } = s;
    add("webhook", () => {
      if (!secret)
        throw new Error(
          "a webhook URL is set but no secret (TICKERFLEET_ALERT_WEBHOOK_SECRET): webhooks are sent signed",
        );
      return {
        channel: webhookChannel({ url: httpUrl(url, "the webhook URL"), secret }),
        secrets: [url, secret],
      };
    });
  }
  return { channels, problems };
}

/** Text with every secret in it replaced (an error may quote a URL whose path is a token). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[secret]");
  return out;
}
