import { describe, expect, it } from "vitest";
import type { AlertContent } from "./alert-content.ts";
import type { HttpAnswer } from "./channel.ts";
import { configuredChannels } from "./channels.ts";
import { type AlertLedger, type AlertRecord, type AlertTransport, deliverAlerts } from "./deliver.ts";

const content: AlertContent = {
  scanId: "scan-1",
  universe: "sp500",
  status: "COMPLETE",
  finishedAt: "2026-12-02T21:40:00.000Z",
  session: "2026-12-02",
  counts: { total: 1, scored: 1, failed: 0, unaccounted: 0 },
  market: null,
  changes: null,
  screens: [],
  reportUrl: null,
};

/** The ledger's contract (a conditional put per channel), kept in a Map: deliver's logic, not DynamoDB, is under test. */
function mapLedger(): AlertLedger & { records: Map<string, AlertRecord> } {
  const records = new Map<string, AlertRecord>();
  return {
    records,
    async claim(scanId, record) {
      const key = `${scanId}/${record.channel}`;
      const held = records.get(key);
      if (held) return { claimed: false, record: held };
      records.set(key, record);
      return { claimed: true };
    },
    async finish(scanId, record) {
      records.set(`${scanId}/${record.channel}`, record);
    },
  };
}

/** Answers from a script per URL; the last answer repeats. */
function scriptedTransport(script: Record<string, (HttpAnswer | Error)[]>) {
  const calls: string[] = [];
  const transport: AlertTransport = {
    async http(req) {
      calls.push(req.url);
      const answers = script[req.url]!;
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async email() {
      calls.push("email");
    },
  };
  return { transport, calls };
}

const ok: HttpAnswer = { status: 200, body: "ok", headers: {} };
const noSleep = async () => undefined;

describe("deliverAlerts", () => {
  it("tries a 500 again and sends once; a channel that always fails is recorded failed, the others still send", async () => {
    const { channels, problems } = configuredChannels({
      slackUrl: "http://127.0.0.1:1/slack",
      discordUrl: "http://127.0.0.1:1/discord",
      webhookUrl: "http://127.0.0.1:1/hook",
      webhookSecret: "s",
    });
    const { transport, calls } = scriptedTransport({
      "http://127.0.0.1:1/slack": [{ status: 500, body: "boom", headers: {} }, ok],
      "http://127.0.0.1:1/discord": [{ status: 503, body: "down", headers: {} }],
      "http://127.0.0.1:1/hook": [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), ok],
    });
    const ledger = mapLedger();
    const records = await deliverAlerts(content, channels, problems, {
      ledger,
      transport,
      remainingMs: () => 100_000,
      sleep: noSleep,
    });
    expect(records.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ["slack", "sent", 2],
      ["discord", "failed", 4],
      ["webhook", "sent", 2],
    ]);
    expect(records[1]!.reason).toBe("HTTP 503: down after 4 attempts");
    expect(calls.filter((c) => c.endsWith("/slack"))).toHaveLength(2);
  });

  it("tries a 4xx again too (then records it), and stops trying when the invocation's time runs short", async () => {
    const { channels } = configuredChannels({
      slackUrl: "http://127.0.0.1:1/slack",
      discordUrl: "http://127.0.0.1:1/discord",
    });
    const { transport } = scriptedTransport({
      "http://127.0.0.1:1/slack": [{ status: 404, body: "no_service", headers: {} }],
      "http://127.0.0.1:1/discord": [{ status: 500, body: "", headers: {} }],
    });
    const records = await deliverAlerts(content, channels, [], {
      ledger: mapLedger(),
      transport,
      remainingMs: () => 5_000,
      sleep: noSleep,
    });
    expect(records.map((r) => [r.channel, r.status, r.attempts, r.reason])).toEqual([
      ["slack", "failed", 1, "HTTP 404: no_service (no time left to try again) after 1 attempt"],
      ["discord", "failed", 1, "HTTP 500 (no time left to try again) after 1 attempt"],
    ]);
  });

  it("tries a channel answering 403 then 200 again and sends once", async () => {
    const { channels } = configuredChannels({ webhookUrl: "http://127.0.0.1:1/hook", webhookSecret: "s" });
    const { transport, calls } = scriptedTransport({
      "http://127.0.0.1:1/hook": [{ status: 403, body: "forbidden", headers: {} }, ok],
    });
    const [record] = await deliverAlerts(content, channels, [], {
      ledger: mapLedger(),
      transport,
      remainingMs: () => 100_000,
      sleep: noSleep,
    });
    expect(record).toMatchObject({ channel: "webhook", status: "sent", attempts: 2 });
    expect(calls).toHaveLength(2);
  });

  it("sends nothing twice: a second delivery finds every channel claimed", async () => {
    const { channels } = configuredChannels({ slackUrl: "http://127.0.0.1:1/slack" });
    const { transport, calls } = scriptedTransport({ "http://127.0.0.1:1/slack": [ok] });
    const ledger = mapLedger();
    const deps = { ledger, transport, remainingMs: () => 100_000, sleep: noSleep };
    await deliverAlerts(content, channels, [], deps);
    const again = await deliverAlerts(content, channels, [], deps);
    expect(calls).toHaveLength(1);
    expect(again[0]).toMatchObject({ channel: "slack", status: "sent", attempts: 1 });
  });

  it("records a send interrupted mid-way as failed and does not send it again", async () => {
    const { channels } = configuredChannels({ slackUrl: "http://127.0.0.1:1/slack" });
    const { transport, calls } = scriptedTransport({ "http://127.0.0.1:1/slack": [ok] });
    const ledger = mapLedger();
    ledger.records.set("scan-1/slack", {
      channel: "slack",
      status: "sending",
      attempts: 0,
      claimedAt: "2026-12-01T00:00:00.000Z",
    });
    const [record] = await deliverAlerts(content, channels, [], {
      ledger,
      transport,
      remainingMs: () => 100_000,
      sleep: noSleep,
    });
    expect(calls).toHaveLength(0);
    expect(record).toMatchObject({
      status: "failed",
      reason: "interrupted while sending; not sent again, as it may have been delivered",
    });
  });

  it("records a channel set up wrong as failed, naming the problem", async () => {
    const { channels, problems } = configuredChannels({ telegramChatId: "42" });
    const { transport } = scriptedTransport({});
    const records = await deliverAlerts(content, channels, problems, {
      ledger: mapLedger(),
      transport,
      remainingMs: () => 100_000,
    });
    expect(records).toMatchObject([
      {
        channel: "telegram",
        status: "failed",
        attempts: 0,
        reason:
          "not configured right: a Telegram chat id is set but no bot token (TICKERFLEET_ALERT_TELEGRAM_TOKEN)",
      },
    ]);
  });
});
