import { readFileSync } from "node:fs";
import { parseCsvRecords } from "../../core/csv.ts";
import { isCanonicalSymbol } from "../../core/symbols.ts";

/**
 * Every symbol the simulated market knows: all listings of the shipped
 * symbol directories, ETFs included (SPY is the scanner's default benchmark),
 * test issues excluded, plus the S&P 500 file for GICS sectors. The core
 * `universes.ts` drops ETFs on purpose (they are not scan targets), so the
 * simulator reads the same files itself.
 */

export const SECTORS = [
  "Information Technology",
  "Health Care",
  "Financials",
  "Consumer Discretionary",
  "Communication Services",
  "Industrials",
  "Consumer Staples",
  "Energy",
  "Utilities",
  "Real Estate",
  "Materials",
] as const;
export type Sector = (typeof SECTORS)[number];

export interface SimListing {
  /** Canonical (ACT dot form) symbol. */
  symbol: string;
  name: string;
  /** Directory exchange code: Q (NASDAQ), N (NYSE), A (NYSE American), P (NYSE Arca), Z (Cboe BZX), V (IEX). */
  exchange: string;
  etf: boolean;
  /** Position in SECTORS when known (S&P 500), else undefined. */
  gicsSector?: number;
  sp500: boolean;
}

function universeFile(name: string): string {
  const dir = process.env.TICKERFLEET_UNIVERSE_DIR;
  if (dir) return `${dir.replace(/\/$/, "")}/${name}`;
  return new URL(`../../core/universes/${name}`, import.meta.url).pathname;
}

function read(name: string): Record<string, string>[] {
  return parseCsvRecords(readFileSync(universeFile(name), "utf8"));
}

let cached: ReadonlyMap<string, SimListing> | undefined;

/** The simulated market's listings by canonical symbol, in directory order (NASDAQ first). Loaded once. */
export function simulatedListings(): ReadonlyMap<string, SimListing> {
  if (cached) return cached;
  const listings = new Map<string, SimListing>();
  const add = (symbol: string, name: string, exchange: string, etf: boolean) => {
    const s = symbol.trim();
    if (!isCanonicalSymbol(s) || listings.has(s)) return;
    listings.set(s, { symbol: s, name: name.trim(), exchange, etf, sp500: false });
  };
  for (const r of read("nasdaq-listed.csv")) {
    if (r["Test Issue"] === "Y") continue;
    add(r.Symbol ?? "", r["Security Name"] ?? "", "Q", r.ETF === "Y");
  }
  for (const r of read("other-listed.csv")) {
    if (r["Test Issue"] === "Y") continue;
    add(r["ACT Symbol"] ?? "", r["Security Name"] ?? "", (r.Exchange ?? "N").trim(), r.ETF === "Y");
  }
  for (const r of read("sp500.csv")) {
    const symbol = (r.Symbol ?? "").trim();
    if (!listings.has(symbol)) add(symbol, r.Security ?? "", "N", false);
    const listing = listings.get(symbol);
    if (!listing) continue;
    listing.sp500 = true;
    const sector = SECTORS.indexOf((r["GICS Sector"] ?? "").trim() as Sector);
    if (sector >= 0) listing.gicsSector = sector;
  }
  cached = listings;
  return listings;
}
