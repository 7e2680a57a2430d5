/**
 * The deploy-time settings (stacks/sst/settings.ts) and physical names
 * (stacks/sst/naming.ts): plain functions of the environment, called directly.
 */
import { describe, expect, it } from "vitest";
import { physicalName } from "../../stacks/sst/naming.ts";
import {
  alertEmail,
  FUNCTION_SETTINGS,
  functionEnvironment,
  resolveSchedule,
  SCHEDULED_SCAN_ID,
  scheduleExpression,
} from "../../stacks/sst/settings.ts";
import type { ScheduleSpec } from "../../stacks/topology/index.ts";

const scan: ScheduleSpec = {
  name: "DailyScan",
  fn: "scanStart",
  schedule: "cron(30 16 ? * MON-FRI *)",
  timezone: "America/New_York",
  payload: { universe: "us-all", provider: "yahoo" },
};
const sweep: ScheduleSpec = {
  name: "FinalizeSweep",
  fn: "finalize",
  schedule: "rate(5 minutes)",
  timezone: "UTC",
  payload: { sweep: true },
};

describe("scheduleExpression", () => {
  it.each(["cron(30 16 ? * MON-FRI *)", "rate(1 day)", "rate(5 minutes)", "at(2026-01-02T16:30:00)"])(
    "accepts %s",
    (expression) => {
      expect(scheduleExpression(` ${expression} `, "X")).toBe(expression);
    },
  );

  it.each([
    ["30 16 * * 1-5", /X="30 16 \* \* 1-5" is not an EventBridge Scheduler expression/],
    ["cron(30 16 * * 1-5)", /six fields .* this one has 5/],
    ["rate(5 mins)", /not an EventBridge Scheduler expression/],
    ["at(tomorrow)", /not an EventBridge Scheduler expression/],
  ])("rejects %s, naming the source", (expression, message) => {
    expect(() => scheduleExpression(expression, "X")).toThrow(message);
  });
});

describe("resolveSchedule", () => {
  it("deploys the scan as the topology states it, with the scheduled scan id", () => {
    expect(resolveSchedule(scan, {})).toStrictEqual({
      name: "DailyScan",
      fn: "scanStart",
      expression: "cron(30 16 ? * MON-FRI *)",
      timezone: "America/New_York",
      payload: { scanId: SCHEDULED_SCAN_ID, universe: "us-all", provider: "yahoo" },
      enabled: true,
    });
  });

  it("lets a payload's own scanId win", () => {
    const resolved = resolveSchedule(scan, {
      TICKERFLEET_SCAN_PAYLOAD: '{"universe":"sp500","scanId":"mine"}',
    });

    expect(resolved.payload).toStrictEqual({ scanId: "mine", universe: "sp500" });
  });

  it("applies the TICKERFLEET_SCAN_* overrides to the scan only", () => {
    const env = {
      TICKERFLEET_SCAN_SCHEDULE: "off",
      TICKERFLEET_SCAN_TIMEZONE: "UTC",
      TICKERFLEET_SCAN_PAYLOAD: '{"universe":"nasdaq"}',
    };

    expect(resolveSchedule(scan, env)).toMatchObject({ enabled: false, timezone: "UTC" });
    expect(resolveSchedule(sweep, env)).toStrictEqual({
      name: "FinalizeSweep",
      fn: "finalize",
      expression: "rate(5 minutes)",
      timezone: "UTC",
      payload: { sweep: true },
      enabled: true,
    });
  });

  it.each([["[1,2]"], ["null"], ['"sp500"']])("rejects the payload %s: not a JSON object", (payload) => {
    expect(() => resolveSchedule(scan, { TICKERFLEET_SCAN_PAYLOAD: payload })).toThrow(
      /TICKERFLEET_SCAN_PAYLOAD must be a JSON object/,
    );
  });
});

describe("functionEnvironment", () => {
  it("passes the function settings that are set and non-empty, and the stage", () => {
    const env = {
      TICKERFLEET_RATE_LIMIT_POLYGON: "100/1s",
      TICKERFLEET_CACHE_TTL_SECONDS: "",
      TICKERFLEET_UNIVERSE_DIR: "/tmp/universes",
      // The scan alerts topic's subscriber: notify emails through the topic only when one is set.
      TICKERFLEET_ALERT_EMAIL: "ops@example.com",
      HOME: "/root",
    };

    expect(functionEnvironment(env, "prod")).toStrictEqual({
      TICKERFLEET_STAGE: "prod",
      TICKERFLEET_RATE_LIMIT_POLYGON: "100/1s",
      TICKERFLEET_ALERT_EMAIL: "ops@example.com",
    });
  });

  it("knows a rate limit and a base URL variable per provider", () => {
    for (const provider of ["YAHOO", "FMP", "POLYGON", "ALPHAVANTAGE", "ALPACA"]) {
      expect(FUNCTION_SETTINGS).toContain(`TICKERFLEET_RATE_LIMIT_${provider}`);
      expect(FUNCTION_SETTINGS).toContain(`TICKERFLEET_${provider}_URL`);
    }
  });

  it("passes Alpaca's feed to the functions when it is set", () => {
    expect(functionEnvironment({ TICKERFLEET_ALPACA_FEED: "iex" }, "prod")).toStrictEqual({
      TICKERFLEET_STAGE: "prod",
      TICKERFLEET_ALPACA_FEED: "iex",
    });
  });
});

describe("alertEmail", () => {
  it("is undefined when unset or blank, the trimmed address otherwise", () => {
    expect(alertEmail({})).toBeUndefined();
    expect(alertEmail({ TICKERFLEET_ALERT_EMAIL: "  " })).toBeUndefined();
    expect(alertEmail({ TICKERFLEET_ALERT_EMAIL: " ops@example.com " })).toBe("ops@example.com");
  });
});

describe("physicalName", () => {
  it("is tickerfleet-<stage>-<logical>", () => {
    expect(physicalName("prod", "ScanStart")).toBe("tickerfleet-prod-ScanStart");
  });

  it.each(["pr/1", "my stage", ""])("rejects the stage %j, which cannot be part of an AWS name", (stage) => {
    expect(() => physicalName(stage, "ScanStart")).toThrow(/must be letters, digits, "-" or "_"/);
  });
});
