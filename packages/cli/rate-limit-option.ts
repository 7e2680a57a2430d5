import { type ProviderLimit, parseProviderLimits } from "../core/rate-plan.ts";
import { CliError } from "./errors.ts";

/**
 * `--rate-limit` of a local stack: the simulated providers' limit, which the
 * fetchers hold too. `100/1s`, several windows comma-separated (`5/min,25/d`:
 * every one enforced), or `none`.
 */
export function parseRateLimitOption(text: string): ProviderLimit[] | null {
  if (text === "none") return null;
  try {
    return parseProviderLimits(text);
  } catch (error) {
    throw new CliError(`--rate-limit: ${(error as Error).message} (or "none")`);
  }
}
