import type { ProviderName } from "../market-data.port.ts";
import type { GatherStep } from "../pipeline/messages.ts";
import { tradingDaysBetween } from "../trading-calendar.ts";
import { capabilitiesOf } from "./capabilities.ts";
import type { Plan } from "./plan.ts";

/**
 * A plan turned into the units a scan puts on the fetch queue, one message each: a market day,
 * a group of symbols' pages, the market's actions over a range. Per-ticker steps have no unit:
 * the scan's chunks fetch those tickers themselves, as a scan without a plan does.
 */
export interface PlanUnit {
  provider: ProviderName;
  step: GatherStep;
}

/** The scan's tickers as the plan split them: with stored history (days), or without (backfill). */
export interface PlanTickers {
  days: readonly string[];
  backfill: readonly string[];
}

export function planUnits(plan: Plan, tickers: PlanTickers): PlanUnit[] {
  const units: PlanUnit[] = [];
  const seen = new Set<string>();
  const add = (unit: PlanUnit) => {
    const key = `${unit.provider} ${JSON.stringify(unit.step)}`;
    if (seen.has(key)) return;
    seen.add(key);
    units.push(unit);
  };
  for (const step of plan.steps) {
    const { provider } = step;
    if (step.kind === "market-days") {
      // A market day brings every ticker: one unit per session, shared by both parts.
      for (const date of tradingDaysBetween(step.from, step.to))
        add({ provider, step: { kind: "market-day", date } });
    } else if (step.kind === "symbol-pages") {
      const size = capabilitiesOf(provider).symbolPages?.symbolsPerRequest ?? 100;
      const symbols = [...tickers[step.part]].sort();
      for (let i = 0; i < symbols.length; i += size) {
        add({
          provider,
          step: { kind: "symbol-pages", symbols: symbols.slice(i, i + size), from: step.from, to: step.to },
        });
      }
    } else if (step.kind === "market-actions") {
      add({ provider, step: { kind: "market-actions", from: step.from, to: step.to } });
    }
  }
  return units;
}
