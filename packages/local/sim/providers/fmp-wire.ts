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

/** Exchanges abroad, as FMP suffixes their listings (`VOD.L`, `SHOP.TO`, `SAP.DE`…). */
const ABROAD = ["L", "TO", "DE", "PA", "AX", "NS"] as const;

/**
 * The simulated listing abroad of a US symbol, as FMP spells it (`BRK-B.TO`), for about one
 * symbol in eight, or undefined: FMP's market-wide answers (eod-bulk, the calendars) cover
 * every exchange, and these rows are the ones no canonical symbol names. A pure function of
 * the symbol (FNV-1a), so every answer lists the same ones.
 */
export function listingAbroad(symbol: string, spelled: string): string | undefined {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  h >>>= 0;
  if (h % 8 !== 0) return undefined;
  return `${spelled}.${ABROAD[(h >>> 3) % ABROAD.length]}`;
}
