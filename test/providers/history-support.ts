import { expect } from "vitest";
import { createProvider } from "../../packages/adapters/providers/index.ts";
import type { AdjustedBar } from "../../packages/core/history/adjust.ts";
import type {
  HistorySuccess,
  MarketDataProvider,
  ProviderName,
} from "../../packages/core/market-data.port.ts";
import type { Simulator } from "../../packages/local/sim/index.ts";

/**
 * What the history tests share (not a test file): adapters pointed at the simulator, a gate
 * that counts what it was asked for, and the comparison with the simulator's truth.
 */

export const SIM_KEY = "history-test-key";
/** Alpaca's second key (the others take one and ignore it). */
export const SIM_SECRET = "history-test-secret";

export function simProvider(sim: Simulator, name: ProviderName, apiKey = SIM_KEY): MarketDataProvider {
  return createProvider(name, { baseUrl: sim.urls[name], apiKey, apiSecret: SIM_SECRET, timeoutMs: 10_000 });
}

/**
 * A gate that lets every request go, counting how often it was asked and how many requests the
 * simulator had logged each time (each ask comes right before a request, after the last answer).
 */
export function countingGate(sim: Simulator, provider: ProviderName) {
  const loggedAtAsk: number[] = [];
  return {
    nextRequest: async () => {
      loggedAtAsk.push(logged(sim, provider));
    },
    get asked() {
      return loggedAtAsk.length;
    },
    loggedAtAsk,
  };
}

/** Requests the simulator logged for a provider since its log was last cleared. */
export function logged(sim: Simulator, provider: ProviderName): number {
  return sim.requests().filter((r) => r.provider === provider).length;
}

/** A history that must have succeeded (the failure's message otherwise). */
export function succeeded(
  result: Awaited<ReturnType<NonNullable<MarketDataProvider["fetchHistory"]>>>,
): HistorySuccess {
  if (!result.ok) throw new Error(`${result.kind}: ${result.message}`);
  return result;
}

const FIELDS = ["open", "high", "low", "close", "volume"] as const;

/** The largest relative difference between two series of bars over the given fields (their dates must agree). */
export function worstRelativeError(
  actual: readonly AdjustedBar[],
  expected: readonly AdjustedBar[],
  fields: readonly (typeof FIELDS)[number][] = FIELDS,
): { error: number; where: string } {
  expect(actual.map((b) => b.date)).toStrictEqual(expected.map((b) => b.date));
  let error = 0;
  let where = "";
  actual.forEach((a, i) => {
    const e = expected[i]!;
    for (const field of fields) {
      const d = Math.abs(a[field] - e[field]) / Math.abs(e[field]);
      if (d > error) {
        error = d;
        where = `${a.date} ${field}: ${a[field]} against ${e[field]}`;
      }
    }
  });
  return { error, where };
}
