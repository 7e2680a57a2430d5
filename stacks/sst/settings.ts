/**
 * Deploy-time settings, read from the deploying shell's environment (which
 * includes the `.env` and `.env.<stage>` files SST loads). Plain functions of
 * an env object, no SST globals: the SST modules call them with process.env,
 * tests call them directly. A bad value fails `sst deploy` with its name.
 */
import { PROVIDERS } from "../../packages/core/market-data.port.ts";
import type { FunctionId, ScheduleSpec } from "../topology/index.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The TICKERFLEET_* variables the functions read at run time
 * (packages/adapters/config.ts, providers/config.ts and registry.ts, compose/scan-start.ts).
 * Set in the deploying shell, they are passed to every function; unset, they
 * are left out so the functions' defaults apply. An allowlist, so that
 * deploy-only or laptop-only variables (TICKERFLEET_UNIVERSE_DIR, the ones
 * below) never reach Lambda.
 */
export const FUNCTION_SETTINGS: readonly string[] = [
  ...PROVIDERS.map((p) => `TICKERFLEET_RATE_LIMIT_${p.toUpperCase()}`),
  "TICKERFLEET_RATE_JITTER_MS",
  "TICKERFLEET_MAX_TAKE",
  "TICKERFLEET_CACHE_TTL_SECONDS",
  "TICKERFLEET_MAX_ATTEMPTS",
  "TICKERFLEET_MAX_INLINE_WAIT_MS",
  "TICKERFLEET_CORRECTION_SESSIONS",
  "TICKERFLEET_GAP_THRESHOLD_PCT",
  "TICKERFLEET_DEFAULT_PROVIDER",
  "TICKERFLEET_PROVIDERS",
  "TICKERFLEET_ALERT_SCREENS",
  "TICKERFLEET_ALERT_TOP_N",
  // The scan alerts topic's subscriber: notify emails through the topic when it is set.
  "TICKERFLEET_ALERT_EMAIL",
  "TICKERFLEET_TELEGRAM_URL",
  "TICKERFLEET_BREAKER_FAILURES",
  "TICKERFLEET_BREAKER_WINDOW_SECONDS",
  "TICKERFLEET_BREAKER_COOLDOWN_SECONDS",
  "TICKERFLEET_SCHEDULED_UNIVERSE",
  ...PROVIDERS.map((p) => `TICKERFLEET_${p.toUpperCase()}_URL`),
  "TICKERFLEET_ALPACA_FEED",
];

/** Variables read only while deploying; none of them reaches a function. */
export const DEPLOY_SETTINGS = {
  /** The daily scan's EventBridge Scheduler expression, or `off` to disable it. @default the topology's */
  scanSchedule: "TICKERFLEET_SCAN_SCHEDULE",
  /** IANA time zone the scan's cron is read in. @default the topology's */
  scanTimezone: "TICKERFLEET_SCAN_TIMEZONE",
  /** The daily scan's payload, a JSON object such as `{"universe":"sp500","provider":"fmp"}`. @default the topology's */
  scanPayload: "TICKERFLEET_SCAN_PAYLOAD",
  /** An address to email when a dead-letter queue receives messages. @default no email */
  alertEmail: "TICKERFLEET_ALERT_EMAIL",
} as const;

/**
 * The scan id a scheduled scan is started with. EventBridge Scheduler replaces
 * `<aws.scheduler.scheduled-time>` with the firing's time (`2026-11-25T21:30:00Z`),
 * so a retried invocation (Scheduler's or Lambda's asynchronous retries) names
 * the same scan and scan-start, idempotent by scan id, enqueues nothing twice.
 */
export const SCHEDULED_SCAN_ID = "sched-<aws.scheduler.scheduled-time>";

/** The environment every function gets: the stage and the settings that are set. */
export function functionEnvironment(env: Env, stage: string): Record<string, string> {
  const environment: Record<string, string> = { TICKERFLEET_STAGE: stage };
  for (const name of FUNCTION_SETTINGS) {
    const value = env[name];
    if (value !== undefined && value !== "") environment[name] = value;
  }
  return environment;
}

export type ScheduleExpression = `cron(${string})` | `rate(${string})` | `at(${string})`;

export interface ResolvedSchedule {
  name: string;
  fn: FunctionId;
  expression: ScheduleExpression;
  timezone: string;
  payload: Record<string, unknown>;
  enabled: boolean;
}

/** Checks an EventBridge Scheduler expression; `source` names where it came from in the error. */
export function scheduleExpression(value: string, source: string): ScheduleExpression {
  const trimmed = value.trim();
  const cron = /^cron\((.*)\)$/.exec(trimmed);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new Error(
        `${source}="${value}": EventBridge cron expressions have six fields (minutes hours day-of-month month day-of-week year), e.g. cron(30 16 ? * MON-FRI *); this one has ${fields.length}`,
      );
    }
    return trimmed as ScheduleExpression;
  }
  if (/^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/.test(trimmed))
    return trimmed as ScheduleExpression;
  if (/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/.test(trimmed)) return trimmed as ScheduleExpression;
  throw new Error(
    `${source}="${value}" is not an EventBridge Scheduler expression: use cron(30 16 ? * MON-FRI *), rate(1 day) or at(2026-01-02T16:30:00), or "off"`,
  );
}

function timezone(value: string, source: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
  } catch {
    throw new Error(`${source}="${value}" is not an IANA time zone such as America/New_York or UTC`);
  }
  return value;
}

function payloadObject(raw: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `${source} is not JSON (${(error as Error).message}); expected e.g. {"universe":"sp500"}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${source} must be a JSON object such as {"universe":"sp500","provider":"fmp"}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * A topology schedule as it is deployed. The scan schedule (the one that runs
 * scan-start) takes the TICKERFLEET_SCAN_* overrides and the scheduled scan id;
 * the others deploy as the topology states them.
 */
export function resolveSchedule(spec: ScheduleSpec, env: Env): ResolvedSchedule {
  const base = {
    name: spec.name,
    fn: spec.fn,
    expression: scheduleExpression(spec.schedule, `topology schedule ${spec.name}`),
    timezone: spec.timezone,
    payload: { ...spec.payload },
    enabled: true,
  };
  if (spec.fn !== "scanStart") return base;

  const rawSchedule = env[DEPLOY_SETTINGS.scanSchedule]?.trim();
  const rawTimezone = env[DEPLOY_SETTINGS.scanTimezone]?.trim();
  const rawPayload = env[DEPLOY_SETTINGS.scanPayload]?.trim();
  const off = rawSchedule?.toLowerCase() === "off";
  const payload = rawPayload ? payloadObject(rawPayload, DEPLOY_SETTINGS.scanPayload) : base.payload;
  return {
    ...base,
    expression:
      rawSchedule && !off ? scheduleExpression(rawSchedule, DEPLOY_SETTINGS.scanSchedule) : base.expression,
    timezone: rawTimezone ? timezone(rawTimezone, DEPLOY_SETTINGS.scanTimezone) : base.timezone,
    payload: { scanId: SCHEDULED_SCAN_ID, ...payload },
    enabled: !off,
  };
}

/** The address DLQ alarms email, if one is set. */
export function alertEmail(env: Env): string | undefined {
  const value = env[DEPLOY_SETTINGS.alertEmail]?.trim();
  if (!value) return undefined;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new Error(`${DEPLOY_SETTINGS.alertEmail}="${value}" is not an email address`);
  }
  return value;
}
