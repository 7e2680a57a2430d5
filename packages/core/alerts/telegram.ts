import type { AlertContent } from "./alert-content.ts";
import type { AlertText } from "./alert-text.ts";
import { type Channel, clip, type HttpAnswer, jsonPost, judgeHttp } from "./channel.ts";

/** Telegram's Bot API. */
export const TELEGRAM_API = "https://api.telegram.org";

/**
 * MarkdownV2 escaping (core.telegram.org/bots/api#markdownv2-style): outside entities, each of
 * _ * [ ] ( ) ~ ` > # + - = | { } . ! and the backslash itself takes a backslash.
 */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/([_*[\]()~`>#+\-=|{}.!\\])/g, "\\$1");
}

/**
 * Telegram's `sendMessage` with parse_mode MarkdownV2 (4,096 characters at most). It answers
 * `{"ok":true,"result":{…}}`, or `{"ok":false,"error_code","description"}` with `parameters.retry_after`
 * on a 429; an `ok` other than true is a failure whatever the status.
 */
export function telegramChannel(input: { token: string; chatId: string; apiUrl?: string }): Channel {
  const base = (input.apiUrl ?? TELEGRAM_API).replace(/\/+$/, "");
  const url = `${base}/bot${input.token}/sendMessage`;
  return {
    name: "telegram",
    request(_content: AlertContent, text: AlertText) {
      const parts = [
        `*${escapeMarkdownV2(text.title)}*`,
        escapeMarkdownV2(text.summary),
        ...text.sections.map(
          (s) =>
            `*${escapeMarkdownV2(s.title)}*\n${s.lines.map((l) => escapeMarkdownV2(`• ${l}`)).join("\n")}`,
        ),
      ];
      // Clipping could cut an escape in two: whole parts are dropped instead.
      let message = "";
      for (const part of parts) {
        const next = message ? `${message}\n\n${part}` : part;
        if (next.length > 4000) break;
        message = next;
      }
      return jsonPost(url, {
        chat_id: input.chatId,
        text: clip(message, 4096),
        parse_mode: "MarkdownV2",
        link_preview_options: { is_disabled: true },
      });
    },
    judge(answer: HttpAnswer) {
      let parsed: { ok?: unknown; description?: unknown; parameters?: { retry_after?: unknown } } | undefined;
      try {
        parsed = JSON.parse(answer.body);
      } catch {
        parsed = undefined;
      }
      const judged = judgeHttp(answer);
      if (judged.ok) {
        return parsed?.ok === true
          ? judged
          : { ok: false, reason: `Telegram answered ${answer.status} without "ok": true`, retry: true };
      }
      const reason =
        typeof parsed?.description === "string"
          ? `HTTP ${answer.status}: ${parsed.description}`
          : judged.reason;
      const seconds = Number(parsed?.parameters?.retry_after);
      return Number.isFinite(seconds)
        ? { ...judged, reason, retryAfterMs: seconds * 1000 }
        : { ...judged, reason };
    },
  };
}
