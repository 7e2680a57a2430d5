import { ValidationError } from "../../core/errors.ts";
import { PROVIDERS, type ProviderName } from "../../core/market-data.port.ts";
import type { FaultKind } from "./config.ts";

/**
 * A provider that is down for a while (`POST /_sim/outage`): every request to it, from now for
 * the given seconds, fails the one way, so fallback chains and circuit breakers can be shown.
 * - `5xx`: answered 502 or 503 in the provider's own error shape (the `status5xx` fault);
 * - `hang`: accepted and never answered; the socket is dropped after the simulator's
 *   `timeoutHoldMs` (the `timeout` fault), as a server that stopped responding.
 * Requests over the provider's limit are still refused 429 first: an outage does not lift it.
 * `"seconds": 0` ends the provider's outage at once.
 */

export const OUTAGE_MODES = ["5xx", "hang"] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

export interface OutageRequest {
  provider: ProviderName;
  mode: OutageMode;
  seconds: number;
}

/** The longest outage accepted: a day. */
const MAX_SECONDS = 86_400;

/** An outage request validated; throws ValidationError naming every problem. */
export function parseOutage(body: unknown): OutageRequest {
  const problems: string[] = [];
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ValidationError("outage", [
      'expected an object like {"provider": "polygon", "mode": "5xx", "seconds": 30}',
    ]);
  const { provider, mode, seconds, ...rest } = body as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`${key}: unknown field (provider, mode, seconds)`);
  if (!PROVIDERS.includes(provider as ProviderName))
    problems.push(`provider: ${JSON.stringify(provider)} is not one of ${PROVIDERS.join(", ")}`);
  if (seconds !== 0 && !OUTAGE_MODES.includes(mode as OutageMode))
    problems.push(`mode: ${JSON.stringify(mode)} is not one of ${OUTAGE_MODES.join(", ")}`);
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SECONDS)
    problems.push(`seconds: ${JSON.stringify(seconds)} is not a number of seconds from 0 to ${MAX_SECONDS}`);
  if (problems.length > 0) throw new ValidationError("outage", problems);
  return {
    provider: provider as ProviderName,
    mode: (mode ?? "5xx") as OutageMode,
    seconds: seconds as number,
  };
}

export interface OutageState {
  provider: ProviderName;
  mode: OutageMode;
  /** When it ends, ISO 8601. */
  until: string;
  secondsLeft: number;
}

/** The outages in force, by provider. */
export class Outages {
  private readonly byProvider = new Map<ProviderName, { mode: OutageMode; untilMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts (or replaces, or with 0 seconds ends) a provider's outage; answers what is in force. */
  set(request: OutageRequest): OutageState[] {
    if (request.seconds === 0) this.byProvider.delete(request.provider);
    else
      this.byProvider.set(request.provider, {
        mode: request.mode,
        untilMs: this.now() + request.seconds * 1000,
      });
    return this.list();
  }

  /** The fault a request to the provider draws from its outage now, if it has one. */
  faultOf(provider: ProviderName): FaultKind | undefined {
    const outage = this.byProvider.get(provider);
    if (!outage) return undefined;
    if (this.now() >= outage.untilMs) {
      this.byProvider.delete(provider);
      return undefined;
    }
    return outage.mode === "5xx" ? "status5xx" : "timeout";
  }

  list(): OutageState[] {
    const now = this.now();
    return [...this.byProvider]
      .filter(([, o]) => o.untilMs > now)
      .map(([provider, o]) => ({
        provider,
        mode: o.mode,
        until: new Date(o.untilMs).toISOString(),
        secondsLeft: Math.round((o.untilMs - now) / 100) / 10,
      }));
  }
}
