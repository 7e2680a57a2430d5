import type { AlertContent } from "./alert-content.ts";
import type { AlertText } from "./alert-text.ts";
import type { Channel } from "./channel.ts";

/** SNS's limits on an email's subject: ASCII, one line, at most 100 characters. */
export function emailSubject(text: string): string {
  const ascii = text
    .replace(/→/g, "->")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

/** Email through the SNS topic its subscribers confirmed: a subject and plain text. */
export function emailChannel(): Channel {
  return {
    name: "email",
    request(_content: AlertContent, text: AlertText) {
      const body = [
        text.summary,
        ...text.sections.map((s) => `${s.title}\n${s.lines.map((l) => `  - ${l}`).join("\n")}`),
      ].join("\n\n");
      return { kind: "email", subject: emailSubject(text.title), message: `${body}\n` };
    },
  };
}
