import type { ProviderName } from "../market-data.port.ts";
import type { ScanRecord } from "../pipeline/records.ts";
import type { ScanRequest } from "../pipeline/scan-request.ts";
import { capabilitiesOf } from "./capabilities.ts";
import { type Plan, type PlannedProvider, planRequests } from "./plan.ts";
import { type PlanTickers, type PlanUnit, planUnits } from "./units.ts";

/**
 * A scan's request plan: what the store is taken to hold, from the last finished scan of the
 * same universe (its tickers, less those it failed for want of data or never accounted for, are
 * current through its session), the planner's steps for the rest, and the units they make. Only for providers
 * that can answer for many tickers at once: a per-ticker provider's scan runs as it always has.
 * What the store really holds is checked ticker by ticker when the chunks run (fetch-supplied):
 * a ticker the estimate got wrong is fetched per ticker.
 */
export interface ScanPlan {
  plan: Plan;
  stored: { tickers: number; through: string | null };
  tickers: PlanTickers;
  units: PlanUnit[];
}

export interface ScanPlanInput {
  session: string;
  /** The latest finished scan of the same universe, with its tickers. */
  previous?: { scan: ScanRecord; tickers: readonly string[] };
  providers: readonly PlannedProvider[];
}

/** Whether a provider answers for many tickers at once (a market day or symbol pages). */
export function plansRequests(provider: PlannedProvider["name"]): boolean {
  const c = capabilitiesOf(provider);
  return c.marketDay !== undefined || c.symbolPages !== undefined;
}

/**
 * Whether a finished scan can say what the store holds for a scan of `session`: it finished
 * (COMPLETE or PARTIAL) for a session no later than this one, and it is not this scan.
 */
export function isUsablePrevious(scan: ScanRecord, session: string, scanId?: string): boolean {
  return (
    scan.scanId !== scanId &&
    scan.session !== undefined &&
    scan.session <= session &&
    (scan.status === "COMPLETE" || scan.status === "PARTIAL")
  );
}

export function planScan(
  request: Pick<ScanRequest, "tickers" | "benchmark" | "days">,
  input: ScanPlanInput,
): ScanPlan {
  const all = [...new Set([...request.tickers, request.benchmark])];
  const previous = input.previous;
  const usable = previous !== undefined && isUsablePrevious(previous.scan, input.session);
  const held = new Set<string>();
  if (usable) {
    // A ticker too young for the scores was fetched and stored all the same: it is held.
    const missed = new Set([
      ...(previous.scan.summary?.failures ?? [])
        .filter((f) => !f.reason.startsWith("insufficient-history"))
        .map((f) => f.ticker),
      ...(previous.scan.summary?.unaccountedTickers ?? []),
    ]);
    for (const s of [...previous.tickers, previous.scan.benchmark]) if (!missed.has(s)) held.add(s);
  }
  const days = all.filter((s) => held.has(s));
  const backfill = all.filter((s) => !held.has(s));
  // Nothing held (no usable scan, or none of its tickers in this one): every ticker is a backfill.
  const through = usable && days.length > 0 ? previous.scan.session! : null;
  const stored = { tickers: days.length, through };
  const plan = planRequests({
    session: input.session,
    days: request.days,
    tickers: all.length,
    stored: { tickers: days.length, through: through ?? undefined },
    providers: input.providers,
  });
  const tickers = { days, backfill };
  return { plan, stored, tickers, units: planUnits(plan, tickers) };
}

/**
 * The fallback chain of a scan that let the planner choose (`"provider": "auto"`): first the
 * provider its chunks ask per ticker — the plan's per-ticker step's, else the one whose bars
 * the plan brings for the most tickers, else the first configured (FMP when the scan wants
 * earnings, which only FMP's adapter reads) — then the other configured providers in their order.
 */
export function autoChain(
  plan: Plan | undefined,
  configured: readonly ProviderName[],
  fundamentals: boolean,
): ProviderName[] {
  const bars = (plan?.steps ?? []).filter((s) => s.kind !== "market-actions");
  const perTicker = bars.find((s) => s.kind === "per-ticker");
  const widest = [...bars].sort((a, b) => b.tickers - a.tickers)[0];
  const first =
    (fundamentals && configured.includes("fmp") ? "fmp" : undefined) ??
    perTicker?.provider ??
    widest?.provider ??
    configured[0];
  if (first === undefined) throw new RangeError("an auto chain needs at least one configured provider");
  return [first, ...configured.filter((p) => p !== first)];
}
