import { describe, expect, it } from "vitest";
import type { HttpAnswer } from "../alerts/channel.ts";
import { configuredChannels } from "../alerts/channels.ts";
import type { AlertLedger, AlertRecord } from "../alerts/deliver.ts";
import { defaultChangeSettings } from "../changes/settings.ts";
import type { ScanRecord, ScanReportRecord } from "../pipeline/records.ts";
import { type NotifyDeps, notifyScan } from "./notify-scan.ts";

/** A finished scan with no scored ticker: what notify does around the report and alerts, not the scores. */
function finished(overrides: Partial<ScanRecord> = {}): ScanRecord {
  return {
    scanId: "s1",
    universe: "sp500",
    provider: "yahoo",
    days: 300,
    benchmark: "SPY",
    trigger: "invoke",
    total: 0,
    chunkCount: 1,
    status: "COMPLETE",
    createdAt: "2026-12-03T00:00:00.000Z",
    finishedAt: "2026-12-03T00:01:00.000Z",
    session: "2026-12-02",
    deadlineAt: "2026-12-03T01:00:00.000Z",
    summary: {
      scored: 0,
      failed: 0,
      unaccounted: 0,
      failures: [],
      unaccountedTickers: [],
      cacheHits: 0,
      rsThresholds: [],
      benchmarkSource: "universe-median",
      benchmarkReturns: [],
      market: { state: "uptrend", score: 1, reasons: [] },
      marketScore: 1,
      durationMs: 60_000,
    },
    ...overrides,
  };
}

function harness(scan: ScanRecord, publishFailures: number) {
  const reports: ScanReportRecord[] = [];
  const bodies: string[] = [];
  const records = new Map<string, AlertRecord>();
  let publishes = 0;
  const ledger: AlertLedger = {
    async claim(_scanId, record) {
      const held = records.get(record.channel);
      if (held) return { claimed: false, record: held };
      records.set(record.channel, record);
      return { claimed: true };
    },
    async finish(_scanId, record) {
      records.set(record.channel, record);
    },
  };
  const { channels, problems } = configuredChannels({
    webhookUrl: "http://127.0.0.1:1/hook",
    webhookSecret: "s",
  });
  const deps: NotifyDeps = {
    store: {
      getScan: async () => scan,
      results: async function* () {},
      changes: async () => undefined,
      breadth: async () => undefined,
      bars: async () => new Map(),
      recordReport: async (_id, report) => {
        reports.push(report);
      },
    },
    ledger,
    transport: {
      async http(req): Promise<HttpAnswer> {
        bodies.push(req.body);
        return { status: 200, body: "", headers: {} };
      },
      async email() {},
    },
    render: (data) => `<html>${data.scan.scanId}</html>`,
    publisher: {
      async publish(scanId, html) {
        publishes++;
        if (publishes <= publishFailures)
          throw Object.assign(new Error("connect ECONNREFUSED"), { name: "Error" });
        return {
          key: `reports/${scanId}.html`,
          url: `http://bucket/reports/${scanId}.html?sig`,
          bytes: html.length,
        };
      },
    },
    channels,
    problems,
    settings: defaultChangeSettings(),
    remainingMs: () => 100_000,
    sleep: async () => undefined,
    now: () => new Date("2026-12-03T00:02:00.000Z"),
  };
  return { deps, reports, bodies, publishes: () => publishes };
}

describe("notifyScan", () => {
  it("publishes the report, records its 7-day link and puts it in the alerts", async () => {
    const h = harness(finished(), 1);
    const outcome = await notifyScan("s1", h.deps);
    expect(h.reports).toStrictEqual([
      {
        key: "reports/s1.html",
        url: "http://bucket/reports/s1.html?sig",
        bytes: "<html>s1</html>".length,
        publishedAt: "2026-12-03T00:02:00.000Z",
        expiresAt: "2026-12-10T00:02:00.000Z",
        attempts: 2,
      },
    ]);
    expect(JSON.parse(h.bodies[0]!).reportUrl).toBe("http://bucket/reports/s1.html?sig");
    expect(outcome).toMatchObject({ notified: true, alerts: [{ channel: "webhook", status: "sent" }] });
  });

  it("records a publish that keeps failing, and still sends the alerts, without a link", async () => {
    const h = harness(finished(), 99);
    const outcome = await notifyScan("s1", h.deps);
    expect(h.publishes()).toBe(3);
    expect(h.reports).toStrictEqual([{ attempts: 3, error: "Error: connect ECONNREFUSED" }]);
    expect(JSON.parse(h.bodies[0]!).reportUrl).toBeNull();
    expect(outcome).toMatchObject({ notified: true, alerts: [{ channel: "webhook", status: "sent" }] });
  });

  it("reuses a published report's link when the message comes again", async () => {
    const report = { key: "reports/s1.html", url: "http://bucket/old", attempts: 1 };
    const h = harness(finished({ report }), 0);
    await notifyScan("s1", h.deps);
    expect(h.publishes()).toBe(0);
    expect(h.reports).toStrictEqual([]);
    expect(JSON.parse(h.bodies[0]!).reportUrl).toBe("http://bucket/old");
  });

  it("does nothing for a scan that has not finished, or does not exist", async () => {
    const running = harness(finished({ status: "RUNNING" }), 0);
    expect(await notifyScan("s1", running.deps)).toStrictEqual({
      scanId: "s1",
      notified: false,
      reason: "scan is RUNNING: notify follows finalize",
    });
    expect(running.bodies).toStrictEqual([]);
    const missing = harness(finished(), 0);
    missing.deps.store.getScan = async () => undefined;
    expect(await notifyScan("nope", missing.deps)).toStrictEqual({
      scanId: "nope",
      notified: false,
      reason: "no such scan",
    });
  });
});
