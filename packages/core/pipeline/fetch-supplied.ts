import {
  type HistoryPolicy,
  type HistoryRequest,
  type MergedHistory,
  mergeFetched,
} from "../history/ticker-history.ts";
import { addTradingDays, previousTradingDay } from "../trading-calendar.ts";
import type { HistoryWork } from "./fetch-history.ts";
import type { FetchInput } from "./fetch-types.ts";
import type { TickerOutcome } from "./messages.ts";
import { decodeSupply, type TickerSupply } from "./plan-supply.ts";

/**
 * A ticker of a planned scan's chunk, with what the plan brought it (plan-supply.ts): merged
 * as the provider's answer would be, without a request of its own, when the supply makes its
 * history current; failed with the plan's reason when a unit that should have served it failed;
 * otherwise fetched per ticker, as without a plan. The supply makes a history current when
 * - the ticker has none (or too little) and the supply reaches back to the scan's lookback; or
 * - it has one and the supply starts at most a session after its last stored bar, or brings no
 *   bar at all (a ticker that did not trade in those sessions). A ticker that traded but whose
 *   stored bars stop earlier (it failed in an earlier scan) is fetched per ticker for the gap.
 */
export type SupplyDecision =
  | { kind: "merged"; request: HistoryRequest; merged: MergedHistory }
  | { kind: "failed"; outcome: TickerOutcome }
  | { kind: "per-ticker" };

export function fromSupply(
  work: HistoryWork,
  supply: TickerSupply | undefined,
  session: string | undefined,
  policy: HistoryPolicy,
): SupplyDecision {
  if (!supply) return { kind: "per-ticker" };
  const { s, attempts } = work.ticker;
  // The plan's unit failed: a chain whose chunks ask another provider per ticker asks it first
  // (the chain then goes on from there); the failed provider's own chunk fails it, for the chain.
  if (
    supply.kind === "failed" &&
    supply.provider &&
    work.input.message.chain &&
    supply.provider !== work.input.message.provider
  )
    return { kind: "per-ticker" };
  if (supply.kind === "failed")
    return {
      kind: "failed",
      outcome: { kind: "failed", s, reason: supply.reason, message: supply.message, attempts },
    };
  const fetched = { bars: supply.bars, actions: supply.actions };
  const days = work.input.message.days;
  if (work.request.kind === "full") {
    const target = session ?? supply.bars.dates.at(-1);
    if (target === undefined || supply.from > addTradingDays(target, -(days - 1)))
      return { kind: "per-ticker" };
    const request: HistoryRequest = { kind: "full", days };
    return { kind: "merged", request, merged: mergeFetched(work.stored, fetched, request, policy) };
  }
  const last = work.stored.bars.dates.at(-1);
  const joins = last !== undefined && last >= previousTradingDay(supply.from);
  if (!joins && supply.bars.dates.length > 0) return { kind: "per-ticker" };
  const request: HistoryRequest = { kind: "incremental", from: supply.from };
  return { kind: "merged", request, merged: mergeFetched(work.stored, fetched, request, policy) };
}

/**
 * Each work of the batch decided by its chunk's supply (a message without one: every ticker per
 * ticker): the merged and the failed handed to `on`, the rest returned to be fetched per ticker.
 * A supply that cannot be read is said in `errors`, and its tickers are fetched per ticker.
 */
export function useSupplies(
  inputs: readonly FetchInput[],
  works: readonly HistoryWork[],
  policy: HistoryPolicy,
  errors: string[],
  on: {
    merged: (work: HistoryWork, merged: MergedHistory) => void;
    failed: (work: HistoryWork, outcome: TickerOutcome) => void;
  },
): HistoryWork[] {
  const supplies = new Map<FetchInput, Map<string, TickerSupply>>();
  for (const input of inputs) {
    if (!input.message.supply) continue;
    try {
      supplies.set(input, decodeSupply(input.message.supply));
    } catch (error) {
      errors.push(`${input.message.scanId}#${input.message.chunk}: ${(error as Error).message}`);
    }
  }
  const rest: HistoryWork[] = [];
  for (const work of works) {
    const supply = supplies.get(work.input)?.get(work.ticker.s);
    const decision = fromSupply(work, supply, work.input.message.session, policy);
    if (decision.kind === "per-ticker") rest.push(work);
    else if (decision.kind === "failed") on.failed(work, decision.outcome);
    else on.merged({ ...work, request: decision.request }, decision.merged);
  }
  return rest;
}
