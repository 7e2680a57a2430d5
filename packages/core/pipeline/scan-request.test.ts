import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { loadUniverse } from "../universes.ts";
import { DEFAULT_SCAN, parseScanRequest } from "./scan-request.ts";

const NOW = new Date("2026-11-25T21:30:00.000Z");

function problemsOf(payload: unknown): readonly string[] {
  try {
    parseScanRequest(payload, DEFAULT_SCAN, NOW);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("scan request", () => {
  it("resolves a shipped universe with the defaults", () => {
    const request = parseScanRequest({ universe: "sp500" }, DEFAULT_SCAN, NOW);
    expect(request).toMatchObject({
      universe: "sp500",
      provider: "yahoo",
      days: 460,
      benchmark: "SPY",
      trigger: "invoke",
    });
    expect(request.tickers).toHaveLength(loadUniverse("sp500").length);
    expect(request.scanId).toMatch(/^20261125T213000Z-[0-9a-f]{6}$/);
  });

  it("asks for fundamentals only from a provider with income statements", () => {
    expect(parseScanRequest({ universe: ["AAPL"] }, DEFAULT_SCAN, NOW).fundamentals).toBe(false);
    expect(
      parseScanRequest({ universe: ["AAPL"], provider: "fmp", fundamentals: true }, DEFAULT_SCAN, NOW)
        .fundamentals,
    ).toBe(true);
    expect(() => parseScanRequest({ universe: ["AAPL"], fundamentals: true }, DEFAULT_SCAN, NOW)).toThrow(
      /fundamentals: yahoo publishes no income statements; use provider fmp/,
    );
  });

  it("takes a provider, a fallback chain, or auto (the configured providers, for scan-start to order)", () => {
    const parse = (provider: unknown) =>
      parseScanRequest(
        { universe: ["AAPL"], provider },
        { ...DEFAULT_SCAN, configured: ["alpaca", "yahoo"] },
        NOW,
      );
    expect(parse("polygon")).toMatchObject({ provider: "polygon", providers: ["polygon"], auto: false });
    expect(parse(["polygon", "fmp", "yahoo"])).toMatchObject({
      provider: "polygon",
      providers: ["polygon", "fmp", "yahoo"],
      auto: false,
    });
    expect(parse("auto")).toMatchObject({ provider: "alpaca", providers: ["alpaca", "yahoo"], auto: true });
    // The default is auto: with nothing configured but Yahoo, a scan runs as it always has.
    expect(parseScanRequest({ universe: ["AAPL"] }, DEFAULT_SCAN, NOW)).toMatchObject({
      provider: "yahoo",
      providers: ["yahoo"],
      auto: true,
    });
  });

  it.each([
    [["polygon", "bloomberg"], /provider: must be one of "yahoo".*"auto".*\["polygon", "yahoo"\]/],
    [["polygon", "polygon"], /provider: "polygon" appears twice in the chain/],
    [[], /provider: must be one of/],
    ["polygon,yahoo", /provider: must be one of/],
  ])("refuses the provider choice %j, saying what it may be", (provider, problem) => {
    expect(problemsOf({ universe: ["AAPL"], provider }).join("\n")).toMatch(problem);
  });

  it("asks for fundamentals from FMP when the chain starts with it, or when auto can put it first", () => {
    const fmpConfigured = { ...DEFAULT_SCAN, configured: ["polygon", "fmp"] as const };
    expect(
      parseScanRequest(
        { universe: ["AAPL"], provider: ["fmp", "yahoo"], fundamentals: true },
        DEFAULT_SCAN,
        NOW,
      ).fundamentals,
    ).toBe(true);
    expect(
      parseScanRequest({ universe: ["AAPL"], fundamentals: true }, fmpConfigured, NOW).fundamentals,
    ).toBe(true);
    expect(problemsOf({ universe: ["AAPL"], provider: ["yahoo", "fmp"], fundamentals: true }).join()).toMatch(
      /fundamentals: yahoo publishes no income statements/,
    );
  });

  it("canonicalises an explicit list and removes duplicates, keeping order", () => {
    const request = parseScanRequest(
      { universe: ["msft", "BRK-B", "AAPL", "MSFT", " brk.b "], scanId: "mine" },
      DEFAULT_SCAN,
      NOW,
    );
    expect(request).toMatchObject({ universe: "custom", tickers: ["MSFT", "BRK.B", "AAPL"], scanId: "mine" });
  });

  it("names every problem of a bad payload at once", () => {
    const problems = problemsOf({
      universe: "sp501",
      provider: "bloomberg",
      days: 2.5,
      scanId: "no spaces",
      colour: "red",
    });
    expect(problems.join("\n")).toMatch(/universe/);
    expect(problems.join("\n")).toMatch(/provider/);
    expect(problems.join("\n")).toMatch(/days/);
    expect(problems.join("\n")).toMatch(/scanId/);
    expect(problems.join("\n")).toMatch(/"colour"/);
  });

  it.each([["sp500"], ["{not json"], [null], [["AAPL"]], [42]])(
    "refuses the payload %j, which is not a JSON object, with an example of one",
    (payload) => {
      expect(problemsOf(payload)).toStrictEqual([
        'payload: must be a JSON object such as {"universe":"sp500"}',
      ]);
    },
  );

  it("names each bad symbol of a list by its position", () => {
    const problems = problemsOf({ universe: ["AAPL", "BAD;SYM", 42, ""] });
    expect(problems.some((p) => p.startsWith("universe[1]:") && p.includes("BAD;SYM"))).toBe(true);
    expect(problems).toContain("universe[2]: not a string");
    expect(problems.some((p) => p.startsWith("universe[3]:"))).toBe(true);
  });

  it.each([
    ["not an object", "sp500"],
    ["null", null],
    ["an array", ["AAPL"]],
    ["JSON text that does not parse", "{universe:"],
  ])("rejects %s", (_name, payload) => {
    expect(problemsOf(payload).length).toBeGreaterThan(0);
  });

  it("reads an EventBridge scheduled event, with one scan id per firing", () => {
    const event = {
      version: "0",
      id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2026-11-25T21:30:00Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:123456789012:rule/daily"],
      detail: {},
    };
    const request = parseScanRequest(event, DEFAULT_SCAN, NOW);
    expect(request).toMatchObject({
      universe: "us-all",
      trigger: "schedule",
      scanId: "sched-20261125T2130Z",
    });
    expect(parseScanRequest({ ...event, detail: { universe: "sp500" } }, DEFAULT_SCAN, NOW).universe).toBe(
      "sp500",
    );
    expect(parseScanRequest(event, DEFAULT_SCAN, NOW).scanId).toBe(request.scanId);
  });
});
