import type { IncomingHttpHeaders } from "node:http";
import { fromProviderSymbol } from "../../../core/symbols.ts";
import type { ProviderEnv, SimAnswer } from "./provider.ts";

/** What every simulated FMP endpoint shares: the JSON type, the error body, pretty arrays, key and symbol. */

export const JSON_TYPE = "application/json; charset=utf-8";

export function errorMessage(status: number, message: string, outcome: SimAnswer["outcome"]): SimAnswer {
  return {
    status,
    body: JSON.stringify({ "Error Message": message }, null, 2),
    contentType: JSON_TYPE,
    outcome,
  };
}

/** Objects as FMP prints them: two-space pretty JSON, one object per array element. */
export function prettyArray(rows: string[][]): string {
  if (rows.length === 0) return "[]";
  const objects = rows.map((fields) => `  {\n    ${fields.join(",\n    ")}\n  }`);
  return `[\n${objects.join(",\n")}\n]`;
}

/** A symbol as asked (FMP spells it upper case) and the simulator's symbol it names, or null. */
export function symbolOf(env: ProviderEnv, requested: string): { spelled: string; symbol: string | null } {
  const spelled = requested.toUpperCase();
  const canonical = fromProviderSymbol(spelled, "fmp");
  return { spelled, symbol: canonical !== undefined && env.model.has(canonical) ? canonical : null };
}

export function keyOf(url: URL, headers: IncomingHttpHeaders): string | undefined {
  const headerKey = headers.apikey;
  return url.searchParams.get("apikey") || (typeof headerKey === "string" && headerKey) || undefined;
}
