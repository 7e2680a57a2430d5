import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AlertContent } from "./alert-content.ts";
import { alertText } from "./alert-text.ts";
import { configuredChannels, redact } from "./channels.ts";
import { discordChannel, escapeDiscord } from "./discord.ts";
import { emailChannel, emailSubject } from "./email.ts";
import { escapeSlack, slackChannel } from "./slack.ts";
import { escapeMarkdownV2, telegramChannel } from "./telegram.ts";
import { webhookChannel, webhookSignature } from "./webhook.ts";

function content(overrides: Partial<AlertContent> = {}): AlertContent {
  return {
    scanId: "scan-2",
    universe: "sp500",
    status: "COMPLETE",
    finishedAt: "2026-12-02T21:40:00.000Z",
    session: "2026-12-02",
    counts: { total: 503, scored: 501, failed: 2, unaccounted: 0 },
    market: { state: "confirmed-uptrend", score: 0.7 },
    changes: {
      previousScanId: "scan-1",
      screens: {
        "rs-leaders": { entered: ["BRK.B", "NVDA"], left: ["XOM"] },
        canslim: { entered: [], left: [] },
      },
      top: { size: 20, entered: ["AAPL"], left: ["F"] },
      rs: {
        "80": { crossedAbove: ["T"], crossedBelow: [] },
        "90": { crossedAbove: ["NVDA"], crossedBelow: ["XOM"] },
      },
      market: { from: "under-pressure", to: "confirmed-uptrend" },
    },
    screens: [
      {
        name: "rs-leaders",
        expression: "rs >= 90",
        count: 2,
        top: [
          { ticker: "NVDA", composite: 91.5, rs: 98, close: 180.1 },
          { ticker: "BRK.B", composite: 80, rs: 91, close: 500 },
        ],
      },
    ],
    reportUrl: "https://example.com/reports/scan-2.html?X-Amz-Signature=abc",
    ...overrides,
  };
}

const bodyOf = (r: ReturnType<ReturnType<typeof slackChannel>["request"]>) => {
  if (r.kind !== "http") throw new Error("expected an HTTP request");
  return JSON.parse(r.body) as Record<string, unknown>;
};

describe("alert text", () => {
  it("lists entered and left per screen, top moves, RS crossings and the market's turn", () => {
    const text = alertText(content());
    const lines = text.sections[0]!.lines;
    expect(lines).toContain("Market turned: under-pressure → confirmed-uptrend");
    expect(lines).toContain("rs-leaders: entered BRK.B, NVDA");
    expect(lines).toContain("rs-leaders: left XOM");
    expect(lines).toContain("Top 20: in AAPL");
    expect(lines).toContain("RS fell below 90: XOM");
    expect(lines.some((l) => l.startsWith("canslim"))).toBe(false);
    expect(text.summary).toBe("501 of 503 scored, 2 failed. Market: confirmed-uptrend. Scan scan-2.");
  });

  it("says a first scan has nothing to compare, and cuts long lists", () => {
    const first = content({
      changes: { ...content().changes!, previousScanId: null },
    });
    expect(alertText(first).sections[0]!.lines).toEqual([
      "First finished scan of sp500: nothing to compare.",
    ]);
    const many = Array.from({ length: 30 }, (_, i) => `T${i}`);
    const long = content({
      changes: { ...content().changes!, screens: { canslim: { entered: many, left: [] } } },
    });
    expect(alertText(long).sections[0]!.lines).toContain(
      `canslim: entered ${many.slice(0, 12).join(", ")} +18 more`,
    );
  });
});

describe("channel formats", () => {
  it("Slack: text and blocks, mrkdwn escaped", () => {
    const body = bodyOf(
      slackChannel("https://hooks.slack.com/services/T/B/X").request(content(), alertText(content())),
    );
    expect(typeof body.text).toBe("string");
    const blocks = body.blocks as { type: string; text?: { text: string } }[];
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "tickerfleet sp500 2026-12-02 scan COMPLETE" },
    });
    expect(blocks.some((b) => b.text?.text.includes("rs-leaders: entered BRK.B, NVDA"))).toBe(true);
    expect(escapeSlack("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
  });

  it("Discord: content and an embed with a field per section, within Discord's limits", () => {
    const body = bodyOf(
      discordChannel("https://discord.com/api/webhooks/1/x").request(content(), alertText(content())),
    );
    expect((body.content as string).length).toBeLessThanOrEqual(2000);
    const [embed] = body.embeds as {
      title: string;
      url: string;
      fields: { name: string; value: string }[];
    }[];
    expect(embed!.url).toBe(content().reportUrl);
    expect(embed!.fields.map((f) => f.name)).toEqual(["Changes", "Screens (best composite first)", "Report"]);
    expect(embed!.fields.every((f) => f.value.length <= 1024)).toBe(true);
    expect(escapeDiscord("a_b*c")).toBe("a\\_b\\*c");
  });

  it("Telegram: sendMessage with MarkdownV2, every special character escaped", () => {
    const channel = telegramChannel({ token: "123:ABC", chatId: "-100", apiUrl: "http://127.0.0.1:9/" });
    const request = channel.request(content(), alertText(content()));
    expect(request.kind === "http" && request.url).toBe("http://127.0.0.1:9/bot123:ABC/sendMessage");
    const body = bodyOf(request);
    expect(body).toMatchObject({ chat_id: "-100", parse_mode: "MarkdownV2" });
    expect(escapeMarkdownV2("BRK.B (+1.5%) _x_ [a]! #1 = {b} |c| ~d~ `e` >f \\")).toBe(
      "BRK\\.B \\(\\+1\\.5%\\) \\_x\\_ \\[a\\]\\! \\#1 \\= \\{b\\} \\|c\\| \\~d\\~ \\`e\\` \\>f \\\\",
    );
    // Outside the bold markers, no special character is left unescaped.
    const text = (body.text as string).replace(/\\[\s\S]/g, "").replace(/\*/g, "");
    expect(text).not.toMatch(/[_[\]()~`>#+\-=|{}.!]/);
  });

  it("Telegram: an ok:false answer fails even with a 200, and retry_after is read", () => {
    const channel = telegramChannel({ token: "t", chatId: "c" });
    expect(
      channel.judge!({ status: 200, body: '{"ok":true,"result":{"message_id":1}}', headers: {} }),
    ).toEqual({ ok: true });
    expect(channel.judge!({ status: 200, body: '{"ok":false}', headers: {} })).toMatchObject({
      ok: false,
      retry: true,
    });
    expect(
      channel.judge!({
        status: 429,
        body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}',
        headers: {},
      }),
    ).toEqual({
      ok: false,
      retry: true,
      retryAfterMs: 3000,
      reason: "HTTP 429: Too Many Requests: retry after 3",
    });
    expect(
      channel.judge!({
        status: 400,
        body: '{"ok":false,"description":"Bad Request: can\'t parse entities"}',
        headers: {},
      }),
    ).toMatchObject({ ok: false, retry: true, reason: "HTTP 400: Bad Request: can't parse entities" });
  });

  it("webhook: the documented JSON, signed with HMAC-SHA256 of the raw body", () => {
    const request = webhookChannel({ url: "http://127.0.0.1:9/hook", secret: "s3cret" }).request(
      content(),
      alertText(content()),
    );
    if (request.kind !== "http") throw new Error("expected HTTP");
    const body = JSON.parse(request.body);
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(["scanId", "universe", "status", "finishedAt", "changes", "screens"]),
    );
    expect(body.changes).toEqual(content().changes);
    const expected = `sha256=${createHmac("sha256", "s3cret").update(request.body).digest("hex")}`;
    expect(request.headers["x-tickerfleet-signature"]).toBe(expected);
    expect(webhookSignature(request.body, "other")).not.toBe(expected);
  });

  it("email: an ASCII subject of at most 100 characters and a plain body", () => {
    const request = emailChannel().request(content(), alertText(content()));
    if (request.kind !== "email") throw new Error("expected email");
    expect(request.subject).toBe("tickerfleet sp500 2026-12-02 scan COMPLETE");
    expect(request.message).toContain("  - rs-leaders: entered BRK.B, NVDA");
    expect(emailSubject(`a → b ${"x".repeat(200)}`)).toHaveLength(100);
  });
});

describe("configured channels", () => {
  it("turns on what is set and names what is set wrong, never quoting a value", () => {
    const { channels, problems } = configuredChannels({
      slackUrl: "https://hooks.slack.com/services/T/B/X",
      discordUrl: "not a url",
      telegramToken: "123:ABC",
      webhookUrl: "https://example.com/hook",
    });
    expect(channels.map((c) => c.channel.name)).toEqual(["slack"]);
    expect(problems).toEqual([
      { channel: "discord", reason: "the Discord webhook URL is not a URL" },
      {
        channel: "telegram",
        reason: "a Telegram bot token is set but no chat id (TICKERFLEET_ALERT_TELEGRAM_CHAT_ID)",
      },
      {
        channel: "webhook",
        reason:
          "a webhook URL is set but no secret (TICKERFLEET_ALERT_WEBHOOK_SECRET): webhooks are sent signed",
      },
    ]);
    expect(configuredChannels({}).channels).toEqual([]);
  });

  it("redacts secrets from reasons", () => {
    expect(redact("POST https://h/bot123:ABC/sendMessage failed", ["123:ABC"])).toBe(
      "POST https://h/bot[secret]/sendMessage failed",
    );
  });
});
