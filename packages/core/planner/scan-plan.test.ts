import { describe, expect, it } from "vitest";
import type { ScanRecord } from "../pipeline/records.ts";
import { parseProviderLimits } from "../rate-plan.ts";
import { addTradingDays } from "../trading-calendar.ts";
import { capabilitiesOf } from "./capabilities.ts";
import { autoChain, planScan } from "./scan-plan.ts";

const SESSION = "2026-12-02";
const provider = (name: "polygon" | "alpaca", limit: string) => ({
  name,
  capabilities: capabilitiesOf(name),
  limits: parseProviderLimits(limit),
});
const tickers = Array.from({ length: 450 }, (_, i) => `T${String(i).padStart(3, "0")}`);
const request = { tickers, benchmark: "SPY", days: 460 };
const previous = (
  session: string,
  failed: string[] = [],
  reason = "transient",
): { scan: ScanRecord; tickers: string[] } => ({
  scan: {
    scanId: "before",
    universe: "custom",
    provider: "polygon",
    days: 460,
    benchmark: "SPY",
    trigger: "invoke",
    total: tickers.length,
    chunkCount: 46,
    status: failed.length > 0 ? "PARTIAL" : "COMPLETE",
    createdAt: "",
    session,
    deadlineAt: "",
    summary: {
      failures: failed.map((ticker) => ({ ticker, reason })),
      unaccountedTickers: [],
    } as never,
  },
  tickers,
});

describe("planScan", () => {
  it("backfills from an empty store by market days, one unit a session, and the actions in one range", () => {
    const p = planScan(request, { session: SESSION, providers: [provider("polygon", "5/min")] });
    expect(p.stored).toStrictEqual({ tickers: 0, through: null });
    expect(p.units.filter((u) => u.step.kind === "market-day")).toHaveLength(460);
    expect(p.units.filter((u) => u.step.kind === "market-actions").map((u) => u.step)).toStrictEqual([
      { kind: "market-actions", from: addTradingDays(SESSION, -459), to: SESSION },
    ]);
  });

  it("after a finished scan of the previous session, plans that one day for the tickers it scored", () => {
    const p = planScan(request, {
      session: SESSION,
      previous: previous("2026-12-01"),
      providers: [provider("polygon", "5/min")],
    });
    expect(p.stored).toStrictEqual({ tickers: 451, through: "2026-12-01" });
    expect(p.units.map((u) => u.step)).toStrictEqual([
      { kind: "market-day", date: SESSION },
      { kind: "market-actions", from: SESSION, to: SESSION },
    ]);
    expect(p.plan.requests).toBe(3);
  });

  it("leaves the tickers the last scan failed to a per-ticker step, which has no unit", () => {
    const p = planScan(request, {
      session: SESSION,
      previous: previous("2026-12-01", ["T001", "T002"]),
      providers: [provider("polygon", "5/min")],
    });
    expect(p.tickers.backfill).toStrictEqual(["T001", "T002"]);
    expect(p.plan.steps.map((s) => [s.kind, s.part, s.tickers])).toStrictEqual([
      ["market-days", "days", 449],
      ["market-actions", "days", 449],
      ["per-ticker", "backfill", 2],
    ]);
    expect(p.units).toHaveLength(2);
  });

  it("holds the tickers the last scan failed only as too young for the scores: their history is stored", () => {
    const p = planScan(request, {
      session: SESSION,
      previous: previous(
        "2026-12-01",
        ["T001", "T002"],
        "insufficient-history: 36 bars; scoring needs at least 64",
      ),
      providers: [provider("polygon", "5/min")],
    });
    expect(p.tickers.backfill).toStrictEqual([]);
    expect(p.plan.requests).toBe(3);
  });

  it("pages Alpaca's symbols 200 a unit over the whole lookback", () => {
    const p = planScan(request, { session: SESSION, providers: [provider("alpaca", "200/min")] });
    const pages = p.units.filter((u) => u.step.kind === "symbol-pages");
    expect(pages.map((u) => (u.step.kind === "symbol-pages" ? u.step.symbols.length : 0))).toStrictEqual([
      200, 200, 51,
    ]);
  });

  it("plans nothing for a store already current through the session", () => {
    const p = planScan(request, {
      session: SESSION,
      previous: previous(SESSION),
      providers: [provider("polygon", "5/min")],
    });
    expect([p.plan.steps, p.units]).toStrictEqual([[], []]);
  });
});

describe("autoChain: the chain of a scan that lets the planner choose", () => {
  const yahoo = {
    name: "yahoo" as const,
    capabilities: capabilitiesOf("yahoo"),
    limits: parseProviderLimits("60/min"),
  };

  it("puts first the provider of the plan's per-ticker step, then the other configured ones in their order", () => {
    const p = planScan(request, {
      session: SESSION,
      previous: previous("2026-12-01", ["T001"]),
      providers: [yahoo, provider("polygon", "5/min")],
    });
    // One day for the stored tickers by Polygon's market day; the one the last scan failed, per ticker by Yahoo.
    expect(p.plan.steps.map((s) => [s.provider, s.kind])).toStrictEqual([
      ["polygon", "market-days"],
      ["polygon", "market-actions"],
      ["yahoo", "per-ticker"],
    ]);
    expect(autoChain(p.plan, ["polygon", "yahoo"], false)).toStrictEqual(["yahoo", "polygon"]);
  });

  it("without a per-ticker step, the provider whose bars the plan brings, then the rest", () => {
    const p = planScan(request, {
      session: SESSION,
      previous: previous("2026-12-01"),
      providers: [yahoo, provider("polygon", "5/min")],
    });
    expect(autoChain(p.plan, ["yahoo", "polygon"], false)).toStrictEqual(["polygon", "yahoo"]);
  });

  it("with no plan, the configured order; FMP first when the scan wants earnings", () => {
    expect(autoChain(undefined, ["yahoo", "alphavantage"], false)).toStrictEqual(["yahoo", "alphavantage"]);
    expect(autoChain(undefined, ["yahoo", "fmp"], true)).toStrictEqual(["fmp", "yahoo"]);
  });
});
