import { ValidationError } from "../../core/errors.ts";
import type { LeaderboardRow, ScanRecord, ScoredResult } from "../../core/pipeline/records.ts";
import { SCREEN_FIELDS, type ScreenField } from "../../core/screens/fields.ts";
import { type ScreenedTicker, screenScan } from "../../core/screens/scan-screens.ts";
import { compileScreen, PRESETS, type Screen, screenFieldList } from "../../core/screens/screen.ts";
import { toCsv } from "../csv.ts";
import { CliError } from "../errors.ts";
import { table } from "../format.ts";
import { leaderboardTable } from "../leaderboard-table.ts";
import { wholeNumberOption } from "../number-option.ts";
import type { Target } from "../target.ts";
import { print, type ReadOptions, scanOrLatest, withTarget } from "./read.ts";

export interface ScreenOptions extends ReadOptions {
  scan?: string;
  csv?: boolean;
  fields?: boolean;
}

/** A screen from the command line, its problem said as a usage error (exit 2). */
function screenFrom(text: string): Screen {
  try {
    return compileScreen(text, "screen");
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(error.message, 2);
    throw error;
  }
}

/** A finished scan's tickers screened: every scored one, scored again as finalize did. */
export async function screenedScan(
  target: Target,
  scanId: string | undefined,
  screens: readonly Screen[],
): Promise<{ scan: ScanRecord; screened: ScreenedTicker[] }> {
  const scan = await scanOrLatest(target, scanId);
  if (!scan.summary)
    throw new CliError(`scan "${scan.scanId}" has not finished: screens read a finished scan`, 3);
  const scored: ScoredResult[] = [];
  for await (const r of target.store.results(scan.scanId)) if (r.status === "scored") scored.push(r);
  return { scan, screened: screenScan(scored, scan.summary, screens) };
}

const FIELD_NAMES = Object.keys(SCREEN_FIELDS) as ScreenField[];

/**
 * `tickerfleet screen <preset|expression> [--scan ID] [--json | --csv]`: the tickers of a scan
 * (the latest finished by default) that pass the screen, best composite first; `--fields` lists
 * what an expression may use.
 */
export async function screenCommand(given: string | undefined, options: ScreenOptions): Promise<number> {
  if (options.fields) {
    const fields = screenFieldList();
    print(options.json, { fields, presets: PRESETS }, () =>
      [
        table(fields, [
          { header: "field", value: (f) => f.field },
          { header: "meaning", value: (f) => f.meaning },
        ]),
        "",
        "presets:",
        ...Object.entries(PRESETS).map(([name, expression]) => `  ${name.padEnd(20)} ${expression}`),
      ].join("\n"),
    );
    return 0;
  }
  if (!given)
    throw new CliError("name a preset or give an expression (tickerfleet screen --fields lists both)", 2);
  const screen = screenFrom(given);
  return withTarget(options, async (target) => {
    const { scan, screened } = await screenedScan(target, options.scan, [screen]);
    const passing = screened.filter((t) => t.matches.length > 0);
    if (options.csv) {
      process.stdout.write(
        toCsv(
          ["ticker", ...FIELD_NAMES],
          passing.map((t) => [t.ticker, ...FIELD_NAMES.map((f) => t.values[f])]),
        ),
      );
      return 0;
    }
    const value = {
      scanId: scan.scanId,
      screen: { name: screen.name, expression: screen.expression },
      scored: screened.length,
      count: passing.length,
      tickers: passing.map((t) => ({ ticker: t.ticker, ...t.values })),
    };
    print(options.json, value, () =>
      [
        `scan ${scan.scanId} (${scan.universe}): ${passing.length} of ${screened.length} scored tickers pass ${screen.name === screen.expression ? `"${screen.expression}"` : `${screen.name} (${screen.expression})`}`,
        leaderboardTable(passing.map(toRow)),
      ].join("\n"),
    );
    return 0;
  });
}

/** A screened ticker as a leaderboard row (ranked within the screen). */
export function toRow(t: ScreenedTicker, i: number): LeaderboardRow {
  const v = t.values;
  return {
    rank: i + 1,
    ticker: t.ticker,
    score: v.composite === null ? 0 : Number((v.composite as number).toFixed(2)),
    confidence: Number((v.confidence as number).toFixed(3)),
    rsRating: v.rs as number,
    trendCount: v.trend as number,
    close: v.close_raw as number,
    changePct: v.change_pct === null ? null : Number((v.change_pct as number).toFixed(3)),
    macdStage: String(v.macd_stage),
  };
}

/** `tickerfleet top --screen S`: the leaderboard of the tickers passing a screen. */
export async function topScreenCommand(
  given: string,
  options: ReadOptions & { scan?: string; n?: string },
): Promise<number> {
  const n = wholeNumberOption("-n", options.n ?? "20", { min: 1 });
  const screen = screenFrom(given);
  return withTarget(options, async (target) => {
    const { scan, screened } = await screenedScan(target, options.scan, [screen]);
    const rows = screened
      .filter((t) => t.matches.length > 0)
      .slice(0, n)
      .map(toRow);
    print(options.json, { scanId: scan.scanId, status: scan.status, screen: screen.name, rows }, () =>
      [
        `scan ${scan.scanId} (${scan.universe}, ${scan.status}), screen ${screen.name}`,
        leaderboardTable(rows),
      ].join("\n"),
    );
    return 0;
  });
}
