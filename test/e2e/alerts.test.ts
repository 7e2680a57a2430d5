/**
 * Alerts and reports after real scans on the local stack: the notify function (fed by finalize
 * through the notify queue) publishes each scan's report to the local S3 server and sends its
 * changes to loopback receivers that answer as Slack, Discord, Telegram and a webhook do.
 */
import { createHmac } from "node:crypto";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertRecord } from "../../packages/core/alerts/deliver.ts";
import { defaultChangeSettings, screensFrom } from "../../packages/core/changes/settings.ts";
import type { ScanRecord, ScoredResult } from "../../packages/core/pipeline/records.ts";
import { screenScan } from "../../packages/core/screens/scan-screens.ts";
import { type AlertReceivers, startAlertReceivers } from "../support/alert-receivers.ts";
import { startTestStack, type TestStack } from "./harness.ts";

const TICKERS = [
  "AAPL",
  "MSFT",
  "NVDA",
  "AMZN",
  "GOOGL",
  "META",
  "JPM",
  "XOM",
  "KO",
  "PEP",
  "WMT",
  "CVX",
  "HD",
  "UNH",
  "V",
  "MA",
  "LLY",
  "AVGO",
  "COST",
  "ORCL",
];
const SCREENS = "rs-leaders; trend-template; change_pct > 0";
const SECRET = "e2e-webhook-secret";
const TOKEN = "123456:e2e-bot-token";
const CHANNEL_PATHS = {
  slack: "/slack",
  discord: "/discord",
  telegram: `/bot${TOKEN}/sendMessage`,
  webhook: "/webhook",
};

let t: TestStack;
let receivers: AlertReceivers;

beforeAll(async () => {
  receivers = await startAlertReceivers();
  t = await startTestStack({
    rateLimit: null,
    env: {
      TICKERFLEET_ALERT_SCREENS: SCREENS,
      TICKERFLEET_ALERT_SLACK_URL: `${receivers.url}/slack`,
      TICKERFLEET_ALERT_DISCORD_URL: `${receivers.url}/discord`,
      TICKERFLEET_ALERT_TELEGRAM_TOKEN: TOKEN,
      TICKERFLEET_ALERT_TELEGRAM_CHAT_ID: "-100200300",
      TICKERFLEET_TELEGRAM_URL: receivers.url,
      TICKERFLEET_ALERT_WEBHOOK_URL: `${receivers.url}/webhook`,
      TICKERFLEET_ALERT_WEBHOOK_SECRET: SECRET,
    },
  });
}, 90_000);

afterAll(async () => {
  await t?.stop();
  await receivers?.close();
});

/** Every channel's record once none is still sending. */
async function alertsOf(scanId: string, channels = 4, timeoutMs = 60_000): Promise<AlertRecord[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const alerts = await t.store.alerts(scanId);
    if (alerts.length >= channels && alerts.every((a) => a.status !== "sending")) return alerts;
    if (Date.now() > until)
      throw new Error(
        `alerts of ${scanId} not recorded in time: ${JSON.stringify(alerts)}\n${t.logs.slice(-10).join("\n")}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function scan(scanId: string): Promise<ScanRecord> {
  await t.startScan({ universe: TICKERS, scanId });
  const done = await t.waitForScan(scanId, 120_000);
  expect(done.status).toBe("COMPLETE");
  return done;
}

async function nextSession(): Promise<void> {
  const res = await fetch(`${t.stack.sim.url}/_sim/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advanceSessions: 1 }),
  });
  expect(res.status).toBe(200);
}

/** Bodies a channel's receiver accepted since a mark (the count of requests received before a scan). */
const acceptedSince = (mark: number, path: string) =>
  receivers.received.slice(mark).filter((r) => r.path === path && r.status < 300);

describe("alerts after a scan", () => {
  let first: ScanRecord;
  let second: ScanRecord;

  it("sends one message per channel for each scan, in each channel's format, with the changes of the second", async () => {
    first = await scan("alerts-1");
    expect((await alertsOf(first.scanId)).map((a) => [a.channel, a.status])).toEqual(
      expect.arrayContaining([
        ["slack", "sent"],
        ["discord", "sent"],
        ["telegram", "sent"],
        ["webhook", "sent"],
      ]),
    );
    await nextSession();
    // Slack answers 500 once: it is tried again and gets one message.
    receivers.failNext("/slack", 1, 500);
    const mark = receivers.received.length;
    second = await scan("alerts-2");
    const alerts = await alertsOf(second.scanId);
    expect(Object.fromEntries(alerts.map((a) => [a.channel, [a.status, a.attempts]]))).toEqual({
      slack: ["sent", 2],
      discord: ["sent", 1],
      telegram: ["sent", 1],
      webhook: ["sent", 1],
    });
    for (const path of Object.values(CHANNEL_PATHS)) expect(acceptedSince(mark, path), path).toHaveLength(1);
    expect(
      receivers.received.slice(mark).filter((r) => r.path === "/slack" && r.status === 500),
    ).toHaveLength(1);
    const body = (path: string) => acceptedSince(mark, path)[0]!.body;

    // Slack: text and blocks; Discord: content and embeds; Telegram: sendMessage in MarkdownV2.
    const slack = JSON.parse(body("/slack"));
    expect(typeof slack.text).toBe("string");
    expect(slack.blocks[0].type).toBe("header");
    const discord = JSON.parse(body("/discord"));
    expect(discord.content).toContain("alerts\\-2");
    expect(discord.embeds[0].fields.length).toBeGreaterThan(0);
    const telegram = JSON.parse(body(CHANNEL_PATHS.telegram));
    expect(telegram).toMatchObject({ chat_id: "-100200300", parse_mode: "MarkdownV2" });

    // The webhook: signed over the raw body with the secret, carrying the stored changes.
    const [hook] = acceptedSince(mark, "/webhook");
    const signature = `sha256=${createHmac("sha256", SECRET).update(hook!.body).digest("hex")}`;
    expect(hook!.headers["x-tickerfleet-signature"]).toBe(signature);
    const payload = JSON.parse(hook!.body);
    expect(payload).toMatchObject({
      scanId: second.scanId,
      universe: "custom",
      status: "COMPLETE",
      finishedAt: second.finishedAt,
    });
    expect(payload.changes).toStrictEqual(await t.store.changes(second.scanId));
    expect(payload.changes.previousScanId).toBe(first.scanId);

    // Each screen's entered and left are the difference of its members in the two scans' stored metrics.
    const screens = screensFrom(SCREENS, "screens");
    const members = async (s: ScanRecord) => {
      const scored = (await t.results(s.scanId)).filter((r): r is ScoredResult => r.status === "scored");
      const screened = screenScan(scored, s.summary!, screens);
      return (name: string) => new Set(screened.filter((x) => x.matches.includes(name)).map((x) => x.ticker));
    };
    const [before, after] = [await members(first), await members((await t.store.getScan(second.scanId))!)];
    let moved = 0;
    for (const s of screens) {
      const [b, a] = [before(s.name), after(s.name)];
      const expected = {
        entered: [...a].filter((x) => !b.has(x)).sort(),
        left: [...b].filter((x) => !a.has(x)).sort(),
      };
      expect(payload.changes.screens[s.name], s.name).toStrictEqual(expected);
      moved += expected.entered.length + expected.left.length;
      const listed = payload.screens.find((x: { name: string }) => x.name === s.name);
      expect(listed.count).toBe(a.size);
    }
    expect(moved).toBeGreaterThan(0);
    expect(defaultChangeSettings().topN).toBe(20);
  }, 300_000);

  it("publishes each scan's report to the bucket and links it from the scan and the alerts", async () => {
    const scanRecord = (await t.store.getScan(second.scanId))!;
    expect(scanRecord.report).toMatchObject({ key: `reports/${second.scanId}.html`, attempts: 1 });
    const res = await fetch(scanRecord.report!.url!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    for (const ticker of TICKERS) expect(html).toContain(ticker);
    const hooks = receivers.accepted("/webhook").map((r) => JSON.parse(r.body));
    const payload = hooks.find((h) => h.scanId === second.scanId);
    expect(payload.reportUrl).toBe(scanRecord.report!.url);
    const expires = Date.parse(scanRecord.report!.expiresAt!) - Date.parse(scanRecord.report!.publishedAt!);
    expect(expires).toBe(7 * 86_400_000);
  }, 60_000);

  it("sends nothing twice when the notify message comes again or notify is invoked again", async () => {
    const before = receivers.received.length;
    const notified = () =>
      t.logs.filter(
        (l) => l.startsWith("Notify/") && l.includes('"event":"alert"') && l.includes(second.scanId),
      ).length;
    const logged = notified();
    const sqs = new SQSClient({
      endpoint: t.stack.cloud.endpoints.sqs,
      region: t.stack.cloud.endpoints.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: t.stack.runtime.provisioned.queues.notify.url,
        MessageBody: JSON.stringify({ v: 1, kind: "notify", scanId: second.scanId }),
      }),
    );
    const until = Date.now() + 30_000;
    while (notified() < logged + 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(notified()).toBe(logged + 4);
    const invoked = await t.stack.runtime.invoke("notify", { scanId: second.scanId });
    expect(JSON.stringify(invoked)).toContain('"notified":true');
    expect(receivers.received.length).toBe(before);
    sqs.destroy();
  }, 60_000);

  it("records a channel that keeps failing as failed with its reason; the others send and the scan is COMPLETE", async () => {
    await nextSession();
    receivers.failAlways("/discord", 503);
    try {
      const third = await scan("alerts-3");
      const alerts = Object.fromEntries((await alertsOf(third.scanId)).map((a) => [a.channel, a]));
      expect(alerts.discord).toMatchObject({ status: "failed", attempts: 4 });
      expect(alerts.discord!.reason).toMatch(/^HTTP 503: receiver told to fail/);
      for (const channel of ["slack", "telegram", "webhook"])
        expect(alerts[channel]?.status, channel).toBe("sent");
      expect((await t.store.getScan(third.scanId))!.status).toBe("COMPLETE");
      // No secret in any item or log line.
      const items = JSON.stringify(await t.store.alerts(third.scanId));
      for (const secret of [TOKEN, SECRET, receivers.url + "/slack"]) {
        expect(items).not.toContain(secret);
        expect(t.logs.filter((l) => l.includes(secret))).toEqual([]);
      }
    } finally {
      receivers.heal("/discord");
    }
  }, 300_000);
});
