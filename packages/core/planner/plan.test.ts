import { describe, expect, it } from "vitest";
import type { ProviderName } from "../market-data.port.ts";
import { parseProviderLimits } from "../rate-plan.ts";
import { capabilitiesOf, type ProviderCapabilities } from "./capabilities.ts";
import { type PlanInput, planRequests, secondsAt } from "./plan.ts";

const provider = (
  name: ProviderName,
  limit: string,
  capabilities: ProviderCapabilities = capabilitiesOf(name),
) => ({
  name,
  capabilities,
  limits: parseProviderLimits(limit),
});
const YAHOO = provider("yahoo", "60/min");
const POLYGON = provider("polygon", "5/min");
const FMP = provider("fmp", "300/min");
const AV = provider("alphavantage", "5/min,25/d");
/** A provider of symbol pages, as Alpaca is: 200 symbols a request, 10,000 bars a page. */
const PAGES = provider("fmp", "200/min", {
  perTicker: { requests: 2 },
  symbolPages: { symbolsPerRequest: 200, barsPerPage: 10_000 },
  marketActions: { requests: 1 },
});

const SESSION = "2026-12-02";
const usAll = (stored: PlanInput["stored"], providers: PlanInput["providers"]): PlanInput => ({
  session: SESSION,
  days: 460,
  tickers: 7_481,
  stored,
  providers,
});
const EMPTY = { tickers: 0, through: undefined };
const DAILY = { tickers: 7_481, through: "2026-12-01" };

describe("planRequests", () => {
  it.each([
    [
      "Polygon from an empty store: the lookback a market day at a time, then the market's actions",
      EMPTY,
      [POLYGON],
      462,
      ["market-days", "market-actions"],
    ],
    [
      "Polygon a session later: one market day and two actions requests",
      DAILY,
      [POLYGON],
      3,
      ["market-days", "market-actions"],
    ],
    [
      "FMP a session later: one bulk day and the two calendars",
      DAILY,
      [FMP],
      3,
      ["market-days", "market-actions"],
    ],
    ["Yahoo a session later: one request a ticker", DAILY, [YAHOO], 7_481, ["per-ticker"]],
    [
      "Yahoo and Polygon: Polygon's market day",
      DAILY,
      [YAHOO, POLYGON],
      3,
      ["market-days", "market-actions"],
    ],
    [
      "symbol pages from an empty store: 38 groups of 200, 10 pages each, and the actions",
      EMPTY,
      [PAGES],
      38 * 10 + 1,
      ["symbol-pages", "market-actions"],
    ],
  ] as const)("%s", (_name, stored, providers, requests, kinds) => {
    const plan = planRequests(usAll(stored, providers));
    expect(plan.requests).toBe(requests);
    expect(plan.steps.map((s) => s.kind)).toStrictEqual(kinds);
    expect(plan.steps.reduce((sum, s) => sum + s.requests, 0)).toBe(plan.requests);
  });

  it("says what each step covers and how long it takes at the limit", () => {
    const plan = planRequests(usAll(DAILY, [POLYGON]));
    expect(plan.steps[0]).toStrictEqual({
      provider: "polygon",
      kind: "market-days",
      part: "days",
      requests: 1,
      seconds: 12,
      sessions: 1,
      tickers: 7_481,
      from: SESSION,
      to: SESSION,
      description: "2026-12-02 for the whole market, one session a request",
    });
    expect(plan.seconds).toBe(36);
  });

  it("asks per ticker for the few tickers without history when that is fewer requests than the whole lookback by days", () => {
    const plan = planRequests(usAll({ tickers: 7_401, through: "2026-12-01" }, [POLYGON]));
    expect(plan.steps.map((s) => [s.kind, s.requests, s.tickers])).toStrictEqual([
      ["market-days", 1, 7_401],
      ["market-actions", 2, 7_401],
      ["per-ticker", 240, 80],
    ]);
  });

  it("plans nothing when the store already holds the session", () => {
    expect(planRequests(usAll({ tickers: 7_481, through: SESSION }, [YAHOO]))).toStrictEqual({
      session: SESSION,
      requests: 0,
      seconds: 0,
      steps: [],
    });
  });

  it("counts the missing sessions by the trading calendar, over a weekend and a holiday", () => {
    const plan = planRequests(usAll({ tickers: 7_481, through: "2026-11-24" }, [POLYGON]));
    // 25th, 27th (26th is Thanksgiving), 30th, 1st, 2nd.
    expect(plan.steps[0]).toMatchObject({
      kind: "market-days",
      requests: 5,
      from: "2026-11-25",
      to: SESSION,
    });
  });

  it("times a daily allowance by the days it takes, not only by its rate", () => {
    expect(secondsAt(AV.limits, 25)).toBe(300);
    expect(secondsAt(AV.limits, 26)).toBe(86_400);
    expect(planRequests(usAll(DAILY, [AV])).seconds).toBe(299 * 86_400);
  });

  it("refuses to plan without a provider", () => {
    expect(() => planRequests(usAll(DAILY, []))).toThrow(/at least one provider/);
  });
});
