import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { isProviderName, PROVIDERS, type ProviderName } from "../market-data.port.ts";
import { canonicalSymbol } from "../symbols.ts";
import { loadUniverse, UNIVERSE_NAMES, type UniverseName } from "../universes.ts";

/** A validated request to scan. */
export interface ScanRequest {
  scanId: string;
  /** A shipped universe's name, or "custom" for an explicit list. */
  universe: UniverseName | "custom";
  /** Canonical symbols, duplicates removed, in the order given. */
  tickers: string[];
  /** The provider asked first: the chain's first. */
  provider: ProviderName;
  /**
   * The fallback chain, `provider` first: a ticker, date or page that one provider cannot serve
   * (not found, unauthorized, not on the plan, its breaker open, attempts spent) goes to the next.
   */
  providers: ProviderName[];
  /** The scan let the planner choose among the configured providers (`"provider": "auto"`): scan-start orders the chain by the plan. */
  auto: boolean;
  /** Trading days of history to fetch per ticker. */
  days: number;
  /** Symbol whose returns relative strength is measured against. */
  benchmark: string;
  /** What started the scan. */
  trigger: "invoke" | "schedule";
  /** Also fetch earnings growth (C and A of CANSLIM); only providers with income statements (FMP). */
  fundamentals: boolean;
  /**
   * `plan` (the default): a provider that answers for many tickers at once is asked by market
   * day or by symbol pages where that is fewer requests (planner/); `per-ticker`: every ticker
   * on its own, as a provider without such endpoints is.
   */
  mode: "plan" | "per-ticker";
}

/** Providers whose adapters read income statements. */
export const FUNDAMENTALS_PROVIDERS: readonly ProviderName[] = ["fmp"];

/** What a payload's `provider` may say: one provider, a fallback chain, or `auto`. */
export type ProviderChoice = ProviderName | readonly ProviderName[] | "auto";

export interface ScanDefaults {
  /** The provider choice of a payload that names none (the schedule's too). @default "auto" */
  provider: ProviderChoice;
  /**
   * The providers this deployment has keys for, in order of preference: what `auto` chooses
   * among and falls back through. @default ["yahoo"] (the one that needs no key)
   */
  configured: readonly ProviderName[];
  /** Enough for 200 days of breadth with 52-week highs and 200-day averages. @default 460 */
  days: number;
  /** @default "SPY" */
  benchmark: string;
  /** The universe a schedule without a detail scans. @default "us-all" */
  scheduledUniverse: UniverseName;
}

export const DEFAULT_SCAN: ScanDefaults = {
  provider: "auto",
  configured: ["yahoo"],
  days: 460,
  benchmark: "SPY",
  scheduledUniverse: "us-all",
};

/** Most tickers an explicit list may hold (more than every US listing). */
export const MAX_CUSTOM_TICKERS = 20_000;

const scanIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

const payloadSchema = z
  .object({
    universe: z.union([
      z.enum(UNIVERSE_NAMES),
      z.array(z.string()).min(1, "an explicit list needs at least one ticker").max(MAX_CUSTOM_TICKERS),
    ]),
    provider: z
      .union([z.enum(PROVIDERS), z.literal("auto"), z.array(z.enum(PROVIDERS)).min(1).max(PROVIDERS.length)])
      .optional(),
    days: z.number().int().min(30).max(2000).optional(),
    scanId: z
      .string()
      .regex(scanIdPattern, "1–64 characters of letters, digits, '.', '_', ':' or '-'")
      .optional(),
    benchmark: z.string().optional(),
    fundamentals: z.boolean().optional(),
    mode: z.enum(["plan", "per-ticker"]).optional(),
  })
  .strict();

/** EventBridge's scheduled-event envelope; its `detail` may carry a scan payload. */
const scheduledEventSchema = z.object({
  "detail-type": z.literal("Scheduled Event"),
  source: z.string(),
  time: z.string(),
  id: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join(".") : "payload";
    if (issue.code === "unrecognized_keys")
      return `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    if (issue.path[0] === "universe" && issue.code === "invalid_union") {
      return `universe: must be one of ${UNIVERSE_NAMES.map((u) => `"${u}"`).join(", ")} or a list of ticker symbols`;
    }
    if (issue.path[0] === "provider") return PROVIDER_PROBLEM;
    return `${where}: ${issue.message}`;
  });
}

/** A time-sortable, unique scan id: `20261125T213000Z-3f9a1c`. */
export function newScanId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
}

function isScheduledEvent(payload: unknown): boolean {
  return (
    typeof payload === "object" &&
    payload !== null &&
    (payload as Record<string, unknown>)["detail-type"] === "Scheduled Event"
  );
}

const PROVIDER_PROBLEM = `provider: must be one of ${PROVIDERS.map((p) => `"${p}"`).join(", ")}, "auto" (the planner chooses among the configured providers), or a fallback chain such as ["polygon", "yahoo"]`;

/**
 * A comma-separated list of provider names (a setting's, a command line's): the names, how many
 * were given, and the first that is not a provider (or "" when the list names none), for the
 * caller to say in its own terms.
 */
export function splitProviders(text: string): { names: ProviderName[]; given: number; unknown?: string } {
  const names = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = names.find((p) => !isProviderName(p));
  if (names.length === 0 || unknown !== undefined)
    return { names: [], given: names.length, unknown: unknown ?? "" };
  return { names: names as ProviderName[], given: names.length };
}

/** The chain a provider choice names (`auto`: the configured providers), or the problem with it. */
export function providerChain(
  choice: ProviderChoice,
  configured: readonly ProviderName[],
): { chain: ProviderName[]; auto: boolean } | { problem: string } {
  if (choice === "auto") {
    if (configured.length === 0)
      return { problem: 'provider: "auto" needs at least one configured provider' };
    return { chain: [...configured], auto: true };
  }
  const chain = typeof choice === "string" ? [choice] : [...choice];
  const twice = chain.find((p, i) => chain.indexOf(p) !== i);
  if (twice) return { problem: `provider: "${twice}" appears twice in the chain` };
  return { chain, auto: false };
}

const NOT_AN_OBJECT = 'payload: must be a JSON object such as {"universe":"sp500"}';

/**
 * Validates a scan-start payload — `{ universe, provider?, days?, scanId?, benchmark?, fundamentals?, mode? }`,
 * `provider` one name, a fallback chain or "auto" —
 * or an EventBridge scheduled event — and resolves its universe. Every problem
 * is named in one ValidationError; nothing is resolved from a bad payload.
 */
export function parseScanRequest(
  payload: unknown,
  defaults: ScanDefaults = DEFAULT_SCAN,
  now = new Date(),
): ScanRequest {
  let body: unknown = payload;
  let trigger: ScanRequest["trigger"] = "invoke";
  let scheduledId: string | undefined;
  if (typeof payload === "string") {
    try {
      body = JSON.parse(payload);
    } catch {
      throw new ValidationError("scan request", [NOT_AN_OBJECT]);
    }
  }
  if (isScheduledEvent(body)) {
    const event = scheduledEventSchema.safeParse(body);
    if (!event.success) throw new ValidationError("scheduled event", zodProblems(event.error));
    trigger = "schedule";
    // One scan per schedule firing: a redelivered event maps to the same scan id, so it enqueues nothing twice.
    const fired = new Date(event.data.time);
    if (Number.isNaN(fired.getTime()))
      throw new ValidationError("scheduled event", [`time: not a date: ${event.data.time}`]);
    scheduledId = `sched-${fired.toISOString().replace(/[-:]/g, "").slice(0, 13)}Z`;
    body = { universe: defaults.scheduledUniverse, ...(event.data.detail ?? {}) };
  } else if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    // EventBridge Scheduler passes its payload as is; the same field may say it came from a schedule.
  } else {
    throw new ValidationError("scan request", [NOT_AN_OBJECT]);
  }

  const parsed = payloadSchema.safeParse(body);
  const problems = parsed.success ? [] : zodProblems(parsed.error);
  const data = parsed.success ? parsed.data : undefined;

  let tickers: string[] = [];
  const rawUniverse = (body as Record<string, unknown>).universe;
  if (Array.isArray(rawUniverse)) {
    const seen = new Set<string>();
    rawUniverse.forEach((value, index) => {
      if (typeof value !== "string") {
        problems.push(`universe[${index}]: not a string`);
        return;
      }
      try {
        const symbol = canonicalSymbol(value);
        if (!seen.has(symbol)) {
          seen.add(symbol);
          tickers.push(symbol);
        }
      } catch (error) {
        problems.push(`universe[${index}]: ${(error as Error).message}`);
      }
    });
  }
  let benchmark = defaults.benchmark;
  if (data?.benchmark !== undefined) {
    try {
      benchmark = canonicalSymbol(data.benchmark);
    } catch (error) {
      problems.push(`benchmark: ${(error as Error).message}`);
    }
  }
  const chosen = providerChain(data?.provider ?? defaults.provider, defaults.configured);
  if ("problem" in chosen) problems.push(chosen.problem);
  const chain = "chain" in chosen ? chosen.chain : [];
  // Earnings come from the provider asked first (an auto scan asks a configured FMP first).
  const first =
    "auto" in chosen && chosen.auto ? FUNDAMENTALS_PROVIDERS.find((p) => chain.includes(p)) : chain[0];
  if (data?.fundamentals && chain.length > 0 && (!first || !FUNDAMENTALS_PROVIDERS.includes(first))) {
    problems.push(
      `fundamentals: ${chain[0]} publishes no income statements; use provider ${FUNDAMENTALS_PROVIDERS.join(" or ")}`,
    );
  }
  if (problems.length > 0 || !data) throw new ValidationError("scan request", problems);

  const universe = Array.isArray(data.universe) ? "custom" : data.universe;
  if (universe !== "custom") tickers = loadUniverse(universe).map((l) => l.symbol);
  return {
    scanId: data.scanId ?? scheduledId ?? newScanId(now),
    universe,
    tickers,
    provider: chain[0]!,
    providers: chain,
    auto: "auto" in chosen && chosen.auto,
    days: data.days ?? defaults.days,
    benchmark,
    trigger,
    fundamentals: data.fundamentals ?? false,
    mode: data.mode ?? "plan",
  };
}
