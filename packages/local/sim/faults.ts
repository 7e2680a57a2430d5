import type { ProviderName } from "../../core/market-data.port.ts";
import { FAULT_KINDS, type FaultKind } from "./config.ts";
import type { ParsedRequest, SimAnswer, SimProvider } from "./providers/provider.ts";
import type { SimulatorState } from "./state.ts";

/**
 * Which fault, if any, an accepted request draws, and the answers of the
 * faults that change what is said (`status5xx`, `nulls`). The faults that
 * change how it is sent (`timeout`, `reset`, `truncated`) are delivery's.
 */

/** The provider's outage's fault, the symbol's forced fault, or one drawn from the provider's fault stream by the configured ratios. */
export function decideFault(
  state: SimulatorState,
  provider: ProviderName,
  symbol: string | null,
): FaultKind | undefined {
  // An outage fails every request, whatever the symbol or the drawn faults.
  const outage = state.outages.faultOf(provider);
  if (outage) return outage;
  const behaviour = state.config[provider];
  const forced = symbol !== null ? behaviour.faultSymbols[symbol] : undefined;
  let kind = forced;
  if (kind === undefined) {
    const total = FAULT_KINDS.reduce((sum, k) => sum + behaviour.faults[k], 0);
    if (total <= 0) return undefined;
    const u = state.faultStreams[provider].next();
    let acc = 0;
    for (const k of FAULT_KINDS) {
      acc += behaviour.faults[k];
      if (u < acc) {
        kind = k;
        break;
      }
    }
  }
  // Null quote entries are a Yahoo habit; the others have no such shape.
  if (kind === "nulls" && provider !== "yahoo") return undefined;
  return kind;
}

/** The answer a fault puts in place of the plain one, or undefined when the fault leaves the answer as it is. */
export function faultyAnswer(
  state: SimulatorState,
  provider: ProviderName,
  impl: SimProvider,
  parsed: ParsedRequest,
  fault: FaultKind | undefined,
): SimAnswer | undefined {
  const stream = state.faultStreams[provider];
  if (fault === "status5xx") return impl.serverError(stream.next() < 0.5 ? 502 : 503);
  if (fault === "nulls") return parsed.respond({ nullBars: { draw: () => stream.next() } });
  return undefined;
}
