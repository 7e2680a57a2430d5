import { describe, expect, it } from "vitest";
import { alertLogLine } from "../../packages/cli/alert-log.ts";

describe("local up --logs: alerts in words", () => {
  it("turns notify's alert, report and email lines into a sentence, and leaves other lines alone", () => {
    const alert = JSON.stringify({
      level: "INFO",
      message: "alert",
      event: "alert",
      channel: "slack",
      status: "sent",
      attempts: 2,
      title: "tickerfleet sp500 2026-12-02 scan COMPLETE",
      summary: "503 of 503 scored. Scan s1.",
    });
    expect(alertLogLine(alert)).toBe(
      "alert → slack sent (2 attempts): tickerfleet sp500 2026-12-02 scan COMPLETE — 503 of 503 scored. Scan s1.",
    );
    const failed = JSON.stringify({
      event: "alert",
      channel: "discord",
      status: "failed",
      attempts: 4,
      reason: "HTTP 503: down after 4 attempts",
      title: "t",
      summary: "s",
    });
    expect(alertLogLine(failed)).toBe("alert → discord failed: HTTP 503: down after 4 attempts: t — s");
    expect(
      alertLogLine(JSON.stringify({ event: "report", scanId: "s1", published: true, bytes: 1200 })),
    ).toBe("report of scan s1 published (1200 bytes); `tickerfleet status --local` prints its link");
    expect(
      alertLogLine(JSON.stringify({ event: "email", topicArn: "arn:t", subject: "S", message: "body" })),
    ).toBe("email through arn:t: S\nbody");
    expect(alertLogLine(JSON.stringify({ event: "fetch", chunks: [] }))).toBeUndefined();
    expect(alertLogLine('not json "event":"alert"')).toBeUndefined();
  });
});
