import { describe, expect, it } from "vitest";
import { capabilitiesOf } from "../planner/capabilities.ts";
import { planScan } from "../planner/scan-plan.ts";
import { parseProviderLimits } from "../rate-plan.ts";
import { MAX_SCORE_OUTCOME_CHARS, scoreParts } from "./fetch-handoff.ts";
import type { TickerOutcome } from "./messages.ts";
import { plannedChunkSize, SUPPLIED_BARS_PER_CHUNK } from "./start-scan.ts";

/** What fits a message: a chunk's tickers with the plan's bars, a chunk's outcomes for the scorer. */

const tickers = Array.from({ length: 300 }, (_, i) => `T${String(i).padStart(3, "0")}`);
const polygon = {
  name: "polygon" as const,
  capabilities: capabilitiesOf("polygon"),
  limits: parseProviderLimits("5/min"),
};

describe("plannedChunkSize", () => {
  it("keeps the configured size for a per-ticker scan and for a plan of one market day", () => {
    expect(plannedChunkSize(100, undefined)).toBe(100);
    const daily = planScan(
      { tickers, benchmark: "SPY", days: 460 },
      {
        session: "2026-12-02",
        previous: {
          scan: {
            scanId: "x",
            status: "COMPLETE",
            session: "2026-12-01",
            benchmark: "SPY",
            summary: undefined,
          } as never,
          tickers,
        },
        providers: [polygon],
      },
    );
    expect(daily.plan.steps[0]).toMatchObject({ kind: "market-days", sessions: 1 });
    expect(plannedChunkSize(100, daily)).toBe(100);
  });

  it("shrinks the chunks of a backfill so that each carries at most its share of bars", () => {
    const backfill = planScan(
      { tickers, benchmark: "SPY", days: 460 },
      { session: "2026-12-02", providers: [polygon] },
    );
    expect(backfill.plan.steps[0]).toMatchObject({ kind: "market-days", sessions: 460 });
    expect(plannedChunkSize(100, backfill)).toBe(Math.floor(SUPPLIED_BARS_PER_CHUNK / 460));
    expect(plannedChunkSize(100, backfill)).toBe(10);
    expect(plannedChunkSize(5, backfill)).toBe(5);
  });
});

describe("scoreParts", () => {
  const series = (s: string, chars: number): TickerOutcome => ({
    kind: "series",
    s,
    data: "x".repeat(chars),
    source: "provider",
  });

  it("splits a chunk's outcomes so that no score message holds more than its share, in order", () => {
    const outcomes = Array.from({ length: 100 }, (_, i) => series(`T${i}`, 4_000));
    const parts = scoreParts(outcomes);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts)
      expect(JSON.stringify(part).length).toBeLessThanOrEqual(MAX_SCORE_OUTCOME_CHARS + 200);
    expect(parts.flat()).toStrictEqual(outcomes);
  });

  it("keeps small outcomes in one message, and an empty list in none", () => {
    expect(scoreParts([series("A", 10), series("B", 10)])).toHaveLength(1);
    expect(scoreParts([])).toStrictEqual([]);
  });
});
