import { readFileSync } from "node:fs";
import { parseCsvRecords } from "./csv.ts";

/**
 * The ticker universes shipped with tickerfleet (see universes/PROVENANCE.md).
 * Symbols are kept in the files' own ACT/CQS dot form, which is tickerfleet's
 * canonical form (`BRK.B`, `AAC.U`, `ACHR.W`, `ABR$D`); adapters map it to each
 * provider's spelling.
 *
 * - `sp500`: the S&P 500 constituents (503 listings).
 * - `nasdaq`: NASDAQ-listed common stocks and other non-ETF, non-test listings (4,308).
 * - `us-all`: `nasdaq` plus NYSE / NYSE American / Arca / Cboe non-ETF, non-test listings (7,480).
 */
export const UNIVERSE_NAMES = ["sp500", "nasdaq", "us-all"] as const;
export type UniverseName = (typeof UNIVERSE_NAMES)[number];

export interface Listing {
  symbol: string;
  name: string;
  /** GICS sector where the source has one (S&P 500 only). */
  sector?: string;
  exchange: string;
}

export function isUniverseName(value: unknown): value is UniverseName {
  return typeof value === "string" && (UNIVERSE_NAMES as readonly string[]).includes(value);
}

/**
 * Where the CSV files live. Next to this module in the repository; in a Lambda
 * bundle they are copied beside the bundle (SST `copyFiles`), which is the same
 * relative place because the bundle is one file at the function root.
 */
function universeFile(name: string): string {
  const dir = process.env.TICKERFLEET_UNIVERSE_DIR;
  if (dir) return `${dir.replace(/\/$/, "")}/${name}`;
  return new URL(`./universes/${name}`, import.meta.url).pathname;
}

const cache = new Map<UniverseName, readonly Listing[]>();

function read(name: string): Record<string, string>[] {
  return parseCsvRecords(readFileSync(universeFile(name), "utf8"));
}

function loadSp500(): Listing[] {
  return read("sp500.csv").map((r) => ({
    symbol: r.Symbol!.trim(),
    name: r.Security!.trim(),
    sector: r["GICS Sector"]?.trim() || undefined,
    exchange: "",
  }));
}

function loadNasdaq(): Listing[] {
  return read("nasdaq-listed.csv")
    .filter((r) => r.ETF === "N" && r["Test Issue"] === "N")
    .map((r) => ({ symbol: r.Symbol!.trim(), name: r["Security Name"]!.trim(), exchange: "Q" }));
}

function loadOther(): Listing[] {
  return read("other-listed.csv")
    .filter((r) => r.ETF === "N" && r["Test Issue"] === "N")
    .map((r) => ({
      symbol: r["ACT Symbol"]!.trim(),
      name: r["Security Name"]!.trim(),
      exchange: r.Exchange!.trim(),
    }));
}

function dedupe(listings: Listing[]): Listing[] {
  const seen = new Set<string>();
  return listings.filter((l) => {
    if (seen.has(l.symbol)) return false;
    seen.add(l.symbol);
    return true;
  });
}

/** The listings of a shipped universe, in file order, duplicates removed. */
export function loadUniverse(name: UniverseName): readonly Listing[] {
  let listings = cache.get(name);
  if (!listings) {
    if (name === "sp500") listings = dedupe(loadSp500());
    else if (name === "nasdaq") listings = dedupe(loadNasdaq());
    else listings = dedupe([...loadNasdaq(), ...loadOther()]);
    cache.set(name, listings);
  }
  return listings;
}

/** Every listing tickerfleet ships, for lookups of name and sector (S&P 500 sectors win). */
export function allListings(): ReadonlyMap<string, Listing> {
  const all = new Map<string, Listing>();
  for (const l of loadUniverse("us-all")) all.set(l.symbol, l);
  for (const l of loadUniverse("sp500"))
    all.set(l.symbol, { ...all.get(l.symbol), ...l, exchange: all.get(l.symbol)?.exchange ?? "" });
  return all;
}
