import { writeFile } from "node:fs/promises";
import type { FailedResult, ScoredResult } from "../../core/pipeline/records.ts";
import { SCREEN_FIELDS, type ScreenField } from "../../core/screens/fields.ts";
import { screenScan } from "../../core/screens/scan-screens.ts";
import { toCsv } from "../csv.ts";
import { CliError } from "../errors.ts";
import { type ReadOptions, scanOrLatest, withTarget } from "./read.ts";

export interface ExportOptions extends ReadOptions {
  scan?: string;
  csv?: boolean;
  out?: string;
}

const FIELD_NAMES = Object.keys(SCREEN_FIELDS) as ScreenField[];

/**
 * `tickerfleet export [--scan ID] [--csv | --json] [--out FILE]`: every result of a scan (the
 * latest finished by default), scored and failed, one row per ticker: its status, the provider
 * that served it, the reason it failed, and every screen field (`tickerfleet screen --fields`).
 * CSV with `--csv` or an `--out` ending in `.csv`; JSON otherwise. To stdout without `--out`.
 */
export async function exportCommand(options: ExportOptions): Promise<number> {
  if (options.csv && options.json) throw new CliError("--csv or --json, not both", 2);
  const csv = options.csv || (!options.json && options.out?.toLowerCase().endsWith(".csv") === true);
  return withTarget(options, async (target) => {
    const scan = await scanOrLatest(target, options.scan);
    if (!scan.summary)
      throw new CliError(`scan "${scan.scanId}" has not finished: export reads a finished scan`, 3);
    const scored: ScoredResult[] = [];
    const failed: FailedResult[] = [];
    for await (const r of target.store.results(scan.scanId)) {
      if (r.status === "scored") scored.push(r);
      else failed.push(r);
    }
    const provider = new Map(scored.map((r) => [r.ticker, r.provider ?? scan.provider]));
    const rows = [
      ...screenScan(scored, scan.summary, []).map((t) => ({
        ticker: t.ticker,
        status: "scored",
        provider: provider.get(t.ticker) ?? null,
        reason: null,
        message: null,
        ...t.values,
      })),
      ...failed
        .sort((a, b) => (a.ticker < b.ticker ? -1 : 1))
        .map((r) => ({
          ticker: r.ticker,
          status: "failed",
          provider: null,
          reason: r.reason,
          message: r.message,
          ...Object.fromEntries(FIELD_NAMES.map((f) => [f, null])),
        })),
    ];
    const header = ["ticker", "status", "provider", "reason", "message", ...FIELD_NAMES];
    const text = csv
      ? toCsv(
          header,
          rows.map((r) => header.map((h) => (r as Record<string, unknown>)[h])),
        )
      : `${JSON.stringify({ scanId: scan.scanId, universe: scan.universe, status: scan.status, finishedAt: scan.finishedAt, results: rows }, null, 2)}\n`;
    if (options.out) {
      await writeFile(options.out, text);
      process.stderr.write(`${rows.length} results of scan ${scan.scanId} written to ${options.out}\n`);
    } else process.stdout.write(text);
    return 0;
  });
}
