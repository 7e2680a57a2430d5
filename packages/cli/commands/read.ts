import type { ScanRecord } from "../../core/pipeline/records.ts";
import type { StoredBreadth } from "../../core/pipeline/stored-breadth.ts";
import {
  RS_PERIODS,
  ratingFromThresholds,
  returnsFromFields,
  rsRawScore,
} from "../../core/scoring/relative-strength.ts";
import { canonicalSymbol } from "../../core/symbols.ts";
import { CliError } from "../errors.ts";
import { duration, fixed, signed, table } from "../format.ts";
import { leaderboardTable } from "../leaderboard-table.ts";
import { wholeNumberOption } from "../number-option.ts";
import { readProgress } from "../scan-watch.ts";
import { resolveTarget, type Target, type TargetOptions } from "../target.ts";

export interface ReadOptions extends TargetOptions {
  json?: boolean;
}

export function print(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export async function withTarget<T>(options: TargetOptions, run: (target: Target) => Promise<T>): Promise<T> {
  const target = await resolveTarget(options);
  try {
    return await run(target);
  } finally {
    target.close();
  }
}

export async function scanOrLatest(target: Target, scanId: string | undefined): Promise<ScanRecord> {
  if (scanId) {
    const scan = await target.store.getScan(scanId);
    if (!scan) throw new CliError(`no scan "${scanId}" on the ${target.label}`, 3);
    return scan;
  }
  const [latest] = (await target.store.recentScans({ limit: 20 })).filter(
    (s) => s.status === "COMPLETE" || s.status === "PARTIAL",
  );
  if (!latest) throw noFinishedScan(target);
  return latest;
}

function noFinishedScan(target: Target): CliError {
  return new CliError(`no finished scan on the ${target.label} yet: run \`tickerfleet scan\` first`, 3);
}

/** `tickerfleet status <scanId>`: a scan's state, progress and failures. */
export async function statusCommand(scanId: string, options: ReadOptions): Promise<number> {
  return withTarget(options, async (target) => {
    const progress = await readProgress(target.store, scanId);
    if (!progress.scan) throw new CliError(`no scan "${scanId}" on the ${target.label}`, 3);
    const failures: { ticker: string; reason: string }[] = [];
    for await (const r of target.store.results(scanId)) {
      if (r.status === "failed") failures.push({ ticker: r.ticker, reason: `${r.reason}: ${r.message}` });
    }
    const scan = progress.scan;
    const alerts = await target.store.alerts(scanId);
    const value = {
      ...scan,
      alerts,
      progress: { total: progress.total, scored: progress.scored, failed: progress.failed },
      counts: {
        byProvider: scan.summary?.byProvider ?? {},
        breakerOpens: scan.summary?.breakerOpens ?? scan.breakerOpens ?? 0,
      },
      failures,
    };
    print(options.json, value, () =>
      [
        `scan ${scan.scanId}: ${scan.status}`,
        `  universe ${scan.universe} (${scan.total} tickers), provider ${(scan.providers ?? [scan.provider]).join(" → ")}, ${scan.days} days, started ${scan.createdAt}`,
        `  scored ${progress.scored}, failed ${progress.failed}, waiting ${Math.max(0, progress.total - progress.scored - progress.failed)}`,
        scan.summary
          ? `  finished ${scan.finishedAt} after ${duration(scan.summary.durationMs)}; market ${scan.summary.market.state}`
          : `  deadline ${scan.deadlineAt}`,
        ...(scan.report?.url
          ? [`  report ${scan.report.url}`, `    (link valid until ${scan.report.expiresAt})`]
          : []),
        ...(scan.report?.error ? [`  report not published: ${scan.report.error}`] : []),
        ...alerts.map(
          (a) =>
            `  alert ${a.channel}: ${a.status}${a.status === "sent" ? ` (${a.attempts} attempt${a.attempts === 1 ? "" : "s"})` : ""}${a.reason ? `: ${a.reason}` : ""}`,
        ),
        ...failures.slice(0, 20).map((f) => `  failed ${f.ticker}: ${f.reason}`),
        ...(failures.length > 20 ? [`  … and ${failures.length - 20} more (--json lists all)`] : []),
      ].join("\n"),
    );
    return 0;
  });
}

/** `tickerfleet top [--scan ID] [-n 20]`: the leaderboard of a scan (the latest finished one by default). */
export async function topCommand(options: ReadOptions & { scan?: string; n?: string }): Promise<number> {
  const n = wholeNumberOption("-n", options.n ?? "20", { min: 1 });
  return withTarget(options, async (target) => {
    const scan = await scanOrLatest(target, options.scan);
    const rows = ((await target.store.leaderboard(scan.scanId)) ?? []).slice(0, n);
    print(options.json, { scanId: scan.scanId, status: scan.status, rows }, () =>
      [
        `scan ${scan.scanId} (${scan.universe}, ${scan.status}, finished ${scan.finishedAt ?? "–"})`,
        leaderboardTable(rows),
      ].join("\n"),
    );
    return 0;
  });
}

/** `tickerfleet ticker <SYMBOL>`: one ticker across recent scans, with its RS rating recomputed from each scan's thresholds. */
export async function tickerCommand(
  symbolInput: string,
  options: ReadOptions & { limit?: string },
): Promise<number> {
  let symbol: string;
  try {
    symbol = canonicalSymbol(symbolInput);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const limit = wholeNumberOption("--limit", options.limit ?? "30", { min: 1, max: 1000 });
  return withTarget(options, async (target) => {
    const scans = (await target.store.recentScans({ limit })).filter((s) => s.summary);
    if (scans.length === 0) throw noFinishedScan(target);
    const results = await target.store.tickerResults(
      symbol,
      scans.map((s) => s.scanId),
    );
    const rows = scans
      .filter((s) => results.has(s.scanId))
      .map((s) => {
        const r = results.get(s.scanId)!;
        if (r.status === "failed")
          return {
            scanId: s.scanId,
            date: s.createdAt,
            status: "failed",
            reason: `${r.reason}: ${r.message}`,
          };
        const m = r.metrics;
        const benchmark = Float64Array.from(s.summary!.benchmarkReturns, (x) => x ?? Number.NaN);
        const rsRaw = rsRawScore(returnsFromFields(m, new Float64Array(RS_PERIODS.length)), benchmark).raw;
        return {
          scanId: s.scanId,
          date: s.createdAt,
          status: "scored",
          lastDate: m.lastDate,
          close: m.close,
          changePct: m.changePct,
          rsRaw: Number.isFinite(rsRaw) ? rsRaw : null,
          rsRating: ratingFromThresholds(rsRaw, s.summary!.rsThresholds),
          rsi14: m.rsi14,
          macdStage: m.macdStage,
        };
      });
    if (rows.length === 0)
      throw new CliError(
        `${symbol} is in none of the last ${scans.length} finished scans on the ${target.label}`,
        3,
      );
    print(options.json, { ticker: symbol, history: rows }, () =>
      [
        `${symbol} across ${rows.length} scan(s)`,
        table(rows, [
          { header: "Scan", value: (r) => r.scanId },
          { header: "Bar", value: (r) => ("lastDate" in r ? String(r.lastDate) : "–") },
          {
            header: "Close",
            value: (r) => ("close" in r ? fixed(r.close as number, 2) : "–"),
            align: "right",
          },
          {
            header: "Chg %",
            value: (r) => ("changePct" in r ? signed(r.changePct as number | null, 2) : "–"),
            align: "right",
          },
          { header: "RS", value: (r) => ("rsRating" in r ? String(r.rsRating) : "–"), align: "right" },
          {
            header: "RSI",
            value: (r) => ("rsi14" in r ? fixed(r.rsi14 as number | null, 1) : "–"),
            align: "right",
          },
          {
            header: "MACD / reason",
            value: (r) => ("macdStage" in r ? String(r.macdStage) : String(r.reason)),
          },
        ]),
      ].join("\n"),
    );
    return 0;
  });
}

/** `tickerfleet breadth [--scan ID] [--days 20]`: market breadth of a scan's universe by date. */
export async function breadthCommand(
  options: ReadOptions & { scan?: string; days?: string },
): Promise<number> {
  const days = wholeNumberOption("--days", options.days ?? "20", { min: 1 });
  return withTarget(options, async (target) => {
    const scan = await scanOrLatest(target, options.scan);
    const series = await target.store.breadth(scan.scanId);
    if (!series) throw new CliError(`scan ${scan.scanId} has no breadth`, 3);
    const n = series.dates.length;
    const from = Math.max(0, n - days);
    const col = (k: Exclude<keyof StoredBreadth, "dates">, i: number) => series[k][i] ?? null;
    const rows = Array.from({ length: n - from }, (_, j) => {
      const i = from + j;
      return {
        date: String(series.dates[i]),
        advances: col("advances", i),
        declines: col("declines", i),
        adLine: col("advanceDeclineLine", i),
        pctAbove50: col("pctAboveSma50", i),
        pctAbove200: col("pctAboveSma200", i),
        newHighs: col("newHighs", i),
        newLows: col("newLows", i),
        mcClellan: col("mcClellanOscillator", i),
        summation: col("summationIndex", i),
      };
    });
    print(
      options.json,
      { scanId: scan.scanId, universe: scan.universe, market: scan.summary?.market, rows },
      () =>
        [
          `breadth of ${scan.universe} (scan ${scan.scanId}); market: ${scan.summary?.market.state ?? "–"}`,
          table(rows, [
            { header: "Date", value: (r) => r.date },
            { header: "Adv", value: (r) => fixed(r.advances, 0), align: "right" },
            { header: "Dec", value: (r) => fixed(r.declines, 0), align: "right" },
            { header: "A/D line", value: (r) => fixed(r.adLine, 0), align: "right" },
            { header: "%>50d", value: (r) => fixed(r.pctAbove50, 1), align: "right" },
            { header: "%>200d", value: (r) => fixed(r.pctAbove200, 1), align: "right" },
            { header: "NH", value: (r) => fixed(r.newHighs, 0), align: "right" },
            { header: "NL", value: (r) => fixed(r.newLows, 0), align: "right" },
            { header: "McClellan", value: (r) => fixed(r.mcClellan, 1), align: "right" },
            { header: "Summation", value: (r) => fixed(r.summation, 0), align: "right" },
          ]),
        ].join("\n"),
    );
    return 0;
  });
}
