import { InvalidArgumentError } from "commander";
import { PROVIDERS } from "../core/market-data.port.ts";
import { type ProviderChoice, splitProviders } from "../core/pipeline/scan-request.ts";

/**
 * A scan's or a plan's `--provider`: `auto`, one provider, or a fallback chain separated by
 * commas (`polygon,fmp,yahoo`), which the payload carries as a list.
 */
export function parseProviderChoice(text: string): ProviderChoice {
  const trimmed = text.trim();
  if (trimmed === "auto") return "auto";
  const { names: chain, unknown } = splitProviders(trimmed);
  if (unknown !== undefined)
    throw new InvalidArgumentError(
      `${unknown !== "" ? `"${unknown}" is not a provider` : "no provider named"}: one of ${PROVIDERS.join(", ")}, a chain such as polygon,yahoo, or auto`,
    );
  return chain.length === 1 ? chain[0]! : chain;
}
