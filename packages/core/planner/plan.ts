import type { ProviderName } from "../market-data.port.ts";
import type { ProviderLimit } from "../rate-plan.ts";
import { addTradingDays, tradingDaysBetween } from "../trading-calendar.ts";
import type { ProviderCapabilities } from "./capabilities.ts";

/**
 * The request planner: from the universe, what the bars store already holds, and each
 * configured provider's capabilities and limits, the requests that make every ticker's history
 * current for a session, fewest first, then quickest at the limits, with the reasons in words.
 * Pure: the CLI and scan-start give it values.
 *
 * A scan's work has up to three parts, each planned on its own, so one provider can backfill
 * and another keep up day by day:
 * - **days**: tickers with history up to a session before the target, the sessions they lack;
 * - **backfill**: tickers with no history, their whole lookback;
 * - **actions**: the market's splits and dividends for the sessions fetched by a method that
 *   does not bring them (a market day, symbol pages); per-ticker requests bring their own.
 */

export const PLAN_STEP_KINDS = ["per-ticker", "market-days", "symbol-pages", "market-actions"] as const;
export type PlanStepKind = (typeof PLAN_STEP_KINDS)[number];

export interface PlanStep {
  provider: ProviderName;
  kind: PlanStepKind;
  /** Which of the scan's tickers it is for: those with stored history (`days`), or those without (`backfill`). */
  part: "days" | "backfill";
  requests: number;
  /** At the provider's configured limit. */
  seconds: number;
  /** Sessions the step covers. */
  sessions: number;
  /** Tickers whose bars the step brings (the whole market's for a market day). */
  tickers: number;
  /** First and last session covered. */
  from: string;
  to: string;
  /** One line saying what the step is. */
  description: string;
}

export interface Plan {
  session: string;
  requests: number;
  seconds: number;
  steps: PlanStep[];
}

export interface PlannedProvider {
  name: ProviderName;
  capabilities: ProviderCapabilities;
  /** The plan's limit (TICKERFLEET_RATE_LIMIT_*): one window or several. */
  limits: readonly ProviderLimit[];
}

export interface PlanInput {
  /** The session the scan is for. */
  session: string;
  /** Sessions of history a ticker needs (the scan's `days`). */
  days: number;
  /** The scan's tickers, the benchmark included. */
  tickers: number;
  /** What the store holds: tickers with history, and the last session all of them are stored through. */
  stored: { tickers: number; through: string | undefined };
  /** Providers the plan may use: configured ones, or the one the scan names. */
  providers: readonly PlannedProvider[];
  /** Sessions asked for again by a per-ticker incremental fetch. @default 3 */
  correctionSessions?: number;
}

/** The plan with the fewest requests, then the shortest time at the limits. */
export function planRequests(input: PlanInput): Plan {
  if (input.providers.length === 0) throw new RangeError("a plan needs at least one provider");
  const steps: PlanStep[] = [];
  const withHistory = Math.min(input.stored.tickers, input.tickers);
  const without = input.tickers - withHistory;
  const corrections = input.correctionSessions ?? 3;

  if (withHistory > 0 && input.stored.through !== undefined && input.stored.through < input.session) {
    const first = addTradingDays(input.stored.through, 1);
    const sessions = tradingDaysBetween(first, input.session);
    steps.push(
      ...best(input, withHistory, sessions, corrections).map((s) => ({ ...s, part: "days" as const })),
    );
  }
  if (without > 0) {
    const from = addTradingDays(input.session, -(input.days - 1));
    const sessions = tradingDaysBetween(from, input.session);
    steps.push(...best(input, without, sessions, 0).map((s) => ({ ...s, part: "backfill" as const })));
  }
  return {
    session: input.session,
    requests: steps.reduce((sum, s) => sum + s.requests, 0),
    seconds: round(steps.reduce((sum, s) => sum + s.seconds, 0)),
    steps,
  };
}

/** The cheapest way, over every provider and method, to bring `tickers` the given sessions. */
function best(
  input: PlanInput,
  tickers: number,
  sessions: readonly string[],
  corrections: number,
): Omit<PlanStep, "part">[] {
  const candidates: Omit<PlanStep, "part">[][] = [];
  for (const provider of input.providers) {
    candidates.push([perTicker(provider, tickers, sessions, corrections)]);
    const bars = marketDays(provider, tickers, sessions) ?? symbolPages(provider, tickers, sessions);
    if (!bars) continue;
    const actions = cheapestActions(input.providers, tickers, sessions);
    if (actions) candidates.push([bars, actions]);
  }
  const cost = (plan: Omit<PlanStep, "part">[]) => [
    plan.reduce((sum, s) => sum + s.requests, 0),
    plan.reduce((sum, s) => sum + s.seconds, 0),
  ];
  candidates.sort((a, b) => {
    const [ra, sa] = cost(a);
    const [rb, sb] = cost(b);
    return ra! - rb! || sa! - sb!;
  });
  return candidates[0]!;
}

function perTicker(
  provider: PlannedProvider,
  tickers: number,
  sessions: readonly string[],
  corrections: number,
): Omit<PlanStep, "part"> {
  const requests = tickers * provider.capabilities.perTicker.requests;
  const [from, to] = span(sessions);
  const asked =
    corrections > 0
      ? `the ${sessions.length} missing sessions and the last ${corrections} again`
      : `the whole lookback (${sessions.length} sessions)`;
  return step(
    provider,
    "per-ticker",
    requests,
    sessions,
    tickers,
    `${asked} of ${tickers} tickers, one ticker at a time`,
    from,
    to,
  );
}

function marketDays(
  provider: PlannedProvider,
  tickers: number,
  sessions: readonly string[],
): Omit<PlanStep, "part"> | undefined {
  const day = provider.capabilities.marketDay;
  if (!day) return undefined;
  const [from, to] = span(sessions);
  const what = sessions.length === 1 ? from : `${from} … ${to}`;
  return step(
    provider,
    "market-days",
    sessions.length * day.requestsPerSession,
    sessions,
    tickers,
    `${what} for the whole market, one session a request`,
    from,
    to,
  );
}

function symbolPages(
  provider: PlannedProvider,
  tickers: number,
  sessions: readonly string[],
): Omit<PlanStep, "part"> | undefined {
  const pages = provider.capabilities.symbolPages;
  if (!pages) return undefined;
  const groups = Math.ceil(tickers / pages.symbolsPerRequest);
  const perGroup = Math.ceil(
    (Math.min(tickers, pages.symbolsPerRequest) * sessions.length) / pages.barsPerPage,
  );
  const [from, to] = span(sessions);
  return step(
    provider,
    "symbol-pages",
    groups * Math.max(1, perGroup),
    sessions,
    tickers,
    `${from} … ${to} of ${tickers} tickers, ${pages.symbolsPerRequest} symbols a request, ${pages.barsPerPage.toLocaleString("en-US")} bars a page`,
    from,
    to,
  );
}

function cheapestActions(
  providers: readonly PlannedProvider[],
  tickers: number,
  sessions: readonly string[],
): Omit<PlanStep, "part"> | undefined {
  const [from, to] = span(sessions);
  const options = providers.flatMap((p) =>
    p.capabilities.marketActions
      ? [
          step(
            p,
            "market-actions",
            p.capabilities.marketActions.requests,
            sessions,
            tickers,
            `splits and dividends of the whole market, ${from} … ${to}`,
            from,
            to,
          ),
        ]
      : [],
  );
  options.sort((a, b) => a.requests - b.requests || a.seconds - b.seconds);
  return options[0];
}

function step(
  provider: PlannedProvider,
  kind: PlanStepKind,
  requests: number,
  sessions: readonly string[],
  tickers: number,
  description: string,
  from: string,
  to: string,
): Omit<PlanStep, "part"> {
  return {
    provider: provider.name,
    kind,
    requests,
    seconds: round(secondsAt(provider.limits, requests)),
    sessions: sessions.length,
    tickers,
    from,
    to,
    description,
  };
}

function span(sessions: readonly string[]): [string, string] {
  return [sessions[0] ?? "", sessions[sessions.length - 1] ?? ""];
}

/**
 * How long `requests` take at a limit of one or several windows: a window up to a minute is
 * paced, so its requests go out at its rate; a longer one (a daily allowance) lets its whole
 * allowance out at once, then waits a window for the next. The slowest window sets the time.
 */
export function secondsAt(limits: readonly ProviderLimit[], requests: number): number {
  let seconds = 0;
  for (const { limit, windowMs } of limits) {
    const windowSeconds = windowMs / 1000;
    const t =
      windowMs <= 60_000
        ? (requests / limit) * windowSeconds
        : (Math.ceil(requests / limit) - 1) * windowSeconds;
    seconds = Math.max(seconds, t);
  }
  return seconds;
}

const round = (x: number) => Math.round(x * 10) / 10;
