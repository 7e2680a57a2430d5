import { ValidationError } from "./errors.ts";
import type { ProviderName } from "./market-data.port.ts";

/**
 * Ticker symbols: one canonical form, and each provider's spelling of it.
 *
 * Canonical form is NASDAQ's ACT/CTCI "dot" form, the one the shipped universe
 * files use: a root of capital letters (digits allowed after the first), then
 * at most one suffix:
 *   `.X`  class X shares (`BRK.B`), and the ACT special classes
 *         `.U` units, `.W` warrants, `.R` rights, `.V`/`.Z` when-issued;
 *   `$`   preferred without a series (`DCOM$`);
 *   `$X`  preferred series X (`ABR$D`).
 * At most 10 characters in all (the longest shipped symbol has 6).
 *
 * Provider spellings, and where they come from:
 * - ACT/CQS/NASDAQ suffix table: nasdaqtrader.com "CQS Symbol Convention"
 *   (http://www.nasdaqtrader.com/Trader.aspx?id=CQSSymbolConvention): preferred
 *   CQS `p` / ACT `$`, preferred A `pA` / `$A`, class A `.A`, warrants `.WS` / `.W`,
 *   rights `r` / `.R`, units `.U` / `.U`; NASDAQ integrated `-` `+` `^` `=`.
 *   The universe file other-listed.csv carries ACT and CQS side by side
 *   (`ABR$D`/`ABRpD`, `ACHR.W`/`ACHR.WS`, `AIIA.R`/`AIIAr`, `AAC.U`/`AAC.U`).
 * - Yahoo: dash forms. `BRK-B` (yfinance issues #38, #50), preferred `BAC-PY`
 *   and warrant class `BAC-WTA` (yokwe/finance fetch-nasdaq.awk notes),
 *   warrants `-WT`; units `-UN`, rights `-RI` and preferred without series
 *   `-P` as in the project's examples (`GRP-UN`, `X-RI`, `TY-P`), not
 *   re-verified against Yahoo here (no network).
 * - FMP: Yahoo's dash forms (`BRK-B`, `RDS-B` per stephszeto/stocks#1,
 *   `BAC-PL`). Warrant/unit/right suffixes are assumed to follow Yahoo
 *   (`-WT`, `-UN`, `-RI`); not confirmed from FMP's own listing.
 * - Polygon/Massive: CQS form, case-sensitive: `BRK.B`, preferred `AMpB`
 *   (polygon-io/issues#36: "AMpB is AM preferred class B, very different
 *   from AMPB"), `ABRpD`, warrants `.WS`, units `.U`, rights `r`.
 * - Alpha Vantage: dash forms as in its LISTING_STATUS CSV: `BRK-B`,
 *   preferred `ABR-P-D`, warrants `AAC-WS`, units `AAC-U`. Rights assumed `-R`.
 * - Alpaca: dot forms, class shares `BRK.B` (its market-data docs and SDK
 *   examples). Its own spellings of the rarer suffixes were not found in its
 *   documentation: taken as the CTA plan's dotted suffixes, preferred `ABR.PRD`
 *   (no series `DCOM.PR`), warrants `ACHR.WS`, units `AAC.U`, rights `AIIA.RT`;
 *   check them against Alpaca's asset list before relying on them.
 *
 * Known ambiguities, resolved on purpose:
 * - `X-P` at Yahoo/FMP/AV is read as "preferred, no series" (`X$`), never as a
 *   class P share (none is listed; ACT would spell it `X.P`, which maps to the
 *   same Yahoo string, so `X.P` does not round-trip).
 * - `BAC-L` is Yahoo's class L, although NASDAQ's integrated platform would read
 *   it as preferred L: input in dash form is taken as Yahoo-style.
 * - Warrant classes (`NE.WS.A`, `BAC-WTA`) have no unique ACT spelling (".W or
 *   .A" per the table above): they are rejected, use the universe's symbol.
 */

const MAX_LENGTH = 10;
const CANONICAL = /^[A-Z][A-Z0-9]*(?:\.[A-Z]|\$[A-Z]?)?$/;
const ROOT = /^[A-Z][A-Z0-9]*$/;

const HINT =
  "expected a root of letters/digits with an optional suffix like BRK.B, AAC.U, ACHR.W, ABR$D, DCOM$";

export function isCanonicalSymbol(value: string): boolean {
  return value.length <= MAX_LENGTH && CANONICAL.test(value);
}

function reject(input: string, why: string): never {
  throw new ValidationError(`symbol ${JSON.stringify(input)}`, [why]);
}

/** The canonical suffix for a separator-spelled suffix (`B`, `WT`, `PL`, `P-D`, `PR`...), or undefined. */
function suffixFromDashForm(suffix: string): string | undefined {
  switch (suffix) {
    case "WS":
    case "WT":
      return ".W";
    case "UN":
    case "U":
      return ".U";
    case "RI":
    case "RT":
      return ".R";
    case "P":
    case "PR":
      return "$";
  }
  const preferred = /^(?:PR?)[-./ ]?([A-Z])$/.exec(suffix);
  if (preferred) return `$${preferred[1]}`;
  if (/^[A-Z]$/.test(suffix)) return `.${suffix}`;
  return undefined;
}

/** Normalises user/provider-agnostic input to the canonical form, or throws ValidationError naming the input and why. */
export function canonicalSymbol(input: string): string {
  if (typeof input !== "string") reject(String(input), "not a string");
  const trimmed = input.trim();
  if (trimmed === "") reject(input, "empty");
  if (trimmed.length > 24) reject(input, `too long (${trimmed.length} characters; at most ${MAX_LENGTH})`);
  const bad = /[^A-Za-z0-9.\-/ $+=^]/.exec(trimmed);
  if (bad) reject(input, `contains ${JSON.stringify(bad[0])}; ${HINT}`);

  // CQS spellings carry meaning in lower case (`BACpL`, `DCOMp`, `AIIAr`): read
  // them before upper-casing, and only after an upper-case root so that a
  // lower-case `aapl` stays Apple.
  const cqs = /^([A-Z][A-Z0-9]*)(?:p([A-Z]?)|(r))$/.exec(trimmed);
  let result: string;
  if (cqs) {
    result = cqs[3] ? `${cqs[1]}.R` : `${cqs[1]}$${cqs[2]}`;
  } else {
    const s = trimmed.toUpperCase();
    const nasdaq = /^([A-Z][A-Z0-9]*)([+=^])$/.exec(s);
    const act = /^([A-Z][A-Z0-9]*)(\$[A-Z]?)$/.exec(s);
    const separated = /^([A-Z][A-Z0-9]*)[-./ ](.+)$/.exec(s);
    if (ROOT.test(s)) result = s;
    else if (act) result = `${act[1]}${act[2]}`;
    else if (nasdaq) result = `${nasdaq[1]}${nasdaq[2] === "+" ? ".W" : nasdaq[2] === "=" ? ".U" : ".R"}`;
    else if (separated) {
      const suffix = suffixFromDashForm(separated[2]!);
      if (!suffix) {
        if (/^W[ST][-./ ]?[A-Z]$/.test(separated[2]!))
          reject(
            input,
            "warrant classes have no single canonical form; use the listing's ACT symbol (e.g. NE.A)",
          );
        reject(input, `unknown suffix ${JSON.stringify(separated[2])}; ${HINT}`);
      }
      result = `${separated[1]}${suffix}`;
    } else if (/\$\$/.test(s)) reject(input, `"$$" is not a suffix; ${HINT}`);
    else if (/^[^A-Z]/.test(s)) reject(input, `must start with a letter; ${HINT}`);
    else reject(input, `misplaced separator; ${HINT}`);
  }
  if (result.length > MAX_LENGTH)
    reject(input, `too long (${result.length} characters; at most ${MAX_LENGTH})`);
  return result;
}

interface Parsed {
  root: string;
  /** `.X` class letter, or undefined. */
  cls?: string;
  /** Preferred: "" for no series, else the series letter. */
  preferred?: string;
}

function parseCanonical(canonical: string): Parsed {
  if (!isCanonicalSymbol(canonical)) {
    throw new ValidationError(`canonical symbol ${JSON.stringify(canonical)}`, [
      `not in canonical form; normalise it with canonicalSymbol() first (${HINT})`,
    ]);
  }
  const dollar = canonical.indexOf("$");
  if (dollar >= 0) return { root: canonical.slice(0, dollar), preferred: canonical.slice(dollar + 1) };
  const dot = canonical.indexOf(".");
  if (dot >= 0) return { root: canonical.slice(0, dot), cls: canonical.slice(dot + 1) };
  return { root: canonical };
}

const YAHOO_CLASS: Readonly<Record<string, string>> = { W: "-WT", U: "-UN", R: "-RI" };
const AV_CLASS: Readonly<Record<string, string>> = { W: "-WS", U: "-U", R: "-R" };
const ALPACA_CLASS: Readonly<Record<string, string>> = { W: ".WS", R: ".RT" };

/** The provider's spelling of a canonical symbol. Throws ValidationError if `canonical` is not canonical. */
export function toProviderSymbol(canonical: string, provider: ProviderName): string {
  const { root, cls, preferred } = parseCanonical(canonical);
  switch (provider) {
    case "yahoo":
    case "fmp":
      if (preferred !== undefined) return `${root}-P${preferred}`;
      if (cls !== undefined) return root + (YAHOO_CLASS[cls] ?? `-${cls}`);
      return root;
    case "alphavantage":
      if (preferred !== undefined) return preferred ? `${root}-P-${preferred}` : `${root}-P`;
      if (cls !== undefined) return root + (AV_CLASS[cls] ?? `-${cls}`);
      return root;
    case "polygon":
      if (preferred !== undefined) return `${root}p${preferred}`;
      if (cls === "W") return `${root}.WS`;
      if (cls === "R") return `${root}r`;
      if (cls !== undefined) return `${root}.${cls}`;
      return root;
    case "alpaca":
      if (preferred !== undefined) return `${root}.PR${preferred}`;
      if (cls !== undefined) return root + (ALPACA_CLASS[cls] ?? `.${cls}`);
      return root;
  }
}

const YAHOO_FORM = /^([A-Z][A-Z0-9]*)(?:-(WT|UN|RI|P[A-Z]?|[A-Z]))?$/;
const AV_FORM = /^([A-Z][A-Z0-9]*)(?:-(WS|P-[A-Z]|[A-Z]))?$/;
const POLYGON_FORM = /^([A-Z][A-Z0-9]*)(?:\.(WS|[A-Z])|p([A-Z]?)|(r))?$/;
const ALPACA_FORM = /^([A-Z][A-Z0-9]*)(?:\.(?:(WS|RT)|PR([A-Z]?)|([A-Z])))?$/;

function dashSuffix(suffix: string | undefined, classes: Readonly<Record<string, string>>): string {
  if (suffix === undefined) return "";
  for (const [letter, spelled] of Object.entries(classes)) if (`-${suffix}` === spelled) return `.${letter}`;
  if (suffix === "P") return "$";
  if (suffix.startsWith("P")) return `$${suffix.slice(-1)}`;
  return `.${suffix}`;
}

/** The canonical form of a provider's spelling; undefined if it is not a symbol that provider could have produced. */
export function fromProviderSymbol(providerSymbol: string, provider: ProviderName): string | undefined {
  let canonical: string | undefined;
  if (provider === "yahoo" || provider === "fmp") {
    const m = YAHOO_FORM.exec(providerSymbol);
    if (m) canonical = m[1] + dashSuffix(m[2], YAHOO_CLASS);
  } else if (provider === "alphavantage") {
    const m = AV_FORM.exec(providerSymbol);
    if (m) canonical = m[1] + dashSuffix(m[2], AV_CLASS);
  } else if (provider === "alpaca") {
    const m = ALPACA_FORM.exec(providerSymbol);
    if (m) {
      if (m[2] !== undefined) canonical = `${m[1]}.${m[2] === "WS" ? "W" : "R"}`;
      else if (m[3] !== undefined) canonical = `${m[1]}$${m[3]}`;
      else if (m[4] !== undefined) canonical = `${m[1]}.${m[4]}`;
      else canonical = m[1];
    }
  } else {
    const m = POLYGON_FORM.exec(providerSymbol);
    if (m) {
      if (m[2] !== undefined) canonical = `${m[1]}.${m[2] === "WS" ? "W" : m[2]}`;
      else if (m[3] !== undefined) canonical = `${m[1]}$${m[3]}`;
      else if (m[4] !== undefined) canonical = `${m[1]}.R`;
      else canonical = m[1];
    }
  }
  return canonical !== undefined && isCanonicalSymbol(canonical) ? canonical : undefined;
}
