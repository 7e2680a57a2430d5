import { describe, expect, it } from "vitest";
import { ValidationError } from "../../packages/core/errors.ts";
import { PROVIDERS } from "../../packages/core/market-data.port.ts";
import {
  canonicalSymbol,
  fromProviderSymbol,
  isCanonicalSymbol,
  toProviderSymbol,
} from "../../packages/core/symbols.ts";
import { loadUniverse, UNIVERSE_NAMES } from "../../packages/core/universes.ts";

describe("canonicalSymbol", () => {
  it.each([
    ["AAPL", "AAPL"],
    ["aapl", "AAPL"],
    ["  msft \t", "MSFT"],
    ["BRK.B", "BRK.B"],
    ["brk.b", "BRK.B"],
    ["BRK-B", "BRK.B"],
    ["BRK/B", "BRK.B"],
    ["BRK B", "BRK.B"],
    // Yahoo spellings
    ["BAC-PL", "BAC$L"],
    ["TY-P", "TY$"],
    ["OXY-WT", "OXY.W"],
    ["GRP-UN", "GRP.U"],
    ["X-RI", "X.R"],
    // CQS / Polygon: the lower-case p and r carry meaning
    ["BACpL", "BAC$L"],
    ["DCOMp", "DCOM$"],
    ["AIIAr", "AIIA.R"],
    ["ACHR.WS", "ACHR.W"],
    // Alpha Vantage, MarketWatch-style, NASDAQ integrated
    ["ABR-P-D", "ABR$D"],
    ["ABR.PR.D", "ABR$D"],
    ["ACHR+", "ACHR.W"],
    ["AAC=", "AAC.U"],
    ["AIIA^", "AIIA.R"],
    // ACT itself
    ["ABR$D", "ABR$D"],
    ["DCOM$", "DCOM$"],
    ["AAC.U", "AAC.U"],
    ["GFR.V", "GFR.V"],
    ["A1B", "A1B"],
  ])("%j → %s", (input, expected) => {
    expect(canonicalSymbol(input)).toBe(expected);
    expect(isCanonicalSymbol(expected)).toBe(true);
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["BRK;B", /contains ";"/],
    ["AAPL'--", /contains "'"/],
    ["ABR$$", /"\$\$"/],
    ["BRK//B", /unknown suffix/],
    ["BRK/", /misplaced separator/],
    ["/BRK", /must start with a letter/],
    ["1ABC", /must start with a letter/],
    ["ABCDEFGHIJK", /too long/],
    ["A".repeat(40), /too long/],
    ["BRK.BB.C", /unknown suffix/],
    ["NE.WS.A", /warrant classes/],
    ["BAC-WTA", /warrant classes/],
    ["^GSPC", /must start with a letter/],
  ])("rejects %j", (input, why) => {
    let thrown: unknown;
    try {
      canonicalSymbol(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const message = (thrown as ValidationError).message;
    expect(message).toContain(JSON.stringify(input));
    expect(message).toMatch(why);
  });
});

describe("toProviderSymbol / fromProviderSymbol", () => {
  it.each([
    ["BRK.B", { yahoo: "BRK-B", fmp: "BRK-B", polygon: "BRK.B", alphavantage: "BRK-B", alpaca: "BRK.B" }],
    [
      "ABR$D",
      { yahoo: "ABR-PD", fmp: "ABR-PD", polygon: "ABRpD", alphavantage: "ABR-P-D", alpaca: "ABR.PRD" },
    ],
    [
      "DCOM$",
      { yahoo: "DCOM-P", fmp: "DCOM-P", polygon: "DCOMp", alphavantage: "DCOM-P", alpaca: "DCOM.PR" },
    ],
    [
      "ACHR.W",
      { yahoo: "ACHR-WT", fmp: "ACHR-WT", polygon: "ACHR.WS", alphavantage: "ACHR-WS", alpaca: "ACHR.WS" },
    ],
    ["AAC.U", { yahoo: "AAC-UN", fmp: "AAC-UN", polygon: "AAC.U", alphavantage: "AAC-U", alpaca: "AAC.U" }],
    [
      "AIIA.R",
      { yahoo: "AIIA-RI", fmp: "AIIA-RI", polygon: "AIIAr", alphavantage: "AIIA-R", alpaca: "AIIA.RT" },
    ],
    ["AAPL", { yahoo: "AAPL", fmp: "AAPL", polygon: "AAPL", alphavantage: "AAPL", alpaca: "AAPL" }],
  ])("%s", (canonical, spellings) => {
    for (const provider of PROVIDERS) {
      expect(toProviderSymbol(canonical, provider)).toBe(spellings[provider]);
      expect(fromProviderSymbol(spellings[provider], provider)).toBe(canonical);
    }
  });

  it("throws for a symbol that is not canonical, naming it", () => {
    expect(() => toProviderSymbol("BRK-B", "polygon")).toThrow(ValidationError);
    expect(() => toProviderSymbol("brk.b", "yahoo")).toThrow(/"brk\.b"/);
  });

  it.each([
    ["^GSPC", "yahoo"],
    ["VOD.L", "yahoo"],
    ["BRK.B", "yahoo"],
    ["BRK-B", "polygon"],
    ["ABRpD", "fmp"],
    ["ABR-PD", "alphavantage"],
    ["C:EURUSD", "polygon"],
    ["ABCw", "polygon"],
    ["BRK-B", "alpaca"],
    ["ABRpD", "alpaca"],
    ["BRK.BB", "alpaca"],
    ["", "yahoo"],
  ] as const)("%j is not a %s symbol", (spelling, provider) => {
    expect(fromProviderSymbol(spelling, provider)).toBeUndefined();
  });

  it("round-trips every symbol of every shipped universe, for every provider, without collisions", () => {
    const all = new Set<string>();
    for (const name of UNIVERSE_NAMES) for (const listing of loadUniverse(name)) all.add(listing.symbol);
    expect(all.size).toBeGreaterThan(7000);
    for (const provider of PROVIDERS) {
      const seen = new Map<string, string>();
      const broken: string[] = [];
      for (const symbol of all) {
        expect(isCanonicalSymbol(symbol)).toBe(true);
        const spelled = toProviderSymbol(symbol, provider);
        if (fromProviderSymbol(spelled, provider) !== symbol) broken.push(`${symbol}→${spelled}`);
        const other = seen.get(spelled);
        if (other !== undefined) broken.push(`${symbol} and ${other} both → ${spelled}`);
        seen.set(spelled, symbol);
      }
      expect({ provider, broken }).toStrictEqual({ provider, broken: [] });
    }
  });

  it("reads a provider spelling back through canonicalSymbol too (dash and CQS inputs)", () => {
    for (const symbol of ["BRK.B", "ABR$D", "DCOM$", "ACHR.W", "AAC.U", "AIIA.R"]) {
      for (const provider of PROVIDERS)
        expect(canonicalSymbol(toProviderSymbol(symbol, provider))).toBe(symbol);
    }
  });
});
