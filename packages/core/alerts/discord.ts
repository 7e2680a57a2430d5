import type { AlertContent } from "./alert-content.ts";
import type { AlertText } from "./alert-text.ts";
import { type Channel, clip, type HttpAnswer, jsonPost, judgeHttp } from "./channel.ts";

/** Discord markdown's special characters, escaped with a backslash. */
export function escapeDiscord(text: string): string {
  return text.replace(/([\\*_~`|>#[\]()-])/g, "\\$1");
}

const COLOR = { COMPLETE: 0x2e7d32, PARTIAL: 0xf9a825 } as Record<string, number>;

/**
 * A Discord webhook: `content` (title and summary) and one embed with a field per part. Discord
 * answers 204 (200 with `?wait=true`). Limits: content 2,000 characters, an embed's title 256,
 * a field's value 1,024, 25 fields, 6,000 in all; a 429 carries `retry_after` in seconds.
 */
export function discordChannel(url: string): Channel {
  return {
    name: "discord",
    request(content: AlertContent, text: AlertText) {
      return jsonPost(url, {
        content: clip(`**${escapeDiscord(text.title)}**\n${escapeDiscord(text.summary)}`, 2000),
        embeds: [
          {
            title: clip(text.title, 256),
            ...(content.reportUrl ? { url: content.reportUrl } : {}),
            color: COLOR[content.status] ?? 0x546e7a,
            fields: text.sections.slice(0, 25).map((s) => ({
              name: clip(s.title, 256),
              value: clip(s.lines.map(escapeDiscord).join("\n"), 1024),
            })),
            ...(content.finishedAt ? { timestamp: content.finishedAt } : {}),
          },
        ],
        allowed_mentions: { parse: [] },
      });
    },
    judge(answer: HttpAnswer) {
      const judged = judgeHttp(answer);
      if (judged.ok || answer.status !== 429 || judged.retryAfterMs !== undefined) return judged;
      try {
        const seconds = Number((JSON.parse(answer.body) as { retry_after?: unknown }).retry_after);
        return Number.isFinite(seconds) ? { ...judged, retryAfterMs: seconds * 1000 } : judged;
      } catch {
        return judged;
      }
    },
  };
}
