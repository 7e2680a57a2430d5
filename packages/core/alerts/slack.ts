import type { AlertContent } from "./alert-content.ts";
import type { AlertText } from "./alert-text.ts";
import { type Channel, clip, jsonPost } from "./channel.ts";

/** Slack's mrkdwn escapes only these three (api.slack.com "Formatting text for app surfaces"). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A Slack incoming webhook: `text` (the notification's and fallback text) and `blocks` (a header,
 * the summary, a section per part). Slack answers 200 `ok`; a section's text holds at most 3,000
 * characters, a header's 150.
 */
export function slackChannel(url: string): Channel {
  return {
    name: "slack",
    request(content: AlertContent, text: AlertText) {
      const sections = text.sections.map((s) => ({
        type: "section",
        text: {
          type: "mrkdwn",
          text: clip(
            `*${escapeSlack(s.title)}*\n${s.lines.map((l) => `• ${escapeSlack(l)}`).join("\n")}`,
            3000,
          ),
        },
      }));
      return jsonPost(url, {
        text: `${text.title}: ${text.summary}`,
        blocks: [
          { type: "header", text: { type: "plain_text", text: clip(text.title, 150) } },
          { type: "section", text: { type: "mrkdwn", text: escapeSlack(text.summary) } },
          ...sections,
          ...(content.reportUrl
            ? [
                {
                  type: "actions",
                  elements: [
                    {
                      type: "button",
                      text: { type: "plain_text", text: "Open the report" },
                      url: content.reportUrl,
                    },
                  ],
                },
              ]
            : []),
        ],
      });
    },
  };
}
