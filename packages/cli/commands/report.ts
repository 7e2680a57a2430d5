import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { changeSettings } from "../../adapters/config.ts";
import { gatherReport, readReportSources } from "../../core/report/gather-report.ts";
import { renderReport } from "../../core/report/render-report.ts";
import { CliError } from "../errors.ts";
import { type ReadOptions, scanOrLatest, withTarget } from "./read.ts";

export interface ReportOptions extends ReadOptions {
  scan?: string;
  latest?: boolean;
  out?: string;
  open?: boolean;
}

/** Opens a file with the desktop's viewer; says so instead when there is none. */
function openFile(path: string): void {
  const opener =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(opener, [path], { stdio: "ignore", detached: true });
  child.on("error", () => process.stderr.write(`could not run ${opener}: open ${path} in a browser\n`));
  child.unref();
}

/**
 * `tickerfleet report [--scan ID | --latest] [--out FILE] [--open]`: a finished scan's report,
 * one self-contained HTML page (summary, sortable leaderboard, changes, breadth and price
 * charts), rendered here from the stored scan, results and bars: the same page notify publishes.
 * The screens are the alert screens' (TICKERFLEET_ALERT_SCREENS, default every preset).
 */
export async function reportCommand(options: ReportOptions): Promise<number> {
  if (options.scan && options.latest) throw new CliError("--scan or --latest, not both", 2);
  const settings = changeSettings(process.env);
  return withTarget(options, async (target) => {
    const scan = await scanOrLatest(target, options.scan);
    if (!scan.summary)
      throw new CliError(`scan "${scan.scanId}" has not finished: a report is of a finished scan`, 3);
    const reads = {
      results: (id: string) => target.store.results(id),
      changes: (id: string) => target.store.changes(id),
      breadth: (id: string) => target.store.breadth(id),
      bars: (tickers: readonly string[], since: string) => target.bars.read(tickers, since),
    };
    const data = await gatherReport(
      await readReportSources({ ...scan, summary: scan.summary }, reads, settings.screens),
    );
    const html = renderReport(data);
    const out = resolve(options.out ?? `tickerfleet-${scan.scanId}.html`);
    await writeFile(out, html);
    const kb = Math.round(Buffer.byteLength(html) / 1024);
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ scanId: scan.scanId, file: out, bytes: Buffer.byteLength(html), url: scan.report?.url ?? null })}\n`,
      );
    else process.stdout.write(`${out}\n`);
    process.stderr.write(
      `report of scan ${scan.scanId} (${data.rows.length} tickers, ${data.charts.length} charts, ${kb} KiB) written to ${out}\n`,
    );
    if (scan.report?.url) process.stderr.write(`published: ${scan.report.url}\n`);
    if (options.open) openFile(out);
    return 0;
  });
}
