import { providerLimits } from "../../adapters/config.ts";
import { marketClock } from "../../adapters/market-clock.ts";
import { providerConfigFromEnv } from "../../adapters/providers/registry.ts";
import { PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import { type ProviderChoice, parseScanRequest } from "../../core/pipeline/scan-request.ts";
import { capabilitiesOf } from "../../core/planner/capabilities.ts";
import { type Plan, planRequests } from "../../core/planner/plan.ts";
import { addTradingDays } from "../../core/trading-calendar.ts";
import { CliError } from "../errors.ts";
import { duration, table } from "../format.ts";
import { print, type ReadOptions, withTarget } from "./read.ts";

export interface PlanOptions extends ReadOptions {
  universe?: string;
  /** One provider (a chain plans with its first, as its scan does), or auto: every configured one. */
  provider?: ProviderChoice;
}

/** A ticker whose last stored session is this many sessions behind the newest counts as current. */
const CURRENT_WITHIN = 5;

/**
 * `tickerfleet plan --universe U [--provider P]`: the requests that would make the universe's
 * stored history current for the market's session, and how long they take at the providers'
 * limits, without fetching anything. It reads the bars store of the local stack or the stage to
 * know what is held; the providers are the one named, or those whose keys are set (every one on
 * the local stack), at their configured limits (TICKERFLEET_RATE_LIMIT_*, else the plans').
 */
export async function planCommand(options: PlanOptions): Promise<number> {
  const universeText = options.universe ?? "sp500";
  const universe = /^[a-z0-9-]+$/.test(universeText)
    ? universeText
    : universeText.split(/[,\s]+/).filter(Boolean);
  const request = parseScanRequest({ universe, ...(options.provider ? { provider: options.provider } : {}) });
  return withTarget(options, async (target) => {
    const env = { ...process.env, ...(target.localEnv ?? {}) };
    const session = await marketClock(env)();
    const names: ProviderName[] =
      options.provider && options.provider !== "auto"
        ? [request.provider]
        : PROVIDERS.filter((name) => {
            try {
              providerConfigFromEnv(name, env);
              return true;
            } catch {
              return false;
            }
          });
    if (names.length === 0)
      throw new CliError("no provider is configured: set a provider's key or name one with --provider");
    const tickers = [...new Set([...request.tickers, request.benchmark])];
    const since = addTradingDays(session, -(request.days + 30));
    const stored = await target.bars.read(tickers, since);
    const lastDates = [...stored.values()].flatMap((t) =>
      t.bars.dates.length > 0 ? [t.bars.dates.at(-1)!] : [],
    );
    const through = lastDates.length > 0 ? lastDates.reduce((a, b) => (a > b ? a : b)) : undefined;
    const current =
      through === undefined
        ? 0
        : lastDates.filter((d) => d >= addTradingDays(through, -CURRENT_WITHIN)).length;
    const plan = planRequests({
      session,
      days: request.days,
      tickers: tickers.length,
      stored: { tickers: current, through },
      providers: names.map((name) => ({
        name,
        capabilities: capabilitiesOf(name),
        limits: providerLimits(name, env),
      })),
    });
    print(options.json, { ...plan, stored: { tickers: current, through: through ?? null } }, () =>
      planText(plan, tickers.length, current, through),
    );
    return 0;
  });
}

function planText(plan: Plan, tickers: number, current: number, through: string | undefined): string {
  const held =
    through === undefined ? "nothing stored yet" : `${current} of ${tickers} stored through ${through}`;
  if (plan.steps.length === 0) return `session ${plan.session}: ${held}; nothing to fetch`;
  return [
    `session ${plan.session}: ${held}`,
    "",
    table(plan.steps, [
      { header: "provider", value: (s) => s.provider },
      { header: "requests", value: (s) => s.requests.toLocaleString("en-US"), align: "right" },
      { header: "time", value: (s) => duration(s.seconds * 1000), align: "right" },
      { header: "what", value: (s) => s.description },
    ]),
    "",
    `${plan.requests.toLocaleString("en-US")} requests, ${duration(plan.seconds * 1000)} at the providers' limits`,
  ].join("\n");
}
