import { InvalidArgumentError } from "commander";
import { isProviderName, PROVIDERS, type ProviderName } from "../core/market-data.port.ts";
import type { ProviderChoice } from "../core/pipeline/scan-request.ts";

/**
 * A scan's or a plan's `--provider`: `auto`, one provider, or a fallback chain separated by
 * commas (`polygon,fmp,yahoo`), which the payload carries as a list.
 */
export function parseProviderChoice(text: string): ProviderChoice {
  const trimmed = text.trim();
  if (trimmed === "auto") return "auto";
  const names = trimmed
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = names.filter((p) => !isProviderName(p));
  if (names.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(
      `${unknown.length > 0 ? `"${unknown[0]}" is not a provider` : "no provider named"}: one of ${PROVIDERS.join(", ")}, a chain such as polygon,yahoo, or auto`,
    );
  const chain = names as ProviderName[];
  return chain.length === 1 ? chain[0]! : chain;
}
