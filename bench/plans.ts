/**
 * Request plans for `us-all`: per provider at its real free-plan limit, the requests and the
 * time of a first scan (empty bars store) and of a daily scan (history stored through the last
 * session), by the planner's whole-market methods side by side with the same provider asked per
 * ticker. The planner's figures are then confirmed on the simulator: each provider's first and
 * daily scans run on the local stack at a scaled limit, and the requests its log counted are set
 * beside the planned ones.
 *
 * Run alone: `node --import tsx bench/plans.ts`, or `npm run bench -- plans` (~30 min here: the
 * three backfills write 7,481 tickers' two years each; the requests themselves take seconds).
 */

import { pathToFileURL } from "node:url";
import { DEFAULT_LIMITS } from "../packages/adapters/config.ts";
import type { ProviderName } from "../packages/core/market-data.port.ts";
import { DEFAULT_SCAN } from "../packages/core/pipeline/scan-request.ts";
import { capabilitiesOf } from "../packages/core/planner/capabilities.ts";
import { type Plan, planRequests } from "../packages/core/planner/plan.ts";
import { parseProviderLimits } from "../packages/core/rate-plan.ts";
import { addTradingDays } from "../packages/core/trading-calendar.ts";
import { loadUniverse } from "../packages/core/universes.ts";
import { startLocalStack } from "../packages/local/stack.ts";
import { round, timedScan } from "./lib/local-scan.ts";
import type { BenchFigures, BenchResult } from "./types.ts";

/**
 * Free plans' limits: the configuration's defaults (Polygon 5/min, Alpaca 200/min, Yahoo's
 * observed 60/min), but FMP's free plan, 250 requests a day, where the default is a paid plan's.
 */
const FREE_LIMITS: Record<"polygon" | "alpaca" | "fmp" | "yahoo", string> = {
  polygon: DEFAULT_LIMITS.polygon,
  alpaca: DEFAULT_LIMITS.alpaca,
  fmp: "250/d",
  yahoo: DEFAULT_LIMITS.yahoo,
};
const PLANNED: readonly ("polygon" | "alpaca" | "fmp")[] = ["polygon", "alpaca", "fmp"];
/** The simulator's limit for the confirming scans: the same requests, in seconds rather than hours. */
const SCALED = { limit: 50, windowMs: 1000 };
const LATENCY = { kind: "lognormal" as const, medianMs: 5, p99Ms: 40 };

interface Planned {
  first: Plan;
  daily: Plan;
  perTickerFirst: Plan;
  perTickerDaily: Plan;
}

/** The planner's figures for a provider, whole-market methods allowed or per ticker only. */
function planFor(provider: ProviderName, tickers: number, session: string): Planned {
  const limits = parseProviderLimits(FREE_LIMITS[provider as keyof typeof FREE_LIMITS]);
  const whole = [{ name: provider, capabilities: capabilitiesOf(provider), limits }];
  const perTicker = [
    { name: provider, capabilities: { perTicker: capabilitiesOf(provider).perTicker }, limits },
  ];
  const days = DEFAULT_SCAN.days;
  const empty = { tickers: 0, through: undefined };
  const stored = { tickers, through: addTradingDays(session, -1) };
  return {
    first: planRequests({ session, days, tickers, stored: empty, providers: whole }),
    daily: planRequests({ session, days, tickers, stored, providers: whole }),
    perTickerFirst: planRequests({ session, days, tickers, stored: empty, providers: perTicker }),
    perTickerDaily: planRequests({ session, days, tickers, stored, providers: perTicker }),
  };
}

const hours = (seconds: number) => round(seconds / 3600, 2);

interface Confirmed {
  firstRequests: number;
  firstPlanned: number;
  firstStatus: string;
  firstWallSeconds: number;
  dailyRequests: number;
  dailyPlanned: number;
  dailyStatus: string;
  dailyWallSeconds: number;
  scored: number;
  http429: number;
}

/** A provider's first and daily `us-all` scans on the local stack, counted from the simulator's log. */
async function confirm(provider: ProviderName): Promise<Confirmed> {
  const stack = await startLocalStack({ rateLimit: SCALED, latency: LATENCY, schedules: "none" });
  try {
    await stack.runtime.prewarm();
    const scan = async (scanId: string) => {
      const since = Date.now();
      const run = await timedScan(stack, { universe: "us-all", provider, scanId }, 1_800_000);
      const log = (await stack.sim.requests(since)).filter((r) => r.provider === provider);
      return { run, log };
    };
    const first = await scan(`bench-plan-${provider}-first`);
    await stack.sim.moveClock({ advanceSessions: 1 });
    const daily = await scan(`bench-plan-${provider}-daily`);
    return {
      firstRequests: first.log.length,
      firstPlanned: first.run.scan.plan?.requests ?? 0,
      firstStatus: first.run.scan.status,
      firstWallSeconds: round(first.run.wallMs / 1000, 1),
      dailyRequests: daily.log.length,
      dailyPlanned: daily.run.scan.plan?.requests ?? 0,
      dailyStatus: daily.run.scan.status,
      dailyWallSeconds: round(daily.run.wallMs / 1000, 1),
      scored: daily.run.scan.summary?.scored ?? 0,
      http429: [...first.log, ...daily.log].filter((r) => r.status === 429).length,
    };
  } finally {
    await stack.stop();
  }
}

export async function run(options: { confirm?: boolean } = {}): Promise<BenchResult> {
  const tickers = new Set([...loadUniverse("us-all").map((l) => l.symbol), DEFAULT_SCAN.benchmark]).size;
  const session = "2026-12-02";
  const figures: BenchFigures = {};
  const notes: string[] = [];
  for (const provider of [...PLANNED, "yahoo" as const]) {
    const p = planFor(provider, tickers, session);
    figures[`${provider}FirstRequests`] = p.first.requests;
    figures[`${provider}FirstHours`] = hours(p.first.seconds);
    figures[`${provider}DailyRequests`] = p.daily.requests;
    figures[`${provider}DailySeconds`] = round(p.daily.seconds, 1);
    figures[`${provider}PerTickerFirstRequests`] = p.perTickerFirst.requests;
    figures[`${provider}PerTickerFirstHours`] = hours(p.perTickerFirst.seconds);
    figures[`${provider}PerTickerDailyRequests`] = p.perTickerDaily.requests;
    figures[`${provider}PerTickerDailyHours`] = hours(p.perTickerDaily.seconds);
  }
  let dailyPolygonMeasured: number | undefined;
  if (options.confirm !== false) {
    for (const provider of PLANNED) {
      process.stderr.write(`bench: plans: ${provider} us-all first and daily scans at ${SCALED.limit}/s…\n`);
      const c = await confirm(provider);
      for (const [k, v] of Object.entries(c))
        figures[`${provider}Sim${k.charAt(0).toUpperCase()}${k.slice(1)}`] = v;
      if (provider === "polygon") dailyPolygonMeasured = c.dailyRequests;
    }
    notes.push(
      `confirmed on the simulator at ${SCALED.limit} requests/s for every provider (latency lognormal ${LATENCY.medianMs}/${LATENCY.p99Ms} ms): *SimFirstRequests / *SimDailyRequests are the requests its log counted, *SimFirstPlanned / *SimDailyPlanned what the scan's plan said; the first scans' walls are mostly the bars store being written (7,481 tickers' two years on dynalite), not requests`,
    );
  }
  const yahooDaily = figures.yahooPerTickerDailyRequests as number;
  const polygonDaily = dailyPolygonMeasured ?? (figures.polygonDailyRequests as number);
  notes.push(
    `free-plan limits: ${Object.entries(FREE_LIMITS)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ", ",
      )}; the first scan asks for ${DEFAULT_SCAN.days} sessions of every ticker, the daily scan one session (per ticker: the 3 last again, for late corrections, in the same request)`,
    "per ticker, Polygon and FMP take 3 requests a ticker the first time (bars, splits, dividends), Alpaca 2; an incremental per-ticker fetch the same per ticker",
  );
  return {
    name: "plans",
    description: `request plans for us-all (${tickers} tickers with the benchmark): first and daily scans per provider at its free-plan limit, whole-market methods against per-ticker requests; confirmed on the simulator at a scaled limit`,
    figures,
    baseline: {
      name: "the default daily scan asked per ticker (Yahoo, 60/min)",
      figures: {
        yahooDailyRequests: yahooDaily,
        yahooDailyHours: figures.yahooPerTickerDailyHours as number,
      },
    },
    ratio: {
      label: "daily requests, Yahoo per ticker ÷ Polygon planned",
      value: round(yahooDaily / polygonDaily, 0),
      target: "a daily us-all scan ≤ 3 Polygon requests (measured on the simulator)",
      met: polygonDaily <= 3,
    },
    notes,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await run({ confirm: !process.argv.includes("--planner-only") });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
